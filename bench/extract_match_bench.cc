// Baselines for the collector's extraction and the notifier's first matcher.
//   build/bench/extract_match_bench --benchmark_min_time=1
// Articles are the seed story plus variants (sentences rotated), so the scan is not of one
// identical buffer.
#include <benchmark/benchmark.h>

#include <fstream>
#include <random>
#include <sstream>

#include "collector/extract/event_extractor.h"
#include "common/text/tokenize.h"
#include "notifier/match/matcher.h"

namespace {

using summit_alerts::v1::Article;
using summit_alerts::v1::Event;

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

// The first matcher evaluates every subscription per event: cost grows with their number.
// Rules are random pairs of dictionary words that rarely co-occur, plus one matching rule.
void BM_MatchAllSubscriptions(benchmark::State& state) {
  static const char* kWords[] = {"putin", "lavrov", "sanctions", "ukraine", "tariffs", "nato",
                                 "beijing", "oil", "election", "drone", "wheat", "bank",
                                 "missile", "talks", "summit", "ceasefire", "gas", "court"};
  std::mt19937 rng(42);
  std::vector<sa::notifier::Query> queries;
  for (int64_t i = 0; i < state.range(0); ++i) {
    std::string q = std::string(kWords[rng() % 18]) + " " + kWords[rng() % 18] + "x" +
                    std::to_string(i % 97);
    queries.push_back(*sa::notifier::ParseQuery(q));
  }
  queries.push_back(*sa::notifier::ParseQuery("\"arms control\" Putin"));
  std::vector<Event> events;
  for (const Article& a : Articles()) events.push_back(Extractor().Extract(a, absl::UnixEpoch()));
  size_t i = 0, matched = 0;
  for (auto _ : state) {
    sa::notifier::EventText text(events[i++ % events.size()]);
    for (const auto& q : queries) matched += !sa::notifier::MatchQuery(q, text).empty();
  }
  benchmark::DoNotOptimize(matched);
  state.SetItemsProcessed(state.iterations());
  state.counters["subscriptions"] = static_cast<double>(queries.size());
}
BENCHMARK(BM_MatchAllSubscriptions)->Arg(1000)->Arg(10000)->Arg(100000);

}  // namespace

BENCHMARK_MAIN();
