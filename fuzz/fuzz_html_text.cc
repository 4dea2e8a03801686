// Markup to text (feed titles, summaries, content): HtmlToText and CollapseWhitespace.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "formats/html_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view html(reinterpret_cast<const char*>(data), size);
  std::string text = sa::feeds::HtmlToText(html);
  // The contract: collapsed and trimmed, so collapsing again changes nothing.
  if (!text.empty() && (text.front() == ' ' || text.back() == ' ')) __builtin_trap();
  (void)sa::feeds::CollapseWhitespace(html);
  return 0;
}
