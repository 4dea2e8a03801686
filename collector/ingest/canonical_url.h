// Canonical article URLs, so the same article reached through different links is one story.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace sa::collector {

// The canonical form of an absolute http(s) URL: scheme and host lower-cased, credentials,
// default ports (80, 443) and the fragment dropped, tracking parameters removed (utm_*, fbclid,
// gclid, dclid, msclkid, yclid, mc_cid, mc_eid, igshid, _ga, _gl, ocid, cmpid, ref_src,
// ncid, sr_share, at_*, ns_*), the other query parameters sorted, an empty path made "/".
// "" when `url` is not an absolute http(s) URL.
std::string CanonicalUrl(absl::string_view url);

}  // namespace sa::collector
