// The whole extraction as the Ingester runs it on an article: ValidateArticle, then
// EventExtractor::Extract with the real gazetteer (data/gazetteer, or $SA_GAZETTEER_DIR).
// Input: the first line is the title; a second line that is a feed date (ParseFeedDate) is the
// publication time (so years 0001 and 9999 are reached), the rest is the body.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "extract/article_validator.h"
#include "extract/event_extractor.h"
#include "extract/gazetteer.h"
#include "formats/feed_dates.h"
#include "google/protobuf/util/time_util.h"

namespace {

std::shared_ptr<const sa::extract::Gazetteer> gazetteer;
const sa::extract::EventExtractor* extractor = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* dir = std::getenv("SA_GAZETTEER_DIR");
  auto loaded =
      sa::extract::Gazetteer::LoadFromDirectory(dir ? dir : SA_SOURCE_DIR "/data/gazetteer");
  if (!loaded.ok()) {
    std::fprintf(stderr, "fuzz_extractor: %s\n", loaded.status().ToString().c_str());
    std::abort();
  }
  gazetteer = std::make_shared<const sa::extract::Gazetteer>(std::move(*loaded));
  extractor = new sa::extract::EventExtractor(gazetteer);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  summit_alerts::v1::Article article;
  size_t newline = input.find('\n');
  article.set_title(std::string(input.substr(0, newline)));
  absl::string_view rest = newline == absl::string_view::npos ? "" : input.substr(newline + 1);
  size_t second = rest.find('\n');
  if (auto when = sa::feeds::ParseFeedDate(rest.substr(0, second))) {
    // As formats/feed_articles.cc sets it.
    *article.mutable_published_at() =
        google::protobuf::util::TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(*when));
    rest = second == absl::string_view::npos ? "" : rest.substr(second + 1);
  }
  article.set_body(std::string(rest));
  if (!sa::extract::ValidateArticle(article, sa::extract::ArticleLimits{}).ok()) return 0;
  summit_alerts::v1::Event event =
      extractor->Extract(article, absl::FromUnixSeconds(1755129600));  // 2025-08-14
  (void)event.ByteSizeLong();
  return 0;
}
