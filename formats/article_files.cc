#include "formats/article_files.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "common/text/tokenize.h"
#include "formats/feed_articles.h"
#include "formats/feed_parser.h"
#include "google/protobuf/util/json_util.h"

namespace sa::formats {

using summit_alerts::v1::Article;

namespace {

absl::StatusOr<Article> ParseJsonArticle(const std::string& json, const std::string& where) {
  Article article;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(json, &article, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": not an Article in JSON: ", status.message().as_string()));
  }
  return article;
}

}  // namespace

bool LooksLikeFeed(const std::string& path, const std::string& content) {
  for (const char* ext : {".xml", ".rss", ".atom", ".rdf", ".feed"}) {
    if (absl::EndsWith(path, ext)) return true;
  }
  absl::string_view head = absl::StripLeadingAsciiWhitespace(content);
  if (absl::StartsWith(head, "\xEF\xBB\xBF")) head.remove_prefix(3);
  return absl::StartsWith(head, "<?xml") || absl::StartsWith(head, "<rss") ||
         absl::StartsWith(head, "<feed") || absl::StartsWith(head, "<rdf:RDF");
}

// The articles of a parsed feed file; its recoverable problems are warned about on stderr.
absl::StatusOr<std::vector<Article>> FeedFileArticles(const std::string& path,
                                                      const feeds::ParsedFeed& feed) {
  if (feed.bozo) std::cerr << path << ": warning: " << feed.bozo_message << "\n";
  std::vector<Article> articles = feeds::ArticlesFromFeed(feed, "");
  if (articles.empty())
    return absl::InvalidArgumentError(absl::StrCat(path, ": the feed has no entries"));
  return articles;
}

absl::StatusOr<Article> ArticleFromText(const std::string& text) {
  absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  if (trimmed.empty()) return absl::InvalidArgumentError("the text is empty");
  absl::string_view first_line = trimmed.substr(0, trimmed.find('\n'));
  std::vector<absl::string_view> sentences = text::SplitSentences(first_line);
  Article article;
  article.set_title(std::string(sentences.empty() ? first_line : sentences.front()));
  article.set_body(std::string(trimmed));
  return article;
}

absl::StatusOr<std::vector<Article>> LoadArticles(const std::string& path) {
  std::stringstream content;
  if (path == "-") {
    content << std::cin.rdbuf();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
    content << in.rdbuf();
  }
  std::vector<Article> articles;
  if (absl::EndsWith(path, ".jsonl")) {
    std::string line;
    for (int number = 1; std::getline(content, line); ++number) {
      if (absl::StripAsciiWhitespace(line).empty()) continue;
      auto article = ParseJsonArticle(line, absl::StrCat(path, ":", number));
      if (!article.ok()) return article.status();
      articles.push_back(std::move(*article));
    }
  } else if (absl::EndsWith(path, ".json")) {
    // One Article, or a JSON Feed (https://jsonfeed.org; its version names the spec).
    if (auto feed = feeds::ParseFeed(content.str(), {}); feed.ok()) {
      return FeedFileArticles(path, *feed);
    }
    auto article = ParseJsonArticle(content.str(), path);
    if (!article.ok()) return article.status();
    articles.push_back(std::move(*article));
  } else if (LooksLikeFeed(path, content.str())) {
    auto feed = feeds::ParseFeed(content.str(), {});
    if (!feed.ok())
      return absl::InvalidArgumentError(absl::StrCat(path, ": ", feed.status().message()));
    return FeedFileArticles(path, *feed);
  } else {
    auto article = ArticleFromText(content.str());
    if (!article.ok())
      return absl::InvalidArgumentError(absl::StrCat(path, ": ", article.status().message()));
    articles.push_back(std::move(*article));
  }
  return articles;
}

}  // namespace sa::formats
