// The feed parser's limits on hostile documents (issue 19): the work per document must grow
// linearly with its size, whatever its shape.
//   build/bench/feed_parse_bench --benchmark_min_time=0.5
//   build/bench/feed_parse_bench --benchmark_filter=WideTag   # 10k..200k attributes on one tag
// BM_ParseWideTag is `alertctl parse` on one <item> with N attributes (200k is 2.3 MB): refused
// by the attribute limit after a linear scan. BM_ParseWideTagUnbounded raises that limit to show
// what libxml2 2.9 itself costs (quadratic: kept to small N). BM_HtmlToTextWideTag is the same
// tag as escaped HTML (a description), whose text is still read. Figures: docs/FEEDS.md.
#include <benchmark/benchmark.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "formats/feed_parser.h"
#include "formats/html_text.h"

namespace {

std::string WideItem(int64_t attributes) {
  std::string doc = "<rss version=\"2.0\"><channel><title>T</title><item";
  for (int64_t i = 0; i < attributes; ++i) absl::StrAppend(&doc, " a", i, "=\"\"");
  doc += "><title>Wide</title></item></channel></rss>";
  return doc;
}

void BM_ParseWideTag(benchmark::State& state) {
  const std::string doc = WideItem(state.range(0));
  std::string outcome;
  for (auto _ : state) {
    auto feed = sa::feeds::ParseFeed(doc);
    outcome = feed.ok() ? "parsed" : std::string(absl::StatusCodeToString(feed.status().code()));
    benchmark::DoNotOptimize(feed);
  }
  state.SetComplexityN(state.range(0));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * doc.size()));
  state.SetLabel(absl::StrCat(outcome, ", ", doc.size() / 1024, " KiB"));
}
BENCHMARK(BM_ParseWideTag)
    ->ArgName("attributes")
    ->Arg(10000)
    ->Arg(20000)
    ->Arg(40000)
    ->Arg(200000)
    ->Complexity(benchmark::oN)
    ->Unit(benchmark::kMillisecond);

void BM_ParseWideTagUnbounded(benchmark::State& state) {
  const std::string doc = WideItem(state.range(0));
  sa::feeds::FeedParseOptions options;
  options.max_attributes_per_element = 1 << 30;
  for (auto _ : state) benchmark::DoNotOptimize(sa::feeds::ParseFeed(doc, options));
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_ParseWideTagUnbounded)
    ->ArgName("attributes")
    ->Arg(2500)
    ->Arg(5000)
    ->Arg(10000)
    ->Complexity(benchmark::oNSquared)
    ->Unit(benchmark::kMillisecond);

void BM_HtmlToTextWideTag(benchmark::State& state) {
  std::string html = "<p";
  for (int64_t i = 0; i < state.range(0); ++i) absl::StrAppend(&html, " a", i, "=\"\"");
  html += ">Wide</p>";
  size_t text = 0;
  for (auto _ : state) {
    std::string out = sa::feeds::HtmlToText(html);
    text = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.SetComplexityN(state.range(0));
  state.SetLabel(absl::StrCat(text, " bytes of text"));
}
BENCHMARK(BM_HtmlToTextWideTag)
    ->ArgName("attributes")
    ->Arg(10000)
    ->Arg(20000)
    ->Arg(40000)
    ->Arg(200000)
    ->Complexity(benchmark::oN)
    ->Unit(benchmark::kMillisecond);

// An element-count bomb: N empty elements in one description (8 MB holds 2M); refused at
// max_elements (200k) while libxml2 reads.
void BM_ParseElementBomb(benchmark::State& state) {
  std::string doc = "<rss version=\"2.0\"><channel><item><description>";
  for (int64_t i = 0; i < state.range(0); ++i) doc += "<a/>";
  doc += "</description></item></channel></rss>";
  for (auto _ : state) benchmark::DoNotOptimize(sa::feeds::ParseFeed(doc));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * doc.size()));
}
BENCHMARK(BM_ParseElementBomb)
    ->ArgName("elements")
    ->Arg(100000)
    ->Arg(2000000)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
