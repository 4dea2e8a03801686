#include "notifier/deliver/chat_text.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace sa::notifier {
namespace {

// Calls visit(byte offset, byte length, utf16 units) for each code point.
template <typename Visit>
void ForEachCodePoint(absl::string_view text, Visit visit) {
  for (size_t i = 0; i < text.size();) {
    size_t n = std::min(Utf8SequenceLength(static_cast<unsigned char>(text[i])), text.size() - i);
    if (!visit(i, n, n == 4 ? size_t{2} : size_t{1})) return;
    i += n;
  }
}

std::string EscapeWithBackslash(absl::string_view text, absl::string_view specials) {
  std::string out;
  out.reserve(text.size() + 8);
  for (char c : text) {
    if (specials.find(c) != absl::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

size_t Utf8SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;
}

size_t Utf16Length(absl::string_view text) {
  size_t units = 0;
  ForEachCodePoint(text, [&](size_t, size_t, size_t u) {
    units += u;
    return true;
  });
  return units;
}

std::string TruncateText(absl::string_view text, size_t max_units) {
  if (Utf16Length(text) <= max_units) return std::string(text);
  if (max_units == 0) return "";
  const size_t budget = max_units - 1;  // "…" is one unit
  size_t units = 0, cut = 0, last_space = 0;
  ForEachCodePoint(text, [&](size_t offset, size_t length, size_t u) {
    if (units + u > budget) return false;
    units += u;
    if (text[offset] == ' ' || text[offset] == '\n') last_space = offset;
    cut = offset + length;
    return true;
  });
  if (last_space > 0 && last_space * 5 >= cut * 4) cut = last_space;
  absl::string_view kept = absl::StripTrailingAsciiWhitespace(text.substr(0, cut));
  return std::string(kept) + std::string(kEllipsis);
}

std::string EscapeSlack(absl::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string EscapeDiscord(absl::string_view text) { return EscapeWithBackslash(text, "\\*_~`|>"); }

std::string EscapeCommonMark(absl::string_view text) {
  return EscapeWithBackslash(text, "\\`*_{}[]()#|~<>");
}

std::string EscapeHtml(absl::string_view text) {
  std::string out = EscapeSlack(text);
  std::string quoted;
  quoted.reserve(out.size());
  for (char c : out) {
    if (c == '"') {
      quoted += "&quot;";
    } else {
      quoted += c;
    }
  }
  return quoted;
}

}  // namespace sa::notifier
