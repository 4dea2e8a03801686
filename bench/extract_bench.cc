// The collector's extraction of one article into an event.
//   build/bench/extract_bench --benchmark_min_time=1
// Articles are the seed story plus variants (sentences rotated), so the scan is not of one
// identical buffer.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include "collector/extract/event_extractor.h"
#include "common/text/tokenize.h"

namespace {

using summit_alerts::v1::Article;

std::vector<Article> Articles() {
  std::ifstream in(SA_SOURCE_DIR "/data/sample/anchorage-summit.txt");
  std::stringstream s;
  s << in.rdbuf();
  std::string story = s.str();
  std::vector<std::string_view> sentences;
  for (auto sv : sa::text::SplitSentences(story)) sentences.emplace_back(sv.data(), sv.size());
  std::vector<Article> out;
  for (size_t shift = 0; shift < 16; ++shift) {
    Article a;
    std::string body;
    for (size_t i = 0; i < sentences.size(); ++i) {
      body.append(sentences[(i + shift) % sentences.size()]);
      body += ' ';
    }
    a.set_title("Trump and Putin to meet in Anchorage");
    a.set_body(body);
    out.push_back(std::move(a));
  }
  return out;
}

const sa::collector::EventExtractor& Extractor() {
  static auto* extractor = [] {
    auto g = sa::collector::Gazetteer::LoadFromDirectory(SA_SOURCE_DIR "/data/gazetteer");
    return new sa::collector::EventExtractor(std::make_shared<sa::collector::Gazetteer>(std::move(*g)));
  }();
  return *extractor;
}

void BM_ExtractEvent(benchmark::State& state) {
  std::vector<Article> articles = Articles();
  size_t bytes = 0, i = 0;
  for (auto _ : state) {
    const Article& a = articles[i++ % articles.size()];
    benchmark::DoNotOptimize(Extractor().Extract(a, absl::UnixEpoch()));
    bytes += a.body().size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ExtractEvent);

}  // namespace

BENCHMARK_MAIN();
