#include "common/config/env_flags.h"

#include <cstdio>
#include <cstdlib>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace sa::config {

std::string EnvNameForFlag(absl::string_view flag_name) { return absl::AsciiStrToUpper(flag_name); }

absl::Status ApplyEnvironmentToFlags(const std::vector<absl::string_view>& flag_names) {
  for (absl::string_view name : flag_names) {
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("no flag named --", name));
    }
    std::string env = EnvNameForFlag(name);
    const char* value = std::getenv(env.c_str());
    if (value == nullptr) continue;
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      return absl::InvalidArgumentError(absl::StrCat("environment variable ", env, "='", value,
                                                     "' is not a valid value for --", name, ": ",
                                                     error));
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> ParseFlagsWithEnvironment(int argc, char** argv,
                                                   const std::vector<absl::string_view>& flag_names,
                                                   absl::string_view usage) {
  absl::SetProgramUsageMessage(usage);
  // --help lists every flag defined by this project (absl's default shows only flags of a
  // file named after the program); --helpfull adds absl's own.
  absl::FlagsUsageConfig usage_config;
  usage_config.contains_help_flags = [](absl::string_view file) {
    return !absl::StrContains(file, "absl/");
  };
  usage_config.contains_helpshort_flags = usage_config.contains_help_flags;
  absl::SetFlagsUsageConfig(usage_config);
  if (absl::Status s = ApplyEnvironmentToFlags(flag_names); !s.ok()) {
    std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
    std::exit(2);
  }
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  return std::vector<std::string>(positional.begin() + 1, positional.end());
}

absl::Status ValidateListenAddress(absl::string_view address) {
  size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("address '", address, "' must be HOST:PORT, e.g. 127.0.0.1:50051"));
  }
  absl::string_view host = address.substr(0, colon);
  absl::string_view port = address.substr(colon + 1);
  int port_number = -1;
  if (!absl::SimpleAtoi(port, &port_number) || port_number < 0 || port_number > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("address '", address, "' has no valid port (0..65535)"));
  }
  if (host.find(':') != absl::string_view::npos &&
      !(host.size() > 2 && host.front() == '[' && host.back() == ']')) {
    return absl::InvalidArgumentError(absl::StrCat(
        "address '", address, "': an IPv6 host must be in brackets, e.g. [::1]:50051"));
  }
  return absl::OkStatus();
}

}  // namespace sa::config
