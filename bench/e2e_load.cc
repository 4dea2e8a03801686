// End-to-end load generator (issue 14, docs/BENCHMARKS.md "End to end"): drives the real,
// running collector and notifier over gRPC on loopback, and reads their Redis for the
// consumer group's progress and Redis's own cost. bench/e2e_load.sh starts everything.
//
//   1. Subscriptions: N rules of the realistic mix (bench/rule_mix.h) over a vocabulary taken
//      from the articles themselves: names, places and organisations the extractor finds,
//      then content words, most common first, drawn Zipf-like so popular names are shared by
//      many subscribers, rare words rarely; a few with a topic filter; a fraction with a
//      generic webhook channel to a loopback sink in this process. Created with concurrent
//      unary calls. The first --live_streams subscriptions are on the most popular terms and
//      are followed with Subscribe.
//   2. Visibility: one more subscription on a word no article has, then one article with that
//      word; the time until its alert arrives says how long the notifier took to see the N
//      subscriptions (it applies the change log before its next batch) and alert.
//   3. Ingest: M distinct real articles (feed captures and the eval set; beyond those,
//      pairs of them joined) with IngestStream (--rate=0) or paced unary Ingest calls.
//   4. Drain: until the consumer group has no lag and nothing pending; then until the
//      delivery queue is empty and the live streams are quiet.
// Reports ingest/s, events/s end to end, alerts/s, deliveries/s, ingest->alert latency
// (p50/p99/p99.9, from the moment the article was sent) on the live streams and at the
// webhook sink, Redis CPU per event and per alert (INFO cpu and commandstats), Redis bytes
// per subscription and per alert (INFO memory), and the services' resident memory.
// Bounded: --seconds is a hard limit on the whole run (a watchdog ends the process).
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>
#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bench/rule_mix.h"
#include "bench/sample_articles.h"
#include "common/redis/redis_client.h"
#include "common/redis/redis_url.h"
#include "common/redis/streams.h"
#include "common/text/tokenize.h"
#include "extract/article_validator.h"
#include "formats/article_files.h"
#include "notifier/match/subscription_rule.h"
#include "summit_alerts/v1/collector.grpc.pb.h"
#include "summit_alerts/v1/notifier.grpc.pb.h"

ABSL_FLAG(std::string, collector, "", "the collector's gRPC address, HOST:PORT");
ABSL_FLAG(std::string, notifier, "", "the notifier's gRPC address, HOST:PORT");
ABSL_FLAG(std::string, redis_url, "", "the Redis both services use (XINFO GROUPS, INFO)");
ABSL_FLAG(std::string, key_prefix, "sa:", "the services' --key_prefix");
ABSL_FLAG(std::string, stream, "events", "the services' --stream");
ABSL_FLAG(std::string, group, "notifier", "the notifier's consumer --group");
ABSL_FLAG(std::string, token, "", "bearer token (admin scope) when the services run with --auth");
ABSL_FLAG(int32_t, subscriptions, 10000, "subscriptions to create");
ABSL_FLAG(int32_t, articles, 700, "distinct articles to ingest");
ABSL_FLAG(double, rate, 0,
          "articles per second; 0: as fast as possible over IngestStream; > 0: paced unary "
          "Ingest calls (the latency run)");
ABSL_FLAG(int32_t, ingest_streams, 2, "concurrent IngestStream calls when --rate=0");
ABSL_FLAG(int32_t, ingest_threads, 4, "threads making the paced Ingest calls when --rate>0");
ABSL_FLAG(double, webhook_fraction, 0.01,
          "fraction of subscriptions with a generic webhook channel to the loopback sink");
ABSL_FLAG(int32_t, live_streams, 8, "subscriptions on popular terms followed with Subscribe");
ABSL_FLAG(int32_t, seconds, 300, "hard bound on the whole run; the watchdog ends it 15 s later");
ABSL_FLAG(std::string, json, "", "also write the figures to this file as JSON");
ABSL_FLAG(std::vector<std::string>, corpus,
          std::vector<std::string>({SA_SOURCE_DIR "/../shared/corpora/feeds/real-world",
                                    SA_SOURCE_DIR "/data/eval/articles.jsonl"}),
          "article files or directories of them (feeds, .json, .jsonl, .txt)");
ABSL_FLAG(int32_t, content_per_mille, 250,
          "of every 1000 rule words, this many are drawn from the articles' vocabulary (the "
          "rest never match); sets the matches per event");
ABSL_FLAG(int32_t, max_terms, 3, "each rule has 1..max_terms terms");
ABSL_FLAG(int32_t, topic_percent, 5, "percent of subscriptions that also filter on a topic");
ABSL_FLAG(int32_t, create_concurrency, 64, "CreateSubscription calls in flight");
ABSL_FLAG(int32_t, collector_pid, 0, "the collector's pid, for its resident memory");
ABSL_FLAG(int32_t, notifier_pid, 0, "the notifier's pid, for its resident memory");
ABSL_FLAG(uint32_t, seed, 42, "seed of the rule mix");

namespace sa::bench {
namespace {

namespace v1 = summit_alerts::v1;

absl::Time g_deadline;

bool PastDeadline() { return absl::Now() >= g_deadline; }

void SetUp(grpc::ClientContext& context) {
  context.set_deadline(absl::ToChronoTime(g_deadline));
  const std::string token = absl::GetFlag(FLAGS_token);
  if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
}

// ---------------------------------------------------------------------------------------
// Articles

// Articles of a .jsonl file whose lines carry more than an Article (the eval set's labels).
absl::StatusOr<std::vector<v1::Article>> LenientJsonLines(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  std::vector<v1::Article> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    v1::Article article;
    if (google::protobuf::util::JsonStringToMessage(line, &article, options).ok())
      out.push_back(std::move(article));
  }
  return out;
}

// Distinct articles from the corpus files, then (beyond those) pairs of them joined, each
// with a URL of its own so URL dedupe does not merge them.
std::vector<v1::Article> LoadCorpus(size_t wanted, size_t* base_count) {
  std::vector<std::string> files;
  for (const std::string& path : absl::GetFlag(FLAGS_corpus)) {
    std::error_code error;
    if (std::filesystem::is_directory(path, error)) {
      for (const auto& entry : std::filesystem::directory_iterator(path, error)) {
        const std::string name = entry.path().filename().string();
        if (!entry.is_regular_file() || name == "expected.jsonl" || name.ends_with(".md") ||
            name.ends_with(".py"))
          continue;
        files.push_back(entry.path().string());
      }
    } else {
      files.push_back(path);
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<v1::Article> base;
  absl::flat_hash_set<std::string> seen;
  for (const std::string& file : files) {
    auto articles = formats::LoadArticles(file);
    if (!articles.ok() && file.ends_with(".jsonl")) articles = LenientJsonLines(file);
    if (!articles.ok()) {
      std::fprintf(stderr, "e2e_load: skipping %s: %s\n", file.c_str(),
                   std::string(articles.status().message()).c_str());
      continue;
    }
    for (v1::Article& article : *articles) {
      if (!extract::ValidateArticle(article, {}).ok()) continue;
      if (!seen.insert(article.title() + "\n" + article.body()).second) continue;
      base.push_back(std::move(article));
    }
  }
  *base_count = base.size();
  std::vector<v1::Article> out;
  for (size_t k = 0; k < wanted && !base.empty(); ++k) {
    const size_t n = base.size();
    v1::Article article = base[k % n];
    if (k >= n) {  // round r joins article i with article i + r (mod n)
      const v1::Article& other = base[(k % n + k / n) % n];
      article.set_title(article.title() + " | " + other.title());
      article.set_body(article.body() + "\n\n" + other.title() + ". " + other.body());
    }
    article.set_url(absl::StrCat("https://e2e-load.example/", k));
    article.clear_id();
    out.push_back(std::move(article));
  }
  return out;
}

// What subscribers ask for, most common first: the names, places and organisations the
// extractor finds in the articles (by how many articles name them), then their content words
// (4+ letters, no digits, in at most 5% of the articles, so no stop words). Topics separately.
struct Vocabulary {
  std::vector<std::string> terms;
  std::vector<std::string> topics;
  size_t entities = 0;
};

std::string NormalisedTerm(const std::string& name) {
  std::vector<std::string> words;
  for (auto& token : text::Tokenize(name)) words.push_back(std::move(token.norm));
  if (words.empty()) return "";
  if (words.size() == 1) return words[0];
  return "\"" + absl::StrJoin(words, " ") + "\"";
}

std::vector<std::string> ByCount(const absl::flat_hash_map<std::string, int>& counts, int min_count,
                                 int max_count) {
  std::vector<std::pair<int, std::string>> sorted;
  for (const auto& [term, count] : counts) {
    if (count >= min_count && count <= max_count) sorted.push_back({-count, term});
  }
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::string> out;
  for (auto& [count, term] : sorted) out.push_back(std::move(term));
  return out;
}

Vocabulary BuildVocabulary(const std::vector<v1::Article>& articles, size_t base_count) {
  absl::flat_hash_map<std::string, int> entities, words, topics;
  for (size_t i = 0; i < base_count && i < articles.size(); ++i) {
    v1::Event event = SampleExtractor().Extract(articles[i], absl::Now());
    absl::flat_hash_set<std::string> in_article;
    auto note = [&](absl::flat_hash_map<std::string, int>& counts, const std::string& term) {
      if (!term.empty() && in_article.insert(term).second) ++counts[term];
    };
    for (const auto& p : event.participants()) {
      auto tokens = text::Tokenize(p.name());
      if (!tokens.empty()) note(entities, tokens.back().norm);  // the surname: "putin"
    }
    for (const auto& p : event.places()) note(entities, NormalisedTerm(p.name()));
    for (const auto& o : event.organisations()) note(entities, NormalisedTerm(o.name()));
    for (const auto& t : event.topics()) note(topics, t.name());
    for (const auto& token : text::Tokenize(event.title() + " " + event.body())) {
      const std::string& w = token.norm;
      if (w.size() < 4 ||
          std::any_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; }))
        continue;
      note(words, w);
    }
  }
  Vocabulary vocabulary;
  vocabulary.terms = ByCount(entities, 1, 1 << 30);
  vocabulary.entities = vocabulary.terms.size();
  absl::flat_hash_set<std::string> taken(vocabulary.terms.begin(), vocabulary.terms.end());
  const int common = std::max<int>(2, static_cast<int>(base_count / 20));
  for (std::string& w : ByCount(words, 1, common)) {
    if (!taken.contains(w)) vocabulary.terms.push_back(std::move(w));
  }
  vocabulary.topics = ByCount(topics, 1, 1 << 30);
  return vocabulary;
}

// ---------------------------------------------------------------------------------------
// Where alerts are seen: live Subscribe streams and the webhook sink.

struct Sighting {
  std::string event_id;
  absl::Time at;
};

class Sightings {
 public:
  void Add(std::string event_id, absl::Time at) {
    absl::MutexLock lock(&mu_);
    seen_.push_back({std::move(event_id), at});
    last_ = at;
  }
  std::vector<Sighting> Take() const {
    absl::MutexLock lock(&mu_);
    return seen_;
  }
  size_t size() const {
    absl::MutexLock lock(&mu_);
    return seen_.size();
  }
  absl::Time last() const {
    absl::MutexLock lock(&mu_);
    return last_;
  }
  bool Contains(const std::string& event_id) const {
    absl::MutexLock lock(&mu_);
    return std::any_of(seen_.begin(), seen_.end(),
                       [&](const Sighting& s) { return s.event_id == event_id; });
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<Sighting> seen_ ABSL_GUARDED_BY(mu_);
  absl::Time last_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

// A loopback webhook receiver (POST /w/<n>) that keeps only the event id and arrival time of each
// alert (a generic JSON payload is the Alert, whose event carries "id":"ev_...").
class WebhookSink {
 public:
  WebhookSink() {
    // A thread per connection: libcurl keeps each delivery worker's connection alive, and
    // httplib's default pool (8) would leave a new connection waiting for an idle one.
    server_.new_task_queue = [] { return new httplib::ThreadPool(64); };
    server_.set_tcp_nodelay(true);  // as real servers do; else Nagle + delayed ACK add 40 ms
    server_.Post(R"(/w/\d+)", [this](const httplib::Request& request, httplib::Response& response) {
      absl::Time now = absl::Now();
      size_t at = request.body.find("\"id\":\"ev_");
      if (at != std::string::npos) {
        size_t begin = at + 6;
        seen_.Add(request.body.substr(begin, request.body.find('"', begin) - begin), now);
      }
      response.set_content("ok", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~WebhookSink() {
    server_.stop();
    thread_.join();
  }
  // Each subscription has a webhook of its own, as real subscribers do: the notifier's
  // per-channel rate limit and one-at-a-time rule apply per URL.
  std::string url(int subscription) const {
    return absl::StrCat("http://127.0.0.1:", port_, "/w/", subscription);
  }
  const Sightings& seen() const { return seen_; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  Sightings seen_;
};

// Follows one subscription with Subscribe until Stop(); reconnects after a non-final end.
class LiveStream {
 public:
  LiveStream(v1::Notifier::Stub& stub, std::string subscription_id, Sightings& seen)
      : thread_([this, &stub, id = std::move(subscription_id), &seen] { Run(stub, id, seen); }) {}
  ~LiveStream() { Stop(); }
  void Stop() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
      if (context_ != nullptr) context_->TryCancel();
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run(v1::Notifier::Stub& stub, const std::string& id, Sightings& seen) {
    std::string after = "0";
    while (!PastDeadline()) {
      grpc::ClientContext context;
      SetUp(context);
      {
        absl::MutexLock lock(&mu_);
        if (stopping_) return;
        context_ = &context;
      }
      v1::SubscribeRequest request;
      request.set_subscription_id(id);
      request.set_after_alert_id(after);
      auto reader = stub.Subscribe(&context, request);
      v1::Alert alert;
      while (reader->Read(&alert)) {
        seen.Add(alert.event().id(), absl::Now());
        after = alert.id();
      }
      grpc::Status status = reader->Finish();
      absl::MutexLock lock(&mu_);
      context_ = nullptr;
      if (stopping_) return;
      if (status.error_code() == grpc::StatusCode::NOT_FOUND ||
          status.error_code() == grpc::StatusCode::PERMISSION_DENIED ||
          status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
        std::fprintf(stderr, "e2e_load: Subscribe %s: %s\n", id.c_str(),
                     status.error_message().c_str());
        return;
      }
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), absl::Milliseconds(250));
    }
  }

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::thread thread_;
};

// ---------------------------------------------------------------------------------------
// Creating subscriptions with concurrent unary calls (gRPC's callback client API).

struct CreateOutcome {
  std::vector<std::string> ids;  // in request order; "" where the call failed
  int failed = 0;
  std::string first_error;
  double seconds = 0;
};

CreateOutcome CreateAll(v1::Notifier::Stub& stub, const std::vector<v1::Subscription>& subs,
                        int concurrency) {
  CreateOutcome outcome;
  outcome.ids.resize(subs.size());
  absl::Mutex mu;
  int in_flight = 0;
  std::vector<size_t> retry;  // overloaded (RESOURCE_EXHAUSTED): sent again after a pause
  struct Call {
    grpc::ClientContext context;
    v1::CreateSubscriptionRequest request;
    v1::Subscription response;
  };
  auto issue = [&](size_t i) {
    auto call = std::make_shared<Call>();
    SetUp(call->context);
    *call->request.mutable_subscription() = subs[i];
    stub.async()->CreateSubscription(
        &call->context, &call->request, &call->response, [&, call, i](grpc::Status status) {
          absl::MutexLock lock(&mu);
          --in_flight;
          if (status.ok()) {
            outcome.ids[i] = call->response.id();
          } else if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED &&
                     !PastDeadline()) {
            retry.push_back(i);
          } else {
            ++outcome.failed;
            if (outcome.first_error.empty())
              outcome.first_error = absl::StrCat(status.error_code(), ": ", status.error_message());
          }
        });
  };
  absl::Time start = absl::Now();
  std::vector<size_t> pending(subs.size());
  for (size_t i = 0; i < subs.size(); ++i) pending[i] = subs.size() - 1 - i;  // a stack
  while (true) {
    size_t next;
    {
      absl::MutexLock lock(&mu);
      auto room = [&] { return in_flight < concurrency; };
      mu.Await(absl::Condition(&room));
      if (pending.empty() && !retry.empty()) {
        mu.Unlock();
        absl::SleepFor(absl::Seconds(1));  // the server's grpc-retry-pushback-ms
        mu.Lock();
        pending.insert(pending.end(), retry.begin(), retry.end());
        retry.clear();
      }
      if (pending.empty()) {
        auto idle = [&] { return in_flight == 0; };
        mu.Await(absl::Condition(&idle));
        if (retry.empty()) break;
        continue;
      }
      if (PastDeadline()) {
        outcome.failed += static_cast<int>(pending.size());
        pending.clear();
        continue;
      }
      next = pending.back();
      pending.pop_back();
      ++in_flight;
    }
    issue(next);
  }
  outcome.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  return outcome;
}

// ---------------------------------------------------------------------------------------
// Ingesting

struct IngestOutcome {
  std::vector<absl::Time> sent;        // per article: when it was sent
  std::vector<std::string> event_ids;  // per article: "" when rejected or the call failed
  int published = 0, duplicates = 0, rejected = 0, failed = 0;
  std::string first_error;
  double seconds = 0;  // first send to last answer
};

void IngestWithStreams(v1::Collector::Stub& stub, const std::vector<v1::Article>& articles,
                       int streams, IngestOutcome& out) {
  absl::Mutex mu;
  std::vector<std::thread> threads;
  for (int s = 0; s < streams; ++s) {
    threads.emplace_back([&, s] {
      grpc::ClientContext context;
      SetUp(context);
      v1::IngestSummary summary;
      auto writer = stub.IngestStream(&context, &summary);
      std::vector<size_t> mine;
      for (size_t i = s; i < articles.size() && !PastDeadline(); i += streams) {
        v1::IngestRequest request;
        *request.mutable_article() = articles[i];
        out.sent[i] = absl::Now();  // each index is written by one thread only
        if (!writer->Write(request)) break;
        mine.push_back(i);
      }
      writer->WritesDone();
      grpc::Status status = writer->Finish();
      absl::MutexLock lock(&mu);
      if (!status.ok()) {
        out.failed += static_cast<int>(mine.size());
        if (out.first_error.empty()) out.first_error = status.error_message();
        return;
      }
      for (const v1::IngestItemResult& result : summary.results()) {
        if (result.index() >= mine.size()) continue;
        const size_t i = mine[result.index()];
        if (result.code() != 0) {
          ++out.rejected;
          if (out.first_error.empty()) out.first_error = result.error();
          continue;
        }
        out.event_ids[i] = result.event_id();
        if (result.duplicate()) {
          ++out.duplicates;
        } else {
          ++out.published;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
}

void IngestPaced(v1::Collector::Stub& stub, const std::vector<v1::Article>& articles, double rate,
                 int threads_count, IngestOutcome& out) {
  absl::Mutex mu;
  std::atomic<size_t> next{0};
  const absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int t = 0; t < threads_count; ++t) {
    threads.emplace_back([&] {
      for (size_t i = next++; i < articles.size() && !PastDeadline(); i = next++) {
        absl::Time due = start + absl::Seconds(static_cast<double>(i) / rate);
        if (due > absl::Now()) absl::SleepFor(due - absl::Now());
        grpc::ClientContext context;
        SetUp(context);
        v1::IngestRequest request;
        *request.mutable_article() = articles[i];
        v1::IngestResponse response;
        out.sent[i] = absl::Now();
        grpc::Status status = stub.Ingest(&context, request, &response);
        absl::MutexLock lock(&mu);
        if (!status.ok()) {
          if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
            ++out.rejected;
          } else {
            ++out.failed;
          }
          if (out.first_error.empty()) out.first_error = status.error_message();
          continue;
        }
        out.event_ids[i] = response.event_id();
        if (response.duplicate()) {
          ++out.duplicates;
        } else {
          ++out.published;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
}

// ---------------------------------------------------------------------------------------
// Redis: the consumer group's progress, and Redis's own counters.

struct GroupState {
  bool found = false;
  int64_t lag = -1;  // -1: Redis could not tell
  int64_t pending = 0;
};

absl::StatusOr<GroupState> ReadGroup(redis::RedisClient& redis, const std::string& stream,
                                     const std::string& group) {
  auto reply = redis.Command({"XINFO", "GROUPS", stream});
  if (!reply.ok()) return reply.status();
  GroupState state;
  for (const redis::RedisReply& entry : reply->elements) {
    std::map<std::string, const redis::RedisReply*> fields;
    for (size_t i = 0; i + 1 < entry.elements.size(); i += 2)
      fields[entry.elements[i].str] = &entry.elements[i + 1];
    if (!fields.contains("name") || fields["name"]->str != group) continue;
    state.found = true;
    if (fields.contains("pending")) state.pending = fields["pending"]->integer;
    if (fields.contains("lag") && fields["lag"]->type == redis::RedisReply::Type::kInteger)
      state.lag = fields["lag"]->integer;
  }
  return state;
}

// Counts the alerts announced on the notifier's alert feed from its construction on, by
// tailing the feed (trimmed to ~10,000 entries, so it is read as it grows): an entry with
// `subscription_id` is one alert (one entry per alert, before the fan-out work of issue 14),
// an entry with `subscriptions` ("id id ...") is one event's alerts.
class AlertFeedCounter {
 public:
  AlertFeedCounter(redis::RedisClient& redis, std::string feed)
      : redis_(redis), feed_(std::move(feed)), added_before_(EntriesAdded()) {
    auto newest = redis::XRevRange(redis_, feed_, "+", "-", 1);
    if (newest.ok() && !newest->empty()) last_id_ = newest->front().id;
    thread_ = std::thread([this] { Run(); });
  }
  ~AlertFeedCounter() { Stop(); }
  // Reads what is left of the feed, then stops; count() is final afterwards.
  void Stop() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    if (thread_.joinable()) thread_.join();
  }
  int64_t count() const { return count_.load(); }
  // After Stop(): false when the feed was trimmed past entries not yet read (the count is then
  // short), i.e. more entries were added to it than were read.
  bool complete() const { return EntriesAdded() - added_before_ == entries_read_; }

 private:
  void Run() {
    while (true) {
      bool stopping;
      {
        absl::MutexLock lock(&mu_);
        mu_.AwaitWithTimeout(absl::Condition(&stopping_), absl::Milliseconds(50));
        stopping = stopping_;
      }
      while (ReadSome()) {
      }
      if (stopping) return;
    }
  }
  // True when it read a full batch (more may be waiting).
  bool ReadSome() {
    constexpr int kBatch = 5000;
    auto entries = redis::XRead(redis_, feed_, last_id_, kBatch);
    if (!entries.ok() || entries->empty()) return false;
    entries_read_ += static_cast<int64_t>(entries->size());
    for (const redis::StreamEntry& entry : *entries) {
      for (const auto& [field, value] : entry.fields) {
        if (field == "subscription_id") count_ += 1;
        if (field == "subscriptions")
          count_ += static_cast<int64_t>(
              std::vector<absl::string_view>(absl::StrSplit(value, ' ', absl::SkipEmpty())).size());
      }
    }
    last_id_ = entries->back().id;
    return static_cast<int>(entries->size()) == kBatch;
  }

  // XINFO STREAM's entries-added (Redis 7): entries ever added, trimmed or not.
  int64_t EntriesAdded() const {
    auto reply = redis_.Command({"XINFO", "STREAM", feed_});
    if (!reply.ok()) return 0;  // no alert yet: no stream
    for (size_t i = 0; i + 1 < reply->elements.size(); i += 2) {
      if (reply->elements[i].str == "entries-added") return reply->elements[i + 1].integer;
    }
    return 0;
  }

  redis::RedisClient& redis_;
  const std::string feed_;
  const int64_t added_before_;
  // Used by the reading thread only (after construction), and by complete() after Stop().
  std::string last_id_ = "0-0";
  int64_t entries_read_ = 0;
  std::atomic<int64_t> count_{0};
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

int64_t IntegerReply(redis::RedisClient& redis, const std::vector<std::string>& command) {
  auto reply = redis.Command(command);
  return reply.ok() ? reply->integer : -1;
}

// INFO's "key:value" lines of the given sections.
std::map<std::string, std::string> Info(redis::RedisClient& redis, const std::string& section) {
  std::map<std::string, std::string> out;
  auto reply = redis.Command({"INFO", section});
  if (!reply.ok()) return out;
  for (absl::string_view line : absl::StrSplit(reply->str, absl::ByAnyChar("\r\n"))) {
    size_t colon = line.find(':');
    if (colon == absl::string_view::npos || line.empty() || line[0] == '#') continue;
    out[std::string(line.substr(0, colon))] = std::string(line.substr(colon + 1));
  }
  return out;
}

struct RedisCounters {
  double cpu_seconds = 0;  // used_cpu_sys + used_cpu_user: the whole server process
  int64_t used_memory = 0;
  std::map<std::string, std::pair<int64_t, int64_t>> commands;  // name -> calls, usec
};

RedisCounters ReadCounters(redis::RedisClient& redis) {
  RedisCounters counters;
  auto cpu = Info(redis, "cpu");
  double value = 0;
  if (absl::SimpleAtod(cpu["used_cpu_sys"], &value)) counters.cpu_seconds += value;
  if (absl::SimpleAtod(cpu["used_cpu_user"], &value)) counters.cpu_seconds += value;
  auto memory = Info(redis, "memory");
  (void)absl::SimpleAtoi(memory["used_memory"], &counters.used_memory);
  for (const auto& [key, stats] : Info(redis, "commandstats")) {
    // cmdstat_evalsha:calls=1,usec=2,usec_per_call=2.00,rejected_calls=0,failed_calls=0
    if (!key.starts_with("cmdstat_")) continue;
    int64_t calls = 0, usec = 0;
    for (absl::string_view part : absl::StrSplit(stats, ',')) {
      if (absl::StartsWith(part, "calls=")) (void)absl::SimpleAtoi(part.substr(6), &calls);
      if (absl::StartsWith(part, "usec=")) (void)absl::SimpleAtoi(part.substr(5), &usec);
    }
    counters.commands[key.substr(8)] = {calls, usec};
  }
  return counters;
}

// Resident and peak resident memory of a process, in MB; zeros when unknown.
std::pair<double, double> ResidentMb(int pid) {
  if (pid <= 0) return {0, 0};
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  double rss = 0, hwm = 0;
  while (std::getline(in, line)) {
    int64_t kb = 0;
    auto value = [&](absl::string_view prefix) {
      std::string rest = line.substr(prefix.size());
      rest.erase(std::remove_if(rest.begin(), rest.end(), [](char c) { return !isdigit(c); }),
                 rest.end());
      return absl::SimpleAtoi(rest, &kb) ? static_cast<double>(kb) / 1024 : 0.0;
    };
    if (line.starts_with("VmRSS:")) rss = value("VmRSS:");
    if (line.starts_with("VmHWM:")) hwm = value("VmHWM:");
  }
  return {rss, hwm};
}

// ---------------------------------------------------------------------------------------

struct Latencies {
  size_t count = 0;
  double p50 = 0, p99 = 0, p999 = 0, max = 0;
};

Latencies LatenciesOf(const std::vector<Sighting>& seen,
                      const absl::flat_hash_map<std::string, absl::Time>& sent_by_event) {
  std::vector<double> ms;
  for (const Sighting& s : seen) {
    auto it = sent_by_event.find(s.event_id);
    if (it != sent_by_event.end()) ms.push_back(absl::ToDoubleMilliseconds(s.at - it->second));
  }
  Latencies out;
  out.count = ms.size();
  if (ms.empty()) return out;
  std::sort(ms.begin(), ms.end());
  auto at = [&](double p) {
    return ms[std::min(ms.size() - 1, static_cast<size_t>(p * ms.size()))];
  };
  out.p50 = at(0.5);
  out.p99 = at(0.99);
  out.p999 = at(0.999);
  out.max = ms.back();
  return out;
}

nlohmann::json ToJson(const Latencies& l) {
  return {{"count", l.count},
          {"p50_ms", l.p50},
          {"p99_ms", l.p99},
          {"p999_ms", l.p999},
          {"max_ms", l.max}};
}

double PerSecond(double count, double seconds) { return seconds > 0 ? count / seconds : 0; }

// Waits until `done` or the deadline, polling every `poll`.
template <typename Done>
bool WaitFor(Done done, absl::Duration poll = absl::Milliseconds(20)) {
  while (!done()) {
    if (PastDeadline()) return false;
    absl::SleepFor(poll);
  }
  return true;
}

int Run() {
  const int seconds = absl::GetFlag(FLAGS_seconds);
  g_deadline = absl::Now() + absl::Seconds(seconds);
  std::thread([seconds] {
    absl::SleepFor(absl::Seconds(seconds + 15));
    std::fprintf(stderr, "e2e_load: still running 15 s past --seconds=%d; giving up\n", seconds);
    std::fflush(nullptr);
    _exit(3);
  }).detach();

  auto endpoint = redis::ParseRedisUrl(absl::GetFlag(FLAGS_redis_url));
  if (!endpoint.ok() || absl::GetFlag(FLAGS_collector).empty() ||
      absl::GetFlag(FLAGS_notifier).empty()) {
    std::fprintf(stderr, "e2e_load: give --collector, --notifier and --redis_url%s\n",
                 endpoint.ok() ? "" : absl::StrCat(" (", endpoint.status().message(), ")").c_str());
    return 2;
  }
  redis::RedisClient redis(redis::RedisOptions{.endpoint = *endpoint});
  const std::string prefix = absl::GetFlag(FLAGS_key_prefix);
  const std::string stream = absl::GetFlag(FLAGS_stream);
  auto collector = v1::Collector::NewStub(
      grpc::CreateChannel(absl::GetFlag(FLAGS_collector), grpc::InsecureChannelCredentials()));
  auto notifier = v1::Notifier::NewStub(
      grpc::CreateChannel(absl::GetFlag(FLAGS_notifier), grpc::InsecureChannelCredentials()));
  nlohmann::json report;
  bool timed_out = false;

  // Articles and the vocabulary of the rules.
  const size_t want_articles = static_cast<size_t>(absl::GetFlag(FLAGS_articles));
  size_t base_count = 0;
  std::vector<v1::Article> articles = LoadCorpus(want_articles, &base_count);
  if (articles.empty()) {
    std::fprintf(stderr, "e2e_load: no article in --corpus\n");
    return 2;
  }
  Vocabulary vocabulary = BuildVocabulary(articles, std::min(base_count, articles.size()));
  std::printf("articles: %zu (%zu distinct in the corpus, the rest pairs of them)\n",
              articles.size(), base_count);
  std::printf("vocabulary: %zu terms (%zu names/places/organisations first), %zu topics\n",
              vocabulary.terms.size(), vocabulary.entities, vocabulary.topics.size());

  // Subscriptions.
  WebhookSink sink;
  const int n = absl::GetFlag(FLAGS_subscriptions);
  const int live = std::min(absl::GetFlag(FLAGS_live_streams), n);
  RuleMix mix(RuleMixOptions{.realistic = true,
                             .seed = absl::GetFlag(FLAGS_seed),
                             .content_words = vocabulary.terms,
                             .content_per_mille = absl::GetFlag(FLAGS_content_per_mille),
                             .content_zipf = true,
                             .max_terms = std::max(1, absl::GetFlag(FLAGS_max_terms))});
  std::mt19937 rng(absl::GetFlag(FLAGS_seed) + 1);
  const double webhook_fraction = absl::GetFlag(FLAGS_webhook_fraction);
  const int topic_percent = absl::GetFlag(FLAGS_topic_percent);
  std::vector<v1::Subscription> subs(n);
  int webhooks = 0;
  for (int i = 0; i < n; ++i) {
    v1::Subscription& sub = subs[i];
    sub.set_owner("e2e-load");
    if (i < live) {  // the most popular terms, followed live
      sub.set_query(vocabulary.terms.empty() ? "the"
                                             : vocabulary.terms[i % vocabulary.terms.size()]);
      sub.add_channels()->mutable_grpc_stream();
      if (i == 0 && webhook_fraction > 0) {  // the webhook path, on alerts sure to come
        auto* webhook = sub.add_channels()->mutable_webhook();
        webhook->set_format(v1::WebhookChannel::GENERIC_JSON);
        webhook->set_url(sink.url(i));
        webhook->set_secret("e2e-load");
        ++webhooks;
      }
      continue;
    }
    do {  // as match_bench, skip a rule the notifier refuses (e.g. a generated `x -x`)
      sub.set_query(mix.Query());
    } while (!notifier::CompileSubscription(sub).ok());
    if (!vocabulary.topics.empty() && static_cast<int>(rng() % 100) < topic_percent)
      sub.add_topics(vocabulary.topics[rng() % vocabulary.topics.size()]);
    if (std::uniform_real_distribution<double>(0, 1)(rng) < webhook_fraction) {
      sub.add_channels()->mutable_grpc_stream();
      auto* webhook = sub.add_channels()->mutable_webhook();
      webhook->set_format(v1::WebhookChannel::GENERIC_JSON);
      webhook->set_url(sink.url(i));
      webhook->set_secret("e2e-load");
      ++webhooks;
    }
  }
  const RedisCounters before_subs = ReadCounters(redis);
  CreateOutcome created = CreateAll(*notifier, subs, absl::GetFlag(FLAGS_create_concurrency));
  const RedisCounters after_subs = ReadCounters(redis);
  const int created_count = n - created.failed;
  std::printf("subscriptions: %d created in %.1f s (%.0f/s), %d failed%s%s; %d with a webhook\n",
              created_count, created.seconds, PerSecond(created_count, created.seconds),
              created.failed, created.first_error.empty() ? "" : ": ", created.first_error.c_str(),
              webhooks);
  report["subscriptions"] = {
      {"requested", n},
      {"created", created_count},
      {"failed", created.failed},
      {"first_error", created.first_error},
      {"seconds", created.seconds},
      {"per_second", PerSecond(created_count, created.seconds)},
      {"with_webhook", webhooks},
      {"with_live_stream", live},
      {"redis_bytes_per_subscription",
       created_count > 0
           ? static_cast<double>(after_subs.used_memory - before_subs.used_memory) / created_count
           : 0}};
  nlohmann::json examples = nlohmann::json::array();
  for (int i = live; i < std::min(n, live + 10); ++i) examples.push_back(subs[i].query());
  report["subscriptions"]["example_queries"] = examples;

  Sightings stream_seen;
  std::vector<std::unique_ptr<LiveStream>> streams;
  for (int i = 0; i < live; ++i) {
    if (!created.ids[i].empty())
      streams.push_back(std::make_unique<LiveStream>(*notifier, created.ids[i], stream_seen));
  }

  // Visibility: a subscription on a word no article has, then one article with it.
  {
    v1::Subscription probe;
    probe.set_owner("e2e-load");
    probe.set_query("zzeprobeq");
    grpc::ClientContext context;
    SetUp(context);
    v1::CreateSubscriptionRequest request;
    *request.mutable_subscription() = probe;
    v1::Subscription made;
    grpc::Status status = notifier->CreateSubscription(&context, request, &made);
    absl::Time created_at = absl::Now();
    if (status.ok()) {
      Sightings probe_seen;
      LiveStream probe_stream(*notifier, made.id(), probe_seen);
      grpc::ClientContext ingest_context;
      SetUp(ingest_context);
      v1::IngestRequest ingest;
      ingest.mutable_article()->set_title(
          absl::StrCat("Load probe zzeprobeq ", absl::ToUnixMicros(absl::Now())));
      ingest.mutable_article()->set_body("A probe article for the end-to-end load generator.");
      ingest.mutable_article()->set_url("https://e2e-load.example/probe");
      v1::IngestResponse answer;
      grpc::Status ingested = collector->Ingest(&ingest_context, ingest, &answer);
      bool seen = ingested.ok() && WaitFor([&] { return probe_seen.Contains(answer.event_id()); });
      double ms = seen ? absl::ToDoubleMilliseconds(probe_seen.last() - created_at) : -1;
      std::printf(
          "notifier saw the subscriptions: the probe alert came %.0f ms after they were "
          "all created%s\n",
          ms, ingested.ok() ? "" : (" (ingest failed: " + ingested.error_message() + ")").c_str());
      report["subscriptions"]["visible_after_ms"] = ms;
    } else {
      std::fprintf(stderr, "e2e_load: probe subscription: %s\n", status.error_message().c_str());
    }
  }
  // Let the probe event drain so it does not count below.
  WaitFor([&] {
    auto group = ReadGroup(redis, stream, absl::GetFlag(FLAGS_group));
    return group.ok() && group->lag == 0 && group->pending == 0;
  });
  const auto [collector_rss_subs, collector_hwm_subs] =
      ResidentMb(absl::GetFlag(FLAGS_collector_pid));
  const auto [notifier_rss_subs, notifier_hwm_subs] = ResidentMb(absl::GetFlag(FLAGS_notifier_pid));

  // Ingest.
  const std::string alerts_feed = prefix + "alerts:feed";
  AlertFeedCounter alert_counter(redis, alerts_feed);
  const size_t stream_before = stream_seen.size();
  const size_t sink_before = sink.seen().size();
  const RedisCounters before = ReadCounters(redis);
  IngestOutcome ingest;
  ingest.sent.resize(articles.size());
  ingest.event_ids.resize(articles.size());
  const double rate = absl::GetFlag(FLAGS_rate);
  const absl::Time ingest_start = absl::Now();
  if (rate > 0) {
    IngestPaced(*collector, articles, rate, std::max(1, absl::GetFlag(FLAGS_ingest_threads)),
                ingest);
  } else {
    IngestWithStreams(*collector, articles, std::max(1, absl::GetFlag(FLAGS_ingest_streams)),
                      ingest);
  }
  const absl::Time ingest_end = absl::Now();
  ingest.seconds = absl::ToDoubleSeconds(ingest_end - ingest_start);

  // Drain: the consumer group has read and acked everything.
  int64_t last_lag = -1, last_pending = -1;
  bool drained = WaitFor([&] {
    auto group = ReadGroup(redis, stream, absl::GetFlag(FLAGS_group));
    if (!group.ok()) return false;
    last_lag = group->lag;
    last_pending = group->pending;
    return group->lag == 0 && group->pending == 0;
  });
  const absl::Time drained_at = absl::Now();
  const RedisCounters after = ReadCounters(redis);
  alert_counter.Stop();
  const int64_t alerts = alert_counter.count();
  const bool alerts_complete = alert_counter.complete();
  if (!alerts_complete)
    std::fprintf(stderr,
                 "e2e_load: the alert feed was trimmed before it was read: alerts "
                 "undercounted\n");
  timed_out |= !drained;

  // Deliveries and live streams: until the delivery queue is empty and nothing new arrived
  // for a second.
  const std::string due = prefix + "deliveries:due";
  WaitFor(
      [&] {
        absl::Time quiet_since = std::max(sink.seen().last(), stream_seen.last());
        return IntegerReply(redis, {"ZCARD", due}) == 0 &&
               absl::Now() - std::max(quiet_since, drained_at) > absl::Seconds(1);
      },
      absl::Milliseconds(100));
  for (auto& s : streams) s->Stop();
  const RedisCounters after_deliveries = ReadCounters(redis);

  // Figures.
  absl::flat_hash_map<std::string, absl::Time> sent_by_event;
  for (size_t i = 0; i < articles.size(); ++i) {
    if (!ingest.event_ids[i].empty()) sent_by_event.emplace(ingest.event_ids[i], ingest.sent[i]);
  }
  std::vector<Sighting> on_streams = stream_seen.Take();
  on_streams.erase(on_streams.begin(),
                   on_streams.begin() + std::min(stream_before, on_streams.size()));
  std::vector<Sighting> at_sink = sink.seen().Take();
  at_sink.erase(at_sink.begin(), at_sink.begin() + std::min(sink_before, at_sink.size()));
  std::sort(at_sink.begin(), at_sink.end(),
            [](const Sighting& a, const Sighting& b) { return a.at < b.at; });
  const Latencies stream_latency = LatenciesOf(on_streams, sent_by_event);
  const Latencies sink_latency = LatenciesOf(at_sink, sent_by_event);
  const double end_to_end_s = absl::ToDoubleSeconds(drained_at - ingest_start);
  const double deliveries_s =
      at_sink.empty() ? 0 : absl::ToDoubleSeconds(at_sink.back().at - ingest_start);
  // Deliveries in the busiest second: the queue's capacity, where deliveries_s also counts
  // the tail that per-channel rate limits (generic webhooks: 10/s) stretch out.
  size_t peak_deliveries = 0;
  for (size_t first = 0, last = 0; last < at_sink.size(); ++last) {
    while (at_sink[last].at - at_sink[first].at >= absl::Seconds(1)) ++first;
    peak_deliveries = std::max(peak_deliveries, last - first + 1);
  }
  const double redis_cpu = after.cpu_seconds - before.cpu_seconds;
  const int64_t redis_bytes = after.used_memory - before.used_memory;

  std::printf(
      "ingest: %zu sent in %.2f s (%.0f/s): %d published, %d duplicates, %d rejected, "
      "%d failed%s%s\n",
      articles.size(), ingest.seconds, PerSecond(articles.size(), ingest.seconds), ingest.published,
      ingest.duplicates, ingest.rejected, ingest.failed,
      ingest.first_error.empty() ? "" : "; first error: ", ingest.first_error.c_str());
  std::printf(
      "end to end: %d events in %.2f s = %.0f events/s%s\n", ingest.published, end_to_end_s,
      PerSecond(ingest.published, end_to_end_s),
      drained
          ? ""
          : absl::StrCat(" (NOT drained: lag ", last_lag, ", pending ", last_pending, ")").c_str());
  std::printf("alerts: %lld = %.1f per event, %.0f alerts/s\n", static_cast<long long>(alerts),
              ingest.published > 0 ? static_cast<double>(alerts) / ingest.published : 0,
              PerSecond(static_cast<double>(alerts), end_to_end_s));
  std::printf("deliveries: %zu at the sink in %.2f s = %.0f/s; busiest second %zu\n",
              at_sink.size(), deliveries_s, PerSecond(at_sink.size(), deliveries_s),
              peak_deliveries);
  std::printf(
      "ingest -> alert on %d live streams: %zu alerts, p50 %.1f ms, p99 %.1f ms, "
      "p99.9 %.1f ms, max %.1f ms\n",
      live, stream_latency.count, stream_latency.p50, stream_latency.p99, stream_latency.p999,
      stream_latency.max);
  std::printf(
      "ingest -> webhook sink: %zu deliveries, p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, "
      "max %.1f ms\n",
      sink_latency.count, sink_latency.p50, sink_latency.p99, sink_latency.p999, sink_latency.max);
  std::printf(
      "redis: %.2f s CPU until drained = %.0f us per event, %.1f us per alert; "
      "%lld bytes more = %.0f bytes per alert\n",
      redis_cpu, ingest.published > 0 ? redis_cpu * 1e6 / ingest.published : 0,
      alerts > 0 ? redis_cpu * 1e6 / alerts : 0, static_cast<long long>(redis_bytes),
      alerts > 0 ? static_cast<double>(redis_bytes) / alerts : 0);

  nlohmann::json commands = nlohmann::json::object();
  std::vector<std::pair<int64_t, std::string>> by_usec;
  for (const auto& [name, stats] : after.commands) {
    auto it = before.commands.find(name);
    int64_t calls = stats.first - (it == before.commands.end() ? 0 : it->second.first);
    int64_t usec = stats.second - (it == before.commands.end() ? 0 : it->second.second);
    if (calls == 0) continue;
    commands[name] = {{"calls", calls}, {"usec", usec}};
    by_usec.push_back({-usec, name});
  }
  std::sort(by_usec.begin(), by_usec.end());
  std::printf("redis commands until drained (calls, ms):");
  for (size_t i = 0; i < by_usec.size() && i < 8; ++i) {
    const auto& name = by_usec[i].second;
    std::printf(" %s %lld %.0f;", name.c_str(),
                static_cast<long long>(commands[name]["calls"].get<int64_t>()),
                -by_usec[i].first / 1000.0);
  }
  std::printf("\n");
  const auto [collector_rss, collector_hwm] = ResidentMb(absl::GetFlag(FLAGS_collector_pid));
  const auto [notifier_rss, notifier_hwm] = ResidentMb(absl::GetFlag(FLAGS_notifier_pid));
  std::printf(
      "resident MB after subscriptions / at the end (peak): collector %.0f / %.0f (%.0f), "
      "notifier %.0f / %.0f (%.0f)\n",
      collector_rss_subs, collector_rss, collector_hwm, notifier_rss_subs, notifier_rss,
      notifier_hwm);

  report["articles"] = {{"sent", articles.size()},
                        {"distinct_in_corpus", base_count},
                        {"published", ingest.published},
                        {"duplicates", ingest.duplicates},
                        {"rejected", ingest.rejected},
                        {"failed", ingest.failed},
                        {"first_error", ingest.first_error},
                        {"mode", rate > 0 ? "unary Ingest, paced" : "IngestStream"},
                        {"rate", rate}};
  report["ingest_per_s"] = PerSecond(articles.size(), ingest.seconds);
  report["ingest_seconds"] = ingest.seconds;
  report["drained"] = drained;
  report["end_to_end_seconds"] = end_to_end_s;
  report["events_per_s"] = PerSecond(ingest.published, end_to_end_s);
  report["alerts"] = alerts;
  report["alerts_counted_completely"] = alerts_complete;
  report["alerts_per_event"] =
      ingest.published > 0 ? static_cast<double>(alerts) / ingest.published : 0;
  report["alerts_per_s"] = PerSecond(static_cast<double>(alerts), end_to_end_s);
  report["deliveries"] = at_sink.size();
  report["deliveries_per_s"] = PerSecond(at_sink.size(), deliveries_s);
  report["deliveries_busiest_second"] = peak_deliveries;
  report["latency_stream"] = ToJson(stream_latency);
  report["latency_webhook"] = ToJson(sink_latency);
  report["redis"] = {
      {"cpu_seconds", redis_cpu},
      {"cpu_us_per_event", ingest.published > 0 ? redis_cpu * 1e6 / ingest.published : 0},
      {"cpu_us_per_alert", alerts > 0 ? redis_cpu * 1e6 / alerts : 0},
      {"cpu_seconds_with_deliveries", after_deliveries.cpu_seconds - before.cpu_seconds},
      {"bytes_added", redis_bytes},
      {"bytes_per_alert", alerts > 0 ? static_cast<double>(redis_bytes) / alerts : 0},
      {"commands", commands}};
  report["rss_mb"] = {{"collector_after_subscriptions", collector_rss_subs},
                      {"collector", collector_rss},
                      {"collector_peak", collector_hwm},
                      {"notifier_after_subscriptions", notifier_rss_subs},
                      {"notifier", notifier_rss},
                      {"notifier_peak", notifier_hwm}};
  report["timed_out"] = timed_out || PastDeadline();
  report["flags"] = {{"subscriptions", n},
                     {"articles", want_articles},
                     {"rate", rate},
                     {"webhook_fraction", webhook_fraction},
                     {"live_streams", live},
                     {"content_per_mille", absl::GetFlag(FLAGS_content_per_mille)},
                     {"max_terms", absl::GetFlag(FLAGS_max_terms)},
                     {"topic_percent", topic_percent},
                     {"seconds", seconds},
                     {"seed", absl::GetFlag(FLAGS_seed)}};
  const std::string json_path = absl::GetFlag(FLAGS_json);
  if (!json_path.empty()) {
    std::ofstream out(json_path);
    out << report.dump(2) << "\n";
  }
  if (report["timed_out"].get<bool>()) {
    std::fprintf(stderr, "e2e_load: --seconds=%d ran out before the run finished\n", seconds);
    return 1;
  }
  if (created.failed > 0 || ingest.failed > 0) return 1;
  // A run that published nothing, or whose live streams (on the most popular terms) saw no
  // alert, measured nothing: say so in the exit status (the bench_smoke test relies on it).
  if (ingest.published == 0 || (live > 0 && on_streams.empty()) ||
      (live > 0 && webhook_fraction > 0 && at_sink.empty())) {
    std::fprintf(stderr,
                 "e2e_load: no event published, or no alert on the live streams or at the "
                 "webhook sink\n");
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace sa::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each phase's line as it ends, also into a file
  return sa::bench::Run();
}
