#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/alert_format.h"
#include "cli/article_files.h"

namespace sa::cli {
namespace {

using ::testing::HasSubstr;

TEST(ArticleFromText, TitleIsTheFirstSentenceOfTheLead) {
  auto a = ArticleFromText(
      "  In a meeting, U.S. President Donald J. Trump met Putin. More follows.\nSecond line.\n");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->title(), "In a meeting, U.S. President Donald J. Trump met Putin.");
  EXPECT_EQ(a->body(), "In a meeting, U.S. President Donald J. Trump met Putin. More follows.\nSecond line.");
  EXPECT_FALSE(ArticleFromText(" \n ").ok());
}

TEST(LoadArticles, ReadsJsonLinesAndNamesTheBadLine) {
  std::string path = ::testing::TempDir() + "/articles.jsonl";
  FILE* f = fopen(path.c_str(), "w");
  fputs("{\"title\":\"A\",\"body\":\"B\"}\n\n{\"title\":\"C\",\"body\":\"D\",\"url\":\"https://x\"}\n{oops\n", f);
  fclose(f);
  auto articles = LoadArticles(path);
  ASSERT_FALSE(articles.ok());
  EXPECT_THAT(std::string(articles.status().message()), HasSubstr("articles.jsonl:4"));
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
}

}  // namespace
}  // namespace sa::cli
