#include "formats/html_text.h"

#include <libxml/HTMLparser.h>
#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <memory>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace sa::feeds {
namespace {

struct DocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
struct HtmlCtxtFree {
  void operator()(htmlParserCtxt* ctxt) const { htmlFreeParserCtxt(ctxt); }
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

size_t CountCharRefs(absl::string_view s) {
  size_t n = 0;
  for (size_t i = s.find("&#"); i != absl::string_view::npos; i = s.find("&#", i + 2)) ++n;
  return n;
}

// One linear pass over `s`, calling on_tag(start, name_end, end, attributes) for each start tag
// ('<' at start, its name up to name_end, the tag up to end, exclusive) and on_decl(start) for
// each "<!" declaration other than a comment or CDATA section, which returns where it ends.
// See MarkupShape.
template <typename OnTag, typename OnDecl>
void ScanTags(absl::string_view s, bool html, OnTag on_tag, OnDecl on_decl) {
  const size_t n = s.size();
  auto skip_past = [&](size_t from, absl::string_view end) {
    size_t e = s.find(end, from);
    return e == absl::string_view::npos ? n : e + end.size();
  };
  // In XML a '<' cannot be inside a tag: libxml2 ends the tag there and reads a new one.
  auto ends_tag = [&](char c) { return c == '>' || (!html && c == '<'); };
  size_t i = 0;
  while (i < n && (i = s.find('<', i)) != absl::string_view::npos) {
    absl::string_view rest = s.substr(i);
    if (absl::StartsWith(rest, "<!--")) {
      i = skip_past(i + 4, "-->");
      continue;
    }
    if (absl::StartsWith(rest, "<![CDATA[")) {
      i = skip_past(i + 9, "]]>");
      continue;
    }
    if (absl::StartsWith(rest, "<?")) {  // to the first '>', the earliest a parser may end it
      i = skip_past(i + 2, ">");
      continue;
    }
    if (absl::StartsWith(rest, "<!")) {
      i = on_decl(i);
      continue;
    }
    const unsigned char first = i + 1 < n ? static_cast<unsigned char>(s[i + 1]) : 0;
    if (first == '/') {
      size_t j = i + 2;
      while (j < n && !ends_tag(s[j])) ++j;
      i = j < n && s[j] == '>' ? j + 1 : j;
      continue;
    }
    if (!absl::ascii_isalpha(first) && (html || (first != '_' && first != ':' && first < 0x80))) {
      ++i;
      continue;
    }
    size_t j = i + 1;
    while (j < n && !IsSpace(s[j]) && s[j] != '/' && !ends_tag(s[j])) ++j;
    const size_t name_end = j;
    size_t attributes = 0;
    bool in_name = false;
    while (j < n && !ends_tag(s[j])) {
      const char c = s[j];
      if (c == '=') {  // a value: quoted (may hold '>', in XML not '<') or up to a space
        // libxml2's XML parser stops at the first attribute without a value, so only those with
        // one count there (text after a stray '<' is not read as attributes).
        if (!html) ++attributes;
        in_name = false;
        ++j;
        while (j < n && IsSpace(s[j])) ++j;
        if (j < n && (s[j] == '"' || s[j] == '\'')) {
          const char quote = s[j++];
          while (j < n && s[j] != quote && !(!html && s[j] == '<')) ++j;
          if (j < n && s[j] == quote) ++j;
        } else {
          while (j < n && !IsSpace(s[j]) && !ends_tag(s[j])) ++j;
        }
      } else if (IsSpace(c) || c == '/') {
        in_name = false;
        ++j;
      } else {
        // In HTML each run of name characters is (at most) one attribute.
        if (html && !in_name) ++attributes;
        in_name = true;
        ++j;
      }
    }
    if (j < n && s[j] == '>') ++j;
    on_tag(i, name_end, j, attributes);
    i = j;
  }
}

// Drops the attributes of every tag that has more than `max`.
std::string DropAttributes(absl::string_view html, size_t max) {
  std::string out;
  out.reserve(html.size());
  size_t copied = 0;
  ScanTags(
      html, /*html=*/true,
      [&](size_t start, size_t name_end, size_t end, size_t attributes) {
        if (attributes <= max) return;
        out.append(html.data() + copied, name_end - copied);
        if (end >= 2 && html[end - 1] == '>' && html[end - 2] == '/') out += '/';
        if (end > start && html[end - 1] == '>') out += '>';
        copied = end;
      },
      [&](size_t start) {
        size_t end = html.find('>', start);
        return end == absl::string_view::npos ? html.size() : end + 1;
      });
  out.append(html.data() + copied, html.size() - copied);
  return out;
}

// Stops the HTML parser at the deadline (checked every 16 callbacks); the callbacks are
// libxml2's tree builders (xmlSAX2*), which htmlDefaultSAXHandler uses.
struct HtmlGuard {
  absl::Time deadline;
  int calls = 0;
  bool stopped = false;

  static void Check(void* ctx) {
    auto* ctxt = static_cast<xmlParserCtxtPtr>(ctx);
    auto* guard = static_cast<HtmlGuard*>(ctxt->_private);
    if (guard == nullptr) return;
    if (!guard->stopped && (++guard->calls & 15) == 0 && absl::Now() >= guard->deadline) {
      guard->stopped = true;
    }
    if (guard->stopped) xmlStopParser(ctxt);
  }
};

void GuardedStartElement(void* ctx, const xmlChar* name, const xmlChar** atts) {
  xmlSAX2StartElement(ctx, name, atts);
  HtmlGuard::Check(ctx);
}

void GuardedCharacters(void* ctx, const xmlChar* text, int len) {
  xmlSAX2Characters(ctx, text, len);
  HtmlGuard::Check(ctx);
}

bool IsDropped(const char* name) {
  // Only what is never text. The content of iframe/object/noscript is fallback text for readers
  // that do not show the element, so it is kept (as feedparser's sanitiser keeps it).
  static const auto* kDropped = new absl::flat_hash_set<std::string>{"script", "style", "template"};
  return kDropped->contains(name);
}

bool IsBlock(const char* name) {
  static const auto* kBlocks = new absl::flat_hash_set<std::string>{
      "p",          "div", "br",     "li",         "ul",      "ol",     "h1",     "h2",
      "h3",         "h4",  "h5",     "h6",         "tr",      "td",     "th",     "table",
      "blockquote", "pre", "hr",     "section",    "article", "header", "footer", "dd",
      "dt",         "dl",  "figure", "figcaption", "address", "aside",  "nav",    "main"};
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

MarkupShape ScanMarkup(absl::string_view markup, bool html) {
  MarkupShape shape;
  auto note = [&](size_t attributes, size_t at) {
    if (attributes > shape.most_attributes) {
      shape.most_attributes = attributes;
      shape.most_attributes_at = at;
    }
  };
  const size_t n = markup.size();
  ScanTags(
      markup, html,
      [&](size_t start, size_t, size_t, size_t attributes) { note(attributes, start); },
      [&](size_t start) {
        absl::string_view rest = markup.substr(start);
        const bool attlist = absl::StartsWith(rest, "<!ATTLIST");
        const bool entity = absl::StartsWith(rest, "<!ENTITY");
        size_t j = start + 2;
        bool parameter_entity = false;
        if (entity) {
          j = start + 8;
          while (j < n && IsSpace(markup[j])) ++j;
          parameter_entity = j < n && markup[j] == '%';
        }
        while (j < n) {
          const char c = markup[j];
          if (c == '>') return j + 1;
          // <!DOCTYPE x [ ...: the declarations of the internal subset are scanned one by one.
          if (c == '[' && !attlist && !entity) return j + 1;
          if (c != '"' && c != '\'') {
            ++j;
            continue;
          }
          const size_t value_start = ++j;
          while (j < n && markup[j] != c) ++j;
          absl::string_view value = markup.substr(value_start, j - value_start);
          if (j < n) ++j;
          if (attlist) ++shape.attribute_defaults;
          if (parameter_entity) {  // may become <!ATTLIST> declarations: count their values
            size_t quotes = 0;
            for (char v : value) quotes += v == '"' || v == '\'';
            shape.attribute_defaults += quotes / 2 + CountCharRefs(value);
          } else if (entity) {  // markup parsed where it is referenced: one tag at most this big
            size_t marks = CountCharRefs(value);
            for (char v : value) marks += v == '=';
            note(marks, start);
          }
        }
        return n;
      });
  return shape;
}

namespace {

// Windows-1252's characters for the C1 controls U+0080..U+009F, which text never means and
// feeds produce by mislabelling Windows-1252 ("&#146;" for an apostrophe); "" = none.
constexpr const char* kCp1252C1[32] = {"€", "",  "‚", "ƒ", "„", "…", "†", "‡", "ˆ", "‰", "Š",
                                       "‹", "Œ", "",  "Ž", "",  "",  "‘", "’", "“", "”", "•",
                                       "–", "—", "˜", "™", "š", "›", "œ", "",  "ž", "Ÿ"};

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

std::string HtmlToText(absl::string_view html, const HtmlTextOptions& options) {
  if (html.find_first_of("<&") == absl::string_view::npos) return CollapseWhitespace(html);
  // A wrapper element keeps fragments (text before the first tag) in one body.
  std::string wrapped = "<html><body>";
  if (ScanMarkup(html, /*html=*/true).most_attributes > options.max_attributes_per_element) {
    wrapped += DropAttributes(html, options.max_attributes_per_element);
  } else {
    wrapped.append(html.data(), html.size());
  }
  wrapped += "</body></html>";
  std::unique_ptr<htmlParserCtxt, HtmlCtxtFree> ctxt(htmlNewParserCtxt());
  if (ctxt == nullptr) return CollapseWhitespace(html);
  HtmlGuard guard{.deadline = options.deadline};
  if (options.deadline != absl::InfiniteFuture() && ctxt->sax != nullptr &&
      ctxt->sax->startElement == xmlSAX2StartElement &&
      ctxt->sax->characters == xmlSAX2Characters) {
    ctxt->sax->startElement = GuardedStartElement;
    ctxt->sax->characters = GuardedCharacters;
    ctxt->_private = &guard;
  }
  std::unique_ptr<xmlDoc, DocFree> doc(htmlCtxtReadMemory(
      ctxt.get(), wrapped.data(), static_cast<int>(wrapped.size()), nullptr, "UTF-8",
      HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING));
  if (doc == nullptr) return guard.stopped ? std::string() : CollapseWhitespace(html);
  std::string out;
  AppendText(xmlDocGetRootElement(doc.get()), out, 0);
  return CollapseWhitespace(out);
}

}  // namespace sa::feeds
