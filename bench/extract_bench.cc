// The collector's per-article work: feed parsing, extraction, and parse + extract together.
//   build/bench/extract_bench --benchmark_min_time=1
//   build/bench/extract_bench --benchmark_filter=LargeBody   # linear scaling, 64..512 KB
// Articles are the seed story plus variants (sentences rotated), so the scan is not of one
// identical buffer; feeds are RSS 2.0 and Atom documents of 20 such articles as escaped HTML.
#include <benchmark/benchmark.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "formats/feed_articles.h"
#include "formats/feed_parser.h"
#include "common/text/simhash.h"

#include "bench/sample_articles.h"

namespace {

using summit_alerts::v1::Article;

std::vector<Article> Articles() {
  std::vector<std::string> sentences = sa::bench::SampleStorySentences();
  std::vector<Article> out;
  for (size_t shift = 0; shift < 16; ++shift) out.push_back(sa::bench::RotatedArticle(sentences, shift));
  return out;
}

void BM_ExtractEvent(benchmark::State& state) {
  std::vector<Article> articles = Articles();
  size_t bytes = 0, i = 0;
  for (auto _ : state) {
    const Article& a = articles[i++ % articles.size()];
    benchmark::DoNotOptimize(sa::bench::SampleExtractor().Extract(a, absl::UnixEpoch()));
    bytes += a.body().size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ExtractEvent);

// Bodies of `bytes` bytes: hostile text (one invented titled name per sentence, so every
// sentence is a new participant) or the real story repeated. Extraction must scale linearly:
// time per byte stays flat from 64 KB to 512 KB.
std::string HostileBody(size_t bytes) {
  std::string body;
  for (size_t i = 0; body.size() < bytes; ++i) {
    // "President Xabc Yde said." with names that differ per sentence.
    std::string x = {'X', static_cast<char>('a' + i % 26), static_cast<char>('a' + i / 26 % 26),
                     static_cast<char>('a' + i / 676 % 26)};
    std::string y = {'Y', static_cast<char>('a' + i / 17576 % 26), static_cast<char>('a' + i % 23)};
    absl::StrAppend(&body, "President ", x, " ", y, " said. ");
  }
  body.resize(bytes);
  return body;
}

std::string RealBody(size_t bytes) {
  std::vector<std::string> sentences = sa::bench::SampleStorySentences();
  std::string body;
  for (size_t i = 0; body.size() < bytes; ++i) {
    absl::StrAppend(&body, sentences[i % sentences.size()], " ");
  }
  body.resize(bytes);
  return body;
}

void BM_ExtractLargeBody(benchmark::State& state) {
  const bool hostile = state.range(0) == 1;
  const size_t bytes = static_cast<size_t>(state.range(1)) * 1024;
  Article article;
  article.set_title("Leaders meet for talks");
  article.set_body(hostile ? HostileBody(bytes) : RealBody(bytes));
  size_t participants = 0;
  for (auto _ : state) {
    auto event = sa::bench::SampleExtractor().Extract(article, absl::UnixEpoch());
    participants = static_cast<size_t>(event.participants_size());
    benchmark::DoNotOptimize(event);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.SetLabel(absl::StrCat(hostile ? "hostile" : "real news", ", ", participants, " participants"));
}
BENCHMARK(BM_ExtractLargeBody)
    ->ArgNames({"hostile", "KiB"})
    ->ArgsProduct({{0, 1}, {64, 256, 512}})
    ->Unit(benchmark::kMillisecond);

std::string Escape(const std::string& s) {
  return absl::StrReplaceAll(s, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}});
}

// A feed of `items` articles, each body as HTML paragraphs (escaped, as feeds carry it).
std::string Feed(bool atom, int items, int variant) {
  std::vector<Article> articles = Articles();
  std::string doc = atom ? "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Bench</title>"
                         : "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Bench</title>";
  for (int i = 0; i < items; ++i) {
    const Article& a = articles[(i + variant) % articles.size()];
    std::string html = absl::StrCat("<p>", absl::StrReplaceAll(a.body(), {{"\n", "</p><p>"}}), "</p>");
    if (atom) {
      absl::StrAppend(&doc, "<entry><id>urn:bench:", variant, ":", i, "</id><title>", Escape(a.title()),
                      "</title><link href=\"https://bench.example/", i, "\"/><updated>2025-08-15T10:00:00Z</updated>"
                      "<content type=\"html\">", Escape(html), "</content></entry>");
    } else {
      absl::StrAppend(&doc, "<item><guid>bench-", variant, "-", i, "</guid><title>", Escape(a.title()),
                      "</title><link>https://bench.example/", i, "</link><pubDate>Fri, 15 Aug 2025 10:00:00 GMT</pubDate>"
                      "<description>", Escape(html), "</description></item>");
    }
  }
  return doc + (atom ? "</feed>" : "</channel></rss>");
}

// Parsing a feed document of 20 entries (~4.5 KB each as escaped HTML) into plain-text entries.
void BM_ParseFeed(benchmark::State& state) {
  const bool atom = state.range(0) == 1;
  std::vector<std::string> docs;
  for (int v = 0; v < 4; ++v) docs.push_back(Feed(atom, 20, v));
  size_t bytes = 0, i = 0;
  for (auto _ : state) {
    const std::string& doc = docs[i++ % docs.size()];
    auto feed = sa::feeds::ParseFeed(doc);
    benchmark::DoNotOptimize(feed);
    bytes += doc.size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.SetItemsProcessed(state.iterations() * 20);  // entries
  state.SetLabel(atom ? "Atom 1.0, 20 entries" : "RSS 2.0, 20 entries");
}
BENCHMARK(BM_ParseFeed)->Arg(0)->Arg(1);

// What the collector does per feed entry before publishing: parse (its share of the document),
// build the article, extract the event, fingerprint it for near-duplicate detection.
void BM_ParseAndExtractPerArticle(benchmark::State& state) {
  std::vector<std::string> docs;
  for (int v = 0; v < 4; ++v) docs.push_back(Feed(false, 20, v));
  size_t i = 0;
  for (auto _ : state) {
    auto feed = sa::feeds::ParseFeed(docs[i++ % docs.size()]);
    for (const auto& article : sa::feeds::ArticlesFromFeed(*feed, "")) {
      auto event = sa::bench::SampleExtractor().Extract(article, absl::UnixEpoch());
      std::string text = absl::StrCat(article.title(), "\n", article.body());
      benchmark::DoNotOptimize(sa::text::SimHash(text, 1) ^ sa::text::SimHash(text, 3));
      benchmark::DoNotOptimize(event);
    }
  }
  state.SetItemsProcessed(state.iterations() * 20);  // articles
}
BENCHMARK(BM_ParseAndExtractPerArticle);

}  // namespace

BENCHMARK_MAIN();
