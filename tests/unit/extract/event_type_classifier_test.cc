// Event type and "summit-related" (issue 18 §5): diplomatic meetings, talks, visits, calls and
// statements in several languages, told apart from mountain summits, companies' summits and
// talks, party congresses, board meetings and central banks' meetings. Real gazetteer
// (data/gazetteer), the whole extractor (the type reads the participants and organisations).
#include "extract/event_type_classifier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "extract/event_extractor.h"
#include "tests/support/bundled_gazetteer.h"
#include "tests/support/status_matchers.h"

namespace sa::extract {
namespace {

using ::sa::testing::StatusIs;
using summit_alerts::v1::Event;
using ::testing::HasSubstr;

class EventTypeTest : public ::testing::Test {
 protected:
  static Event Extract(const std::string& title, const std::string& body,
                       const std::string& language = "") {
    return testing::ExtractBundled(title, body, language);
  }
};

TEST_F(EventTypeTest, LeadersSummitIsASummitWithItsEvidence) {
  Event e = Extract("Leaders gather for Brussels summit",
                    "Heads of government of the European Union met in Brussels for a two-day "
                    "summit on defence spending.");
  EXPECT_EQ(e.type(), "summit/meeting");
  EXPECT_EQ(e.type_evidence().field(), "title");
  EXPECT_EQ(e.type_evidence().text(), "summit");
  EXPECT_EQ(e.title().substr(e.type_evidence().begin(),
                             e.type_evidence().end() - e.type_evidence().begin()),
            "summit");
  EXPECT_GE(e.relevance(), 0.5);
}

TEST_F(EventTypeTest, MountainSummitIsOther) {
  Event en = Extract("Climbers reach the summit of K2 in winter",
                     "A team of climbers reached the summit on Saturday after a ten-day ascent, "
                     "the expedition organiser said. The government congratulated them.");
  EXPECT_EQ(en.type(), "other");
  EXPECT_FALSE(en.has_type_evidence());
  EXPECT_LT(en.relevance(), 0.5);
  Event de = Extract(
      "Bergsteiger erreichen den Gipfel",
      "Zwei Bergsteiger standen am Sonntag auf dem Gipfel, teilte die Regierung mit.", "de");
  EXPECT_EQ(de.type(), "other");
}

TEST_F(EventTypeTest, GermanSummitOfLeadersIsASummit) {
  Event e = Extract("Gipfel in Paris",
                    "Der französische Präsident empfing die Regierungschefs zu einem Gipfel über "
                    "die Verteidigung.",
                    "de");
  EXPECT_EQ(e.type(), "summit/meeting");
}

TEST_F(EventTypeTest, CentralBankMeetingIsOther) {
  Event e = Extract("Fed holds rates steady after two-day meeting",
                    "The Federal Reserve left interest rates unchanged at the end of its policy "
                    "meeting on Wednesday. The president criticised the decision.");
  EXPECT_EQ(e.type(), "other");
}

TEST_F(EventTypeTest, PartyCongressIsOther) {
  Event e = Extract("Ruling party opens its congress",
                    "Delegates gathered in the capital for the party congress, a meeting held "
                    "every five years to choose the leadership.");
  EXPECT_EQ(e.type(), "other");
}

TEST_F(EventTypeTest, CorporateSummitAndTalksAreOther) {
  Event summit = Extract("Tech summit draws investors",
                         "Thousands attended the tech summit, where the prime minister spoke "
                         "about start-ups.");
  EXPECT_EQ(summit.type(), "other");
  Event talks = Extract("Retailer in talks to buy rival chain",
                        "The retailer is in talks to buy its rival, people familiar with the "
                        "matter said; the government must approve any deal.");
  EXPECT_EQ(talks.type(), "other");
}

TEST_F(EventTypeTest, BoardMeetingIsOther) {
  Event e = Extract("Carmaker's board meets over chief's future",
                    "The board of directors will meet on Tuesday, the company's president said.");
  EXPECT_EQ(e.type(), "other");
}

TEST_F(EventTypeTest, AMeetingWithoutDiplomaticActorsIsOther) {
  Event e = Extract("Residents meet over parking", "Residents met on Monday to discuss parking.");
  EXPECT_EQ(e.type(), "other");
}

TEST_F(EventTypeTest, PhoneCallsInRussianAndGerman) {
  Event ru = Extract("Президенты провели телефонный разговор",
                     "Президенты России и Франции обсудили по телефону ситуацию в регионе.", "ru");
  EXPECT_EQ(ru.type(), "phone call");
  EXPECT_EQ(ru.type_evidence().text(), "телефонный разговор");
  Event de = Extract("Kanzler telefoniert mit Präsidenten",
                     "Der Kanzler hat am Montag mit dem Präsidenten telefoniert.", "de");
  EXPECT_EQ(de.type(), "phone call");
  EXPECT_GE(de.relevance(), 0.3);
}

TEST_F(EventTypeTest, StateVisitTalksAndStatementsInSeveralLanguages) {
  EXPECT_EQ(Extract("Visite d'État du président au Japon",
                    "Le président entame une visite d'État de trois jours.", "fr")
                .type(),
            "state visit");
  EXPECT_EQ(Extract("Conversaciones de paz en Ginebra",
                    "Las delegaciones de ambos gobiernos iniciaron conversaciones de paz.", "es")
                .type(),
            "talks");
  EXPECT_EQ(
      Extract("Vertice a Roma", "Il primo ministro incontra i capi di Stato al vertice.", "it")
          .type(),
      "summit/meeting");
  EXPECT_EQ(Extract("Cimeira em Lisboa", "Os chefes de Estado reúnem-se na cimeira.", "pt").type(),
            "summit/meeting");
  EXPECT_EQ(Extract("Ministers issue joint statement",
                    "The foreign ministers issued a joint statement on maritime security.")
                .type(),
            "statement");
  EXPECT_EQ(Extract("Переговоры в Стамбуле",
                    "Делегации двух стран провели переговоры о прекращении огня.", "ru")
                .type(),
            "talks");
}

// The veto "meeting with the press" starts at the very word of the weak cue "meeting".
TEST_F(EventTypeTest, AMeetingWithThePressIsAPressConference) {
  Event e = Extract("Viewers watch the president",
                    "Millions watched the president's meeting with the press on Wednesday.");
  EXPECT_EQ(e.type(), "press conference");
  EXPECT_EQ(e.type_evidence().text(), "meeting with the press");
}

TEST_F(EventTypeTest, AVetoInTheBodyOnlyCancelsCuesNearIt) {
  // "climbers" is far from the second "summit", which stays a leaders' summit.
  Event e = Extract("Leaders' summit opens",
                    "Climbers were rescued in the mountains last week. Meanwhile, in the "
                    "capital, a long-planned gathering of presidents and ministers from the "
                    "region began with a welcome dinner, and the summit will close on Friday.");
  EXPECT_EQ(e.type(), "summit/meeting");
}

TEST(EventTypeFile, AnUnknownImpliedTopicNamesFileAndLine) {
  const std::string dir = ::testing::TempDir() + "/event_types_bad_" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/people.tsv") << "Jane Roe\tPresident of Nowhere\tXX\t\n";
  std::ofstream(dir + "/places.tsv") << "Nowhere\t\tXX\t1\t2\t\n";
  std::ofstream(dir + "/topics.tsv") << "politics\tmedtop:11000000\t\tpolitics\n";
  std::ofstream(dir + "/event_types.tsv") << "summit/meeting\tsummit\t\t\tpolitics\n"
                                          << "talks\ttalks\t\t\tno such topic\n";
  EXPECT_THAT(Gazetteer::LoadFromDirectory(dir),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("event_types.tsv:2: topic 'no such topic'")));
}

}  // namespace
}  // namespace sa::extract
