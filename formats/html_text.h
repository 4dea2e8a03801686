// Markup to plain text, for feed titles, summaries and content: what a reader would see.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace sa::feeds {

// Parses `html` with libxml2's HTML parser (no network, recovering from any markup) and returns
// its text: entities decoded, script/style/template content dropped,
// block elements and <br> separating words, runs of whitespace collapsed to one space, trimmed.
// Input without '<' or '&' is only whitespace-collapsed. Never fails; invalid UTF-8 is
// replaced by U+FFFD by the parser.
std::string HtmlToText(absl::string_view html);

// Collapses runs of ASCII whitespace (spaces, tabs, newlines; not U+00A0) to single spaces, trims
// both ends, and replaces the C1 controls U+0080..U+009F with the Windows-1252 characters that
// mislabelled feeds mean by them (U+0092 -> U+2019).
std::string CollapseWhitespace(absl::string_view text);

}  // namespace sa::feeds
