// The collector's extraction of one article into an event.
//   build/bench/extract_bench --benchmark_min_time=1
// Articles are the seed story plus variants (sentences rotated), so the scan is not of one
// identical buffer.
#include <benchmark/benchmark.h>


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

}  // namespace

BENCHMARK_MAIN();
