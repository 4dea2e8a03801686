// The feed parser on hand-written documents: formats, encodings, dates, markup, and hostile input
// (external entities, entity expansion, depth, size). The public conformance corpus is run by
// tests/feeds/feed_conformance.py.
#include "formats/feed_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "collector/feeds/feeds_file.h"
#include "formats/feed_articles.h"
#include "formats/feed_dates.h"
#include "formats/html_text.h"

namespace sa::feeds {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

FeedParseOptions WithBase(std::string base) {
  FeedParseOptions o;
  o.base_url = std::move(base);
  return o;
}
FeedParseOptions WithCharset(std::string charset) {
  FeedParseOptions o;
  o.http_charset = std::move(charset);
  return o;
}
FeedParseOptions WithLimits(size_t max_bytes, size_t max_entries) {
  FeedParseOptions o;
  o.max_bytes = max_bytes;
  o.max_entries = max_entries;
  return o;
}

absl::Time Utc(int y, int mo, int d, int h, int mi, int s) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), absl::UTCTimeZone());
}

TEST(FeedDatesTest, ParsesTheFormatsFeedsUse) {
  EXPECT_EQ(ParseFeedDate("Thu, 01 Jan 2004 19:48:21 GMT"), Utc(2004, 1, 1, 19, 48, 21));
  EXPECT_EQ(ParseFeedDate("01 Jan 2004 19:48:21 +0100"), Utc(2004, 1, 1, 18, 48, 21));
  EXPECT_EQ(ParseFeedDate("Thu, 1 Jan 04 9:48 EST"), Utc(2004, 1, 1, 14, 48, 0));
  EXPECT_EQ(ParseFeedDate("Thursday, 01 January 2004 19:48:21 PDT"), Utc(2004, 1, 2, 2, 48, 21));
  EXPECT_EQ(ParseFeedDate("Jan 01 2004 19:48:21"), Utc(2004, 1, 1, 19, 48, 21));
  EXPECT_EQ(ParseFeedDate("2003-12-31T10:14:55Z"), Utc(2003, 12, 31, 10, 14, 55));
  EXPECT_EQ(ParseFeedDate("2003-12-31T10:14:55.123-08:00"), Utc(2003, 12, 31, 18, 14, 55));
  EXPECT_EQ(ParseFeedDate("2003-12-31 10:14:55+0100"), Utc(2003, 12, 31, 9, 14, 55));
  EXPECT_EQ(ParseFeedDate("20031231T101455Z"), Utc(2003, 12, 31, 10, 14, 55));
  EXPECT_EQ(ParseFeedDate("2003-12-31"), Utc(2003, 12, 31, 0, 0, 0));
  EXPECT_EQ(ParseFeedDate("2003-12"), Utc(2003, 12, 1, 0, 0, 0));
}

TEST(FeedDatesTest, RejectsWhatIsNoDate) {
  for (const char* bad :
       {"", "yesterday", "2003-13-01", "2003-02-30T00:00:00Z", "Thu, 32 Jan 2004 19:48:21 GMT",
        "Thu, 01 Foo 2004 19:48:21 GMT", "2003-12-31T25:00:00Z", "01 Jan 2004 19:48:21 +9999"}) {
    EXPECT_EQ(ParseFeedDate(bad), std::nullopt) << bad;
  }
}

TEST(HtmlTextTest, KeepsWhatAReaderSees) {
  EXPECT_EQ(HtmlToText("<p>Putin &amp; Trump</p><p>met</p>"), "Putin & Trump met");
  EXPECT_EQ(HtmlToText("a<script>alert('x')</script>b<style>p{}</style> c"), "ab c");
  EXPECT_EQ(HtmlToText("<b>Arms</b> <i>control</i>"), "Arms control");
  EXPECT_EQ(HtmlToText("text &eacute;t&eacute; <unclosed"), "text été");
  EXPECT_EQ(HtmlToText("  plain\n\ttext  "), "plain text");
  EXPECT_EQ(CollapseWhitespace("don\xC2\x92t"), "don\xE2\x80\x99t");  // U+0092 -> U+2019
}

TEST(FeedParserTest, ReadsRss2) {
  auto feed = ParseFeed(R"(<?xml version="1.0"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Wire &amp; Co</title><link>https://wire.example/</link><language>en-us</language>
<ttl>15</ttl>
<item>
  <title>Trump and Putin to meet in Anchorage</title>
  <link>/world/summit</link>
  <guid isPermaLink="false">wire-123</guid>
  <description>&lt;p&gt;The leaders will discuss &lt;b&gt;arms control&lt;/b&gt;.&lt;/p&gt;</description>
  <content:encoded><![CDATA[<p>Full text: arms control, Ukraine &amp; sanctions.</p>]]></content:encoded>
  <pubDate>Mon, 11 Aug 2025 14:00:00 GMT</pubDate>
  <dc:creator>Jane Reporter</dc:creator>
  <category domain="https://wire.example/topics">Diplomacy</category>
  <enclosure url="https://wire.example/a.jpg" type="image/jpeg" length="1234"/>
</item></channel></rss>)",
                        WithBase("https://wire.example/feed.xml"));
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->version, "rss20");
  EXPECT_FALSE(feed->bozo) << feed->bozo_message;
  EXPECT_EQ(feed->title, "Wire & Co");
  EXPECT_EQ(feed->ttl_minutes, 15);
  ASSERT_EQ(feed->entries.size(), 1u);
  const FeedEntry& e = feed->entries[0];
  EXPECT_EQ(e.title, "Trump and Putin to meet in Anchorage");
  EXPECT_EQ(e.link, "https://wire.example/world/summit");  // resolved against the feed URL
  EXPECT_EQ(e.id, "wire-123");
  EXPECT_EQ(e.summary, "The leaders will discuss arms control.");
  EXPECT_EQ(e.content, "Full text: arms control, Ukraine & sanctions.");
  EXPECT_EQ(e.published, Utc(2025, 8, 11, 14, 0, 0));
  ASSERT_EQ(e.authors.size(), 1u);
  EXPECT_EQ(e.authors[0].name, "Jane Reporter");
  ASSERT_EQ(e.categories.size(), 1u);
  EXPECT_EQ(e.categories[0].term, "Diplomacy");
  ASSERT_EQ(e.enclosures.size(), 1u);
  EXPECT_EQ(e.enclosures[0].length, 1234);
  EXPECT_EQ(e.language, "en-us");

  int skipped = -1;
  auto articles = ArticlesFromFeed(*feed, "", &skipped);
  EXPECT_EQ(skipped, 0);
  ASSERT_EQ(articles.size(), 1u);
  EXPECT_EQ(articles[0].title(), "Trump and Putin to meet in Anchorage");
  EXPECT_EQ(articles[0].body(), "Full text: arms control, Ukraine & sanctions.");
  EXPECT_EQ(articles[0].url(), "https://wire.example/world/summit");
  EXPECT_EQ(articles[0].id(), "wire-123");
  EXPECT_EQ(articles[0].source(), "Wire & Co");
  EXPECT_EQ(articles[0].published_at().seconds(), absl::ToUnixSeconds(Utc(2025, 8, 11, 14, 0, 0)));
  EXPECT_EQ(articles[0].language(), "en-us");
}

TEST(FeedParserTest, ReadsAtomWithXmlBaseAndTextConstructs) {
  auto feed = ParseFeed(R"(<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"
      xml:base="https://news.example/section/">
  <title type="html">Summit &lt;em&gt;watch&lt;/em&gt;</title>
  <entry xml:base="/2025/">
    <title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Lavrov <b>arrives</b></div></title>
    <link rel="alternate" type="text/html" href="lavrov.html"/>
    <link rel="enclosure" type="audio/mpeg" href="lavrov.mp3" length="99"/>
    <id>tag:news.example,2025:1</id>
    <updated>2025-08-14T09:00:00+03:00</updated>
    <author><name>A. Writer</name><email>a@news.example</email></author>
    <category term="diplomacy" label="Diplomacy"/>
    <summary>Russia's foreign minister landed.</summary>
  </entry>
</feed>)");
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->version, "atom10");
  EXPECT_EQ(feed->title, "Summit watch");
  ASSERT_EQ(feed->entries.size(), 1u);
  const FeedEntry& e = feed->entries[0];
  EXPECT_EQ(e.title, "Lavrov arrives");
  EXPECT_EQ(e.link, "https://news.example/2025/lavrov.html");
  ASSERT_EQ(e.enclosures.size(), 1u);
  EXPECT_EQ(e.enclosures[0].url, "https://news.example/2025/lavrov.mp3");
  EXPECT_EQ(e.updated, Utc(2025, 8, 14, 6, 0, 0));
  EXPECT_EQ(e.language, "en");
  EXPECT_EQ(e.authors[0].email, "a@news.example");
  EXPECT_EQ(e.categories[0].label, "Diplomacy");
}

TEST(FeedParserTest, ReadsRss1Rdf) {
  auto feed = ParseFeed(R"(<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
      xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://x.example/"><title>RDF news</title></channel>
  <item rdf:about="https://x.example/1"><title>One</title><link>https://x.example/1</link>
    <dc:date>2025-08-15T12:00:00Z</dc:date></item>
</rdf:RDF>)");
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->version, "rss10");
  ASSERT_EQ(feed->entries.size(), 1u);
  EXPECT_EQ(feed->entries[0].id, "https://x.example/1");
  EXPECT_EQ(feed->entries[0].updated, Utc(2025, 8, 15, 12, 0, 0));
}

TEST(FeedParserTest, ReadsJsonFeed) {
  auto feed = ParseFeed(R"({"version": "https://jsonfeed.org/version/1.1", "title": "J",
    "items": [{"id": 7, "url": "https://j.example/7", "title": "Seven",
               "content_html": "<p>Hi <script>x()</script>there</p>",
               "date_published": "2025-08-15T12:00:00Z", "tags": ["a", 3]},
              "not an object"]})");
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->version, "json11");
  ASSERT_EQ(feed->entries.size(), 1u);
  EXPECT_EQ(feed->entries[0].id, "7");
  EXPECT_EQ(feed->entries[0].content, "Hi there");
  EXPECT_EQ(feed->entries[0].categories.size(), 1u);
  EXPECT_EQ(feed->entries[0].published, Utc(2025, 8, 15, 12, 0, 0));

  EXPECT_FALSE(ParseFeed(R"({"title": "no version"})").ok());
  EXPECT_FALSE(ParseFeed("{not json").ok());
  EXPECT_FALSE(ParseFeed(std::string(100, '[') + std::string(100, ']')).ok());
}

TEST(FeedParserTest, DecodesDeclaredAndHttpCharsets) {
  // "Путин" in KOI8-R is F0 D5 D4 C9 CE; in Windows-1251 CF F3 F2 E8 ED.
  auto koi8 = ParseFeed(
      "<?xml version=\"1.0\" encoding=\"KOI8-R\"?><rss version=\"2.0\"><channel><item>"
      "<title>\xF0\xD5\xD4\xC9\xCE</title></item></channel></rss>");
  ASSERT_TRUE(koi8.ok()) << koi8.status();
  EXPECT_EQ(koi8->encoding, "koi8-r");
  EXPECT_EQ(koi8->entries.at(0).title, "Путин");

  std::string cp1251 =
      "<rss "
      "version=\"2.0\"><channel><item><title>\xCF\xF3\xF2\xE8\xED</title></item></channel></rss>";
  auto http = ParseFeed(cp1251, WithCharset("windows-1251"));
  ASSERT_TRUE(http.ok()) << http.status();
  EXPECT_EQ(http->entries.at(0).title, "Путин");

  // UTF-16LE with a BOM.
  std::string utf16 = "\xFF\xFE";
  for (char c : std::string("<rss version=\"2.0\"><channel><title>T</title></channel></rss>")) {
    utf16 += c;
    utf16 += '\0';
  }
  auto wide = ParseFeed(utf16);
  ASSERT_TRUE(wide.ok()) << wide.status();
  EXPECT_EQ(wide->title, "T");

  // Declared (or defaulted) UTF-8 that is really Windows-1252: decoded as that, flagged.
  auto mislabelled = ParseFeed(
      "<rss version=\"2.0\"><channel><item><title>caf\xE9 "
      "\x93quoted\x94</title></item></channel></rss>");
  ASSERT_TRUE(mislabelled.ok()) << mislabelled.status();
  EXPECT_TRUE(mislabelled->bozo);
  EXPECT_EQ(mislabelled->entries.at(0).title, "café “quoted”");
}

TEST(FeedParserTest, NeverReadsExternalEntitiesOrDtds) {
  std::string secret_path = ::testing::TempDir() + "/feed_parser_secret.txt";
  std::ofstream(secret_path) << "TOP-SECRET";
  for (const std::string& doc :
       {absl::StrCat("<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM \"file://",
                     secret_path,
                     "\">]><rss version=\"2.0\"><channel><title>a&xxe;b</title>"
                     "</channel></rss>"),
        absl::StrCat("<?xml version=\"1.0\"?><!DOCTYPE rss SYSTEM \"file://", secret_path,
                     "\"><rss version=\"2.0\"><channel><title>ab</title></channel></rss>"),
        absl::StrCat("<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY % p SYSTEM \"file://",
                     secret_path,
                     "\"> %p;]><rss version=\"2.0\"><channel><title>ab</title>"
                     "</channel></rss>")}) {
    auto feed = ParseFeed(doc);
    ASSERT_TRUE(feed.ok()) << feed.status();
    EXPECT_THAT(feed->title, Not(HasSubstr("SECRET")));
    EXPECT_EQ(feed->title, "ab");
  }
}

TEST(FeedParserTest, EntityExpansionIsBounded) {
  // "Billion laughs": 10 levels of 10 references each would be 10^10 bytes of text.
  std::string doc = "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY l0 \"lol\">";
  for (int i = 1; i <= 10; ++i) {
    doc += absl::StrCat("<!ENTITY l", i, " \"");
    for (int j = 0; j < 10; ++j) doc += absl::StrCat("&l", i - 1, ";");
    doc += "\">";
  }
  doc += "]><rss version=\"2.0\"><channel><title>&l10;</title></channel></rss>";
  auto feed = ParseFeed(doc);
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_TRUE(feed->bozo);  // libxml2 stops the expansion and reports it
  EXPECT_LE(feed->title.size(), doc.size() * 4 + 65536);
}

TEST(FeedParserTest, DeepNestingAndBrokenMarkupDoNotCrash) {
  std::string deep = "<rss version=\"2.0\"><channel><item><description>";
  for (int i = 0; i < 100000; ++i) deep += "<b>";
  deep += "x</description></item></channel></rss>";
  auto feed = ParseFeed(deep);
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_TRUE(feed->bozo);
  EXPECT_THAT(feed->bozo_message, HasSubstr("depth"));

  auto broken = ParseFeed(
      "<rss version=\"2.0\"><channel><title>Kept</title><item><title>One</title></item>"
      "<item><title>Two</title><description>unclosed <b>tag");
  ASSERT_TRUE(broken.ok()) << broken.status();
  EXPECT_TRUE(broken->bozo);
  EXPECT_THAT(broken->bozo_message, Not(IsEmpty()));
  EXPECT_EQ(broken->title, "Kept");
  ASSERT_GE(broken->entries.size(), 1u);
  EXPECT_EQ(broken->entries[0].title, "One");
}

TEST(FeedParserTest, RefusesOversizedEmptyAndNonFeedDocuments) {
  auto big = ParseFeed(std::string(2000, ' ') + "<rss/>", WithLimits(1000, 2000));
  EXPECT_EQ(big.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(big.status().message(), HasSubstr("limit is 1000"));
  EXPECT_EQ(ParseFeed("  \n").status().code(), absl::StatusCode::kInvalidArgument);
  auto html = ParseFeed("<html><body>not a feed</body></html>");
  EXPECT_EQ(html.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(html.status().message(), HasSubstr("root element is <html>"));
}

TEST(FeedParserTest, KeepsAtMostMaxEntries) {
  std::string doc = "<rss version=\"2.0\"><channel>";
  for (int i = 0; i < 50; ++i) doc += absl::StrCat("<item><title>t", i, "</title></item>");
  doc += "</channel></rss>";
  auto feed = ParseFeed(doc, WithLimits(1 << 20, 10));
  ASSERT_TRUE(feed.ok());
  EXPECT_EQ(feed->entries.size(), 10u);
  EXPECT_THAT(feed->bozo_message, HasSubstr("the rest were dropped"));
}

// One start tag with `n` attributes (issue 19: 200,000 took > 120 s in libxml2 2.9's
// quadratic duplicate check).
std::string ItemWithAttributes(int n) {
  std::string doc = "<rss version=\"2.0\"><channel><title>T</title><item";
  for (int i = 0; i < n; ++i) absl::StrAppend(&doc, " a", i, "=\"\"");
  doc += "><title>Bomb</title></item></channel></rss>";
  return doc;
}

TEST(FeedParserLimitsTest, RefusesAnElementWithTooManyAttributes) {
  std::string doc = ItemWithAttributes(200000);
  ASSERT_LT(doc.size(), FeedParseOptions().max_bytes);
  auto feed = ParseFeed(doc);
  EXPECT_EQ(feed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(feed.status().message(), HasSubstr("has 200000 attributes"));
  EXPECT_THAT(feed.status().message(), HasSubstr("the limit is 256 (max_attributes_per_element)"));

  // Namespace declarations are attributes too.
  std::string ns = "<rss version=\"2.0\"";
  for (int i = 0; i < 300; ++i) absl::StrAppend(&ns, " xmlns:p", i, "=\"urn:", i, "\"");
  ns += "><channel><title>T</title></channel></rss>";
  EXPECT_THAT(ParseFeed(ns).status().message(), HasSubstr("max_attributes_per_element"));
}

TEST(FeedParserLimitsTest, CountsAttributesInWideAndRefusesUncheckableEncodings) {
  std::string ascii = ItemWithAttributes(200000);
  std::string utf16le = "\xFF\xFE";
  for (char c : ascii) {
    utf16le += c;
    utf16le += '\0';
  }
  ASSERT_LT(utf16le.size(), FeedParseOptions().max_bytes);
  auto wide = ParseFeed(utf16le);
  EXPECT_EQ(wide.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(wide.status().message(), HasSubstr("has 200000 attributes"));

  auto ebcdic =
      ParseFeed("<?xml version=\"1.0\" encoding=\"IBM037\"?><rss version=\"2.0\"><channel/></rss>");
  EXPECT_EQ(ebcdic.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ebcdic.status().message(), HasSubstr("(IBM037) does not keep ASCII's markup"));
  auto latin1 = ParseFeed(
      "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel>"
      "<title>caf\xE9</title></channel></rss>");
  ASSERT_TRUE(latin1.ok()) << latin1.status();
  EXPECT_EQ(latin1->title, "caf\xC3\xA9");
}

TEST(FeedParserLimitsTest, AttributesWithinTheLimitAndLookalikesParse) {
  auto feed = ParseFeed(ItemWithAttributes(256));
  ASSERT_TRUE(feed.ok()) << feed.status();
  ASSERT_EQ(feed->entries.size(), 1u);
  EXPECT_EQ(feed->entries[0].title, "Bomb");

  // '=' in quoted values (even with '>'), comments and CDATA are not attributes.
  std::string query;
  for (int i = 0; i < 1000; ++i) absl::StrAppend(&query, "&amp;k", i, "=v>");
  std::string doc = absl::StrCat("<rss version=\"2.0\"><channel><!-- ", std::string(1000, '='),
                                 " --><item><title>T</title>"
                                 "<enclosure url=\"https://x.example/a?",
                                 query,
                                 "\" type='audio/mpeg' length=\"5\"/>"
                                 "<description><![CDATA[<p ",
                                 std::string(1000, '='),
                                 "]]></description></item>"
                                 "</channel></rss>");
  feed = ParseFeed(doc);
  ASSERT_TRUE(feed.ok()) << feed.status();
  ASSERT_EQ(feed->entries.size(), 1u);
  ASSERT_EQ(feed->entries[0].enclosures.size(), 1u);
  EXPECT_EQ(feed->entries[0].enclosures[0].length, 5);

  // A stray '<' before plain words (ill-formed, recovered): words are no attributes to libxml2.
  std::string words;
  for (int i = 0; i < 1000; ++i) absl::StrAppend(&words, " word", i);
  feed = ParseFeed(absl::StrCat("<rss version=\"2.0\"><channel><item><title>a<b", words,
                                "</title></item><item><title>Next</title></item></channel></rss>"));
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_TRUE(feed->bozo);
  EXPECT_EQ(ScanMarkup(absl::StrCat("<b", words, ">"), /*html=*/false).most_attributes, 0u);
  EXPECT_EQ(ScanMarkup(absl::StrCat("<b", words, ">"), /*html=*/true).most_attributes, 1000u);
}

TEST(FeedParserLimitsTest, RefusesAttributeBombsHiddenInTheDtd) {
  // Attribute defaults declared for <item> would be added to every <item>.
  std::string defaults = "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ATTLIST item";
  for (int i = 0; i < 5000; ++i) absl::StrAppend(&defaults, " d", i, " CDATA \"x\"");
  defaults += ">]><rss version=\"2.0\"><channel><item><title>T</title></item></channel></rss>";
  auto feed = ParseFeed(defaults);
  EXPECT_EQ(feed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(feed.status().message(), HasSubstr("5000 attribute defaults"));

  // The same through a parameter entity.
  std::string parameter = "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY % d \"<!ATTLIST item";
  for (int i = 0; i < 5000; ++i) absl::StrAppend(&parameter, " d", i, " CDATA 'x'");
  parameter += ">\"> %d;]><rss version=\"2.0\"><channel><item/></channel></rss>";
  EXPECT_THAT(ParseFeed(parameter).status().message(), HasSubstr("max_attributes_per_element"));

  // A general entity whose markup holds the wide tag, written with character references.
  std::string entity = "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY w \"&#60;b";
  for (int i = 0; i < 5000; ++i) absl::StrAppend(&entity, " a", i, "=&#39;&#39;");
  entity += "/>\">]><rss version=\"2.0\"><channel><title>&w;</title></channel></rss>";
  EXPECT_THAT(ParseFeed(entity).status().message(), HasSubstr("max_attributes_per_element"));
}

TEST(FeedParserLimitsTest, RefusesAnElementCountBomb) {
  std::string doc = "<rss version=\"2.0\"><channel><title>T</title><item><description>";
  for (int i = 0; i < 1000000; ++i) doc += "<a/>";
  doc += "</description></item></channel></rss>";
  auto feed = ParseFeed(doc);
  EXPECT_EQ(feed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(feed.status().message(),
              HasSubstr("more than 200000 elements; the limit is 200000 (max_elements)"));

  FeedParseOptions small;
  small.max_elements = 50;
  std::string items = "<rss version=\"2.0\"><channel>";
  for (int i = 0; i < 30; ++i) absl::StrAppend(&items, "<item><title>t", i, "</title></item>");
  items += "</channel></rss>";
  EXPECT_THAT(ParseFeed(items, small).status().message(), HasSubstr("max_elements"));
  small.max_elements = 100;
  EXPECT_TRUE(ParseFeed(items, small).ok());  // 2 + 30 * 2 elements
}

TEST(FeedParserLimitsTest, EntityReferencesCannotMultiplyTheText) {
  // Each title repeats a 4 KB entity 300 times: 60 MB of text from a 75 KB document.
  std::string doc = absl::StrCat("<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY big \"",
                                 std::string(4000, 'x'), "\">]><rss version=\"2.0\"><channel>");
  for (int i = 0; i < 50; ++i) {
    doc += "<item><title>";
    for (int j = 0; j < 300; ++j) doc += "&big;";
    doc += "</title></item>";
  }
  doc += "</channel></rss>";
  auto feed = ParseFeed(doc);
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->entries.size(), 50u);
  size_t text = 0;
  for (const FeedEntry& e : feed->entries) text += e.title.size();
  EXPECT_LE(text, doc.size() * 4 + 65536);
  EXPECT_GT(text, doc.size());
  EXPECT_TRUE(feed->bozo);
  EXPECT_THAT(feed->bozo_message, HasSubstr("the rest was dropped"));
}

TEST(FeedParserLimitsTest, CutsAHugeEntryTextAtTheLimit) {
  std::string huge;
  for (int i = 0; i < 1500000; ++i) huge += "\xC3\xA9";  // "é", 3 MB
  auto feed = ParseFeed(
      absl::StrCat("<rss version=\"2.0\"><channel><item><title>Kept</title><description>", huge,
                   "</description></item><item><title>Next</title></item></channel></rss>"));
  ASSERT_TRUE(feed.ok()) << feed.status();
  ASSERT_EQ(feed->entries.size(), 2u);
  const FeedEntry& e = feed->entries[0];
  EXPECT_EQ(e.title, "Kept");
  EXPECT_LE(e.title.size() + e.summary.size() + e.content.size(),
            FeedParseOptions().max_entry_text_bytes);
  EXPECT_GT(e.summary.size(), FeedParseOptions().max_entry_text_bytes / 2);
  EXPECT_EQ(e.summary.size() % 2, 0u);  // cut between characters, never inside one
  EXPECT_EQ(feed->entries[1].title, "Next");
  EXPECT_TRUE(feed->bozo);
  EXPECT_THAT(feed->bozo_message, HasSubstr("entry 1: text over 1048576 bytes was cut"));
}

TEST(FeedParserLimitsTest, AnExpiredDeadlineIsDeadlineExceeded) {
  FeedParseOptions expired;
  expired.deadline = absl::Now() - absl::Seconds(1);
  const std::string rss = "<rss version=\"2.0\"><channel><title>T</title></channel></rss>";
  auto xml = ParseFeed(rss, expired);
  EXPECT_EQ(xml.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(xml.status().message(), HasSubstr("time budget"));
  EXPECT_EQ(ParseFeed(R"({"version": "https://jsonfeed.org/version/1", "items": []})", expired)
                .status()
                .code(),
            absl::StatusCode::kDeadlineExceeded);
  FeedParseOptions no_time;
  no_time.max_parse_time = absl::ZeroDuration();
  EXPECT_EQ(ParseFeed(rss, no_time).status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(ParseFeed(rss).ok());

  // A deadline that passes while libxml2 reads: a microsecond against megabytes of items.
  std::string big = "<rss version=\"2.0\"><channel>";
  for (int i = 0; i < 20000; ++i) {
    absl::StrAppend(&big, "<item><title>t", i, "</title><description>", std::string(100, 'x'),
                    "</description></item>");
  }
  big += "</channel></rss>";
  FeedParseOptions soon;
  soon.deadline = absl::Now() + absl::Microseconds(1);
  EXPECT_EQ(ParseFeed(big, soon).status().code(), absl::StatusCode::kDeadlineExceeded);
}

TEST(FeedParserLimitsTest, BoundsJsonFeedsWithHugeArrays) {
  std::string tags =
      R"({"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "tags": [)";
  for (int i = 0; i < 300000; ++i) absl::StrAppend(&tags, i == 0 ? "" : ",", "\"t\"");
  tags += "]}]}";
  auto feed = ParseFeed(tags);
  EXPECT_EQ(feed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(feed.status().message(), HasSubstr("the limit is 200000 (max_elements)"));

  std::string items = R"({"version": "https://jsonfeed.org/version/1.1", "items": [)";
  for (int i = 0; i < 5000; ++i) {
    absl::StrAppend(&items, i == 0 ? "" : ",", R"({"id": ")", i, "\"}");
  }
  items += "]}";
  feed = ParseFeed(items);
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->entries.size(), 2000u);
  EXPECT_THAT(feed->bozo_message, HasSubstr("the rest were dropped"));

  std::string wide = "<p";
  for (int i = 0; i < 150000; ++i) absl::StrAppend(&wide, " a", i, "=''");
  wide += ">Wide</p>";
  feed = ParseFeed(absl::StrCat(R"({"version": "https://jsonfeed.org/version/1", "items": [)",
                                R"({"id": "1", "content_html": ")", wide, "\"}]}"));
  ASSERT_TRUE(feed.ok()) << feed.status();
  ASSERT_EQ(feed->entries.size(), 1u);
  EXPECT_EQ(feed->entries[0].content, "Wide");
}

TEST(FeedParserLimitsTest, MarkupToTextDropsTheAttributesOfAWideTag) {
  std::string wide = "Before <p";
  for (int i = 0; i < 200000; ++i) absl::StrAppend(&wide, " a", i, "=\"x>\" b", i);
  wide += ">Wide <b class=\"k\">text</b></p> after";
  EXPECT_EQ(HtmlToText(wide), "Before Wide text after");
  EXPECT_EQ(ScanMarkup(wide, /*html=*/true).most_attributes, 400000u);
  EXPECT_EQ(ScanMarkup("<a href=x title='a b'>y</a><br/>", /*html=*/true).most_attributes, 2u);

  // Escaped in an RSS description, it reaches the HTML parser as text.
  std::string escaped = "&lt;p";
  for (int i = 0; i < 200000; ++i) absl::StrAppend(&escaped, " a", i);
  escaped += "&gt;Escaped";
  auto feed = ParseFeed(absl::StrCat("<rss version=\"2.0\"><channel><item><description>", escaped,
                                     "</description></item></channel></rss>"));
  ASSERT_TRUE(feed.ok()) << feed.status();
  ASSERT_EQ(feed->entries.size(), 1u);
  EXPECT_EQ(feed->entries[0].summary, "Escaped");
}

TEST(FeedParserLimitsTest, MarkupToTextStopsAtTheDeadline) {
  std::string html;
  for (int i = 0; i < 1000; ++i) absl::StrAppend(&html, "<p>w", i, "</p>");
  HtmlTextOptions expired;
  expired.deadline = absl::Now() - absl::Seconds(1);
  std::string cut = HtmlToText(html, expired);
  EXPECT_LT(cut.size(), 100u);  // stopped within the first 16 callbacks
  EXPECT_THAT(HtmlToText(html), HasSubstr("w999"));
}

TEST(FeedParserTest, AcceptsJsonFeedVersionOneOverHttp) {
  // Real feeds declare version 1 with http:// (issue 12); this one is Pixel Envy's.
  std::ifstream in(std::string(SA_SHARED_DIR) + "/corpora/feeds/real-world/json_pxlnv.json");
  ASSERT_TRUE(in) << "needs ../shared/corpora";
  std::stringstream content;
  content << in.rdbuf();
  auto feed = ParseFeed(content.str());
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->version, "json1");
  EXPECT_EQ(feed->title, "Pixel Envy");
  ASSERT_EQ(feed->entries.size(), 20u);
  EXPECT_EQ(feed->entries[0].title, "Uber Lost $4.5 Billion in 2017");

  auto inline_feed = ParseFeed(R"({"version": "http://jsonfeed.org/version/1", "items": []})");
  ASSERT_TRUE(inline_feed.ok()) << inline_feed.status();
  EXPECT_EQ(inline_feed->version, "json1");
  EXPECT_FALSE(ParseFeed(R"({"version": "http://example.org/version/1", "items": []})").ok());
}

TEST(FeedArticlesTest, SkipsEmptyEntriesAndFallsBack) {
  ParsedFeed feed;
  feed.title = "Feed";
  feed.entries.resize(3);
  feed.entries[0].title = "Only a title";
  feed.entries[1].summary = "Only a summary, which becomes the title too";
  feed.entries[1].link = "ftp://not-http.example/x";
  feed.entries[1].language = "not a tag!";
  int skipped = 0;
  auto articles = ArticlesFromFeed(feed, "Outlet", &skipped);
  EXPECT_EQ(skipped, 1);
  ASSERT_EQ(articles.size(), 2u);
  EXPECT_EQ(articles[0].body(), "Only a title");
  EXPECT_EQ(articles[1].title(), "Only a summary, which becomes the title too");
  EXPECT_EQ(articles[1].url(), "");
  EXPECT_EQ(articles[1].language(), "");
  EXPECT_EQ(articles[1].source(), "Outlet");
  // A language name where a tag belongs (news18's Hindi feed says <language>Hindi</language>)
  // is dropped too, so the article stays valid and detection decides.
  feed.entries[0].language = "Hindi";
  EXPECT_EQ(ArticlesFromFeed(feed, "Outlet", &skipped)[0].language(), "");
  feed.entries[0].language = "zh_Hant_TW";
  EXPECT_EQ(ArticlesFromFeed(feed, "Outlet", &skipped)[0].language(), "zh_Hant_TW");
  EXPECT_NE(EntryKey(feed.entries[0]), EntryKey(feed.entries[1]));
}

TEST(FeedsFileTest, ReadsUrlsIntervalsAndNames) {
  auto feeds = ParseFeedsFile(R"(# world news
https://a.example/world.rss
  https://b.example/atom.xml  interval=15m  name=B World Desk

)",
                              "feeds.txt");
  ASSERT_TRUE(feeds.ok()) << feeds.status();
  ASSERT_EQ(feeds->size(), 2u);
  EXPECT_EQ((*feeds)[0].url(), "https://a.example/world.rss");
  EXPECT_EQ((*feeds)[0].interval_seconds(), 0u);
  EXPECT_EQ((*feeds)[1].interval_seconds(), 900u);
  EXPECT_EQ((*feeds)[1].name(), "B World Desk");
}

TEST(FeedsFileTest, NamesTheBadLine) {
  auto bad_url = ParseFeedsFile("https://ok.example/\nftp://x.example/feed\n", "feeds.txt");
  EXPECT_EQ(bad_url.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad_url.status().message(), HasSubstr("feeds.txt:2"));
  EXPECT_FALSE(ParseFeedsFile("https://x.example/ interval=soon\n", "f").ok());
  EXPECT_FALSE(ParseFeedsFile("https://x.example/ color=blue\n", "f").ok());
}

}  // namespace
}  // namespace sa::feeds
