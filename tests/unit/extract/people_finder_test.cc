// People in no list, recognised from context (extract/name_patterns.h) in en/ru/de/fr/es/it/pt,
// and dictionary people found only where written as a name (extract/people_finder.h). Runs on
// the shipped gazetteer: the people named here as unknown are in no list of it.
#include "extract/people_finder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "extract/article_text.h"
#include "extract/gazetteer.h"
#include "extract/name_patterns.h"
#include "tests/support/bundled_gazetteer.h"

namespace sa::extract {
namespace {

using summit_alerts::v1::Event;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class PeopleFinderTest : public ::testing::Test {
 protected:
  // Names after a title in `body`, as "name|title|country".
  static std::vector<std::string> Titled(const std::string& body) {
    ArticleText text("", body, "");
    std::vector<std::string> out;
    ForEachTitledName(text.fields[1], *testing::BundledGazetteer(), [&](const FoundName& f) {
      out.push_back(f.name + "|" + f.title + "|" + f.country);
      EXPECT_EQ(body.substr(f.begin, f.end - f.begin), f.name);
      return true;
    });
    return out;
  }
  // Names next to a reporting verb in `body`.
  static std::vector<std::string> Reported(const std::string& body) {
    ArticleText text("", body, "");
    std::vector<std::string> out;
    ForEachReportedPerson(text.fields[1], *testing::BundledGazetteer(), [&](const FoundName& f) {
      out.push_back(f.name);
      EXPECT_EQ(body.substr(f.begin, f.end - f.begin), f.name);
      return true;
    });
    return out;
  }
  // The participants AddParticipants finds, as "name confidence".
  static std::vector<std::string> Participants(const std::string& title, const std::string& body,
                                               const std::string& language = "") {
    ArticleText text(title, body, language);
    Event event;
    AddParticipants(*testing::BundledGazetteer(), text, event);
    std::vector<std::string> out;
    for (const auto& p : event.participants()) {
      out.push_back(p.name() + " " + std::to_string(p.confidence()).substr(0, 3));
    }
    return out;
  }
};

TEST_F(PeopleFinderTest, EnglishTitlesAndAppositions) {
  EXPECT_THAT(Titled("Finnish President Sauli Niinistö met reporters in the hall."),
              ElementsAre("Sauli Niinistö|President|FI"));
  EXPECT_THAT(Titled("He spoke to Foreign Minister Jane Roe and Governor Mike Dunleavy."),
              ElementsAre("Jane Roe|Foreign Minister|", "Mike Dunleavy|Governor|"));
  EXPECT_THAT(Titled("Secretary of State Jane Roe flew on."), ElementsAre("Jane Roe|Secretary|"));
  // A single word after a title is a surname when nothing else explains it.
  EXPECT_THAT(Titled("The talks, President Okonkwo insisted, went well."),
              ElementsAre("Okonkwo|President|"));
  EXPECT_THAT(Titled("Before former President Barack Obama and Polish President Jan Kowalski met."),
              ElementsAre("Jan Kowalski|President|PL"));
  EXPECT_THAT(Titled("European Commission President Ursula von der Leyen spoke."), IsEmpty())
      << "a known person is the dictionary's";
}

TEST_F(PeopleFinderTest, AbbreviatedTitlesLegislatorsAndTitlesOfAnInstitution) {
  EXPECT_THAT(Titled("Rep. Jane Roe (R-VA) said so, and Dr. John Doe agreed."),
              ElementsAre("Jane Roe|Rep|", "John Doe|Dr|"));
  EXPECT_THAT(Titled("Speaker of the House Jane Roe and Democrat John Doe’s rival spoke."),
              ElementsAre("Jane Roe|Speaker|", "John Doe|Democrat|"));
  EXPECT_THAT(Titled("Segundo a eurodeputada socialista Ana Silva, não."),
              ElementsAre("Ana Silva|eurodeputada|"));
}

TEST_F(PeopleFinderTest, EnglishNegatives) {
  EXPECT_THAT(Titled("They walked down President Street and past Minister Bank in March."),
              IsEmpty());
  EXPECT_THAT(Titled("The president arrived in Anchorage on Monday. Officials cheered."),
              IsEmpty());
  EXPECT_THAT(Titled("The minister met with Jane Roe."), IsEmpty())
      << "two free words are not a title's complement";
  EXPECT_THAT(Titled("General Motors cut jobs; General Assembly delegates met in May."), IsEmpty());
  EXPECT_THAT(Titled("The prime minister. Then Jane Roe spoke."), IsEmpty())
      << "a name is not looked for in the next sentence";
  EXPECT_THAT(Reported("Officials said. Downing Street said. The Kremlin said. But Putin said "
                       "nothing. On Monday Anchorage said no."),
              IsEmpty());
}

TEST_F(PeopleFinderTest, EnglishReportingVerbs) {
  EXPECT_THAT(Reported("Maria Petrova said the talks would resume, and Jean Dupont has said so."),
              ElementsAre("Maria Petrova", "Jean Dupont"));
}

TEST_F(PeopleFinderTest, Russian) {
  EXPECT_THAT(Titled("Президент Финляндии Саули Ниинистё прибыл в Москву."),
              ElementsAre("Саули Ниинистё|Президент|"));
  EXPECT_THAT(Titled("Его принял министр иностранных дел Иван Петренко."),
              ElementsAre("Иван Петренко|министр|"));
  EXPECT_THAT(Reported("Об этом заявил Иван Петренко. Анна Смирнова сказала, что нет."),
              ElementsAre("Иван Петренко", "Анна Смирнова"));
  EXPECT_THAT(Titled("Глава МИД Иван Петренко уехал."), ElementsAre("Иван Петренко|Глава|"));
}

TEST_F(PeopleFinderTest, German) {
  EXPECT_THAT(Titled("Das sagte Bundeskanzlerin Anna Schmidt am Montag."),
              ElementsAre("Anna Schmidt|Bundeskanzlerin|"));
  EXPECT_THAT(Titled("Der finnische Präsident Sauli Niinistö reiste ab."),
              ElementsAre("Sauli Niinistö|Präsident|"));
  EXPECT_THAT(Reported("Das ist richtig, sagte Hans Müller am Montag."),
              ElementsAre("Hans Müller"));
  EXPECT_THAT(Titled("Im Januar Präsident. Im Mai Minister."), IsEmpty());
}

TEST_F(PeopleFinderTest, French) {
  EXPECT_THAT(Titled("Le président finlandais Sauli Niinistö est arrivé."),
              ElementsAre("Sauli Niinistö|président|"));
  EXPECT_THAT(Titled("La ministre des Affaires étrangères Marie Durand a parlé."),
              ElementsAre("Marie Durand|ministre|"));
  EXPECT_THAT(Reported("Jean Dupont a déclaré que rien n'était décidé."),
              ElementsAre("Jean Dupont"));
}

TEST_F(PeopleFinderTest, SpanishItalianPortuguese) {
  EXPECT_THAT(Titled("Lo confirmó el ministro de Exteriores José Pérez en Madrid."),
              ElementsAre("José Pérez|ministro|"));
  EXPECT_THAT(Reported("Todo irá bien, dijo José Pérez ayer."), ElementsAre("José Pérez"));
  EXPECT_THAT(Titled("Lo ha detto il ministro degli Esteri Mario Rossi."),
              ElementsAre("Mario Rossi|ministro|"));
  EXPECT_THAT(Reported("Non è così, ha detto Mario Rossi."), ElementsAre("Mario Rossi"));
  EXPECT_THAT(Titled("O primeiro-ministro António Silva disse que sim."),
              ElementsAre("António Silva|primeiro-ministro|"));
  EXPECT_THAT(Reported("António Silva disse que sim."), ElementsAre("António Silva"));
}

TEST_F(PeopleFinderTest, UnknownPeopleRankBelowDictionaryPeople) {
  EXPECT_THAT(Participants("Putin meets Finnish leader",
                           "Finnish President Sauli Niinistö met Vladimir Putin. "
                           "Maria Petrova said little."),
              ElementsAre("Vladimir Putin 1.0", "Sauli Niinistö 0.6", "Maria Petrova 0.4"));
}

// A name that is also a town or contains one ("Castro", "Anna") is still a person; a surname
// found first gives way to the full name found later.
TEST_F(PeopleFinderTest, FullNamesAndNamesWithPlacesInThem) {
  EXPECT_THAT(Participants("President Kowalski says taxes will fall",
                           "Polish President Jan Kowalski and Bundeskanzlerin Anna Castro spoke."),
              ElementsAre("Jan Kowalski 0.6", "Anna Castro 0.6"));
}

// Names with no title or reporting verb beside them (0.3): a given name of the people list
// ("Dmitry", "Olaf") with a surname. Never in a Title Case headline, never a thing named after
// a person, a demonym's phrase or a known place.
TEST_F(PeopleFinderTest, NamesFoundByTheirFormAlone) {
  EXPECT_THAT(Participants("Television host mocks the outgoing leader",
                           "On state television Dmitry Kiselyov mocked the outgoing leader."),
              ElementsAre("Dmitry Kiselyov 0.3"));
  EXPECT_THAT(Participants("", "Dmitry Kiselyov Institute opens; Olaf Brandt Bridge closes."),
              IsEmpty());
  EXPECT_THAT(Participants("Live Updates: Olaf Larsen Talks Return To Geneva Tonight", ""),
              IsEmpty())
      << "a Title Case headline capitalises every word";
  EXPECT_THAT(Participants("", "Olaf Street and Dmitry Square were closed; Olaf said hello."),
              IsEmpty());
}

// In a Latin-script language that capitalises only proper nouns, a capitalised pair after a
// lower-case word of the same sentence is a name (0.2); not in English or German, not a known
// place or an institution, not at a sentence start.
TEST_F(PeopleFinderTest, MidSentenceNamesInLanguagesThatCapitaliseOnlyProperNouns) {
  EXPECT_THAT(
      Participants("", "Segundo fontes, a empresária Quitéria Brandolinho vendeu a empresa.", "pt"),
      ElementsAre("Quitéria Brandolinho 0.2"));
  EXPECT_THAT(
      Participants("", "Sources say entrepreneur Quitéria Brandolinho sold the firm.", "en"),
      IsEmpty());
  EXPECT_THAT(Participants("", "Die Firma Quitéria Brandolinho verkaufte.", "de"), IsEmpty());
  EXPECT_THAT(
      Participants("", "Quitéria Brandolinho vendeu. A empresa mudou para Porto Alegre.", "pt"),
      IsEmpty());
  // Institutions are proper nouns in these languages too.
  EXPECT_THAT(Participants(
                  "", "O caso seguiu para o Ministério Público e a Autoridade Palestiniana.", "pt"),
              IsEmpty());
}

TEST_F(PeopleFinderTest, ADictionarySurnameCountsOnlyWrittenAsAName) {
  // Italian "modi" (ways), Spanish "duda" (doubt): common words, not Narendra Modi or Andrzej
  // Duda; the same words capitalised are the people.
  EXPECT_THAT(Participants("", "Ci sono molti modi di farlo, sin duda.", "it"), IsEmpty());
  EXPECT_THAT(Participants("Modi incontra Duda", "", "it"),
              ElementsAre("Narendra Modi 1.0", "Andrzej Duda 1.0"));
  // Scripts without case count as written.
  EXPECT_THAT(Participants("莫迪 与 普京 会谈", "", "zh"),
              ElementsAre("Narendra Modi 1.0", "Vladimir Putin 1.0"));
}

}  // namespace
}  // namespace sa::extract
