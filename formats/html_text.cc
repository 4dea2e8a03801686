#include "formats/html_text.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include <memory>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"

namespace sa::feeds {
namespace {

struct DocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};

bool IsDropped(const char* name) {
  // Only what is never text. The content of iframe/object/noscript is fallback text for readers
  // that do not show the element, so it is kept (as feedparser's sanitiser keeps it).
  static const auto* kDropped = new absl::flat_hash_set<std::string>{"script", "style", "template"};
  return kDropped->contains(name);
}

bool IsBlock(const char* name) {
  static const auto* kBlocks = new absl::flat_hash_set<std::string>{
      "p",  "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th",
      "table", "blockquote", "pre", "hr", "section", "article", "header", "footer", "dd", "dt",
      "dl", "figure", "figcaption", "address", "aside", "nav", "main"};
  return kBlocks->contains(name);
}

void AppendText(const xmlNode* node, std::string& out, int depth) {
  // libxml2 bounds the tree's depth (256 without XML_PARSE_HUGE); this is a second guard.
  if (depth > 512) return;
  for (const xmlNode* n = node; n != nullptr; n = n->next) {
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
      if (n->content != nullptr) out += reinterpret_cast<const char*>(n->content);
    } else if (n->type == XML_ELEMENT_NODE) {
      const char* name = reinterpret_cast<const char*>(n->name);
      if (IsDropped(name)) continue;
      bool block = IsBlock(name);
      if (block) out += ' ';
      AppendText(n->children, out, depth + 1);
      if (block) out += ' ';
    }
  }
}

}  // namespace

namespace {

// Windows-1252's characters for the C1 controls U+0080..U+009F, which text never means and
// feeds produce by mislabelling Windows-1252 ("&#146;" for an apostrophe); "" = none.
constexpr const char* kCp1252C1[32] = {
    "€", "", "‚", "ƒ", "„", "…", "†", "‡", "ˆ", "‰", "Š", "‹", "Œ", "", "Ž", "",
    "",  "‘", "’", "“", "”", "•", "–", "—", "˜", "™", "š", "›", "œ", "", "ž", "Ÿ"};

}  // namespace

std::string CollapseWhitespace(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\xC2' && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      const char* replacement = kCp1252C1[static_cast<unsigned char>(text[i + 1]) - 0x80];
      ++i;
      if (*replacement == '\0') continue;
      if (space) out += ' ';
      space = false;
      out += replacement;
      continue;
    }
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string HtmlToText(absl::string_view html) {
  if (html.find_first_of("<&") == absl::string_view::npos) return CollapseWhitespace(html);
  // A wrapper element keeps fragments (text before the first tag) in one body.
  std::string wrapped = "<html><body>";
  wrapped.append(html.data(), html.size());
  wrapped += "</body></html>";
  std::unique_ptr<xmlDoc, DocFree> doc(htmlReadMemory(
      wrapped.data(), static_cast<int>(wrapped.size()), nullptr, "UTF-8",
      HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING));
  if (doc == nullptr) return CollapseWhitespace(html);
  std::string out;
  AppendText(xmlDocGetRootElement(doc.get()), out, 0);
  return CollapseWhitespace(out);
}

}  // namespace sa::feeds
