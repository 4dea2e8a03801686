// Structured logs: one JSON object per line on stderr, e.g.
//   {"ts":"2026-11-24T10:00:00.123Z","level":"info","component":"collector",
//    "msg":"event.published","event_id":"ev_..."}
// Thread-safe. Messages are short dotted names; details go into fields.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sa::log {

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// A field value, rendered as a JSON string, number or boolean.
class Value {
 public:
  Value(absl::string_view s) : kind_(kString), str_(s) {}
  Value(const char* s) : kind_(kString), str_(s) {}
  Value(const std::string& s) : kind_(kString), str_(s) {}
  Value(bool b) : kind_(kBool), int_(b) {}
  Value(int v) : kind_(kInt), int_(v) {}
  Value(long v) : kind_(kInt), int_(v) {}
  Value(long long v) : kind_(kInt), int_(v) {}
  Value(unsigned v) : kind_(kInt), int_(v) {}
  Value(unsigned long v) : kind_(kInt), int_(static_cast<int64_t>(v)) {}
  Value(unsigned long long v) : kind_(kInt), int_(static_cast<int64_t>(v)) {}
  Value(double v) : kind_(kDouble), double_(v) {}
  Value(const absl::Status& s) : kind_(kString), str_(s.ToString()) {}

  // Appends this value as JSON to `out`.
  void AppendJson(std::string& out) const;

 private:
  enum Kind { kString, kBool, kInt, kDouble } kind_;
  std::string str_;
  int64_t int_ = 0;
  double double_ = 0;
};

using Fields = std::initializer_list<std::pair<absl::string_view, Value>>;

// Process-wide settings; call once at start-up, before other threads log.
void SetComponent(absl::string_view component);
void SetMinLevel(Level level);
// Parses "debug", "info", "warning", "error".
absl::Status SetMinLevelByName(absl::string_view name);

// Whether a line at `level` would be written (to skip building lines nobody reads).
bool Enabled(Level level);
void Write(Level level, absl::string_view msg, Fields fields = {});
inline void Debug(absl::string_view msg, Fields f = {}) { Write(Level::kDebug, msg, f); }
inline void Info(absl::string_view msg, Fields f = {}) { Write(Level::kInfo, msg, f); }
inline void Warning(absl::string_view msg, Fields f = {}) { Write(Level::kWarning, msg, f); }
inline void Error(absl::string_view msg, Fields f = {}) { Write(Level::kError, msg, f); }

}  // namespace sa::log
