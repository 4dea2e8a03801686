// Locating the bundled data files (gazetteer) when no path is configured.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace sa::config {

// Resolves `configured` if non-empty (it must exist), else the first existing directory of:
// ./data/<subdir>, <executable dir>/../share/summit-alerts/<subdir>, and the source tree's
// data/<subdir> recorded at build time. NotFound lists every place tried.
absl::StatusOr<std::string> FindDataDirectory(const std::string& configured,
                                              const std::string& subdir);

}  // namespace sa::config
