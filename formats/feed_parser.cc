#include "formats/feed_parser.h"

#include <iconv.h>
#include <libxml/HTMLparser.h>
#include <libxml/SAX2.h>
#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <libxml/xmlsave.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "formats/feed_dates.h"
#include "formats/html_text.h"
#include "nlohmann/json.hpp"

namespace sa::feeds {
namespace {

constexpr char kAtom10[] = "http://www.w3.org/2005/Atom";
constexpr char kAtom03[] = "http://purl.org/atom/ns#";
constexpr char kRss10[] = "http://purl.org/rss/1.0/";
constexpr char kRss090[] = "http://my.netscape.com/rdf/simple/0.9/";
constexpr char kRdf[] = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
constexpr char kDc[] = "http://purl.org/dc/elements/1.1/";
constexpr char kDcTerms[] = "http://purl.org/dc/terms/";
constexpr char kContent[] = "http://purl.org/rss/1.0/modules/content/";
constexpr char kXhtml[] = "http://www.w3.org/1999/xhtml";
constexpr char kUserlandRss[] = "http://backend.userland.com/rss2";
constexpr char kItunes[] = "http://www.itunes.com/dtds/podcast-1.0.dtd";
constexpr char kMedia[] = "http://search.yahoo.com/mrss/";

// ---------- libxml2 plumbing ----------

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
struct CtxtFree {
  void operator()(xmlParserCtxt* c) const { xmlFreeParserCtxt(c); }
};
struct XmlFree {
  void operator()(xmlChar* p) const { xmlFree(p); }
};
using XmlString = std::unique_ptr<xmlChar, XmlFree>;

// Refuses every external resource: DTDs, external entities, XIncludes.
xmlParserInputPtr RefuseExternal(const char* url, const char* id, xmlParserCtxtPtr ctxt) {
  return nullptr;
}

void InitLibxml() {
  static std::once_flag once;
  std::call_once(once, [] {
    xmlInitParser();
    xmlSetExternalEntityLoader(RefuseExternal);
  });
}

const char* Str(const xmlChar* s) { return reinterpret_cast<const char*>(s); }

absl::Status DeadlineError() {
  return absl::DeadlineExceededError(
      "feed parsing stopped: it ran past its time budget (the caller's deadline or "
      "max_parse_time)");
}

absl::Status LimitError(absl::string_view what, size_t limit, absl::string_view option) {
  return absl::InvalidArgumentError(
      absl::StrCat("feed refused: ", what, "; the limit is ", limit, " (", option, ")"));
}

// Limits enforced from libxml2's SAX2 callbacks while it parses (the callbacks then build the
// tree as usual): elements per document, entity content included; attributes per element (a
// second guard: ScanMarkup refuses such documents before libxml2's quadratic duplicate check
// runs); the deadline, every 16 callbacks. Past any, the parser is stopped and `failure` says
// why. Reached through the parser context's _private.
struct XmlGuard {
  size_t max_elements;
  size_t max_attributes;
  absl::Time deadline;
  size_t elements = 0;
  int calls = 0;
  absl::Status failure;

  static XmlGuard* Of(void* ctx) {
    return static_cast<XmlGuard*>(static_cast<xmlParserCtxtPtr>(ctx)->_private);
  }
  // False, with the parser stopped, once a limit was hit.
  bool Allow(void* ctx) {
    if (failure.ok() && (++calls & 15) == 0 && absl::Now() >= deadline) failure = DeadlineError();
    if (failure.ok()) return true;
    xmlStopParser(static_cast<xmlParserCtxtPtr>(ctx));
    return false;
  }
};

void GuardedStartElementNs(void* ctx, const xmlChar* localname, const xmlChar* prefix,
                           const xmlChar* uri, int nb_namespaces, const xmlChar** namespaces,
                           int nb_attributes, int nb_defaulted, const xmlChar** attributes) {
  if (XmlGuard* guard = XmlGuard::Of(ctx); guard != nullptr) {
    if (guard->failure.ok() && ++guard->elements > guard->max_elements) {
      guard->failure =
          LimitError(absl::StrCat("the document has more than ", guard->max_elements, " elements"),
                     guard->max_elements, "max_elements");
    }
    const size_t attrs = static_cast<size_t>(nb_attributes) + static_cast<size_t>(nb_namespaces);
    if (guard->failure.ok() && attrs > guard->max_attributes) {
      guard->failure =
          LimitError(absl::StrCat("element <", Str(localname), "> has ", attrs, " attributes"),
                     guard->max_attributes, "max_attributes_per_element");
    }
    if (!guard->Allow(ctx)) return;
  }
  xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes,
                        nb_defaulted, attributes);
}

void GuardedCharacters(void* ctx, const xmlChar* text, int len) {
  if (XmlGuard* guard = XmlGuard::Of(ctx); guard != nullptr && !guard->Allow(ctx)) return;
  xmlSAX2Characters(ctx, text, len);
}

// Cuts `text` to at most `max` bytes, at a UTF-8 character boundary.
void CutUtf8(std::string& text, size_t max) {
  if (text.size() <= max) return;
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  text.resize(end);
}

// Keeps an entry's text (title, summary, content) within `max` bytes; the content gives way
// first, then the summary. Returns whether anything was cut.
bool CapEntryText(FeedEntry& e, size_t max) {
  if (e.title.size() + e.summary.size() + e.content.size() <= max) return false;
  CutUtf8(e.title, max);
  CutUtf8(e.summary, max - e.title.size());
  CutUtf8(e.content, max - e.title.size() - e.summary.size());
  return true;
}

// Notes, once per feed, that entry `index` had its text cut.
void NoteTextCut(ParsedFeed& feed, size_t index, size_t max, bool& noted) {
  if (noted) return;
  noted = true;
  feed.bozo = true;
  absl::StrAppend(&feed.bozo_message, feed.bozo_message.empty() ? "" : "; ", "entry ", index + 1,
                  ": text over ", max, " bytes was cut (max_entry_text_bytes)");
}

// The most raw text (markup included) read for one field: room for the markup around
// max_entry_text_bytes of text, and never more than entities could make of the document.
size_t RawTextBudget(size_t document_size, size_t max_entry_text_bytes) {
  return std::min(document_size * 4 + 65536, max_entry_text_bytes * 2 + 65536);
}

absl::string_view LocalName(const xmlNode* n) { return Str(n->name); }

absl::string_view Ns(const xmlNode* n) {
  return n->ns != nullptr && n->ns->href != nullptr ? Str(n->ns->href) : "";
}

// The core vocabulary of a feed: elements without a namespace or in a feed format's own.
bool IsCoreNs(absl::string_view ns) {
  return ns.empty() || ns == kAtom10 || ns == kAtom03 || ns == kRss10 || ns == kRss090 ||
         ns == kUserlandRss;
}

// Extension namespaces are written with varying case and trailing slashes in the wild
// ("http://www.itunes.com/DTDs/Podcast-1.0.dtd", "http://search.yahoo.com/mrss").
bool SameNs(absl::string_view a, absl::string_view b) {
  return absl::EqualsIgnoreCase(absl::StripSuffix(a, "/"), absl::StripSuffix(b, "/"));
}

bool IsIn(const xmlNode* n, absl::string_view ns, absl::string_view local) {
  return n->type == XML_ELEMENT_NODE && LocalName(n) == local && SameNs(Ns(n), ns);
}

std::string Attr(const xmlNode* n, const char* name) {
  XmlString v(xmlGetProp(n, reinterpret_cast<const xmlChar*>(name)));
  return v ? std::string(Str(v.get())) : std::string();
}

std::string AttrNs(const xmlNode* n, const char* name, const char* ns) {
  XmlString v(xmlGetNsProp(n, reinterpret_cast<const xmlChar*>(name),
                           reinterpret_cast<const xmlChar*>(ns)));
  return v ? std::string(Str(v.get())) : std::string();
}

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The character data of a node, internal entities expanded (HTML's named entities, which feeds
// use without declaring them, decoded too), within `budget` bytes so that nested entity
// definitions cannot blow the output up.
class TextCollector {
 public:
  explicit TextCollector(size_t budget) : budget_(budget) {}

  // Text of the node's descendants; elements contribute their text (markup dropped, blocks
  // separated) — for inline XHTML.
  void Collect(const xmlNode* first, int depth) {
    for (const xmlNode* n = first; n != nullptr && out_.size() < budget_; n = n->next) {
      switch (n->type) {
        case XML_TEXT_NODE:
        case XML_CDATA_SECTION_NODE:
          if (n->content != nullptr) Append(Str(n->content));
          break;
        case XML_ENTITY_REF_NODE:
          Entity(n, depth);
          break;
        case XML_ELEMENT_NODE: {
          absl::string_view name = LocalName(n);
          if (name == "script" || name == "style") break;
          bool block = name == "p" || name == "div" || name == "br" || name == "li";
          if (block) Append(" ");
          if (depth < 256) Collect(n->children, depth + 1);
          if (block) Append(" ");
          break;
        }
        default:
          break;
      }
    }
  }

  std::string Take() { return std::move(out_); }

 private:
  void Append(absl::string_view s) {
    size_t room = budget_ - std::min(budget_, out_.size());
    out_.append(s.data(), std::min(room, s.size()));
  }

  void Entity(const xmlNode* n, int depth) {
    xmlEntity* ent = xmlGetDocEntity(n->doc, n->name);
    if (ent == nullptr) {
      const htmlEntityDesc* html = htmlEntityLookup(n->name);
      if (html != nullptr) {
        std::string utf8;
        AppendUtf8(html->value, utf8);
        Append(utf8);
      } else {
        Append(absl::StrCat("&", Str(n->name), ";"));  // unknown: kept as written
      }
      return;
    }
    if (ent->etype != XML_INTERNAL_GENERAL_ENTITY && ent->etype != XML_INTERNAL_PREDEFINED_ENTITY) {
      return;  // external entities are never read
    }
    if (depth >= 16) return;  // entities nested this deep are an attack, not a feed
    if (ent->children != nullptr) {
      Collect(ent->children, depth + 1);
    } else if (ent->content != nullptr) {
      Append(Str(ent->content));
    }
  }

  size_t budget_;
  std::string out_;
};

// ---------- the document walk ----------

class XmlFeedReader {
 public:
  // `text_budget`: the most raw text of one field; `document_text_budget`: of all fields
  // together (entity references can repeat an entity's text without end).
  XmlFeedReader(xmlDoc* doc, const FeedParseOptions& options, size_t text_budget,
                size_t document_text_budget)
      : doc_(doc), options_(options), text_budget_(text_budget), text_left_(document_text_budget) {}

  void Read(ParsedFeed& feed) {
    const xmlNode* root = xmlDocGetRootElement(doc_);
    if (root == nullptr) return;
    absl::string_view name = LocalName(root), ns = Ns(root);
    if (name == "rss") {
      // RSS 2.0 has no namespace, but some feeds give <rss> one of their own (Userland's,
      // Harvard's): whatever it is, it is then the core vocabulary.
      rss_ns_ = std::string(ns);
      feed.version = RssVersion(Attr(root, "version"));
      if (feed.version == "rss091u" && doc_->intSubset != nullptr &&
          doc_->intSubset->ExternalID != nullptr &&
          absl::StrContains(Str(doc_->intSubset->ExternalID), "Netscape")) {
        feed.version = "rss091n";
      }
      for (const xmlNode* c = root->children; c; c = c->next) {
        if (IsCore(c, "channel")) ReadRssChannel(c, feed, c);
        // Items outside the channel (seen in the wild) still count.
        if (IsCore(c, "item")) AddEntry(feed, [&](FeedEntry& e) { ReadRssItem(c, e); });
      }
    } else if (name == "RDF" && ns == kRdf) {
      feed.version = "rss10";
      for (const xmlNs* def = root->nsDef; def != nullptr; def = def->next) {
        if (def->href != nullptr && Str(def->href) == absl::string_view(kRss090)) {
          feed.version = "rss090";
        }
      }
      for (const xmlNode* c = root->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        if (Ns(c) == kRss090) feed.version = "rss090";
        if (IsCore(c, "channel")) ReadRssChannel(c, feed, nullptr);
        if (IsCore(c, "item")) AddEntry(feed, [&](FeedEntry& e) { ReadRssItem(c, e); });
      }
    } else if (name == "feed") {
      // Pre-1.0 Atom drafts used several namespaces ("necho", "pie", "echo"): the root's is core.
      rss_ns_ = std::string(ns);
      feed.version = ns == kAtom10 ? "atom10" : ns == kAtom03 ? "atom03" : "atom";
      ReadAtomFeed(root, feed);
    } else if (name == "channel" && IsCoreNs(ns)) {  // an RSS 0.9x channel without <rss>
      feed.version = "rss";
      ReadRssChannel(root, feed, root);
    }
  }

  // Whether the deadline passed while reading (the feed is then refused).
  bool timed_out() const { return timed_out_; }
  // Whether the document's text budget ran out (later fields were read empty or cut).
  bool text_exhausted() const { return text_exhausted_; }

 private:
  static std::string RssVersion(const std::string& v) {
    if (v == "0.90") return "rss090";
    if (v == "0.91") return "rss091u";
    if (v == "0.92") return "rss092";
    if (v == "0.93") return "rss093";
    if (v == "0.94") return "rss094";
    if (v == "2.0" || v == "2" || absl::StartsWith(v, "2.")) return "rss20";
    return "rss";
  }

  bool Core(absl::string_view ns) const {
    return IsCoreNs(ns) || (!rss_ns_.empty() && ns == rss_ns_);
  }
  bool IsCore(const xmlNode* n, absl::string_view local) const {
    return n->type == XML_ELEMENT_NODE && LocalName(n) == local && Core(Ns(n));
  }

  bool Expired() {
    if (!timed_out_ && absl::Now() >= options_.deadline) timed_out_ = true;
    return timed_out_;
  }

  HtmlTextOptions HtmlOptions() const {
    return HtmlTextOptions{.max_attributes_per_element = options_.max_attributes_per_element,
                           .deadline = options_.deadline};
  }

  template <typename Fill>
  void AddEntry(ParsedFeed& feed, Fill fill) {
    if (Expired()) return;
    if (feed.entries.size() >= options_.max_entries) {
      if (!dropped_entries_) {
        feed.bozo_message =
            absl::StrCat("more than ", options_.max_entries, " entries; the rest were dropped");
      }
      dropped_entries_ = true;
      return;
    }
    fill(feed.entries.emplace_back());
    FeedEntry& e = feed.entries.back();
    if (e.language.empty()) e.language = feed.language;
    if (CapEntryText(e, options_.max_entry_text_bytes)) {
      NoteTextCut(feed, feed.entries.size() - 1, options_.max_entry_text_bytes, text_cut_);
    }
  }

  // Raw character data, entities expanded.
  std::string RawText(const xmlNode* n) const {
    TextCollector c(std::min(text_budget_, text_left_));
    c.Collect(n->children, 0);
    std::string text = c.Take();
    text_left_ -= std::min(text_left_, text.size());
    if (text_left_ == 0) text_exhausted_ = true;
    return text;
  }

  std::string PlainText(const xmlNode* n) const { return CollapseWhitespace(RawText(n)); }

  // RSS text that is HTML (descriptions) or text that may carry markup (titles).
  std::string HtmlText(const xmlNode* n) const {
    for (const xmlNode* c = n->children; c; c = c->next) {
      if (c->type == XML_ELEMENT_NODE) return PlainText(n);  // unescaped XHTML in place
    }
    return HtmlToText(RawText(n), HtmlOptions());
  }

  std::string MaybeHtmlText(const xmlNode* n) const {
    std::string raw = RawText(n);
    for (size_t i = raw.find('<'); i != std::string::npos; i = raw.find('<', i + 1)) {
      if (i + 1 < raw.size() && (absl::ascii_isalpha(raw[i + 1]) || raw[i + 1] == '/')) {
        return HtmlToText(raw, HtmlOptions());
      }
    }
    return CollapseWhitespace(raw);
  }

  // An Atom text construct: type text (default), html, xhtml or a MIME type; Atom 0.3's
  // mode="escaped" / "base64" / "xml".
  std::string AtomText(const xmlNode* n) const {
    std::string type = absl::AsciiStrToLower(Attr(n, "type"));
    std::string mode = absl::AsciiStrToLower(Attr(n, "mode"));
    bool mime = type.find('/') != std::string::npos;
    bool textual = absl::StartsWith(type, "text/") || absl::EndsWith(type, "+xml") ||
                   absl::EndsWith(type, "/xml");
    if (mode == "base64" || (mime && !textual)) {
      std::string decoded;
      absl::Base64Unescape(CollapseWhitespace(RawText(n)), &decoded);
      // Decoded bytes of a non-text type are shown as text when they are valid text; markup in
      // them is stripped like HTML's.
      return HtmlToText(decoded, HtmlOptions());
    }
    if (type == "xhtml" || type == "application/xhtml+xml" || mode == "xml") {
      return PlainText(n);
    }
    if (type == "html" || type == "text/html" || mode == "escaped") return HtmlText(n);
    return PlainText(n);
  }

  std::string Resolve(const xmlNode* n, const std::string& href) const {
    if (href.empty()) return href;
    XmlString base(xmlNodeGetBase(doc_, n));
    if (!base) return href;
    XmlString built(xmlBuildURI(reinterpret_cast<const xmlChar*>(href.c_str()), base.get()));
    return built ? std::string(Str(built.get())) : href;
  }

  static std::string Lang(const xmlNode* n) {
    XmlString lang(xmlNodeGetLang(n));
    return lang ? std::string(Str(lang.get())) : std::string();
  }

  static void SetDate(const std::string& text, std::optional<absl::Time>& time,
                      std::string& written) {
    if (text.empty()) return;  // a later element of the same meaning wins, as in feedparser
    written = text;
    time = ParseFeedDate(text);
  }

  // "jane@example.org (Jane Doe)", "Jane Doe (jane@example.org)", "Jane Doe <jane@example.org>",
  // "mailto:" forms, or just a name or an address.
  static FeedPerson PersonFromString(const std::string& s) {
    FeedPerson p;
    std::string rest;
    for (absl::string_view word : absl::StrSplit(s, ' ', absl::SkipEmpty())) {
      absl::string_view bare = absl::StripPrefix(absl::StripSuffix(word, ")"), "(");
      bare = absl::StripPrefix(absl::StripSuffix(bare, ">"), "<");
      bare = absl::StripPrefix(bare, "mailto:");
      if (p.email.empty() && bare.find('@') != absl::string_view::npos) {
        p.email = std::string(bare);
      } else {
        absl::StrAppend(&rest, rest.empty() ? "" : " ", word);
      }
    }
    rest = CollapseWhitespace(rest);
    absl::string_view name = rest;
    if (absl::StartsWith(name, "(") && absl::EndsWith(name, ")")) {
      name = name.substr(1, name.size() - 2);
    }
    p.name = CollapseWhitespace(name);
    return p;
  }

  void ReadRssChannel(const xmlNode* channel, ParsedFeed& feed, const xmlNode* items_parent) {
    for (const xmlNode* c = channel->children; c; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      if ((IsCore(c, "title") || IsIn(c, kDc, "title")) && feed.title.empty()) {
        feed.title = MaybeHtmlText(c);
      } else if ((IsIn(c, kItunes, "subtitle") || IsIn(c, kItunes, "summary")) &&
                 feed.subtitle.empty()) {
        feed.subtitle = PlainText(c);
      } else if (IsCore(c, "link") && feed.link.empty()) {
        feed.link = Resolve(c, PlainText(c));
      } else if (IsCore(c, "description") && feed.subtitle.empty()) {
        feed.subtitle = HtmlText(c);
      } else if ((IsCore(c, "language") || IsIn(c, kDc, "language")) && feed.language.empty()) {
        feed.language = PlainText(c);
      } else if (IsCore(c, "ttl")) {
        int ttl = 0;
        if (absl::SimpleAtoi(PlainText(c), &ttl) && ttl > 0) feed.ttl_minutes = ttl;
      } else if (IsCore(c, "lastBuildDate") || IsIn(c, kDc, "date") ||
                 IsIn(c, kDcTerms, "modified")) {
        SetDate(PlainText(c), feed.updated, feed.updated_text);
      } else if (IsCore(c, "managingEditor") || IsCore(c, "author") || IsIn(c, kDc, "creator") ||
                 IsIn(c, kDc, "author")) {
        feed.authors.push_back(PersonFromString(PlainText(c)));
      } else if (IsIn(c, kAtom10, "link") && Attr(c, "rel") == "self") {
        feed.links.push_back({Resolve(c, Attr(c, "href")), "self", Attr(c, "type")});
      } else if (items_parent != nullptr && IsCore(c, "item")) {
        AddEntry(feed, [&](FeedEntry& e) { ReadRssItem(c, e); });
      }
    }
    if (feed.language.empty()) feed.language = Lang(channel);
    if (!feed.link.empty()) feed.links.insert(feed.links.begin(), {feed.link, "alternate", ""});
  }

  void ReadRssItem(const xmlNode* item, FeedEntry& e) {
    std::string guid;
    bool guid_is_link = false;
    for (const xmlNode* c = item->children; c; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      if ((IsCore(c, "title") || IsIn(c, kDc, "title")) && e.title.empty()) {
        e.title = MaybeHtmlText(c);
      } else if (IsCore(c, "link") && e.link.empty()) {
        e.link = Resolve(c, PlainText(c));
      } else if (IsCore(c, "guid") && guid.empty()) {
        guid = PlainText(c);
        std::string permalink = absl::AsciiStrToLower(Attr(c, "isPermaLink"));
        guid_is_link = permalink != "false" && !guid.empty();
        if (guid_is_link) guid = Resolve(c, guid);
      } else if ((IsCore(c, "description") || IsIn(c, kDc, "description")) && e.summary.empty()) {
        e.summary = HtmlText(c);
      } else if ((IsIn(c, kContent, "encoded") || IsIn(c, kXhtml, "body") || IsCore(c, "body") ||
                  IsCore(c, "fullitem")) &&
                 e.content.empty()) {
        e.content = HtmlText(c);
      } else if (IsIn(c, kAtom10, "summary") && e.summary.empty()) {
        e.summary = AtomText(c);
      } else if (IsIn(c, kAtom10, "content") && e.content.empty()) {
        e.content = AtomText(c);
      } else if (IsCore(c, "pubDate") || IsIn(c, kDcTerms, "issued") ||
                 IsIn(c, kDcTerms, "created")) {
        SetDate(PlainText(c), e.published, e.published_text);
      } else if (IsIn(c, kDc, "date") || IsIn(c, kDcTerms, "modified") ||
                 IsIn(c, kAtom10, "updated")) {
        SetDate(PlainText(c), e.updated, e.updated_text);
      } else if (IsCore(c, "author") || IsIn(c, kDc, "creator") || IsIn(c, kDc, "author")) {
        std::string who = PlainText(c);
        if (!who.empty()) e.authors.push_back(PersonFromString(who));
      } else if (IsCore(c, "category") || IsIn(c, kDc, "subject")) {
        std::string term = PlainText(c);
        if (!term.empty()) e.categories.push_back({term, Attr(c, "domain"), ""});
      } else if (IsCore(c, "enclosure")) {
        FeedEnclosure enc{Resolve(c, Attr(c, "url")), Attr(c, "type"), 0};
        if (!absl::SimpleAtoi(Attr(c, "length"), &enc.length)) enc.length = 0;
        if (!enc.url.empty()) e.enclosures.push_back(enc);
      } else if (IsCore(c, "source")) {
        e.source_title = PlainText(c);
      } else if ((IsIn(c, kItunes, "summary") || IsIn(c, kItunes, "subtitle")) &&
                 e.summary.empty()) {
        e.summary = PlainText(c);
      } else if (IsIn(c, kItunes, "author")) {
        e.authors.push_back(PersonFromString(PlainText(c)));
      } else if (IsIn(c, kItunes, "category")) {
        // <itunes:category text="Technology"><itunes:category text="Gadgets"/></...>
        if (!Attr(c, "text").empty()) {
          e.categories.push_back({Attr(c, "text"), "http://www.itunes.com/", ""});
        }
        for (const xmlNode* sub = c->children; sub; sub = sub->next) {
          if (IsIn(sub, kItunes, "category") && !Attr(sub, "text").empty()) {
            e.categories.push_back({Attr(sub, "text"), "http://www.itunes.com/", ""});
          }
        }
      } else if (IsIn(c, kMedia, "category")) {
        std::string scheme = Attr(c, "scheme");
        e.categories.push_back(
            {PlainText(c), scheme.empty() ? "http://search.yahoo.com/mrss/category_schema" : scheme,
             Attr(c, "label")});
      } else if (IsIn(c, kMedia, "title") && e.title.empty()) {
        e.title = PlainText(c);
      } else if ((IsCore(c, "language") || IsIn(c, kDc, "language")) && e.language.empty()) {
        e.language = PlainText(c);
      }
    }
    if (e.id.empty()) e.id = guid;
    if (e.id.empty()) e.id = Resolve(item, AttrNs(item, "about", kRdf));
    if (e.link.empty() && guid_is_link) e.link = guid;
    if (!e.link.empty()) e.links.insert(e.links.begin(), {e.link, "alternate", ""});
    for (const FeedEnclosure& enc : e.enclosures)
      e.links.push_back({enc.url, "enclosure", enc.type});
    if (e.language.empty()) e.language = Lang(item);
  }

  // Atom links: the first alternate (or rel-less) link is "the" link, unless a later one is
  // text/html and it is not; enclosures also become enclosures.
  void ReadAtomLink(const xmlNode* c, std::string& link, std::vector<FeedLink>& links,
                    std::vector<FeedEnclosure>* enclosures) {
    FeedLink l{Resolve(c, Attr(c, "href")), Attr(c, "rel"), Attr(c, "type")};
    if (l.rel.empty()) l.rel = "alternate";
    if (l.href.empty()) return;
    links.push_back(l);
    if (l.rel == "alternate") {
      bool html = l.type.empty() || l.type == "text/html";
      if (link.empty() || (html && !link_is_html_)) {
        link = l.href;
        link_is_html_ = html;
      }
    }
    if (l.rel == "enclosure" && enclosures != nullptr) {
      FeedEnclosure enc{l.href, l.type, 0};
      if (!absl::SimpleAtoi(Attr(c, "length"), &enc.length)) enc.length = 0;
      enclosures->push_back(enc);
    }
  }

  FeedPerson AtomPerson(const xmlNode* n) const {
    FeedPerson p;
    for (const xmlNode* c = n->children; c; c = c->next) {
      if (IsCore(c, "name")) p.name = PlainText(c);
      if (IsCore(c, "email")) p.email = PlainText(c);
      if (IsCore(c, "uri") || IsCore(c, "url")) p.uri = Resolve(c, PlainText(c));
    }
    return p;
  }

  void ReadAtomFeed(const xmlNode* root, ParsedFeed& feed) {
    feed.language = Lang(root);
    bool feed_link_is_html = false;
    for (const xmlNode* c = root->children; c; c = c->next) {
      if (c->type != XML_ELEMENT_NODE || !Core(Ns(c))) continue;
      absl::string_view name = LocalName(c);
      if (name == "title" && feed.title.empty()) {
        feed.title = AtomText(c);
      } else if ((name == "subtitle" || name == "tagline") && feed.subtitle.empty()) {
        feed.subtitle = AtomText(c);
      } else if (name == "link") {
        link_is_html_ = feed_link_is_html;
        ReadAtomLink(c, feed.link, feed.links, nullptr);
        feed_link_is_html = link_is_html_;
      } else if (name == "id" && feed.id.empty()) {
        feed.id = Resolve(c, PlainText(c));
      } else if (name == "updated" || name == "modified") {
        SetDate(PlainText(c), feed.updated, feed.updated_text);
      } else if (name == "author") {
        feed.authors.push_back(AtomPerson(c));
      } else if (name == "entry") {
        AddEntry(feed, [&](FeedEntry& e) { ReadAtomEntry(c, e); });
      }
    }
  }

  void ReadAtomEntry(const xmlNode* entry, FeedEntry& e) {
    link_is_html_ = false;
    e.language = Lang(entry);
    for (const xmlNode* c = entry->children; c; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      if (!Core(Ns(c))) {
        if (IsIn(c, kDc, "subject")) e.categories.push_back({PlainText(c), "", ""});
        if (IsIn(c, kDc, "creator")) e.authors.push_back(PersonFromString(PlainText(c)));
        if (IsIn(c, kDc, "date")) SetDate(PlainText(c), e.published, e.published_text);
        continue;
      }
      absl::string_view name = LocalName(c);
      if (name == "title" && e.title.empty()) {
        e.title = AtomText(c);
      } else if (name == "link") {
        ReadAtomLink(c, e.link, e.links, &e.enclosures);
      } else if (name == "id" && e.id.empty()) {
        e.id = Resolve(c, PlainText(c));
      } else if (name == "summary" && e.summary.empty()) {
        e.summary = AtomText(c);
      } else if (name == "content" && e.content.empty()) {
        e.content = AtomText(c);
      } else if (name == "published" || name == "issued" || name == "created") {
        SetDate(PlainText(c), e.published, e.published_text);
      } else if (name == "updated" || name == "modified") {
        SetDate(PlainText(c), e.updated, e.updated_text);
      } else if (name == "author") {
        e.authors.push_back(AtomPerson(c));
      } else if (name == "category") {
        e.categories.push_back({Attr(c, "term"), Attr(c, "scheme"), Attr(c, "label")});
      } else if (name == "source") {
        for (const xmlNode* s = c->children; s; s = s->next) {
          if (IsCore(s, "title")) e.source_title = AtomText(s);
        }
      }
    }
    // An entry without a link whose id is a web address: that address is its link.
    if (e.link.empty() &&
        (absl::StartsWith(e.id, "http://") || absl::StartsWith(e.id, "https://"))) {
      e.link = e.id;
    }
  }

  xmlDoc* doc_;
  const FeedParseOptions& options_;
  size_t text_budget_;
  mutable size_t text_left_;
  mutable bool text_exhausted_ = false;
  bool dropped_entries_ = false;
  bool text_cut_ = false;
  bool timed_out_ = false;
  bool link_is_html_ = false;
  std::string rss_ns_;  // the namespace of <rss> or <feed>, if it has one  // for the link
                        // ReadAtomLink is filling now
};

// ---------- JSON Feed ----------

std::string JsonString(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return "";
}

FeedPerson JsonPerson(const nlohmann::json& a) {
  return a.is_object() ? FeedPerson{JsonString(a, "name"), "", JsonString(a, "url")} : FeedPerson{};
}

// What a linear scan finds before nlohmann-json parses: nesting deeper than any JSON Feed needs,
// and an upper bound of the values (every value but the first follows a ',', '[' or '{').
struct JsonShape {
  bool too_deep = false;
  size_t values = 1;
};

JsonShape ScanJson(absl::string_view s, int depth_limit) {
  JsonShape shape;
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++shape.values;
      if (++depth > depth_limit) {
        shape.too_deep = true;
        return shape;
      }
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == ',') {
      ++shape.values;
    }
  }
  return shape;
}

absl::StatusOr<ParsedFeed> ParseJsonFeed(absl::string_view document,
                                         const FeedParseOptions& options) {
  const JsonShape shape = ScanJson(document, 64);
  if (shape.too_deep) return absl::InvalidArgumentError("JSON feed nests deeper than 64 levels");
  if (shape.values > options.max_elements) {
    return LimitError(absl::StrCat("the JSON feed has up to ", shape.values, " values"),
                      options.max_elements, "max_elements");
  }
  nlohmann::json j = nlohmann::json::parse(document.begin(), document.end(), nullptr,
                                           /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::InvalidArgumentError("not a JSON Feed: the document is not a JSON object");
  }
  if (absl::Now() >= options.deadline) return DeadlineError();
  ParsedFeed feed;
  feed.encoding = "utf-8";
  std::string version = JsonString(j, "version");
  // Version 1's own examples, and real feeds, use http:// (the spec says https://).
  if (!absl::StartsWith(version, "https://jsonfeed.org/version/") &&
      !absl::StartsWith(version, "http://jsonfeed.org/version/")) {
    return absl::InvalidArgumentError(
        "not a JSON Feed: no https://jsonfeed.org/version/ (or http://) version");
  }
  feed.version = absl::EndsWith(version, "/1.1") ? "json11" : "json1";
  feed.title = CollapseWhitespace(JsonString(j, "title"));
  feed.subtitle = CollapseWhitespace(JsonString(j, "description"));
  feed.link = JsonString(j, "home_page_url");
  if (!feed.link.empty()) feed.links.push_back({feed.link, "alternate", "text/html"});
  if (std::string self = JsonString(j, "feed_url"); !self.empty()) {
    feed.links.push_back({self, "self", "application/feed+json"});
  }
  feed.language = JsonString(j, "language");
  if (auto a = j.find("author"); a != j.end()) feed.authors.push_back(JsonPerson(*a));
  if (auto as = j.find("authors"); as != j.end() && as->is_array()) {
    for (const auto& a : *as) feed.authors.push_back(JsonPerson(a));
  }
  auto items = j.find("items");
  if (items == j.end() || !items->is_array()) {
    feed.bozo = true;
    feed.bozo_message = "JSON Feed without an items array";
    return feed;
  }
  const HtmlTextOptions html_options{
      .max_attributes_per_element = options.max_attributes_per_element,
      .deadline = options.deadline};
  const size_t raw_budget = RawTextBudget(document.size(), options.max_entry_text_bytes);
  bool text_cut = false;
  for (const auto& item : *items) {
    if (absl::Now() >= options.deadline) return DeadlineError();
    if (!item.is_object()) continue;
    if (feed.entries.size() >= options.max_entries) {
      feed.bozo_message =
          absl::StrCat("more than ", options.max_entries, " entries; the rest were dropped");
      break;
    }
    FeedEntry& e = feed.entries.emplace_back();
    e.id = JsonString(item, "id");
    e.title = CollapseWhitespace(JsonString(item, "title"));
    e.link = JsonString(item, "url");
    if (e.link.empty()) e.link = JsonString(item, "external_url");
    if (!e.link.empty()) e.links.push_back({e.link, "alternate", "text/html"});
    e.summary = CollapseWhitespace(JsonString(item, "summary"));
    std::string html = JsonString(item, "content_html");
    e.content = html.empty()
                    ? CollapseWhitespace(JsonString(item, "content_text"))
                    : HtmlToText(absl::string_view(html).substr(0, raw_budget), html_options);
    e.published_text = JsonString(item, "date_published");
    e.published = ParseFeedDate(e.published_text);
    e.updated_text = JsonString(item, "date_modified");
    e.updated = ParseFeedDate(e.updated_text);
    if (auto a = item.find("author"); a != item.end()) e.authors.push_back(JsonPerson(*a));
    if (auto as = item.find("authors"); as != item.end() && as->is_array()) {
      for (const auto& a : *as) e.authors.push_back(JsonPerson(a));
    }
    if (auto tags = item.find("tags"); tags != item.end() && tags->is_array()) {
      for (const auto& t : *tags) {
        if (t.is_string()) e.categories.push_back({t.get<std::string>(), "", ""});
      }
    }
    if (auto at = item.find("attachments"); at != item.end() && at->is_array()) {
      for (const auto& a : *at) {
        if (!a.is_object()) continue;
        FeedEnclosure enc{JsonString(a, "url"), JsonString(a, "mime_type"), 0};
        if (auto size = a.find("size_in_bytes"); size != a.end() && size->is_number_integer()) {
          enc.length = size->get<int64_t>();
        }
        if (!enc.url.empty()) {
          e.enclosures.push_back(enc);
          e.links.push_back({enc.url, "enclosure", enc.type});
        }
      }
    }
    e.language = JsonString(item, "language");
    if (e.language.empty()) e.language = feed.language;
    if (CapEntryText(e, options.max_entry_text_bytes)) {
      NoteTextCut(feed, feed.entries.size() - 1, options.max_entry_text_bytes, text_cut);
    }
  }
  if (absl::Now() >= options.deadline) return DeadlineError();
  return feed;
}

// ---------- XML ----------

// Feeds use HTML's named entities (&eacute;, &nbsp;) without declaring them, which XML does not
// allow and libxml2 drops. Rewrites each such reference that the document does not declare into a
// numeric one (&#233;), as feedparser effectively does; returns false when nothing changed.
// Only ASCII-compatible encodings are rewritten (a UTF-16 document never matches).
bool RewriteHtmlEntities(absl::string_view document, std::string& out) {
  // The names the document declares, collected once (looking each reference up in the whole
  // document made this quadratic).
  absl::flat_hash_set<std::string> declared;
  for (size_t at = document.find("<!ENTITY "); at != absl::string_view::npos;
       at = document.find("<!ENTITY ", at + 1)) {
    size_t begin = document.find_first_not_of(" \t\r\n", at + 9);
    if (begin == absl::string_view::npos) break;
    size_t end = document.find_first_of(" \t\r\n\"'>", begin);
    if (end == absl::string_view::npos) end = document.size();
    declared.emplace(document.substr(begin, end - begin));
  }
  bool changed = false;
  size_t copied = 0;
  for (size_t amp = document.find('&'); amp != absl::string_view::npos;
       amp = document.find('&', amp + 1)) {
    size_t end = amp + 1;
    while (end < document.size() && end - amp <= 32 &&
           absl::ascii_isalnum(static_cast<unsigned char>(document[end]))) {
      ++end;
    }
    if (end == amp + 1 || end >= document.size() || document[end] != ';' ||
        !absl::ascii_isalpha(static_cast<unsigned char>(document[amp + 1]))) {
      continue;
    }
    std::string name(document.substr(amp + 1, end - amp - 1));
    if (name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "apos") continue;
    if (declared.contains(name)) continue;
    const htmlEntityDesc* html = htmlEntityLookup(reinterpret_cast<const xmlChar*>(name.c_str()));
    if (html == nullptr) continue;
    out.append(document.data() + copied, amp - copied);
    absl::StrAppend(&out, "&#", html->value, ";");
    copied = end + 1;
    changed = true;
  }
  if (changed) out.append(document.data() + copied, document.size() - copied);
  return changed;
}

absl::StatusOr<ParsedFeed> ParseXmlFeed(absl::string_view document, const FeedParseOptions& options,
                                        const char* encoding) {
  InitLibxml();
  std::unique_ptr<xmlParserCtxt, CtxtFree> ctxt(xmlNewParserCtxt());
  if (ctxt == nullptr) return absl::ResourceExhaustedError("libxml2 could not allocate a parser");
  XmlGuard guard{.max_elements = options.max_elements,
                 .max_attributes = options.max_attributes_per_element,
                 .deadline = options.deadline,
                 .failure = absl::OkStatus()};
  if (ctxt->sax == nullptr || ctxt->sax->startElementNs != xmlSAX2StartElementNs ||
      ctxt->sax->characters != xmlSAX2Characters) {
    return absl::InternalError("libxml2's parser does not use its SAX2 tree builder");
  }
  ctxt->sax->startElementNs = GuardedStartElementNs;
  ctxt->sax->characters = GuardedCharacters;
  ctxt->_private = &guard;
  // No NOENT (entities stay references; TextCollector expands internal ones in a budget), no
  // DTDLOAD/DTDATTR/XINCLUDE, no HUGE (libxml2 keeps its depth and size limits).
  int flags = XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
              XML_PARSE_NOCDATA;
  std::unique_ptr<xmlDoc, DocFree> doc(xmlCtxtReadMemory(
      ctxt.get(), document.data(), static_cast<int>(document.size()),
      options.base_url.empty() ? nullptr : options.base_url.c_str(), encoding, flags));
  if (!guard.failure.ok()) return guard.failure;
  ParsedFeed feed;
  if (!ctxt->wellFormed) {
    feed.bozo = true;
    const xmlError* err = &ctxt->lastError;
    feed.bozo_message =
        absl::StrCat("line ", err->line, ": ",
                     err->message != nullptr ? CollapseWhitespace(err->message) : "ill-formed XML");
  }
  if (doc == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("not a feed: ", feed.bozo_message));
  }
  feed.encoding = encoding != nullptr        ? absl::AsciiStrToLower(encoding)
                  : doc->encoding != nullptr ? absl::AsciiStrToLower(Str(doc->encoding))
                  : absl::StartsWith(document, "\xFE\xFF") ? "utf-16be"
                  : absl::StartsWith(document, "\xFF\xFE") ? "utf-16le"
                                                           : "utf-8";
  // Text may be at most a few times the document (entities), and never unbounded: per field
  // and for the whole document.
  const size_t document_text_budget = document.size() * 4 + 65536;
  XmlFeedReader reader(doc.get(), options,
                       RawTextBudget(document.size(), options.max_entry_text_bytes),
                       document_text_budget);
  reader.Read(feed);
  if (reader.timed_out()) return DeadlineError();
  if (reader.text_exhausted()) {
    feed.bozo = true;
    absl::StrAppend(&feed.bozo_message, feed.bozo_message.empty() ? "" : "; ",
                    "the document's text (entities expanded) reached ", document_text_budget,
                    " bytes; the rest was dropped");
  }
  // "en_US" -> "en-US": BCP 47 uses hyphens.
  absl::StrReplaceAll({{"_", "-"}}, &feed.language);
  for (FeedEntry& e : feed.entries) absl::StrReplaceAll({{"_", "-"}}, &e.language);
  if (feed.version.empty()) {
    const xmlNode* root = xmlDocGetRootElement(doc.get());
    return absl::InvalidArgumentError(
        absl::StrCat("not a feed: the root element is <",
                     root != nullptr ? Str(root->name) : "(none)", ">, not rss, rdf:RDF or feed",
                     feed.bozo ? absl::StrCat(" (", feed.bozo_message, ")") : ""));
  }
  return feed;
}

// ---------- what the limits scan reads ----------

// Whether text in `encoding` keeps ASCII's bytes for the markup characters, so that ScanMarkup
// can read the raw bytes (true of UTF-8, ISO-8859-x, Windows-125x, KOI8, Shift_JIS, EUC, ...;
// not of EBCDIC). An encoding iconv does not know is one libxml2 cannot decode either: it reads
// on as UTF-8.
bool KeepsAsciiMarkup(const std::string& encoding) {
  iconv_t cd = iconv_open(encoding.c_str(), "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) return true;
  static constexpr absl::string_view kSample = "<a b='c' d=\"e\"/>";
  std::string in(kSample);
  char out[64];
  char* in_ptr = in.data();
  char* out_ptr = out;
  size_t in_left = in.size(), out_left = sizeof(out);
  const size_t converted = iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left);
  iconv_close(cd);
  return converted != static_cast<size_t>(-1) && in_left == 0 &&
         absl::string_view(out, sizeof(out) - out_left) == kSample;
}

bool IsWideEncodingName(const std::string& encoding) {
  std::string name = absl::AsciiStrToLower(encoding);
  name.erase(
      std::remove_if(name.begin(), name.end(), [](char c) { return !absl::ascii_isalnum(c); }),
      name.end());
  return absl::StartsWith(name, "utf16") || absl::StartsWith(name, "utf32") ||
         absl::StartsWith(name, "ucs2") || absl::StartsWith(name, "ucs4");
}

// The encoding named by the XML declaration of an ASCII-compatible document, or "".
std::string DeclaredEncoding(absl::string_view document) {
  document = absl::StripPrefix(document, "\xEF\xBB\xBF");
  if (!absl::StartsWith(document, "<?xml")) return "";
  absl::string_view decl = document.substr(0, std::min(document.find("?>"), size_t{512}));
  size_t at = decl.find("encoding");
  if (at == absl::string_view::npos) return "";
  size_t open = decl.find_first_of("\"'", at);
  if (open == absl::string_view::npos) return "";
  size_t close = decl.find(decl[open], open + 1);
  if (close == absl::string_view::npos) return "";
  return std::string(decl.substr(open + 1, close - open - 1));
}

// The bytes ScanMarkup must read to see what libxml2 will see: the document itself, or for
// UTF-16/UTF-32 the low byte of each code unit. InvalidArgument for a document in an encoding
// whose markup characters are not ASCII's (EBCDIC): its limits could not be checked.
absl::StatusOr<std::optional<std::string>> MarkupToScan(absl::string_view document,
                                                        const std::string& http_charset) {
  // std::string_view literals: these prefixes hold NUL bytes (absl::string_view is not
  // std::string_view in Debian's Abseil).
  auto starts = [&](std::string_view prefix) {
    return absl::StartsWith(document, absl::string_view(prefix.data(), prefix.size()));
  };
  using namespace std::string_view_literals;
  int width = 1;
  bool big_endian = true;
  if (starts("\x00\x00\xFE\xFF"sv) || starts("\x00\x00\x00<"sv)) {
    width = 4;
  } else if (starts("\xFF\xFE\x00\x00"sv) || starts("<\x00\x00\x00"sv)) {
    width = 4;
    big_endian = false;
  } else if (starts("\xFE\xFF"sv) || starts("\x00<"sv)) {
    width = 2;
  } else if (starts("\xFF\xFE"sv) || starts("<\x00"sv)) {
    width = 2;
    big_endian = false;
  } else if (starts("\x4C\x6F\xA7\x94"sv)) {
    return absl::InvalidArgumentError(
        "feed refused: EBCDIC documents are not read (their limits cannot be checked)");
  } else if (!http_charset.empty() && IsWideEncodingName(http_charset)) {
    width = absl::StrContains(absl::AsciiStrToLower(http_charset), "32") ||
                    absl::StrContains(absl::AsciiStrToLower(http_charset), "ucs4")
                ? 4
                : 2;
    big_endian = !document.empty() && document[0] == '\0';
  } else {
    std::string encoding = http_charset.empty() ? DeclaredEncoding(document) : http_charset;
    if (!encoding.empty() && !IsWideEncodingName(encoding) && !KeepsAsciiMarkup(encoding)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "feed refused: its encoding (", encoding,
          ") does not keep ASCII's markup characters, so its limits cannot be checked"));
    }
    return std::nullopt;
  }
  std::string narrow;
  narrow.reserve(document.size() / width);
  for (size_t i = big_endian ? width - 1 : 0; i < document.size(); i += width) {
    narrow += document[i];
  }
  return narrow;
}

}  // namespace

absl::StatusOr<ParsedFeed> ParseFeed(absl::string_view document, const FeedParseOptions& options) {
  if (document.size() > options.max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("feed is ", document.size(), " bytes; the limit is ", options.max_bytes));
  }
  FeedParseOptions bounded = options;
  const absl::Time now = absl::Now();
  bounded.deadline = std::min(options.deadline, now + options.max_parse_time);
  if (now >= bounded.deadline) return DeadlineError();
  size_t start = document.find_first_not_of(" \t\r\n");
  if (start == absl::string_view::npos) return absl::InvalidArgumentError("feed is empty");
  if (document[start] == '{') return ParseJsonFeed(document, bounded);
  // libxml2 2.9 checks each attribute of a tag against all before it (and its tree builder
  // walks the list to append each): quadratic, in one uninterruptible call. Refuse first.
  SA_ASSIGN_OR_RETURN(std::optional<std::string> narrowed,
                      MarkupToScan(document, options.http_charset));
  const MarkupShape shape = ScanMarkup(narrowed ? *narrowed : document, /*html=*/false);
  if (shape.most_attributes > options.max_attributes_per_element) {
    return LimitError(absl::StrCat("the element at byte ", shape.most_attributes_at, " has ",
                                   shape.most_attributes, " attributes"),
                      options.max_attributes_per_element, "max_attributes_per_element");
  }
  if (shape.attribute_defaults > options.max_attributes_per_element) {
    return LimitError(
        absl::StrCat("the DTD declares ", shape.attribute_defaults, " attribute defaults"),
        options.max_attributes_per_element, "max_attributes_per_element");
  }
  const char* encoding = options.http_charset.empty() ? nullptr : options.http_charset.c_str();
  std::string rewritten;
  if (RewriteHtmlEntities(document, rewritten)) document = rewritten;
  absl::StatusOr<ParsedFeed> feed = ParseXmlFeed(document, bounded, encoding);
  // A document that says UTF-8 (or nothing) but is not is most often Windows-1252: try that, as
  // browsers and feedparser do, and keep it flagged.
  if (feed.ok() && feed->bozo && encoding == nullptr &&
      absl::StrContains(feed->bozo_message, "not proper UTF-8")) {
    absl::StatusOr<ParsedFeed> retry = ParseXmlFeed(document, bounded, "windows-1252");
    if (retry.ok() && retry->entries.size() >= feed->entries.size()) {
      retry->bozo = true;
      retry->bozo_message = absl::StrCat(feed->bozo_message, "; decoded as windows-1252");
      return retry;
    }
  }
  return feed;
}

}  // namespace sa::feeds
