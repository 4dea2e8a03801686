// Topics on the IPTC Media Topics taxonomy (issue 18 §3): the taxonomy file, cue stems in
// several languages, parents implied by subtopics, the evidence needed, and the topic an
// event's type implies. Real gazetteer (data/gazetteer) and extractor.
#include "extract/topic_classifier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "absl/strings/str_cat.h"
#include "extract/cue_index.h"
#include "extract/event_extractor.h"
#include "tests/support/bundled_gazetteer.h"
#include "tests/support/status_matchers.h"

namespace sa::extract {
namespace {

using ::sa::testing::StatusIs;
using summit_alerts::v1::Event;
using summit_alerts::v1::Topic;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using ::testing::Not;

class TopicTest : public ::testing::Test {
 protected:
  static Event Extract(const std::string& title, const std::string& body,
                       const std::string& language = "") {
    return testing::ExtractBundled(title, body, language);
  }
  static std::vector<std::string> Names(const Event& e) {
    std::vector<std::string> out;
    for (const auto& t : e.topics()) out.push_back(t.name());
    return out;
  }
  static const Topic* Find(const Event& e, const std::string& name) {
    for (const auto& t : e.topics()) {
      if (t.name() == name) return &t;
    }
    return nullptr;
  }
};

// The names, parents and top-level ids that data/eval/LABELLING.md and IPTC fix.
TEST_F(TopicTest, TaxonomyHasTheLabellingTopicsWithTheirParentsAndIptcTopLevels) {
  const std::map<std::string, std::string> top_levels = {
      {"arts, culture, entertainment and media", "medtop:01000000"},
      {"crime, law and justice", "medtop:02000000"},
      {"disaster, accident and emergency incident", "medtop:03000000"},
      {"economy, business and finance", "medtop:04000000"},
      {"education", "medtop:05000000"},
      {"environment", "medtop:06000000"},
      {"health", "medtop:07000000"},
      {"human interest", "medtop:08000000"},
      {"labour", "medtop:09000000"},
      {"lifestyle and leisure", "medtop:10000000"},
      {"politics", "medtop:11000000"},
      {"religion", "medtop:12000000"},
      {"science and technology", "medtop:13000000"},
      {"society", "medtop:14000000"},
      {"sport", "medtop:15000000"},
      {"conflict, war and peace", "medtop:16000000"},
      {"weather", "medtop:17000000"}};
  const std::map<std::string, std::string> subtopics = {
      {"diplomacy", "politics"},
      {"elections", "politics"},
      {"sanctions", "politics"},
      {"territorial disputes", "politics"},
      {"human rights", "society"},
      {"migration", "society"},
      {"arms control", "conflict, war and peace"},
      {"nuclear weapons", "conflict, war and peace"},
      {"armed conflict", "conflict, war and peace"},
      {"peace process", "conflict, war and peace"},
      {"military exercises", "conflict, war and peace"},
      {"terrorism", "conflict, war and peace"},
      {"trade", "economy, business and finance"},
      {"energy", "economy, business and finance"},
      {"climate change", "environment"},
      {"cyber security", "science and technology"}};
  std::map<std::string, const TopicEntry*> by_name;
  for (const TopicEntry& t : testing::BundledGazetteer()->topics()) by_name[t.name] = &t;
  for (const auto& [name, id] : top_levels) {
    ASSERT_TRUE(by_name.count(name)) << name;
    EXPECT_EQ(by_name[name]->iptc_id, id) << name;
    EXPECT_EQ(by_name[name]->parent, "") << name;
  }
  for (const auto& [name, parent] : subtopics) {
    ASSERT_TRUE(by_name.count(name)) << name;
    EXPECT_EQ(by_name[name]->parent, parent) << name;
  }
  EXPECT_EQ(by_name["diplomacy"]->iptc_id, "medtop:20000639");
  EXPECT_EQ(by_name["sanctions"]->iptc_id, "medtop:20000642");
  EXPECT_EQ(by_name.size(), top_levels.size() + subtopics.size());
}

TEST_F(TopicTest, ASubtopicBringsItsParentWithTheHigherScore) {
  Event e = Extract("EU adopts new sanctions on oil imports",
                    "The bloc's foreign ministers agreed the package on Monday.");
  const Topic* sanctions = Find(e, "sanctions");
  const Topic* politics = Find(e, "politics");
  ASSERT_NE(sanctions, nullptr);
  ASSERT_NE(politics, nullptr);
  EXPECT_EQ(sanctions->iptc_id(), "medtop:20000642");
  EXPECT_EQ(sanctions->parent(), "politics");
  EXPECT_EQ(sanctions->evidence().field(), "title");
  EXPECT_EQ(sanctions->evidence().text(), "sanctions");
  EXPECT_EQ(politics->iptc_id(), "medtop:11000000");
  EXPECT_EQ(politics->parent(), "");
  EXPECT_GE(politics->score(), sanctions->score());
  EXPECT_THAT(Names(e), IsSupersetOf({"energy", "economy, business and finance"}));
}

TEST_F(TopicTest, StemsFindInflectedFormsInSeveralLanguages) {
  Event ru = Extract("Евросоюз расширил санкции", "Новые ограничения связаны с санкциями.", "ru");
  EXPECT_THAT(Names(ru), IsSupersetOf({"sanctions", "politics"}));
  Event de = Extract("Klimaschutz: Länder streiten über Emissionen",
                     "Die Erderwärmung schreitet schneller voran als erwartet.", "de");
  EXPECT_THAT(Names(de), IsSupersetOf({"climate change", "environment"}));
  Event fr = Extract("Cessez-le-feu fragile", "Les pourparlers de paix reprennent lundi.", "fr");
  EXPECT_THAT(Names(fr), Contains("peace process"));
  Event es = Extract("Elecciones presidenciales", "Los votantes acuden a las urnas.", "es");
  EXPECT_THAT(Names(es), IsSupersetOf({"elections", "politics"}));
  // A stemmed cue becomes a keyword as the article writes it.
  EXPECT_THAT(ru.keywords(), Contains("санкциями"));
}

TEST_F(TopicTest, APassingMentionInALongArticleIsNoTopic) {
  std::string body = "The home side scored twice in the second half to win the championship. ";
  for (int i = 0; i < 12; ++i)
    absl::StrAppend(&body, "The football crowd sang until the final whistle. ");
  absl::StrAppend(&body, "One fan wore a shirt about sanctions.");
  Event e = Extract("Late goals decide the final", body);
  EXPECT_THAT(Names(e), Contains("sport"));
  EXPECT_THAT(Names(e), Not(Contains("sanctions")));
  // In a short entry one mention is the subject.
  EXPECT_THAT(Names(Extract("Markets", "Traders weighed the sanctions.")), Contains("sanctions"));
}

// A short entry's side mention, far weaker than its subject (title and body), is no topic:
// a topic needs kMinShareOfBestTopic of the strongest topic's hits.
TEST_F(TopicTest, ASideMentionBesideAStrongSubjectIsNoTopic) {
  Event e = Extract("Oil prices climb as crude supplies tighten",
                    "Brent crude rose as OPEC kept output low; refiners bought more barrels while "
                    "pipeline flows fell. One trader mentioned the election.");
  EXPECT_THAT(Names(e), IsSupersetOf({"energy", "economy, business and finance"}));
  EXPECT_THAT(Names(e), Not(Contains("elections")));
  // Beside a weak subject the same single mention still counts.
  EXPECT_THAT(Names(Extract("Markets", "Traders weighed the election.")), Contains("elections"));
}

// General vocabulary beyond the eval set's words, in several languages (issue 18 §3).
TEST_F(TopicTest, GeneralVocabularyInSeveralLanguages) {
  EXPECT_THAT(Names(Extract("Gunman detained after robbery", "Prosecutors filed charges.")),
              Contains("crime, law and justice"));
  EXPECT_THAT(Names(Extract("Polícia detém suspeito de homicídio",
                            "O arguido foi presente ao "
                            "juiz.",
                            "pt")),
              Contains("crime, law and justice"));
  EXPECT_THAT(
      Names(Extract("Bürgerkrieg: Milizen rücken vor", "Die Rebellen melden Gefechte.", "de")),
      IsSupersetOf({"armed conflict", "conflict, war and peace"}));
  EXPECT_THAT(Names(Extract("Переговоры о перемирии", "Посредники предложили мирный план.", "ru")),
              Contains("peace process"));
  EXPECT_THAT(
      Names(Extract("Eleições presidenciais", "As sondagens dão vantagem ao candidato.", "pt")),
      Contains("elections"));
  EXPECT_THAT(Names(Extract("Hospitals short of cancer drugs", "Patients wait for therapy.")),
              Contains("health"));
}

// Stems that would match unrelated words were removed: "súd*" (Slovak court) matched
// "suddenly", "búrk*" (storm) "Burkina", "recept*" "reception", "invest*" "investigation".
TEST_F(TopicTest, StemsDoNotMatchUnrelatedEnglishWords) {
  Event e = Extract("Suddenly, a reception in Burkina Faso",
                    "The guests suddenly left the reception in Burkina Faso.");
  EXPECT_THAT(Names(e), Not(Contains("crime, law and justice")));
  EXPECT_THAT(Names(e), Not(Contains("weather")));
  EXPECT_THAT(Names(e), Not(Contains("lifestyle and leisure")));
  Event inquiry = Extract("Inquiry opens", "An investigation of the minister's office began.");
  EXPECT_THAT(Names(inquiry), Contains("crime, law and justice"));
  EXPECT_THAT(Names(inquiry), Not(Contains("economy, business and finance")));
}

TEST_F(TopicTest, ADiplomaticEventImpliesDiplomacyWithTheTypeEvidence) {
  Event e = Extract("Presidents hold phone call", "The two presidents spoke for an hour.");
  ASSERT_EQ(e.type(), "phone call");
  const Topic* diplomacy = Find(e, "diplomacy");
  ASSERT_NE(diplomacy, nullptr);
  EXPECT_EQ(diplomacy->evidence().text(), "phone call");
  EXPECT_THAT(Names(e), Contains("politics"));
}

TEST_F(TopicTest, SportsAndWeatherStoriesGetTheirOwnTopLevels) {
  EXPECT_THAT(Names(Extract("Storm brings heavy rain and snow",
                            "Forecasters warned of more snowfall overnight.")),
              Contains("weather"));
  EXPECT_THAT(Names(Extract("Striker joins champions", "The club's coach praised the player.")),
              Contains("sport"));
}

TEST(TopicFile, MalformedTaxonomyRowsNameFileAndLine) {
  const std::string dir = ::testing::TempDir() + "/topics_bad_" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/people.tsv") << "Jane Roe\tPresident of Nowhere\tXX\t\n";
  std::ofstream(dir + "/places.tsv") << "Nowhere\t\tXX\t1\t2\t\n";
  std::ofstream(dir + "/event_types.tsv") << "summit/meeting\tsummit\n";
  auto load = [&](const std::string& topics) {
    std::ofstream(dir + "/topics.tsv") << topics;
    return Gazetteer::LoadFromDirectory(dir).status();
  };
  EXPECT_THAT(
      load("politics\tmedtop:11000000\t\tpolitics\nsanctions\t\tpolicy\tsanction*\n"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("topics.tsv:2: parent 'policy' is not a topic of an earlier row")));
  EXPECT_THAT(load("politics\t11000000\t\tpolitics\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("topics.tsv:1: '11000000'")));
  EXPECT_THAT(load("politics\tmedtop:11000000\t\tpolitics\npolitics\t\t\tpo*\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("topics.tsv:2")));
  // (Each load reads the whole gazetteer, so the cases are few; the shipped file is the good one.)
}

TEST(CueIndex, StemsMatchWordsThatStartWithThemExactWordsOnlyThemselves) {
  CueIndex index;
  ASSERT_TRUE(index.Add("sanction*", 1).ok());
  ASSERT_TRUE(index.Add("телефонн* разговор*", 2).ok());
  ASSERT_TRUE(index.Add("peace talks", 3).ok());
  ASSERT_TRUE(index.Add("talks", 4).ok());
  EXPECT_FALSE(index.Add("a*", 5).ok());
  EXPECT_FALSE(index.Add("  *** ", 5).ok());
  auto hits = index.FindAll(
      text::Tokenize("Sanctioned firms; телефонного разговора; peace talks. Sanction. sanc talk"));
  std::vector<std::pair<uint32_t, uint32_t>> got;  // value, first token
  for (const auto& h : hits) got.push_back({h.value, h.first_token});
  EXPECT_THAT(got, ::testing::ElementsAre(
                       std::pair<uint32_t, uint32_t>{1, 0}, std::pair<uint32_t, uint32_t>{2, 2},
                       std::pair<uint32_t, uint32_t>{3, 4}, std::pair<uint32_t, uint32_t>{4, 5},
                       std::pair<uint32_t, uint32_t>{1, 6}));
  EXPECT_TRUE(hits[0].stemmed);
  EXPECT_EQ(hits[1].last_token, 3u);
  EXPECT_FALSE(hits[2].stemmed);
  // A phrase cut off by the end of the text is no match.
  EXPECT_TRUE(index.FindAll(text::Tokenize("peace")).empty());
  EXPECT_TRUE(index.FindAll(text::Tokenize("телефонный")).empty());
}

// German compounds end with the subject's word: a suffix cue ('*' before) finds them.
TEST(CueIndex, ASuffixMatchesCompoundsEndingWithItNeverTheWordAlone) {
  CueIndex index;
  ASSERT_TRUE(index.Add("*krieg", 1).ok());
  ASSERT_TRUE(index.Add("*wahlen", 2).ok());
  EXPECT_FALSE(index.Add("*krieg*", 3).ok());       // a suffix is no stem
  EXPECT_FALSE(index.Add("peace *talks", 3).ok());  // only the first word
  EXPECT_FALSE(index.Add("*ab", 3).ok());           // too short
  auto hits = index.FindAll(text::Tokenize("Bürgerkrieg, Krieg, Präsidentschaftswahlen, xkrieg"));
  std::vector<std::pair<uint32_t, uint32_t>> got;  // value, first token
  for (const auto& h : hits) got.push_back({h.value, h.first_token});
  EXPECT_THAT(got, ::testing::ElementsAre(std::pair<uint32_t, uint32_t>{1, 0},
                                          std::pair<uint32_t, uint32_t>{2, 2}));
  EXPECT_TRUE(hits[0].stemmed);
}

}  // namespace
}  // namespace sa::extract
