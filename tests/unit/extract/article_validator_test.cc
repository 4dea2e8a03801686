#include "extract/article_validator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/status_matchers.h"

namespace sa::extract {
namespace {

using ::sa::testing::IsOk;
using ::sa::testing::StatusIs;
using summit_alerts::v1::Article;
using ::testing::HasSubstr;

Article Valid() {
  Article a;
  a.set_title("Trump and Putin meet");
  a.set_body("They met in Anchorage.");
  a.set_url("https://news.example/summit?id=1");
  a.set_language("en-US");
  return a;
}

TEST(ArticleValidator, AcceptsAWellFormedArticle) {
  EXPECT_THAT(ValidateArticle(Valid(), {}), IsOk());
}

TEST(ArticleValidator, RejectsBlankTitle) {
  Article a = Valid();
  a.set_title("  \n ");
  EXPECT_THAT(ValidateArticle(a, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, "article.title is empty"));
  a.clear_body();
  EXPECT_THAT(ValidateArticle(a, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, "article.title is empty"));
}

// ORF and others publish titles only: such an entry is an article, not "article.body is empty".
TEST(ArticleValidator, AcceptsATitleOnlyArticle) {
  Article a = Valid();
  a.clear_body();
  EXPECT_THAT(ValidateArticle(a, {}), IsOk());
  a.set_body(" \n\t ");
  EXPECT_THAT(ValidateArticle(a, {}), IsOk());
  // The body's other checks still apply when it has text.
  a.set_body("bad \xc3\x28 bytes");
  EXPECT_THAT(ValidateArticle(a, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, "article.body is not valid UTF-8"));
}

TEST(ArticleValidator, RejectsOversizeBodyWithTheLimit) {
  Article a = Valid();
  a.set_body(std::string(101, 'x'));
  ArticleLimits limits;
  limits.max_body_bytes = 100;
  EXPECT_THAT(ValidateArticle(a, limits), StatusIs(absl::StatusCode::kInvalidArgument,
                                                   "article.body is 101 bytes; the limit is 100"));
}

TEST(ArticleValidator, RejectsBadUrlLanguageUtf8AndTime) {
  Article a = Valid();
  a.set_url("javascript:alert(1)");
  EXPECT_THAT(ValidateArticle(a, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("http(s)")));
  a = Valid();
  a.set_url("https://exa mple.com/");
  EXPECT_THAT(ValidateArticle(a, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("whitespace")));
  a = Valid();
  a.set_language("english!");
  EXPECT_THAT(ValidateArticle(a, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("language")));
  a = Valid();
  a.set_source("bad \xc3\x28 bytes");
  EXPECT_THAT(ValidateArticle(a, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, "article.source is not valid UTF-8"));
  a = Valid();
  a.mutable_published_at()->set_seconds(-99999999999);
  EXPECT_THAT(ValidateArticle(a, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("published_at")));
}

}  // namespace
}  // namespace sa::extract
