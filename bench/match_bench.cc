// The matching engine at 1k..1M subscriptions, and the scan libraries it was compared with.
//   build/bench/match_bench --benchmark_counters_tabular=true
// Figures and how to read them: docs/MATCHING.md.
//
// Subscriptions (SubscriptionGenerator):
//   miss       1-5 terms from a vocabulary of synthetic words that never occur in the events:
//              the common case, since almost every rule misses almost every event.
//   realistic  1-5 terms, 20% phrases, 10% prefixes, 15% negated, 15% field-scoped, 10% with
//              an OR group; each word is one of the events' own content words (4+ letters)
//              with probability 0.5% (uniform over them), else a synthetic word drawn Zipf(1)
//              from 300k, so popular terms are shared by many subscriptions. About 1 rule in
//              200 is a candidate for a given event and 1 in 1000 matches it (the counters
//              report the exact rates).
// Events: the seed story and 15 variants (sentences rotated, one third per variant), about
// 4 KB each, extracted by the collector's extractor.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <map>
#include <memory>
#include <random>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "bench/rule_mix.h"
#include "bench/sample_articles.h"
#include "common/text/tokenize.h"
#include "notifier/match/match_index.h"

#ifdef SA_HAVE_VECTORSCAN
#include <hs/hs.h>
#endif
#ifdef SA_HAVE_RE2
#include <re2/set.h>
#endif

namespace {

using sa::notifier::AnchorKey;
using sa::notifier::CompiledSubscription;
using sa::notifier::EventDocument;
using sa::notifier::MatchIndex;
using summit_alerts::v1::Event;

std::vector<Event> CorpusEvents() {
  std::vector<std::string> sentences = sa::bench::SampleStorySentences();
  std::vector<Event> events;
  for (size_t shift = 0; shift < 16; ++shift) {
    summit_alerts::v1::Article a =
        sa::bench::RotatedArticle(sentences, shift * sentences.size() / 3);
    a.set_source("Bench Wire");
    events.push_back(sa::bench::SampleExtractor().Extract(a, absl::UnixEpoch()));
  }
  return events;
}

const std::vector<Event>& Events() {
  static const auto* events = new std::vector<Event>(CorpusEvents());
  return *events;
}

// The realistic mix draws 0.5% of its words uniformly from the events' own content words
// (4+ letters): bench/rule_mix.h.
class SubscriptionGenerator {
 public:
  SubscriptionGenerator(bool realistic, uint32_t seed)
      : mix_(sa::bench::RuleMixOptions{.realistic = realistic,
                                       .seed = seed,
                                       .content_words = CorpusWords(),
                                       .content_per_mille = 5,
                                       .content_zipf = false,
                                       .max_terms = 5}) {}

  std::string Query() { return mix_.Query(); }

 private:
  static std::vector<std::string> CorpusWords() {
    absl::flat_hash_set<std::string> words;
    for (const Event& e : Events()) {
      for (const auto& t : sa::text::Tokenize(e.title() + " " + e.body())) {
        if (t.norm.size() >= 4) words.insert(t.norm);  // people subscribe to content words
      }
    }
    std::vector<std::string> sorted(words.begin(), words.end());
    std::sort(sorted.begin(), sorted.end());
    return sorted;
  }

  sa::bench::RuleMix mix_;
};

size_t HeapBytes() { return mallinfo2().uordblks; }

struct BuiltIndex {
  std::unique_ptr<MatchIndex> index;
  std::vector<AnchorKey> keys;  // every distinct anchor key, for the bare scans
  double build_seconds = 0;
  double bytes_per_subscription = 0;
};

BuiltIndex Build(bool realistic, int64_t n) {
  BuiltIndex built;
  SubscriptionGenerator generator(realistic, 42);
  size_t heap_before = HeapBytes();
  absl::Time start = absl::Now();
  built.index = std::make_unique<MatchIndex>();
  summit_alerts::v1::Subscription sub;
  for (int64_t i = 0; i < n;) {
    sub.set_id(absl::StrCat("sub_", absl::Hex(0x1000000000000000ull + i, absl::kZeroPad16)));
    sub.set_query(generator.Query());
    auto compiled = sa::notifier::CompileSubscription(sub);
    if (!compiled.ok()) continue;  // e.g. a generated `x -x`
    built.index->Upsert(std::move(*compiled));
    ++i;
  }
  built.build_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  built.bytes_per_subscription =
      static_cast<double>(HeapBytes() - heap_before) / static_cast<double>(n);
  // The same anchor keys again, for the library comparisons (not counted above).
  SubscriptionGenerator again(realistic, 42);
  absl::flat_hash_set<std::string> seen;
  for (int64_t i = 0; i < n;) {
    sub.set_query(again.Query());
    auto compiled = sa::notifier::CompileSubscription(sub);
    if (!compiled.ok()) continue;
    ++i;
    for (auto& group : sa::notifier::AnchorGroups(*compiled)) {
      for (AnchorKey& key : group) {
        if (seen.insert(key.text + (key.prefix ? "*" : "")).second)
          built.keys.push_back(std::move(key));
      }
    }
  }
  return built;
}

// One index per (mix, size) at a time: building 1M takes seconds and a few hundred MB.
const BuiltIndex& Cached(bool realistic, int64_t n) {
  static std::unique_ptr<BuiltIndex> cached;
  static std::pair<bool, int64_t> cached_for;
  if (!cached || cached_for != std::make_pair(realistic, n)) {
    cached.reset();
    cached = std::make_unique<BuiltIndex>(Build(realistic, n));
    cached_for = {realistic, n};
  }
  return *cached;
}

void ReportIndex(benchmark::State& state, const BuiltIndex& built) {
  state.counters["subs"] = static_cast<double>(state.range(0));
  state.counters["build_s"] = built.build_seconds;
  state.counters["B_per_sub"] = built.bytes_per_subscription;
  state.counters["keys"] = static_cast<double>(built.keys.size());
}

// The engine, per event: tokenise every field (EventDocument), presearch, evaluate candidates.
void MatchEvents(benchmark::State& state, bool realistic) {
  const BuiltIndex& built = Cached(realistic, state.range(0));
  const auto& events = Events();
  size_t i = 0, candidates = 0, matched = 0;
  for (auto _ : state) {
    EventDocument document(events[i++ % events.size()]);
    sa::notifier::MatchStats stats;
    benchmark::DoNotOptimize(built.index->Match(document, &stats));
    candidates += stats.candidates;
    matched += stats.matched;
  }
  ReportIndex(state, built);
  state.counters["candidates"] =
      benchmark::Counter(static_cast<double>(candidates), benchmark::Counter::kAvgIterations);
  state.counters["matched"] =
      benchmark::Counter(static_cast<double>(matched), benchmark::Counter::kAvgIterations);
  state.SetItemsProcessed(state.iterations());
}
void BM_MatchMiss(benchmark::State& state) { MatchEvents(state, false); }
void BM_MatchRealistic(benchmark::State& state) { MatchEvents(state, true); }
BENCHMARK(BM_MatchMiss)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Arg(1000000)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_MatchRealistic)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Arg(1000000)
    ->Unit(benchmark::kMicrosecond);

// The engine without building the EventDocument (documents built before timing): presearch,
// evaluation and explanations alone, to split BM_MatchRealistic's cost.
void BM_MatchRealisticPrebuiltDocument(benchmark::State& state) {
  const BuiltIndex& built = Cached(true, state.range(0));
  std::vector<std::unique_ptr<EventDocument>> documents;
  for (const Event& e : Events()) documents.push_back(std::make_unique<EventDocument>(e));
  size_t i = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(built.index->Match(*documents[i++ % documents.size()]));
  ReportIndex(state, built);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MatchRealisticPrebuiltDocument)->Arg(100000)->Unit(benchmark::kMicrosecond);

// Building the EventDocument alone: tokenising and indexing every field of the event.
void BM_EventDocument(benchmark::State& state) {
  const auto& events = Events();
  size_t i = 0;
  for (auto _ : state) {
    EventDocument document(events[i++ % events.size()]);
    benchmark::DoNotOptimize(&document);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EventDocument)->Unit(benchmark::kMicrosecond);

// What every design pays first: normalising the event's title and body into words.
void BM_Tokenize(benchmark::State& state) {
  const auto& events = Events();
  size_t i = 0, words = 0;
  for (auto _ : state) {
    const Event& e = events[i++ % events.size()];
    words += sa::text::Tokenize(e.title()).size() + sa::text::Tokenize(e.body()).size();
  }
  benchmark::DoNotOptimize(words);
  state.counters["words"] =
      benchmark::Counter(static_cast<double>(words), benchmark::Counter::kAvgIterations);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Tokenize)->Unit(benchmark::kMicrosecond);

// The bare presearch of the chosen design, on already normalised text (as the library scans
// below): probe each distinct word of the event in a hash set of the same exact keys.
void BM_BareTokenProbe(benchmark::State& state) {
  const BuiltIndex& built = Cached(true, state.range(0));
  absl::flat_hash_set<std::string> keys;
  for (const AnchorKey& key : built.keys) keys.insert(key.text);
  std::vector<std::vector<std::string>> distinct_words;
  for (const Event& e : Events()) {
    absl::flat_hash_set<std::string> distinct;
    for (const std::string* text : {&e.title(), &e.body()}) {
      for (auto& token : sa::text::Tokenize(*text)) distinct.insert(std::move(token.norm));
    }
    distinct_words.emplace_back(distinct.begin(), distinct.end());
  }
  size_t i = 0, hits = 0;
  for (auto _ : state) {
    for (const std::string& word : distinct_words[i++ % distinct_words.size()])
      hits += keys.contains(word);
  }
  benchmark::DoNotOptimize(hits);
  ReportIndex(state, built);
  state.counters["hits"] =
      benchmark::Counter(static_cast<double>(hits), benchmark::Counter::kAvgIterations);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BareTokenProbe)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Arg(1000000)
    ->Unit(benchmark::kMicrosecond);

// The normalised text the libraries scan: " w1 w2 ... " so " key " matches whole words.
std::vector<std::string> NormalizedEvents() {
  std::vector<std::string> out;
  for (const Event& e : Events()) {
    out.push_back(" " + sa::text::NormalizePhrase(e.title()) + " " +
                  sa::text::NormalizePhrase(e.body()) + " ");
  }
  return out;
}

#ifdef SA_HAVE_VECTORSCAN
int CountHit(unsigned int, unsigned long long, unsigned long long, unsigned int, void* context) {
  ++*static_cast<size_t*>(context);
  return 0;
}

// vectorscan: one literal database of the same keys (" word " / " prefix"), scanned over the
// normalised text. Tokenising is not counted (it would be the same work as ours).
void BM_VectorscanScan(benchmark::State& state) {
  const BuiltIndex& built = Cached(true, state.range(0));
  std::vector<std::string> literals;
  for (const AnchorKey& key : built.keys)
    literals.push_back(" " + key.text + (key.prefix ? "" : " "));
  std::vector<const char*> data;
  std::vector<size_t> lengths;
  std::vector<unsigned> flags(literals.size(), HS_FLAG_SINGLEMATCH), ids(literals.size());
  for (size_t i = 0; i < literals.size(); ++i) {
    data.push_back(literals[i].data());
    lengths.push_back(literals[i].size());
    ids[i] = static_cast<unsigned>(i);
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* error = nullptr;
  absl::Time start = absl::Now();
  if (hs_compile_lit_multi(data.data(), flags.data(), ids.data(), lengths.data(),
                           static_cast<unsigned>(literals.size()), HS_MODE_BLOCK, nullptr, &db,
                           &error) != HS_SUCCESS) {
    state.SkipWithError(error ? error->message : "hs_compile_lit_multi failed");
    hs_free_compile_error(error);
    return;
  }
  double compile_s = absl::ToDoubleSeconds(absl::Now() - start);
  size_t db_bytes = 0;
  hs_database_size(db, &db_bytes);
  hs_scratch_t* scratch = nullptr;
  hs_alloc_scratch(db, &scratch);
  std::vector<std::string> texts = NormalizedEvents();
  size_t i = 0, hits = 0;
  for (auto _ : state) {
    const std::string& text = texts[i++ % texts.size()];
    hs_scan(db, text.data(), static_cast<unsigned>(text.size()), 0, scratch, CountHit, &hits);
  }
  hs_free_scratch(scratch);
  hs_free_database(db);
  ReportIndex(state, built);
  state.counters["compile_s"] = compile_s;
  state.counters["db_MB"] = static_cast<double>(db_bytes) / 1e6;
  state.counters["hits"] =
      benchmark::Counter(static_cast<double>(hits), benchmark::Counter::kAvgIterations);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VectorscanScan)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMicrosecond);
#endif

#ifdef SA_HAVE_RE2
// RE2::Set: the same keys as one alternation set over the normalised text.
void BM_Re2SetScan(benchmark::State& state) {
  const BuiltIndex& built = Cached(true, state.range(0));
  RE2::Options options;
  options.set_max_mem(int64_t{2} << 30);
  RE2::Set set(options, RE2::UNANCHORED);
  absl::Time start = absl::Now();
  for (const AnchorKey& key : built.keys) {
    set.Add(absl::StrCat(" ", RE2::QuoteMeta(key.text), key.prefix ? "" : " "), nullptr);
  }
  if (!set.Compile()) {
    state.SkipWithError("RE2::Set::Compile failed (out of memory budget)");
    return;
  }
  double compile_s = absl::ToDoubleSeconds(absl::Now() - start);
  std::vector<std::string> texts = NormalizedEvents();
  size_t i = 0, hits = 0;
  std::vector<int> matched;
  for (auto _ : state) {
    matched.clear();
    set.Match(texts[i++ % texts.size()], &matched);
    hits += matched.size();
  }
  ReportIndex(state, built);
  state.counters["compile_s"] = compile_s;
  state.counters["hits"] =
      benchmark::Counter(static_cast<double>(hits), benchmark::Counter::kAvgIterations);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Re2SetScan)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMicrosecond);
#endif

// A live update at size N: replace one subscription and remove another, as Refresh does.
void BM_UpdateLatency(benchmark::State& state) {
  const BuiltIndex& built = Cached(true, state.range(0));
  SubscriptionGenerator generator(true, 7);
  summit_alerts::v1::Subscription sub;
  int64_t i = 0;
  for (auto _ : state) {
    state.PauseTiming();
    sub.set_id(absl::StrCat("update_", i++ % 1000));
    sub.set_query(generator.Query());
    auto compiled = sa::notifier::CompileSubscription(sub);
    state.ResumeTiming();
    if (compiled.ok()) built.index->Upsert(std::move(*compiled));
  }
  for (int j = 0; j < 1000; ++j) built.index->Remove(absl::StrCat("update_", j));
  ReportIndex(state, built);
}
BENCHMARK(BM_UpdateLatency)->Arg(1000)->Arg(1000000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
