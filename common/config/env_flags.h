// Flags with environment-variable equivalents, for containers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sa::config {

// The environment variable that stands for flag `flag_name`: its upper-case form
// (grpc_addr -> GRPC_ADDR).
std::string EnvNameForFlag(absl::string_view flag_name);

// For each named flag whose environment variable is set, parses the variable's value into the
// flag. Call before absl::ParseCommandLine, so the command line still wins. Returns
// InvalidArgument naming the variable when a value does not parse, or when a name is not a
// registered flag (a programming error).
absl::Status ApplyEnvironmentToFlags(const std::vector<absl::string_view>& flag_names);

// Parses argv: environment first (for `flag_names`), then the command line. Exits with a
// message on bad input, like absl::ParseCommandLine. Returns the positional arguments.
std::vector<std::string> ParseFlagsWithEnvironment(int argc, char** argv,
                                                   const std::vector<absl::string_view>& flag_names,
                                                   absl::string_view usage);

// Validates "HOST:PORT" (HOST may be empty, a name, an IPv4 address or a [bracketed] IPv6
// address; PORT 0..65535, 0 meaning any free port).
absl::Status ValidateListenAddress(absl::string_view address);

}  // namespace sa::config
