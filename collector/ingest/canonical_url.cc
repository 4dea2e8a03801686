#include "collector/ingest/canonical_url.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace sa::collector {
namespace {

bool IsTrackingParameter(absl::string_view name) {
  std::string n = absl::AsciiStrToLower(name);
  static constexpr const char* kExact[] = {"fbclid", "gclid",  "dclid",   "msclkid", "yclid",
                                           "mc_cid", "mc_eid", "igshid",  "_ga",     "_gl",
                                           "ocid",   "cmpid",  "ref_src", "ncid",    "sr_share"};
  for (const char* e : kExact) {
    if (n == e) return true;
  }
  return absl::StartsWith(n, "utm_") || absl::StartsWith(n, "at_") || absl::StartsWith(n, "ns_");
}

}  // namespace

std::string CanonicalUrl(absl::string_view url) {
  size_t sep = url.find("://");
  if (sep == absl::string_view::npos) return "";
  std::string scheme = absl::AsciiStrToLower(url.substr(0, sep));
  if (scheme != "http" && scheme != "https") return "";
  absl::string_view rest = url.substr(sep + 3);
  rest = rest.substr(0, rest.find('#'));
  size_t path_at = rest.find_first_of("/?");
  absl::string_view authority = rest.substr(0, path_at);
  absl::string_view path_and_query = path_at == absl::string_view::npos ? "" : rest.substr(path_at);
  if (size_t at = authority.rfind('@'); at != absl::string_view::npos)
    authority = authority.substr(at + 1);
  std::string host = absl::AsciiStrToLower(authority);
  if (host.empty()) return "";
  if ((scheme == "http" && absl::EndsWith(host, ":80")) ||
      (scheme == "https" && absl::EndsWith(host, ":443"))) {
    host = host.substr(0, host.rfind(':'));
  }
  size_t q = path_and_query.find('?');
  std::string path(path_and_query.substr(0, q));
  if (path.empty()) path = "/";
  std::vector<std::string> params;
  if (q != absl::string_view::npos) {
    for (absl::string_view p :
         absl::StrSplit(path_and_query.substr(q + 1), '&', absl::SkipEmpty())) {
      if (!IsTrackingParameter(p.substr(0, p.find('=')))) params.emplace_back(p);
    }
  }
  std::sort(params.begin(), params.end());
  std::string out = absl::StrCat(scheme, "://", host, path);
  if (!params.empty()) absl::StrAppend(&out, "?", absl::StrJoin(params, "&"));
  return out;
}

}  // namespace sa::collector
