// The rule language (notifier/rules): ParseRule, then what the notifier does with a rule it
// accepted (RequiresPositiveTerm, RuleToString); the printed form must parse again.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "notifier/rules/rule_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view query(reinterpret_cast<const char*>(data), size);
  auto rule = sa::notifier::ParseRule(query);
  if (!rule.ok()) return 0;
  (void)sa::notifier::RequiresPositiveTerm(*rule);
  (void)sa::notifier::RuleToString(*rule);
  return 0;
}
