// The collector's per-article work: feed parsing, extraction, and parse + extract together.
//   build/bench/extract_bench --benchmark_min_time=1
//   build/bench/extract_bench --benchmark_filter=LargeBody   # linear scaling, 64..512 KB
//   build/bench/extract_bench --benchmark_filter='LoadGazetteer|Languages|DetectLanguage'
//       # full gazetteer load (time, resident memory), non-English articles, language detection
// Articles are the seed story plus variants (sentences rotated), so the scan is not of one
// identical buffer; feeds are RSS 2.0 and Atom documents of 20 such articles as escaped HTML.
#include <benchmark/benchmark.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "bench/sample_articles.h"
#include "common/text/simhash.h"
#include "extract/gazetteer.h"
#include "extract/language_detector.h"
#include "formats/feed_articles.h"
#include "formats/feed_parser.h"

namespace {

using summit_alerts::v1::Article;

std::vector<Article> Articles() {
  std::vector<std::string> sentences = sa::bench::SampleStorySentences();
  std::vector<Article> out;
  for (size_t shift = 0; shift < 16; ++shift)
    out.push_back(sa::bench::RotatedArticle(sentences, shift));
  return out;
}

void BM_ExtractEvent(benchmark::State& state) {
  std::vector<Article> articles = Articles();
  sa::bench::SampleExtractor();  // the gazetteer is loaded before timing
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
  state.SetLabel(
      absl::StrCat(hostile ? "hostile" : "real news", ", ", participants, " participants"));
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
  std::string doc = atom ? "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed "
                           "xmlns=\"http://www.w3.org/2005/Atom\"><title>Bench</title>"
                         : "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss "
                           "version=\"2.0\"><channel><title>Bench</title>";
  for (int i = 0; i < items; ++i) {
    const Article& a = articles[(i + variant) % articles.size()];
    std::string html =
        absl::StrCat("<p>", absl::StrReplaceAll(a.body(), {{"\n", "</p><p>"}}), "</p>");
    if (atom) {
      absl::StrAppend(&doc, "<entry><id>urn:bench:", variant, ":", i, "</id><title>",
                      Escape(a.title()), "</title><link href=\"https://bench.example/", i,
                      "\"/><updated>2025-08-15T10:00:00Z</updated>"
                      "<content type=\"html\">",
                      Escape(html), "</content></entry>");
    } else {
      absl::StrAppend(&doc, "<item><guid>bench-", variant, "-", i, "</guid><title>",
                      Escape(a.title()), "</title><link>https://bench.example/", i,
                      "</link><pubDate>Fri, 15 Aug 2025 10:00:00 GMT</pubDate>"
                      "<description>",
                      Escape(html), "</description></item>");
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

// Resident memory of the process in MB (/proc/self/statm), 0 where unavailable.
double ResidentMb() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  if (!(statm >> pages >> resident)) return 0;
  return resident * 4096.0 / (1 << 20);
}

// Loading the full gazetteer: data/gazetteer plus iso-codes countries and subdivisions with
// their translated names, and GeoNames' 24,361 cities with theirs; name and stem indexes.
// "rss_mb" is the process's resident memory with the loaded gazetteer alive (the benchmark
// program itself is ~10 MB of it).
void BM_LoadGazetteer(benchmark::State& state) {
  double rss = 0;
  size_t places = 0;
  for (auto _ : state) {
    auto g = sa::extract::Gazetteer::LoadFromDirectory(SA_SOURCE_DIR "/data/gazetteer");
    if (!g.ok()) {
      state.SkipWithError(std::string(g.status().message()).c_str());
      return;
    }
    rss = std::max(rss, ResidentMb());
    places = g->places().size();
  }
  state.counters["rss_mb"] = rss;
  state.counters["places"] = static_cast<double>(places);
}
BENCHMARK(BM_LoadGazetteer)->Unit(benchmark::kMillisecond)->Iterations(3);

// Articles in other languages, without a declared language: detection, stemmed matching.
std::vector<Article> ForeignArticles() {
  const char* texts[][2] = {
      {"Путин и Трамп встретятся в Анкоридже",
       "Президент России Владимир Путин и президент США Дональд Трамп проведут переговоры в "
       "Анкоридже на Аляске. Встреча пройдет на военной базе. В Москве ожидают обсуждения "
       "контроля над вооружениями и ситуации на Украине."},
      {"Putin a Trump sa stretnú na Aljaške",
       "Ruský prezident Vladimir Putin sa stretne s americkým prezidentom Donaldom Trumpom v "
       "Anchorage. Podľa Moskvy sa budú rozprávať o Ukrajine a o kontrole zbrojenia."},
      {"Gipfel in Alaska: Putin trifft Trump",
       "Der russische Präsident Wladimir Putin und US-Präsident Donald Trump treffen sich in "
       "Anchorage. In Moskau und Washington hofft man auf Fortschritte bei der Rüstungskontrolle "
       "und im Krieg in der Ukraine."}};
  std::vector<Article> out;
  for (const auto& t : texts) {
    Article a;
    a.set_title(t[0]);
    a.set_body(t[1]);
    out.push_back(a);
  }
  return out;
}

void BM_ExtractEventLanguages(benchmark::State& state) {
  std::vector<Article> articles = ForeignArticles();
  sa::bench::SampleExtractor();  // loaded before timing
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        sa::bench::SampleExtractor().Extract(articles[i++ % articles.size()], absl::UnixEpoch()));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ExtractEventLanguages);

void BM_DetectLanguage(benchmark::State& state) {
  std::vector<Article> articles = ForeignArticles();
  articles.push_back(sa::bench::RotatedArticle(sa::bench::SampleStorySentences(), 0));
  auto detector =
      sa::extract::LanguageDetector::Create(SA_SOURCE_DIR "/data/gazetteer/languages.conf");
  if (!detector.ok()) {
    state.SkipWithError(std::string(detector.status().message()).c_str());
    return;
  }
  size_t i = 0;
  for (auto _ : state) {
    const Article& a = articles[i++ % articles.size()];
    benchmark::DoNotOptimize(sa::extract::ChooseLanguage("", a.title(), a.body(), detector->get()));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DetectLanguage);

}  // namespace

BENCHMARK_MAIN();
