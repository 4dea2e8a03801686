#include "notifier/deliver/chat_text.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace sa::notifier {
namespace {

constexpr absl::string_view kEllipsis = "…";

// Byte length of the UTF-8 sequence starting with `lead` (1 for invalid lead bytes).
size_t SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;
}

// Calls visit(byte offset, byte length, utf16 units) for each code point.
template <typename Visit>
void ForEachCodePoint(absl::string_view text, Visit visit) {
  for (size_t i = 0; i < text.size();) {
    size_t n = std::min(SequenceLength(static_cast<unsigned char>(text[i])), text.size() - i);
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
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
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

size_t TelegramVisibleLength(absl::string_view html) {
  size_t visible = 0;
  for (size_t i = 0; i < html.size();) {
    if (html[i] == '<') {
      size_t close = html.find('>', i);
      i = close == absl::string_view::npos ? html.size() : close + 1;
    } else if (html[i] == '&') {
      size_t semi = html.find(';', i);
      i = semi == absl::string_view::npos ? i + 1 : semi + 1;
      ++visible;
    } else {
      size_t n = std::min(SequenceLength(static_cast<unsigned char>(html[i])), html.size() - i);
      visible += n == 4 ? 2 : 1;
      i += n;
    }
  }
  return visible;
}

std::string TruncateTelegramHtml(absl::string_view html, size_t max_units) {
  if (TelegramVisibleLength(html) <= max_units) return std::string(html);
  if (max_units == 0) return "";

  const size_t budget = max_units - 1;  // room for "…"
  std::vector<std::string> open_tags;
  std::string out;
  size_t units = 0;
  for (size_t i = 0; i < html.size();) {
    if (html[i] == '<') {
      size_t close = html.find('>', i);
      if (close == absl::string_view::npos) break;  // a torn tag is dropped
      absl::string_view tag = html.substr(i + 1, close - i - 1);
      if (!tag.empty() && tag[0] == '/') {
        if (!open_tags.empty()) open_tags.pop_back();
      } else {
        size_t end = tag.find_first_of(" \t\n");
        open_tags.emplace_back(tag.substr(0, end));
      }
      absl::StrAppend(&out, html.substr(i, close - i + 1));
      i = close + 1;
      continue;
    }
    size_t n;
    size_t u;
    if (html[i] == '&') {
      size_t semi = html.find(';', i);
      n = semi == absl::string_view::npos ? 1 : semi - i + 1;
      u = 1;
    } else {
      n = std::min(SequenceLength(static_cast<unsigned char>(html[i])), html.size() - i);
      u = n == 4 ? 2 : 1;
    }
    if (units + u > budget) break;
    absl::StrAppend(&out, html.substr(i, n));
    units += u;
    i += n;
  }
  absl::StrAppend(&out, kEllipsis);
  for (auto it = open_tags.rbegin(); it != open_tags.rend(); ++it) out += "</" + *it + ">";
  return out;
}

}  // namespace sa::notifier
