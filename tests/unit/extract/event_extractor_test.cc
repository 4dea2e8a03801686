#include "extract/event_extractor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "extract/event_time.h"
#include "tests/support/bundled_gazetteer.h"
#include "tests/support/status_matchers.h"

namespace sa::extract {
namespace {

using ::sa::testing::StatusIs;
using summit_alerts::v1::Article;
using summit_alerts::v1::Event;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Ge;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using ::testing::Lt;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class EventExtractorTest : public ::testing::Test {
 protected:
  Event Extract(const std::string& title, const std::string& body) {
    Article a;
    a.set_title(title);
    a.set_body(body);
    return EventExtractor(testing::BundledGazetteer())
        .Extract(a, absl::FromUnixSeconds(1755000000));
  }
};

template <typename Repeated>
std::vector<std::string> Names(const Repeated& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(i.name());
  return out;
}

// The story this product is built around (shared corpus, read-only).
TEST_F(EventExtractorTest, SeedStoryYieldsTheSummitEvent) {
  std::string body = ReadFile(SA_SOURCE_DIR "/data/sample/anchorage-summit.txt");
  ASSERT_FALSE(body.empty()) << "shared corpus not found beside the repository";
  Event e = Extract("Trump and Putin to meet in Anchorage", body);
  EXPECT_EQ(e.type(), "summit/meeting");
  EXPECT_THAT(Names(e.participants()), ElementsAre("Donald J. Trump", "Vladimir Putin"));
  EXPECT_EQ(e.participants(1).role(), "President of Russia");
  EXPECT_EQ(e.participants(1).country(), "RU");
  EXPECT_THAT(Names(e.places()),
              IsSupersetOf({"Joint Base Elmendorf–Richardson", "Anchorage", "Alaska"}));
  // The story's subjects, with the IPTC parents; cybersecurity and sanctions are passing
  // mentions (once each in ~600 words), Ukraine and Syria places, not topics.
  EXPECT_THAT(Names(e.topics()),
              IsSupersetOf({"arms control", "conflict, war and peace", "diplomacy", "politics"}));
  EXPECT_THAT(Names(e.topics()), ::testing::Not(Contains("sanctions")));
  EXPECT_DOUBLE_EQ(e.relevance(), 1.0);
  EXPECT_THAT(e.summary(), HasSubstr("U.S. President Donald J. Trump is set to meet"));
  EXPECT_THAT(e.keywords(), Contains("arms control"));
  // "on Friday", said on Tuesday 12 August 2025 (the reference time): Friday 15 August.
  EXPECT_EQ(e.event_time().seconds(),
            absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(2025, 8, 15), absl::UTCTimeZone())));
  EXPECT_EQ(e.event_time_evidence().text(), "on Friday");
  EXPECT_THAT(Names(e.organisations()), IsSupersetOf({"White House", "Alaskan Command"}));
}

TEST_F(EventExtractorTest, EventTimeFromExplicitAndRelativeExpressions) {
  auto day = [](int y, int m, int d) {
    return absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(y, m, d), absl::UTCTimeZone()));
  };
  // The reference time is Tuesday 12 August 2025.
  EXPECT_EQ(
      Extract("Talks", "The leaders meet on 15 August 2025 in Alaska.").event_time().seconds(),
      day(2025, 8, 15));
  EXPECT_EQ(Extract("Talks", "They met on Aug. 1 in Geneva.").event_time().seconds(),
            day(2025, 8, 1));
  EXPECT_EQ(Extract("Talks", "Scheduled for 2025-09-03.").event_time().seconds(), day(2025, 9, 3));
  EXPECT_EQ(Extract("Talks", "Lavrov arrived yesterday.").event_time().seconds(), day(2025, 8, 11));
  EXPECT_EQ(Extract("Talks", "Officials will meet next Monday.").event_time().seconds(),
            day(2025, 8, 18));
  EXPECT_EQ(Extract("Talks", "Officials met last Wednesday.").event_time().seconds(),
            day(2025, 8, 6));
  EXPECT_EQ(Extract("Talks", "The summit is next week.").event_time().seconds(), day(2025, 8, 19));
  // December 30 said in August: the nearer one is this year's.
  EXPECT_EQ(Extract("Talks", "A deadline of December 30 looms.").event_time().seconds(),
            day(2025, 12, 30));
  Event none = Extract("Talks", "Nothing about when. Maybe sometime.");
  EXPECT_FALSE(none.has_event_time());
  // The title wins over the body.
  Event titled = Extract("Summit tomorrow", "It was planned on 1 July.");
  EXPECT_EQ(titled.event_time().seconds(), day(2025, 8, 13));
  EXPECT_EQ(titled.event_time_evidence().field(), "title");
}

TEST_F(EventExtractorTest, UnknownPeopleAfterATitleAreParticipantsWithLowerConfidence) {
  Event e =
      Extract("Governor welcomes summit",
              "Alaska Governor Mike Dunleavy said the state was proud. Kremlin aide Yuri "
              "Ushakov and Foreign Minister Sergei Lavrov arrived with NATO observers absent.");
  std::vector<std::string> names = Names(e.participants());
  EXPECT_THAT(names, Contains("Mike Dunleavy"));
  EXPECT_THAT(names, Contains("Sergei Lavrov"));  // known: the gazetteer's entry, not a new one
  EXPECT_EQ(std::count(names.begin(), names.end(), "Yuri Ushakov"), 1);
  for (const auto& p : e.participants()) {
    if (p.name() == "Mike Dunleavy") {
      EXPECT_EQ(p.role(), "Governor");
      EXPECT_DOUBLE_EQ(p.confidence(), 0.6);
      EXPECT_EQ(p.evidence().text(), "Mike Dunleavy");
    } else {
      EXPECT_DOUBLE_EQ(p.confidence(), 1.0) << p.name();
    }
  }
  EXPECT_THAT(Names(e.organisations()), ElementsAre("Kremlin", "NATO"));
  EXPECT_EQ(e.organisations(0).country(), "RU");
}

TEST_F(EventExtractorTest, UnknownOrganisationsAndReportedSpeakersHaveLowConfidence) {
  Event e = Extract("Mercenaries leave",
                    "Fighters of the Wagner Group withdrew overnight, Maria "
                    "Petrova said. The White House said nothing. Officials said the Caspian "
                    "Pipeline Consortium Council would meet.");
  ASSERT_THAT(Names(e.participants()), ElementsAre("Maria Petrova"));
  EXPECT_DOUBLE_EQ(e.participants(0).confidence(), 0.4);
  EXPECT_THAT(Names(e.organisations()),
              ElementsAre("White House", "Wagner Group", "Caspian Pipeline Consortium Council"));
  EXPECT_DOUBLE_EQ(e.organisations(0).confidence(), 1.0);
  EXPECT_DOUBLE_EQ(e.organisations(1).confidence(), 0.5);
  EXPECT_EQ(e.organisations(1).evidence().text(), "Wagner Group");
}

TEST_F(EventExtractorTest, EvidencePointsAtTheMentionAsWritten) {
  Event e =
      Extract("Summit news", "Talks at Joint Base Elmendorf–Richardson with President Putin.");
  ASSERT_EQ(e.places_size(), 1);
  const auto& ev = e.places(0).evidence();
  EXPECT_EQ(ev.field(), "body");
  EXPECT_EQ(ev.text(), "Joint Base Elmendorf–Richardson");
  EXPECT_EQ(e.body().substr(ev.begin(), ev.end() - ev.begin()), ev.text());
  ASSERT_EQ(e.participants_size(), 1);
  EXPECT_EQ(e.participants(0).evidence().text(), "President Putin");
}

TEST_F(EventExtractorTest, SportsStoryIsNotSummitRelated) {
  Event e = Extract("Lakers beat Celtics 110-102",
                    "LeBron James scored 31 points as the Lakers won in Boston on Sunday night.");
  EXPECT_EQ(e.type(), "other");
  EXPECT_EQ(e.participants_size(), 0);
  EXPECT_THAT(e.relevance(), Lt(0.2));
}

// Russian inflects names ("в Анкоридже"); only forms listed in the gazetteer match for now.
TEST_F(EventExtractorTest, CyrillicNamesAreRecognised) {
  Event e = Extract("Саммит: Анкоридж, Аляска", "Владимир Путин и Дональд Трамп встретятся.");
  EXPECT_THAT(Names(e.participants()), ElementsAre("Vladimir Putin", "Donald J. Trump"));
  EXPECT_THAT(Names(e.places()), ElementsAre("Anchorage", "Alaska"));
  EXPECT_EQ(e.places(0).evidence().text(), "Анкоридж");
}

TEST(EventId, StableAcrossSpacingAndCaseButNotContent) {
  Article a;
  a.set_title("Trump meets Putin");
  a.set_body("They met in Anchorage.");
  Article b = a;
  b.set_title("  TRUMP   meets putin ");
  b.set_body("They met in Anchorage!");
  Article c = a;
  c.set_body("They met in Helsinki.");
  EXPECT_EQ(EventIdFor(a), EventIdFor(b));
  EXPECT_NE(EventIdFor(a), EventIdFor(c));
  EXPECT_THAT(EventIdFor(a), AllOf(::testing::StartsWith("ev_"), ::testing::SizeIs(27)));
}

TEST(Gazetteer, MalformedRowNamesFileAndLine) {
  std::string dir = ::testing::TempDir() + "/gaz_bad_" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  for (const char* f : {"people.tsv", "topics.tsv", "event_types.tsv"}) {
    std::filesystem::copy_file(std::string(SA_SOURCE_DIR "/data/gazetteer/") + f, dir + "/" + f,
                               std::filesystem::copy_options::overwrite_existing);
  }
  std::ofstream(dir + "/places.tsv") << "# comment\nAnchorage\tAlaska\tUS\tnorth\t-149.9\n";
  EXPECT_THAT(Gazetteer::LoadFromDirectory(dir),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("places.tsv:2")));
  EXPECT_THAT(Gazetteer::LoadFromDirectory(dir + "/missing"),
              StatusIs(absl::StatusCode::kNotFound));
}

// Issue 19: a feed item dated 9999-12-31 saying "next Friday" aborted the collector (protobuf's
// TimeUtil CHECK on 10000-01-07). Such a date is dropped and the expression is resolved
// against the ingest time.
TEST_F(EventExtractorTest, PublishedAtTheEndOfTimeIsDroppedAndNeverAborts) {
  Article a;
  a.set_title("Leaders to meet next Friday");
  a.set_body("The leaders will meet next Friday in Geneva.");
  a.mutable_published_at()->set_seconds(253402300799);            // Fri, 31 Dec 9999 23:59:59 GMT
  const absl::Time ingested = absl::FromUnixSeconds(1755000000);  // Tue 12 Aug 2025
  Event e = EventExtractor(testing::BundledGazetteer()).Extract(a, ingested);
  EXPECT_FALSE(e.has_published_at());
  EXPECT_EQ(e.event_time().seconds(),
            absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(2025, 8, 15), absl::UTCTimeZone())));
  EXPECT_EQ(e.ingested_at().seconds(), 1755000000);
}

TEST_F(EventExtractorTest, DatesAtOrBeyondTimestampLimitsNeverAbort) {
  const absl::Time ingested = absl::FromUnixSeconds(1755000000);
  for (int64_t seconds :
       {int64_t{-62135596800}, int64_t{-62135596801}, int64_t{253402300800}, int64_t{253402300799},
        std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()}) {
    Article a;
    a.set_title("Talks yesterday, next Friday, last Monday, next month");
    a.set_body("They met yesterday and meet again next week, on December 31 and on 1 January.");
    a.mutable_published_at()->set_seconds(seconds);
    Event e = EventExtractor(testing::BundledGazetteer()).Extract(a, ingested);
    EXPECT_FALSE(e.has_published_at()) << seconds;
    // Resolved against the ingest time: "yesterday" is 11 August 2025.
    EXPECT_EQ(e.event_time().seconds(), absl::ToUnixSeconds(absl::FromCivil(
                                            absl::CivilDay(2025, 8, 11), absl::UTCTimeZone())))
        << seconds;
  }
  // Invalid nanos, and ingest times no Timestamp can hold.
  Article a;
  a.set_title("Meeting tomorrow");
  a.set_body("See you tomorrow.");
  a.mutable_published_at()->set_nanos(-1);
  for (absl::Time t : {absl::InfiniteFuture(), absl::InfinitePast(),
                       absl::FromCivil(absl::CivilDay(9999, 12, 31), absl::UTCTimeZone()),
                       absl::FromCivil(absl::CivilDay(10000, 1, 1), absl::UTCTimeZone())}) {
    Event e = EventExtractor(testing::BundledGazetteer()).Extract(a, t);
    EXPECT_FALSE(e.has_published_at());
    EXPECT_FALSE(e.has_event_time());  // no plausible reference: "tomorrow" means nothing
  }
  // An explicit date still counts without a reference; one outside 1900..2200 never does.
  a.set_body("Signed on 15 August 2025. Expires 9999-12-31.");
  a.set_title("Agreement");
  EXPECT_EQ(EventExtractor(testing::BundledGazetteer())
                .Extract(a, absl::InfiniteFuture())
                .event_time()
                .seconds(),
            absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(2025, 8, 15), absl::UTCTimeZone())));
}

TEST_F(EventExtractorTest, PlausiblePublishedAtIsKeptAndIsTheReference) {
  Article a;
  a.set_title("Talks");
  a.set_body("They met yesterday.");
  a.mutable_published_at()->set_seconds(absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilSecond(2200, 12, 31, 12, 0, 0), absl::UTCTimeZone())));
  Event e =
      EventExtractor(testing::BundledGazetteer()).Extract(a, absl::FromUnixSeconds(1755000000));
  EXPECT_EQ(e.published_at().seconds(), a.published_at().seconds());
  EXPECT_EQ(e.event_time().seconds(), absl::ToUnixSeconds(absl::FromCivil(
                                          absl::CivilDay(2200, 12, 30), absl::UTCTimeZone())));
  // "next week" from the last plausible day leaves the window: no event time, no abort.
  a.set_body("They meet next week.");
  EXPECT_FALSE(EventExtractor(testing::BundledGazetteer())
                   .Extract(a, absl::FromUnixSeconds(1755000000))
                   .has_event_time());
}

TEST(EventTimeTest, TimestampConversionIsCheckedAtBothEnds) {
  EXPECT_FALSE(ToTimestamp(absl::FromUnixSeconds(253402300800)).has_value());
  EXPECT_FALSE(ToTimestamp(absl::FromUnixSeconds(-62135596801)).has_value());
  EXPECT_FALSE(ToTimestamp(absl::InfiniteFuture()).has_value());
  EXPECT_FALSE(ToTimestamp(absl::InfinitePast()).has_value());
  auto last = ToTimestamp(absl::FromUnixSeconds(253402300799) + absl::Nanoseconds(999999999));
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->seconds(), 253402300799);
  EXPECT_EQ(last->nanos(), 999999999);
  auto before_epoch = ToTimestamp(absl::FromUnixSeconds(-1) + absl::Milliseconds(250));
  ASSERT_TRUE(before_epoch.has_value());
  EXPECT_EQ(before_epoch->seconds(), -1);
  EXPECT_EQ(before_epoch->nanos(), 250000000);
  google::protobuf::Timestamp bad;
  bad.set_seconds(253402300800);
  EXPECT_FALSE(FromTimestamp(bad).has_value());
  bad.set_seconds(0);
  bad.set_nanos(1000000000);
  EXPECT_FALSE(FromTimestamp(bad).has_value());
}

// Issue 19: one 512 KiB article of "President X Y said." sentences made 17,530 participants.
TEST_F(EventExtractorTest, HostileArticleIsCappedAtTheDocumentedLimits) {
  std::string body;
  for (int i = 0; body.size() < 512 * 1024 - 64; ++i) {
    std::string x = {'X', static_cast<char>('a' + i % 26), static_cast<char>('a' + i / 26 % 26),
                     static_cast<char>('a' + i / 676 % 26)};
    absl::StrAppend(&body, "President ", x, " Yz said. The ", x, " Agency warned. ");
  }
  Event e = Extract("Putin and Trump meet", body);
  EXPECT_EQ(e.participants_size(), kMaxParticipants);
  EXPECT_EQ(e.organisations_size(), kMaxOrganisations);
  // Gazetteer people first (title first), then unknown names in order of appearance.
  EXPECT_EQ(e.participants(0).name(), "Vladimir Putin");
  EXPECT_EQ(e.participants(1).name(), "Donald J. Trump");
  EXPECT_EQ(e.participants(2).name(), "Xaaa Yz");
  EXPECT_EQ(e.participants(2).confidence(), 0.6);
  EXPECT_EQ(e.organisations(0).name(), "Xaaa Agency");
}

// Places and topics need more gazetteer entries than the shipped files have.
TEST(EventExtractorCapsTest, PlacesAndTopicsAreCappedKeepingTheFirstAndMostMentioned) {
  const std::string dir = ::testing::TempDir() + "/gazetteer_caps_" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/people.tsv") << "Jane Roe\tPresident of Nowhere\tXX\t\n";
  std::ofstream(dir + "/event_types.tsv") << "summit/meeting\tsummit\n";
  std::ofstream places(dir + "/places.tsv"), topics(dir + "/topics.tsv");
  std::string body;
  for (int i = 0; i < 100; ++i) {
    std::string name = absl::StrCat("Town", std::string(1, static_cast<char>('a' + i % 26)),
                                    std::string(1, static_cast<char>('a' + i / 26)));
    places << name << "\tRegion\tXX\t1.0\t2.0\t\n";
    absl::StrAppend(&body, "In ", name, ". ");
  }
  for (int i = 0; i < 40; ++i) {
    std::string cue = absl::StrCat("cue", std::string(1, static_cast<char>('a' + i % 26)),
                                   std::string(1, static_cast<char>('a' + i / 26)));
    topics << "topic " << i << "\t\t\t" << cue << "\n";  // name, IPTC id, parent, cues
    // Topic i is mentioned i + 1 times: the most-mentioned are the last ones.
    for (int n = 0; n <= i; ++n) absl::StrAppend(&body, cue, " ");
  }
  places.close();
  topics.close();
  auto g = Gazetteer::LoadFromDirectory(dir);
  ASSERT_TRUE(g.ok()) << g.status();
  Article a;
  a.set_title("Summit");
  a.set_body(body);
  Event e =
      EventExtractor(std::make_shared<Gazetteer>(std::move(*g))).Extract(a, absl::UnixEpoch());
  ASSERT_EQ(e.places_size(), kMaxPlaces);
  EXPECT_EQ(e.places(0).name(), "Townaa");
  EXPECT_EQ(e.places(kMaxPlaces - 1).name(), "Townlc");  // the 64th mentioned
  ASSERT_EQ(e.topics_size(), kMaxTopics);
  EXPECT_EQ(e.topics(0).name(), "topic 39");
  EXPECT_EQ(e.topics(kMaxTopics - 1).name(), "topic 8");
}

}  // namespace
}  // namespace sa::extract
