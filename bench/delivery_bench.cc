// Load generator for delivery (docs/BENCHMARKS.md): a private redis-server, the notifier's
// real components in-process, real gRPC and HTTP over loopback. Three measurements:
//   1. webhook deliveries/s to a loopback sink (one channel, and many channels in parallel);
//   2. alerts/s read by one gRPC Subscribe stream (replaying stored alerts);
//   3. ingest -> alert latency, p50/p99, at a fixed ingest rate: Ingester (validate, extract,
//      publish) -> consumer group -> match -> store -> Subscribe stream, and -> webhook sink.
// Bounded: every phase stops by itself. Run: build/bench/delivery_bench [--flags]
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cstdio>
#include <map>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/sample_articles.h"
#include "collector/ingest/ingester.h"
#include "collector/publish/event_publisher.h"
#include "common/grpc/grpc_server.h"
#include "common/log/log.h"
#include "notifier/api/notifier_service.h"
#include "notifier/consume/event_consumer.h"
#include "notifier/deliver/delivery_worker.h"
#include "testbed/http_sink.h"
#include "testbed/redis_server.h"

ABSL_FLAG(int32_t, deliveries, 2000, "webhook deliveries to send in phase 1");
ABSL_FLAG(int32_t, channels, 16, "distinct webhook channels for the parallel run of phase 1");
ABSL_FLAG(int32_t, delivery_workers, 8, "DeliveryWorker threads");
ABSL_FLAG(int32_t, stream_alerts, 20000, "alerts replayed over one Subscribe stream in phase 2");
ABSL_FLAG(double, rate, 50, "ingests per second in phase 3");
ABSL_FLAG(int32_t, seconds, 20, "duration of phase 3");

namespace sa::bench {
namespace {

namespace v1 = summit_alerts::v1;
using notifier::AlertStore;
using notifier::AlertStoreOptions;

struct Stack {
  std::unique_ptr<testbed::RedisServer> redis;
  std::string prefix;
  std::unique_ptr<notifier::SubscriptionStore> subs;
  std::unique_ptr<AlertStore> alerts;
  std::unique_ptr<notifier::SubscriptionCache> cache;
  std::unique_ptr<notifier::DeliveryQueue> queue;
  std::unique_ptr<collector::EventPublisher> publisher;
  std::unique_ptr<notifier::EventConsumer> consumer;

  explicit Stack(testbed::RedisServer& server, std::string key_prefix)
      : prefix(std::move(key_prefix)) {
    redis::RedisClient& client = server.client();
    subs = std::make_unique<notifier::SubscriptionStore>(client, prefix);
    alerts = std::make_unique<AlertStore>(
        client, AlertStoreOptions{.key_prefix = prefix, .max_alerts_per_subscription = 100000});
    cache = std::make_unique<notifier::SubscriptionCache>(*subs);
    queue = std::make_unique<notifier::DeliveryQueue>(
        client, notifier::DeliveryQueueOptions{.key_prefix = prefix});
    publisher = std::make_unique<collector::EventPublisher>(
        client, collector::PublisherOptions{
                    .stream = prefix + "events",
                    .key_prefix = prefix,
                    // The load is rotations of one story: no near-duplicate merging.
                    .near_duplicate_bits = 0});
    notifier::ConsumerOptions options;
    options.stream = prefix + "events";
    options.consumer = "bench";
    options.block = absl::Milliseconds(100);
    consumer = std::make_unique<notifier::EventConsumer>(client, *cache, *alerts, options);
  }
};

notifier::DeliveryWorkerOptions WorkerOptions() {
  notifier::DeliveryWorkerOptions options;
  options.workers = absl::GetFlag(FLAGS_delivery_workers);
  options.idle_poll = absl::Milliseconds(100);
  options.http.allow_private_addresses = true;
  options.generic = {1e9, 1e9};  // measure the pipeline, not the politeness
  return options;
}

v1::Channel Generic(const std::string& url) {
  v1::Channel channel;
  channel.mutable_webhook()->set_format(v1::WebhookChannel::GENERIC_JSON);
  channel.mutable_webhook()->set_url(url);
  channel.mutable_webhook()->set_secret("bench");
  return channel;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(p * values.size()))];
}

// Phase 1: `total` deliveries over `channels` channels; returns deliveries/s.
double DeliveryThroughput(testbed::RedisServer& server, int total, int channels) {
  Stack stack(server, absl::StrCat("d", channels, ":"));
  auto sink = testbed::HttpSink::Start();
  for (int c = 0; c < channels; ++c) {
    v1::Subscription sub;
    sub.set_query("Putin");
    *sub.add_channels() = Generic((*sink)->Url(absl::StrCat("/c", c)));
    (void)stack.subs->Create(sub);
  }
  const auto& sentences = SampleStorySentences();
  const int events = total / channels;
  for (int i = 0; i < events; ++i) {
    v1::Event event;
    event.set_id(absl::StrCat("ev_", i));
    event.set_title("Putin meets Trump");
    event.set_summary(sentences[i % sentences.size()]);
    event.set_relevance(0.9);
    (void)stack.publisher->Publish(event);
  }
  while (stack.consumer->DrainOnce().value_or(0) > 0) {
  }
  notifier::DeliveryWorker worker(server.client(), *stack.queue, WorkerOptions());
  absl::Time start = absl::Now();
  worker.Start();
  const size_t expected = static_cast<size_t>(events) * channels;
  (*sink)->WaitForRequests("", expected, absl::Minutes(5));
  absl::Duration elapsed = absl::Now() - start;
  worker.Stop();
  return expected / absl::ToDoubleSeconds(elapsed);
}

// Phase 2: alerts/s replayed to one Subscribe stream.
double StreamThroughput(testbed::RedisServer& server, int total) {
  Stack stack(server, "s:");
  v1::Subscription sub;
  sub.set_query("Putin");
  std::string id = stack.subs->Create(sub)->id();
  const auto& sentences = SampleStorySentences();
  v1::Event extracted = SampleExtractor().Extract(RotatedArticle(sentences, 0), absl::Now());
  for (int i = 0; i < total; ++i) {
    v1::Alert alert;
    alert.set_subscription_id(id);
    *alert.mutable_event() = extracted;
    alert.mutable_event()->set_id(absl::StrCat("ev_", i));
    (void)stack.alerts->Append(alert);
  }
  notifier::AlertHub hub(server.client(), *stack.alerts);
  hub.Start();
  WorkQueue work(4);
  notifier::QueryTester tester(server.client(), stack.prefix + "events", &SampleExtractor());
  notifier::NotifierService service(*stack.subs, *stack.alerts, hub, work, tester, *stack.queue);
  auto grpc_server = GrpcServer::Start({.address = "127.0.0.1:0"}, {&service});
  auto stub = v1::Notifier::NewStub(
      grpc::CreateChannel((*grpc_server)->address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  v1::SubscribeRequest request;
  request.set_subscription_id(id);
  request.set_after_alert_id("0");
  absl::Time start = absl::Now();
  auto reader = stub->Subscribe(&context, request);
  v1::Alert alert;
  int received = 0;
  while (received < total && reader->Read(&alert)) ++received;
  absl::Duration elapsed = absl::Now() - start;
  context.TryCancel();
  (void)reader->Finish();
  hub.Stop();
  (*grpc_server)->Shutdown(absl::Seconds(1));
  std::printf("  (%d alerts of %zu bytes each)\n", received, alert.ByteSizeLong());
  return received / absl::ToDoubleSeconds(elapsed);
}

// Phase 3: ingest at `rate`/s for `seconds`; latency from Ingest() start to the alert on a
// Subscribe stream and to the webhook sink.
void Latency(testbed::RedisServer& server, double rate, int seconds) {
  Stack stack(server, "l:");
  auto sink = testbed::HttpSink::Start();
  v1::Subscription sub;
  sub.set_query("\"arms control\" Putin");
  *sub.add_channels() = Generic((*sink)->Url("/latency"));
  sub.add_channels()->mutable_grpc_stream();
  std::string id = stack.subs->Create(sub)->id();

  notifier::AlertHub hub(server.client(), *stack.alerts, absl::Seconds(2));
  hub.Start();
  WorkQueue work(4);
  notifier::QueryTester tester(server.client(), stack.prefix + "events", &SampleExtractor());
  notifier::NotifierService service(*stack.subs, *stack.alerts, hub, work, tester, *stack.queue);
  auto grpc_server = GrpcServer::Start({.address = "127.0.0.1:0"}, {&service});
  (void)stack.consumer->Start();
  notifier::DeliveryWorker worker(server.client(), *stack.queue, WorkerOptions());
  worker.Start();

  collector::Ingester ingester(SampleExtractor(), *stack.publisher, extract::ArticleLimits{});
  auto stub = v1::Notifier::NewStub(
      grpc::CreateChannel((*grpc_server)->address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  v1::SubscribeRequest request;
  request.set_subscription_id(id);
  auto reader = stub->Subscribe(&context, request);

  absl::Mutex mu;
  std::map<std::string, absl::Time> sent;  // event id -> ingest start
  std::vector<double> stream_ms;
  std::thread reading([&] {
    v1::Alert alert;
    while (reader->Read(&alert)) {
      absl::Time now = absl::Now();
      absl::MutexLock lock(&mu);
      auto it = sent.find(alert.event().id());
      if (it != sent.end()) stream_ms.push_back(absl::ToDoubleMilliseconds(now - it->second));
    }
  });
  absl::SleepFor(absl::Milliseconds(300));  // the stream is open

  const auto& sentences = SampleStorySentences();
  const int total = static_cast<int>(rate * seconds);
  absl::Time start = absl::Now();
  for (int i = 0; i < total; ++i) {
    absl::Time due = start + absl::Seconds(i / rate);
    if (due > absl::Now()) absl::SleepFor(due - absl::Now());
    v1::Article article = RotatedArticle(sentences, i);
    article.set_title(absl::StrCat("Trump and Putin to meet in Anchorage, part ", i));
    absl::Time began = absl::Now();
    auto response = ingester.Ingest(article);
    if (!response.ok()) continue;
    absl::MutexLock lock(&mu);
    sent[response->event_id()] = began;
  }
  (*sink)->WaitForRequests("/latency", total, absl::Seconds(30));
  for (int i = 0; i < 300; ++i) {
    absl::SleepFor(absl::Milliseconds(100));
    absl::MutexLock lock(&mu);
    if (static_cast<int>(stream_ms.size()) >= total) break;
  }
  std::vector<double> webhook_ms;
  for (auto& request : (*sink)->Requests("/latency")) {
    std::string body = request.body;
    size_t at = body.find("\"id\":\"ev_");
    if (at == std::string::npos) continue;
    std::string event_id = body.substr(at + 6, body.find('"', at + 6) - at - 6);
    absl::MutexLock lock(&mu);
    auto it = sent.find(event_id);
    if (it != sent.end())
      webhook_ms.push_back(absl::ToDoubleMilliseconds(request.received - it->second));
  }
  context.TryCancel();
  reading.join();
  worker.Stop();
  stack.consumer->Stop();
  hub.Stop();
  (*grpc_server)->Shutdown(absl::Seconds(1));
  absl::MutexLock lock(&mu);
  std::printf("  ingested %d at %.0f/s; stream got %zu, webhook got %zu\n", total, rate,
              stream_ms.size(), webhook_ms.size());
  std::printf("  ingest -> gRPC stream : p50 %.1f ms  p99 %.1f ms\n", Percentile(stream_ms, 0.5),
              Percentile(stream_ms, 0.99));
  std::printf("  ingest -> webhook sink: p50 %.1f ms  p99 %.1f ms\n", Percentile(webhook_ms, 0.5),
              Percentile(webhook_ms, 0.99));
}

}  // namespace
}  // namespace sa::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  sa::log::SetMinLevel(sa::log::Level::kError);
  auto server = sa::testbed::RedisServer::Start({"--appendonly", "no"});  // no persistence
  if (!server.ok()) {
    std::fprintf(stderr, "delivery_bench: %s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  const int deliveries = absl::GetFlag(FLAGS_deliveries);
  std::printf("1. webhook deliveries to a loopback sink (%d workers)\n",
              absl::GetFlag(FLAGS_delivery_workers));
  std::printf("  one channel      : %8.0f deliveries/s\n",
              sa::bench::DeliveryThroughput(**server, deliveries / 4, 1));
  std::printf("  %3d channels     : %8.0f deliveries/s\n", absl::GetFlag(FLAGS_channels),
              sa::bench::DeliveryThroughput(**server, deliveries, absl::GetFlag(FLAGS_channels)));
  std::printf("2. one Subscribe stream replaying stored alerts\n");
  std::printf("  %8.0f alerts/s\n",
              sa::bench::StreamThroughput(**server, absl::GetFlag(FLAGS_stream_alerts)));
  std::printf("3. latency at a fixed ingest rate\n");
  sa::bench::Latency(**server, absl::GetFlag(FLAGS_rate), absl::GetFlag(FLAGS_seconds));
  return 0;
}
