#include "collector/feeds/feeds_file.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"

namespace sa::feeds {

absl::StatusOr<std::vector<summit_alerts::v1::AddFeedRequest>> ParseFeedsFile(
    absl::string_view content, absl::string_view origin) {
  std::vector<summit_alerts::v1::AddFeedRequest> feeds;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(content, '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    auto error = [&](absl::string_view what) {
      return absl::InvalidArgumentError(absl::StrCat(origin, ":", number, ": ", what));
    };
    summit_alerts::v1::AddFeedRequest feed;
    size_t name_at = line.find(" name=");
    if (name_at != absl::string_view::npos) {
      feed.set_name(std::string(absl::StripAsciiWhitespace(line.substr(name_at + 6))));
      line = line.substr(0, name_at);
    }
    std::vector<absl::string_view> words =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (words.empty()) return error("a line with a name but no URL");
    feed.set_url(std::string(words[0]));
    if (!absl::StartsWith(words[0], "http://") && !absl::StartsWith(words[0], "https://")) {
      return error(absl::StrCat("'", words[0], "' is not an http(s) URL"));
    }
    for (size_t i = 1; i < words.size(); ++i) {
      absl::string_view word = words[i];
      absl::Duration interval;
      if (absl::ConsumePrefix(&word, "interval=")) {
        if (!absl::ParseDuration(word, &interval) || interval < absl::Seconds(1) ||
            interval > absl::Hours(24 * 7)) {
          return error(absl::StrCat("interval '", word, "' is not a duration of 1s..168h"));
        }
        feed.set_interval_seconds(static_cast<uint32_t>(absl::ToInt64Seconds(interval)));
      } else {
        return error(absl::StrCat("unknown setting '", word, "' (interval=, name=)"));
      }
    }
    feeds.push_back(std::move(feed));
  }
  return feeds;
}

}  // namespace sa::feeds
