#include "common/log/log.h"

#include <atomic>
#include <cmath>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace sa::log {
namespace {

std::atomic<int> g_min_level{static_cast<int>(Level::kInfo)};
absl::Mutex g_mu;
std::string* g_component ABSL_GUARDED_BY(g_mu) = new std::string("summit-alerts");

void AppendJsonString(std::string& out, absl::string_view s) {
  out +=
      nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

const char* LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarning:
      return "warning";
    case Level::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void Value::AppendJson(std::string& out) const {
  switch (kind_) {
    case kString:
      AppendJsonString(out, str_);
      break;
    case kBool:
      out += int_ ? "true" : "false";
      break;
    case kInt:
      absl::StrAppend(&out, int_);
      break;
    case kDouble:
      if (std::isfinite(double_)) {
        absl::StrAppend(&out, double_);
      } else {
        out += "null";
      }
      break;
  }
}

void SetComponent(absl::string_view component) {
  absl::MutexLock lock(&g_mu);
  *g_component = std::string(component);
}

void SetMinLevel(Level level) { g_min_level = static_cast<int>(level); }

bool Enabled(Level level) {
  return static_cast<int>(level) >= g_min_level.load(std::memory_order_relaxed);
}

absl::Status SetMinLevelByName(absl::string_view name) {
  for (Level l : {Level::kDebug, Level::kInfo, Level::kWarning, Level::kError}) {
    if (name == LevelName(l)) {
      SetMinLevel(l);
      return absl::OkStatus();
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("log level '", name, "' is not one of debug, info, warning, error"));
}

void Write(Level level, absl::string_view msg, Fields fields) {
  if (static_cast<int>(level) < g_min_level.load(std::memory_order_relaxed)) return;
  std::string line = "{\"ts\":";
  AppendJsonString(line,
                   absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()));
  absl::StrAppend(&line, ",\"level\":\"", LevelName(level), "\",\"component\":");
  {
    absl::MutexLock lock(&g_mu);
    AppendJsonString(line, *g_component);
  }
  line += ",\"msg\":";
  AppendJsonString(line, msg);
  for (const auto& [key, value] : fields) {
    line += ',';
    AppendJsonString(line, key);
    line += ':';
    value.AppendJson(line);
  }
  line += "}\n";
  absl::MutexLock lock(&g_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace sa::log
