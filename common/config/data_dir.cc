#include "common/config/data_dir.h"

#include <filesystem>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sa::config {

absl::StatusOr<std::string> FindDataDirectory(const std::string& configured,
                                              const std::string& subdir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!configured.empty()) {
    if (fs::is_directory(configured, ec)) return configured;
    return absl::NotFoundError(absl::StrCat("data directory '", configured, "' does not exist"));
  }
  std::vector<std::string> candidates = {absl::StrCat("data/", subdir)};
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) candidates.push_back((exe.parent_path() / "../share/summit-alerts" / subdir).string());
  candidates.push_back(absl::StrCat(SA_SOURCE_DIR, "/data/", subdir));
  for (const std::string& dir : candidates) {
    if (fs::is_directory(dir, ec)) return dir;
  }
  return absl::NotFoundError(absl::StrCat("no ", subdir, " data directory found; tried ",
                                          absl::StrJoin(candidates, ", ")));
}

}  // namespace sa::config
