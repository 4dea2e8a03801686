// Checks an untrusted Article before any work is done on it.
#pragma once

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "summit_alerts/v1/events.pb.h"

namespace sa::extract {

struct ArticleLimits {
  size_t max_title_bytes = 1024;
  size_t max_body_bytes = 512 * 1024;
  size_t max_url_bytes = 2048;
  size_t max_short_field_bytes = 256;  // id, source, language
};

// OK, or InvalidArgument "<field> '<url>' is not an absolute http(s) URL" / "<field> contains
// whitespace or control characters". Shared by articles and feed URLs.
absl::Status CheckHttpUrl(const std::string& url, absl::string_view field);

// OK, or InvalidArgument whose message names the field and the problem: a blank title, a field
// over its limit, invalid UTF-8, a url that is not absolute http(s), a malformed
// language tag, or a published_at outside 0001..9999. The body may be empty: a title-only
// article (ORF's feeds publish titles only) is valid.
absl::Status ValidateArticle(const summit_alerts::v1::Article& article,
                             const ArticleLimits& limits);

}  // namespace sa::extract
