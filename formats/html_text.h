// Markup to plain text, for feed titles, summaries and content: what a reader would see.
#pragma once

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sa::feeds {

// Bounds on the work of one HtmlToText call.
struct HtmlTextOptions {
  // A tag with more attributes than this has its attributes dropped before libxml2 sees it
  // (attributes are never text, and libxml2 2.9's duplicate check is quadratic in them).
  size_t max_attributes_per_element = 256;
  // Parsing stops here; the text read so far is returned (the caller checks its own clock).
  absl::Time deadline = absl::InfiniteFuture();
};

// Parses `html` with libxml2's HTML parser (no network, recovering from any markup) and returns
// its text: entities decoded, script/style/template content dropped,
// block elements and <br> separating words, runs of whitespace collapsed to one space, trimmed.
// Input without '<' or '&' is only whitespace-collapsed. Never fails; invalid UTF-8 is
// replaced by U+FFFD by the parser. Linear in the input: see HtmlTextOptions.
std::string HtmlToText(absl::string_view html, const HtmlTextOptions& options = {});

// What a linear scan of XML or HTML markup finds, before any parser runs: an upper bound of the
// attributes a parser would see on one start tag. Comments, CDATA sections and processing
// instructions are skipped; quoted values may hold '>'. In XML mode (`html` false) '<' ends a
// tag, as it does for libxml2, only attributes with a value count (libxml2 stops at the first
// without), and DTD declarations count too: the attribute defaults that
// <!ATTLIST> (directly or through a parameter entity) adds to elements, and the markup in each
// general entity's value (counted as if it were one tag).
struct MarkupShape {
  size_t most_attributes = 0;     // on one start tag (or in one entity value)
  size_t most_attributes_at = 0;  // byte offset of that tag
  size_t attribute_defaults = 0;  // quoted values in <!ATTLIST> and parameter entities
};
MarkupShape ScanMarkup(absl::string_view markup, bool html);

// Collapses runs of ASCII whitespace (spaces, tabs, newlines; not U+00A0) to single spaces, trims
// both ends, and replaces the C1 controls U+0080..U+009F with the Windows-1252 characters that
// mislabelled feeds mean by them (U+0092 -> U+2019).
std::string CollapseWhitespace(absl::string_view text);

}  // namespace sa::feeds
