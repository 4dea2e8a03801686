#include <gmock/gmock.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "cli/alert_format.h"
#include "formats/article_files.h"

namespace sa::cli {
namespace {
using ::sa::formats::ArticleFromText;
using ::sa::formats::LoadArticles;

using ::testing::HasSubstr;

TEST(ArticleFromText, TitleIsTheFirstSentenceOfTheLead) {
  auto a = ArticleFromText(
      "  In a meeting, U.S. President Donald J. Trump met Putin. More follows.\nSecond line.\n");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->title(), "In a meeting, U.S. President Donald J. Trump met Putin.");
  EXPECT_EQ(a->body(),
            "In a meeting, U.S. President Donald J. Trump met Putin. More follows.\nSecond line.");
  EXPECT_FALSE(ArticleFromText(" \n ").ok());
}

TEST(LoadArticles, ReadsJsonLinesAndNamesTheBadLine) {
  std::string path = ::testing::TempDir() + "/articles.jsonl";
  FILE* f = fopen(path.c_str(), "w");
  fputs(
      "{\"title\":\"A\",\"body\":\"B\"}\n\n{\"title\":\"C\",\"body\":\"D\",\"url\":\"https://"
      "x\"}\n{oops\n",
      f);
  fclose(f);
  auto articles = LoadArticles(path);
  ASSERT_FALSE(articles.ok());
  EXPECT_THAT(std::string(articles.status().message()), HasSubstr("articles.jsonl:4"));
}

// A .json file is one Article or a JSON Feed; real feeds escape the slashes of their version.
TEST(LoadArticles, ReadsJsonFeedsFromRealSitesAndSingleArticles) {
  auto feed = LoadArticles(SA_SHARED_DIR "/corpora/feeds/real-world/json_curtclifton.json");
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_GT(feed->size(), 10u);
  std::string path = ::testing::TempDir() + "/one_article_" + std::to_string(getpid()) + ".json";
  FILE* f = fopen(path.c_str(), "w");
  fputs("{\"title\":\"Putin meets Trump\",\"body\":\"In Anchorage.\"}", f);
  fclose(f);
  auto one = LoadArticles(path);
  ASSERT_TRUE(one.ok()) << one.status();
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].title(), "Putin meets Trump");
}

// Google News' entry ids are whole URLs of ~300 bytes, over an article id's 256: they stand as
// a stable digest instead of failing validation.
TEST(LoadArticles, OverlongFeedEntryIdsBecomeStableDigests) {
  auto first = LoadArticles(SA_SHARED_DIR "/corpora/feeds/real-world/atom_google-news-us.xml");
  ASSERT_TRUE(first.ok()) << first.status();
  auto again = LoadArticles(SA_SHARED_DIR "/corpora/feeds/real-world/atom_google-news-us.xml");
  ASSERT_TRUE(again.ok());
  bool digested = false;
  for (size_t i = 0; i < first->size(); ++i) {
    EXPECT_LE((*first)[i].id().size(), 256u);
    EXPECT_EQ((*first)[i].id(), (*again)[i].id());
    digested = digested || (*first)[i].id().rfind("sha256:", 0) == 0;
  }
  EXPECT_TRUE(digested) << "the capture has ids over 256 bytes";
}

TEST(FormatAlert, ShowsWhyItMatched) {
  summit_alerts::v1::Alert alert;
  alert.set_id("1-0");
  alert.mutable_event()->set_title("Trump to meet Putin");
  alert.mutable_event()->add_participants()->set_name("Vladimir Putin");
  auto* m = alert.add_matches();
  m->set_term("putin");
  m->set_field("participant");
  m->set_text("Putin");
  std::string text = FormatAlert(alert);
  EXPECT_THAT(text, HasSubstr("Trump to meet Putin"));
  EXPECT_THAT(text, HasSubstr("why: 'putin' in participant \"Putin\""));
  EXPECT_THAT(text, HasSubstr("participants: Vladimir Putin\n"));  // nothing known: no "(, )"
}

TEST(FormatAlert, ShowsOrganisationsWhenAndUnsureNames) {
  summit_alerts::v1::Alert alert;
  auto* e = alert.mutable_event();
  auto* p = e->add_participants();
  p->set_name("Mike Dunleavy");
  p->set_role("Governor");
  p->set_confidence(0.6);
  e->add_organisations()->set_name("Kremlin");
  *e->mutable_event_time() =
      google::protobuf::util::TimeUtil::SecondsToTimestamp(1755216000);  // 2025-08-15
  e->mutable_event_time_evidence()->set_text("on Friday");
  std::string text = FormatAlert(alert);
  EXPECT_THAT(text, HasSubstr("participants: Mike Dunleavy (Governor, confidence 0.6)\n"));
  EXPECT_THAT(text, HasSubstr("organisations: Kremlin\n"));
  EXPECT_THAT(text, HasSubstr("when: Fri 15 Aug 2025 (\"on Friday\")\n"));
}

TEST(FormatTestResult, SaysWhyAnEventDidOrDidNotMatch) {
  summit_alerts::v1::TestQueryResult result;
  result.set_event_id("ev_1");
  result.set_title("Putin in Anchorage");
  result.set_matched(false);
  result.set_reason("the query does not match");
  auto* m = result.add_matches();
  m->set_term("Putin");
  m->set_field("title");
  m->set_text("Putin");
  EXPECT_EQ(FormatTestResult(result),
            "no match  ev_1  Putin in Anchorage\n  because: the query does not match\n"
            "  why: 'Putin' in title \"Putin\"\n");
  result.set_matched(true);
  EXPECT_EQ(FormatTestResult(result),
            "MATCH     ev_1  Putin in Anchorage\n  why: 'Putin' in title \"Putin\"\n");
}

TEST(ChannelsFromFlags, BuildsWebhookChannelsAndKeepsTheStream) {
  auto channels = ChannelsFromFlags({.slack = {"https://hooks.slack.com/services/T/B/X"},
                                     .telegram = {"123456:ABC-def@@summit_news"},
                                     .webhook = {"https://example.org/hook"},
                                     .secret = "k",
                                     .template_ = "{{title}}"});
  ASSERT_TRUE(channels.ok()) << channels.status();
  ASSERT_EQ(channels->size(), 4u);
  EXPECT_EQ((*channels)[0].webhook().format(), summit_alerts::v1::WebhookChannel::SLACK);
  EXPECT_EQ((*channels)[0].webhook().template_(), "{{title}}");
  EXPECT_EQ((*channels)[1].webhook().format(), summit_alerts::v1::WebhookChannel::GENERIC_JSON);
  EXPECT_EQ((*channels)[1].webhook().secret(), "k");
  EXPECT_EQ((*channels)[2].webhook().secret(), "123456:ABC-def");
  EXPECT_EQ((*channels)[2].webhook().chat_id(), "@summit_news");
  EXPECT_TRUE((*channels)[3].has_grpc_stream());
  EXPECT_TRUE(ChannelsFromFlags({})->empty());
  auto bad = ChannelsFromFlags({.telegram = {"no-chat-id"}});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("BOT_TOKEN@CHAT_ID"));
}

TEST(FormatDeadLetter, SaysWhatFailedAndWhere) {
  summit_alerts::v1::DeadLetter dead;
  dead.set_id("1-0");
  dead.set_attempts(8);
  dead.set_error("HTTP 500: boom (gave up after 8 attempts)");
  dead.mutable_alert()->set_subscription_id("sub_1");
  dead.mutable_alert()->mutable_event()->set_id("ev_1");
  dead.mutable_alert()->mutable_event()->set_title("Summit");
  dead.mutable_channel()->set_format(summit_alerts::v1::WebhookChannel::DISCORD);
  dead.mutable_channel()->set_url("https://discord.com/…");
  EXPECT_EQ(FormatDeadLetter(dead),
            "DEAD 1-0  1970-01-01T00:00:00Z  attempts: 8\n"
            "  error: HTTP 500: boom (gave up after 8 attempts)\n"
            "  subscription sub_1  event ev_1  Summit\n"
            "  channel: DISCORD https://discord.com/…\n");
}

}  // namespace
}  // namespace sa::cli
