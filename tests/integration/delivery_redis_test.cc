// Webhook delivery end to end inside one process: the consumer queues deliveries in a real
// redis-server, DeliveryWorkers send them over real HTTP to a loopback sink that behaves like
// the chat services (accepts, 429 with Retry-After, 500, 404, slow, closed port).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "collector/publish/event_publisher.h"
#include "nlohmann/json.hpp"
#include "notifier/consume/event_consumer.h"
#include "notifier/deliver/delivery_queue.h"
#include "notifier/deliver/delivery_worker.h"
#include "notifier/deliver/webhook_payload.h"
#include "tests/support/eventually.h"
#include "tests/support/fake_clock.h"
#include "tests/support/http_sink.h"
#include "tests/support/redis_server.h"
#include "tests/support/shared_redis_test.h"
#include "tests/support/status_matchers.h"

namespace sa::notifier {
namespace {

using ::sa::testing::Eventually;
using ::sa::testing::FakeClock;
using ::sa::testing::HttpSink;
using ::sa::testing::IsOk;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
namespace v1 = summit_alerts::v1;

class DeliveryTest : public testing::SharedRedisTest {
 protected:
  void SetUp() override {
    prefix_ = testing::UniquePrefix();
    subs_ = std::make_unique<SubscriptionStore>(client(), prefix_);
    alerts_ = std::make_unique<AlertStore>(client(), AlertStoreOptions{.key_prefix = prefix_});
    cache_ = std::make_unique<SubscriptionCache>(*subs_);
    publisher_ = std::make_unique<collector::EventPublisher>(
        client(), collector::PublisherOptions{.stream = prefix_ + "events", .key_prefix = prefix_});
    consumer_options_.stream = prefix_ + "events";
    consumer_options_.consumer = "c1";
    consumer_ = std::make_unique<EventConsumer>(client(), *cache_, *alerts_, consumer_options_);
    queue_ = std::make_unique<DeliveryQueue>(
        client(), DeliveryQueueOptions{.key_prefix = prefix_, .lease = absl::Seconds(5)});
    auto sink = HttpSink::Start();
    ASSERT_TRUE(sink.ok()) << sink.status();
    sink_ = std::move(*sink);
  }
  void TearDown() override {
    for (auto& worker : workers_) worker->Stop();
  }

  static DeliveryWorkerOptions FastOptions() {
    DeliveryWorkerOptions options;
    options.workers = 2;
    options.idle_poll = absl::Milliseconds(100);
    options.busy_channel_delay = absl::Milliseconds(50);
    options.http.total_timeout = absl::Seconds(1);
    options.http.connect_timeout = absl::Seconds(1);
    options.http.allow_private_addresses = true;  // the sink is on loopback
    options.retry = {.max_attempts = 3,
                     .initial_backoff = absl::Milliseconds(200),
                     .max_backoff = absl::Seconds(1)};
    options.generic = {1000, 1000};
    return options;
  }

  // From here on alerts are stored, deliveries queued and workers started on `clock_`, a
  // FakeClock: retry, digest, rate-limit and lease times are then exact, and the test moves
  // time with clock_.Advance() instead of sleeping.
  void UseFakeClock() {
    fake_clock_ = true;
    consumer_.reset();  // it refers to alerts_
    alerts_ =
        std::make_unique<AlertStore>(client(), AlertStoreOptions{.key_prefix = prefix_}, clock_);
    consumer_ =
        std::make_unique<EventConsumer>(client(), *cache_, *alerts_, consumer_options_, clock_);
  }

  DeliveryWorker& StartWorker(DeliveryWorkerOptions options = FastOptions()) {
    const Clock& clock = fake_clock_ ? static_cast<const Clock&>(clock_) : Clock::Real();
    workers_.push_back(std::make_unique<DeliveryWorker>(client(), *queue_, options, clock));
    workers_.back()->Start();
    return *workers_.back();
  }

  // Stops every worker; once it returns, every request a worker sent has been answered and
  // settled, so the sink's requests are final.
  void StopWorkers() {
    for (auto& worker : workers_) worker->Stop();
  }

  // When the queued delivery or digest job `id` is due (its score in the due set; a claimed
  // one's is its lease end), or nullopt when it is not queued.
  std::optional<absl::Time> DueAt(const std::string& id) {
    auto score = client().Command({"ZSCORE", queue_->keys().Due(), id});
    int64_t ms = 0;
    if (!score.ok() || score->is_nil() || !absl::SimpleAtoi(score->str, &ms)) return std::nullopt;
    return absl::FromUnixMillis(ms);
  }

  // The failed attempts counted on the queued delivery `id` (0 when it has none or is gone).
  int64_t Attempts(const std::string& id) {
    auto attempts = client().Command({"HGET", queue_->keys().Job(id), "attempts"});
    int64_t n = 0;
    return attempts.ok() && absl::SimpleAtoi(attempts->str, &n) ? n : 0;
  }

  // True once the delivery `id` was sent and failed `attempts` times, and is queued again.
  bool WaitForAttempts(const std::string& id, int64_t attempts) {
    return Eventually([&] { return Attempts(id) == attempts && DueAt(id) > clock_.Now(); },
                      absl::Seconds(10));
  }

  static v1::Channel Webhook(v1::WebhookChannel::Format format, const std::string& url,
                             const std::string& secret = "") {
    v1::Channel channel;
    channel.mutable_webhook()->set_format(format);
    channel.mutable_webhook()->set_url(url);
    channel.mutable_webhook()->set_secret(secret);
    return channel;
  }

  v1::Subscription Subscribe(const std::string& query, std::vector<v1::Channel> channels) {
    v1::Subscription sub;
    sub.set_query(query);
    for (auto& channel : channels) *sub.add_channels() = std::move(channel);
    auto created = subs_->Create(sub);
    EXPECT_THAT(created.status(), IsOk());
    return created.ok() ? *created : v1::Subscription{};
  }

  // Publishes an event and lets the consumer store its alerts and queue its deliveries.
  void PublishAndConsume(const std::string& id, const std::string& title) {
    v1::Event event;
    event.set_id(id);
    event.set_title(title);
    event.set_body(title);
    event.set_url("https://news.example/" + id);
    event.set_relevance(0.9);
    ASSERT_THAT(publisher_->Publish(event).status(), IsOk());
    ASSERT_THAT(consumer_->DrainOnce().status(), IsOk());
  }

  bool WaitForEmptyQueue(absl::Duration timeout) {
    return Eventually(
        [&] {
          auto size = queue_->Size();
          return size.ok() && *size == 0;
        },
        timeout);
  }

  // The sink sees a request before its worker settles and counts it: wait for the count.
  static bool WaitForDelivered(const std::function<int64_t()>& delivered, int64_t expected) {
    return Eventually([&] { return delivered() >= expected; }, absl::Seconds(5)) &&
           delivered() == expected;
  }

  std::vector<v1::DeadLetter> DeadLetters() {
    auto dead = queue_->ListDeadLetters("", "", 100);
    EXPECT_THAT(dead.status(), IsOk());
    return dead.ok() ? *dead : std::vector<v1::DeadLetter>{};
  }

  std::string prefix_;
  std::unique_ptr<SubscriptionStore> subs_;
  std::unique_ptr<AlertStore> alerts_;
  std::unique_ptr<SubscriptionCache> cache_;
  std::unique_ptr<collector::EventPublisher> publisher_;
  std::unique_ptr<EventConsumer> consumer_;
  std::unique_ptr<DeliveryQueue> queue_;
  std::unique_ptr<HttpSink> sink_;
  std::vector<std::unique_ptr<DeliveryWorker>> workers_;
  ConsumerOptions consumer_options_;
  FakeClock clock_;  // starts at an hour boundary (FakeClock's default start)
  bool fake_clock_ = false;
};

TEST_F(DeliveryTest, EachChannelGetsTheAlertOnceWithTheExactPayload) {
  v1::Subscription sub =
      Subscribe("\"arms control\" Putin",
                {Webhook(v1::WebhookChannel::SLACK, sink_->Url("/slack")),
                 Webhook(v1::WebhookChannel::GENERIC_JSON, sink_->Url("/hook"), "k3y")});
  PublishAndConsume("ev_1", "Putin and Trump discuss arms control in Anchorage");
  StartWorker();
  ASSERT_TRUE(sink_->WaitForRequests("/slack", 1, absl::Seconds(10)));
  ASSERT_TRUE(sink_->WaitForRequests("/hook", 1, absl::Seconds(10)));
  ASSERT_TRUE(WaitForEmptyQueue(absl::Seconds(5)));

  // The Slack body is exactly what the payload builder makes of the stored alert.
  auto stored = alerts_->ReadAfter(sub.id(), "0", 10);
  ASSERT_THAT(stored.status(), IsOk());
  ASSERT_THAT(*stored, SizeIs(1));
  std::string delivery_id = DeliveryId("ev_1", sub.id(), sub.channels(0).webhook());
  auto expected =
      BuildWebhookRequest((*stored)[0], sub.channels(0).webhook(), delivery_id, absl::Now());
  ASSERT_THAT(expected.status(), IsOk());
  HttpSink::Request slack = sink_->Requests("/slack")[0];
  EXPECT_EQ(slack.body, expected->body);
  EXPECT_EQ(slack.headers["X-Summit-Delivery-Id"], delivery_id);

  // The generic body is signed over its raw bytes.
  HttpSink::Request hook = sink_->Requests("/hook")[0];
  std::string signature = hook.headers["X-Summit-Signature"];
  std::string timestamp = signature.substr(2, signature.find(',') - 2);
  EXPECT_EQ(signature,
            SignWebhookBody("k3y", hook.body, absl::FromUnixSeconds(std::stoll(timestamp))));
  EXPECT_EQ(nlohmann::json::parse(hook.body)["alert"]["event"]["id"], "ev_1");

  // The same event again (a redelivery) queues nothing: no second message.
  PublishAndConsume("ev_1", "Putin and Trump discuss arms control in Anchorage");
  PublishAndConsume("ev_2", "Putin speaks on arms control again");  // a barrier
  ASSERT_TRUE(sink_->WaitForRequests("/slack", 2, absl::Seconds(10)));
  ASSERT_TRUE(WaitForEmptyQueue(absl::Seconds(5)));
  EXPECT_THAT(sink_->Requests("/slack"), SizeIs(2));
  EXPECT_THAT(sink_->Requests("/hook"), SizeIs(2));
  EXPECT_TRUE(WaitForDelivered([&] { return workers_[0]->stats().delivered; }, 4));
}

TEST_F(DeliveryTest, A429IsRetriedNoSoonerThanRetryAfter) {
  UseFakeClock();
  sink_->Script(
      "/slack",
      {{.status = 429, .headers = {{"Retry-After", "1"}}, .body = "rate_limited", .delay = {}}});
  v1::Subscription sub =
      Subscribe("Putin", {Webhook(v1::WebhookChannel::SLACK, sink_->Url("/slack"))});
  PublishAndConsume("ev_1", "Putin arrives");
  const std::string id = DeliveryId("ev_1", sub.id(), sub.channels(0).webhook());
  EXPECT_EQ(DueAt(id), clock_.Now()) << "queued due at once, on the alert store's clock";
  StartWorker();
  ASSERT_TRUE(WaitForAttempts(id, 1));
  EXPECT_EQ(DueAt(id), clock_.Now() + absl::Seconds(1)) << "due exactly Retry-After later";
  EXPECT_THAT(sink_->Requests("/slack"), SizeIs(1));
  clock_.Advance(absl::Seconds(1));
  ASSERT_TRUE(sink_->WaitForRequests("/slack", 2, absl::Seconds(10)));
  auto requests = sink_->Requests("/slack");
  EXPECT_EQ(requests[0].status, 429);
  EXPECT_EQ(requests[1].status, 200);
  EXPECT_EQ(requests[0].body, requests[1].body);
  ASSERT_TRUE(WaitForEmptyQueue(absl::Seconds(5)));
  EXPECT_TRUE(DeadLetters().empty());
}

TEST_F(DeliveryTest, TelegramsRetryAfterInTheBodyIsHonoured) {
  v1::Channel telegram;
  telegram.mutable_webhook()->set_format(v1::WebhookChannel::TELEGRAM);
  telegram.mutable_webhook()->set_url(sink_->Url(""));
  telegram.mutable_webhook()->set_secret("123:abc");
  telegram.mutable_webhook()->set_chat_id("@summit");
  sink_->Script(
      "/bot123:abc/sendMessage",
      {{.status = 429,
        .headers = {},
        .body = R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1",)"
                R"("parameters":{"retry_after":1}})",
        .delay = {}}});
  UseFakeClock();
  v1::Subscription sub = Subscribe("Putin", {telegram});
  PublishAndConsume("ev_1", "Putin <b>arrives</b> & waves");
  const std::string id = DeliveryId("ev_1", sub.id(), sub.channels(0).webhook());
  StartWorker();
  ASSERT_TRUE(WaitForAttempts(id, 1));
  EXPECT_EQ(DueAt(id), clock_.Now() + absl::Seconds(1)) << "due exactly retry_after later";
  clock_.Advance(absl::Seconds(1));
  ASSERT_TRUE(sink_->WaitForRequests("/bot123:abc/sendMessage", 2, absl::Seconds(10)));
  auto requests = sink_->Requests("/bot123:abc/sendMessage");
  auto body = nlohmann::json::parse(requests[1].body);
  EXPECT_EQ(body["chat_id"], "@summit");
  EXPECT_THAT(body["text"].get<std::string>(),
              HasSubstr("<b>Putin &lt;b&gt;arrives&lt;/b&gt; &amp; waves</b>"));
}

TEST_F(DeliveryTest, ServerErrorsAreRetriedThenDeadLetteredAndCanBeReplayed) {
  std::vector<HttpSink::Reply> failures(
      3, HttpSink::Reply{.status = 500, .headers = {}, .body = "boom", .delay = {}});
  sink_->Script("/hook", failures);
  UseFakeClock();
  v1::Subscription sub =
      Subscribe("Putin", {Webhook(v1::WebhookChannel::GENERIC_JSON, sink_->Url("/hook"))});
  PublishAndConsume("ev_1", "Putin arrives");
  const std::string id = DeliveryId("ev_1", sub.id(), sub.channels(0).webhook());
  StartWorker();
  for (int failed = 1; failed < 3; ++failed) {
    ASSERT_TRUE(WaitForAttempts(id, failed));
    EXPECT_THAT(sink_->Requests("/hook"), SizeIs(failed));
    // Backoff: attempt 2 waits 100..200 ms, attempt 3 200..400 ms (initial 200 ms, jitter).
    const absl::Duration wait = *DueAt(id) - clock_.Now();
    EXPECT_GE(wait, absl::Milliseconds(100 * failed)) << "before attempt " << failed + 1;
    EXPECT_LE(wait, absl::Milliseconds(200 * failed)) << "before attempt " << failed + 1;
    clock_.Advance(wait);
  }
  ASSERT_TRUE(sink_->WaitForRequests("/hook", 3, absl::Seconds(10)));
  ASSERT_TRUE(WaitForEmptyQueue(absl::Seconds(5)));

  std::vector<v1::DeadLetter> dead = DeadLetters();
  ASSERT_THAT(dead, SizeIs(1));
  EXPECT_EQ(dead[0].attempts(), 3);
  EXPECT_EQ(dead[0].error(), "HTTP 500: boom (gave up after 3 attempts)");
  EXPECT_EQ(dead[0].alert().subscription_id(), sub.id());
  EXPECT_EQ(dead[0].alert().event().id(), "ev_1");
  EXPECT_EQ(dead[0].channel().url(), sink_->Url("/…"));  // redacted
  EXPECT_THAT(queue_->ListDeadLetters("sub_other", "", 100).value(), SizeIs(0));

  // The receiver is fixed; replaying delivers once and empties the dead letters.
  auto replayed = queue_->Replay(dead[0].id(), clock_.Now());
  ASSERT_THAT(replayed.status(), IsOk());
  EXPECT_EQ(*replayed, dead[0].delivery_id());
  ASSERT_TRUE(sink_->WaitForRequests("/hook", 4, absl::Seconds(10)));
  ASSERT_TRUE(WaitForEmptyQueue(absl::Seconds(5)));
  EXPECT_EQ(sink_->Requests("/hook")[3].status, 200);
  EXPECT_TRUE(DeadLetters().empty());
  EXPECT_EQ(queue_->Replay(dead[0].id(), clock_.Now()).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(DeliveryTest, AClientErrorIsPermanentAtOnce) {
  sink_->Script("/discord", {{.status = 404,
                              .headers = {},
                              .body = R"({"message": "Unknown Webhook", "code": 10015})",
                              .delay = {}}});
  Subscribe("Putin", {Webhook(v1::WebhookChannel::DISCORD, sink_->Url("/discord"))});
  PublishAndConsume("ev_1", "Putin arrives");
  StartWorker();
  ASSERT_TRUE(sink_->WaitForRequests("/discord", 1, absl::Seconds(10)));
  ASSERT_TRUE(WaitForEmptyQueue(absl::Seconds(5)));
  std::vector<v1::DeadLetter> dead = DeadLetters();
  ASSERT_THAT(dead, SizeIs(1));
  EXPECT_EQ(dead[0].attempts(), 1);
  EXPECT_THAT(dead[0].error(), HasSubstr("HTTP 404: {\"message\": \"Unknown Webhook\""));
  EXPECT_THAT(sink_->Requests("/discord"), SizeIs(1));
}

TEST_F(DeliveryTest, AClosedPortIsRetriedThenDeadLettered) {
  // A free port: nothing listens there.
  std::string url = "http://127.0.0.1:" + std::to_string(testing::FreeLoopbackPort()) + "/hook";
  Subscribe("Putin", {Webhook(v1::WebhookChannel::MATTERMOST, url)});
  PublishAndConsume("ev_1", "Putin arrives");
  DeliveryWorker& worker = StartWorker();
  ASSERT_TRUE(WaitForEmptyQueue(absl::Seconds(15)));
  std::vector<v1::DeadLetter> dead = DeadLetters();
  ASSERT_THAT(dead, SizeIs(1));
  EXPECT_EQ(dead[0].attempts(), 3);
  EXPECT_THAT(dead[0].error(),
              HasSubstr("failed: Couldn't connect to server (gave up after 3 attempts)"));
  EXPECT_EQ(worker.stats().retried, 2);
}

TEST_F(DeliveryTest, PrivateAddressesAreRefusedUnlessAllowed) {
  Subscribe("Putin", {Webhook(v1::WebhookChannel::SLACK, sink_->Url("/slack"))});
  PublishAndConsume("ev_1", "Putin arrives");
  DeliveryWorkerOptions options = FastOptions();
  options.http.allow_private_addresses = false;
  StartWorker(options);
  ASSERT_TRUE(WaitForEmptyQueue(absl::Seconds(10)));
  std::vector<v1::DeadLetter> dead = DeadLetters();
  ASSERT_THAT(dead, SizeIs(1));
  EXPECT_THAT(dead[0].error(), HasSubstr("refused to connect to 127.0.0.1"));
  EXPECT_TRUE(sink_->Requests().empty());
}

TEST_F(DeliveryTest, ASlowWebhookDoesNotStallOtherChannels) {
  // The slow endpoint holds each request past the 1 s timeout.
  std::vector<HttpSink::Reply> slow(
      3, HttpSink::Reply{.status = 200, .headers = {}, .body = "ok", .delay = absl::Seconds(3)});
  sink_->Script("/slow", slow);
  Subscribe("Putin", {Webhook(v1::WebhookChannel::SLACK, sink_->Url("/slow"))});
  PublishAndConsume("ev_1", "Putin arrives");
  StartWorker();
  Eventually([&] { return sink_->InFlight() > 0; }, absl::Seconds(5));
  ASSERT_EQ(sink_->InFlight(), 1) << "the slow endpoint should be holding a request";

  Subscribe("Lavrov", {Webhook(v1::WebhookChannel::SLACK, sink_->Url("/fast"))});
  PublishAndConsume("ev_2", "Lavrov arrives");
  ASSERT_TRUE(sink_->WaitForRequests("/fast", 1, absl::Seconds(10)));
  // Delivered while the slow endpoint was still stuck on its first request.
  EXPECT_TRUE(sink_->Requests("/slow").empty()) << "the slow request had not been answered yet";
}

TEST_F(DeliveryTest, AChannelsRateLimitSpacesItsMessagesWithoutUsingAttempts) {
  UseFakeClock();
  Subscribe("Putin", {Webhook(v1::WebhookChannel::SLACK, sink_->Url("/paced"))});
  for (int i = 0; i < 5; ++i)
    PublishAndConsume("ev_" + std::to_string(i), "Putin statement " + std::to_string(i));
  DeliveryWorkerOptions options = FastOptions();
  options.slack = {.per_second = 4, .burst = 2};  // two at once, then one per 250 ms
  // One worker thread: a second would find the channel busy and defer its message by
  // busy_channel_delay, which on a stopped clock passes only when the test moves it.
  options.workers = 1;
  DeliveryWorker& worker = StartWorker(options);
  // Time stands still: the burst goes out, the other three wait for tokens.
  ASSERT_TRUE(sink_->WaitForRequests("/paced", 2, absl::Seconds(10)));
  ASSERT_TRUE(Eventually([&] { return worker.stats().deferred >= 3; }, absl::Seconds(10)));
  EXPECT_THAT(sink_->Requests("/paced"), SizeIs(2));
  // Each 250 ms adds one token: one more message, never more (the bucket refills on the
  // clock alone, so a third message in a step would be a real over-send).
  for (int sent = 3; sent <= 5; ++sent) {
    clock_.Advance(absl::Milliseconds(250));
    ASSERT_TRUE(sink_->WaitForRequests("/paced", sent, absl::Seconds(10)));
    EXPECT_THAT(sink_->Requests("/paced"), SizeIs(sent));
  }
  ASSERT_TRUE(WaitForEmptyQueue(absl::Seconds(5)));
  EXPECT_THAT(sink_->Requests("/paced"), SizeIs(5));
  EXPECT_EQ(worker.stats().retried, 0) << "waiting for the rate limit is not a failed attempt";
  EXPECT_TRUE(WaitForDelivered([&] { return worker.stats().delivered; }, 5));
  EXPECT_TRUE(DeadLetters().empty());
}

TEST_F(DeliveryTest, DeliveriesOfADeletedSubscriptionAreDropped) {
  v1::Subscription sub =
      Subscribe("Putin", {Webhook(v1::WebhookChannel::SLACK, sink_->Url("/slack"))});
  PublishAndConsume("ev_1", "Putin arrives");
  EXPECT_EQ(queue_->Size().value(), 1);
  ASSERT_THAT(subs_->Delete(sub.id()), IsOk());
  DeliveryWorker& worker = StartWorker();
  ASSERT_TRUE(WaitForEmptyQueue(absl::Seconds(10)));
  EXPECT_TRUE(Eventually([&] { return worker.stats().cancelled == 1; }, absl::Seconds(5)));
  EXPECT_TRUE(sink_->Requests().empty());
  EXPECT_TRUE(DeadLetters().empty());
}

TEST_F(DeliveryTest, ADeadWorkersLeaseExpiresAndAnotherWorkerDeliversOnce) {
  UseFakeClock();
  queue_ = std::make_unique<DeliveryQueue>(
      client(), DeliveryQueueOptions{.key_prefix = prefix_, .lease = absl::Milliseconds(500)});
  v1::Subscription sub =
      Subscribe("Putin", {Webhook(v1::WebhookChannel::SLACK, sink_->Url("/slack"))});
  PublishAndConsume("ev_1", "Putin arrives");
  // A worker claims the delivery and dies before sending.
  auto claimed = queue_->Claim(10, clock_.Now());
  ASSERT_THAT(claimed.status(), IsOk());
  ASSERT_THAT(*claimed, SizeIs(1));
  StartWorker();
  // Leased: due again only when the lease ends; until then no worker may take it.
  const std::string id = DeliveryId("ev_1", sub.id(), sub.channels(0).webhook());
  EXPECT_EQ(DueAt(id), clock_.Now() + absl::Milliseconds(500));
  EXPECT_THAT(queue_->Claim(10, clock_.Now() + absl::Milliseconds(499)).value(), IsEmpty());
  clock_.Advance(absl::Milliseconds(500));
  ASSERT_TRUE(sink_->WaitForRequests("/slack", 1, absl::Seconds(10)));
  ASSERT_TRUE(WaitForEmptyQueue(absl::Seconds(5)));
  // The dead worker's lease is gone: it cannot settle (or re-queue) what was delivered.
  EXPECT_EQ(queue_->MarkDelivered((*claimed)[0], clock_.Now()).value(), false);
  EXPECT_EQ(queue_->Retry((*claimed)[0], clock_.Now(), "late").value(), false);
  EXPECT_EQ(queue_->Size().value(), 0);
  StopWorkers();
  EXPECT_THAT(sink_->Requests("/slack"), SizeIs(1));
}

TEST_F(DeliveryTest, TwoReplicasDeliverEveryAlertExactlyOnce) {
  Subscribe("Putin", {Webhook(v1::WebhookChannel::GENERIC_JSON, sink_->Url("/a"))});
  Subscribe("Putin OR Lavrov", {Webhook(v1::WebhookChannel::GENERIC_JSON, sink_->Url("/b"))});
  constexpr int kEvents = 30;
  for (int i = 0; i < kEvents; ++i)
    PublishAndConsume("ev_" + std::to_string(i), "Putin meets Lavrov");
  DeliveryWorker& first = StartWorker();
  DeliveryWorker& second = StartWorker();
  ASSERT_TRUE(sink_->WaitForRequests("", 2 * kEvents, absl::Seconds(30)));
  ASSERT_TRUE(WaitForEmptyQueue(absl::Seconds(5)));
  StopWorkers();  // every request sent is in the sink now
  std::map<std::string, int> per_delivery;
  for (auto& request : sink_->Requests()) ++per_delivery[request.headers["X-Summit-Delivery-Id"]];
  EXPECT_EQ(per_delivery.size(), 2u * kEvents);
  for (const auto& [id, count] : per_delivery) EXPECT_EQ(count, 1) << id;
  EXPECT_TRUE(WaitForDelivered([&] { return first.stats().delivered + second.stats().delivered; },
                               2 * kEvents));
}

v1::Subscription SubscriptionWithPolicy(SubscriptionStore& store, const std::string& url,
                                        v1::DeliveryPolicy policy) {
  v1::Subscription sub;
  sub.set_query("Putin");
  auto* webhook = sub.add_channels()->mutable_webhook();
  webhook->set_format(v1::WebhookChannel::SLACK);
  webhook->set_url(url);
  *sub.mutable_delivery() = policy;
  auto created = store.Create(sub);
  EXPECT_THAT(created.status(), IsOk());
  return created.ok() ? *created : v1::Subscription{};
}

TEST_F(DeliveryTest, ADigestSendsTheWindowsAlertsAsOneMessage) {
  UseFakeClock();
  v1::DeliveryPolicy policy;
  policy.set_digest_minutes(60);
  v1::Subscription sub = SubscriptionWithPolicy(*subs_, sink_->Url("/digest"), policy);
  for (int i = 0; i < 3; ++i)
    PublishAndConsume("ev_" + std::to_string(i), "Putin statement " + std::to_string(i));
  EXPECT_EQ(queue_->Size().value(), 1) << "one digest job, not three deliveries";
  // The clock starts on an hour boundary: the hourly window ends an hour later.
  const absl::Time window_end = clock_.Now() + absl::Hours(1);
  EXPECT_EQ(DueAt(DigestJobId(sub.id(), sub.channels(0).webhook())), window_end);
  StartWorker();
  clock_.Set(window_end - absl::Milliseconds(1));
  EXPECT_THAT(queue_->Claim(10, clock_.Now()).value(), IsEmpty())
      << "nothing before the digest time";
  clock_.Set(window_end);
  ASSERT_TRUE(sink_->WaitForRequests("/digest", 1, absl::Seconds(10)));
  ASSERT_TRUE(WaitForEmptyQueue(absl::Seconds(5)));
  auto requests = sink_->Requests("/digest");
  ASSERT_THAT(requests, SizeIs(1));
  std::string text = nlohmann::json::parse(requests[0].body)["text"];
  EXPECT_THAT(text, ::testing::StartsWith(
                        "*3 new alerts*\n• <https://news.example/ev_0|Putin statement 0>"));
  EXPECT_THAT(text, HasSubstr("|Putin statement 2> — 'Putin' in title, body"));
  EXPECT_EQ(
      client()
          .Command(
              {"EXISTS",
               prefix_ + "digest:" + subs_->List("", 0, "")->subscriptions.at(0).id() + ":" +
                   ChannelKey(subs_->List("", 0, "")->subscriptions.at(0).channels(0).webhook())})
          ->integer,
      0);
}

TEST_F(DeliveryTest, AlertsOverTheHourlyThrottleWaitForTheHourlyDigest) {
  UseFakeClock();
  v1::DeliveryPolicy policy;
  policy.set_max_per_hour(2);
  v1::Subscription sub = SubscriptionWithPolicy(*subs_, sink_->Url("/throttled"), policy);
  for (int i = 0; i < 5; ++i)
    PublishAndConsume("ev_" + std::to_string(i), "Putin statement " + std::to_string(i));
  DeliveryWorkerOptions options = FastOptions();
  // One worker thread: a second thread would find the channel busy and defer its message by
  // busy_channel_delay, which on a stopped clock never passes.
  options.workers = 1;
  StartWorker(options);
  ASSERT_TRUE(sink_->WaitForRequests("/throttled", 2, absl::Seconds(10)));
  // What is left is the overflow's digest job, due when the clock hour ends (the clock
  // starts on an hour boundary), so nothing else can be sent this hour.
  ASSERT_TRUE(Eventually([&] { return queue_->Size().value_or(-1) == 1; }, absl::Seconds(10)));
  const absl::Time hour_end = clock_.Now() + absl::Hours(1);
  EXPECT_EQ(DueAt(DigestJobId(sub.id(), sub.channels(0).webhook())), hour_end);
  ASSERT_THAT(sink_->Requests("/throttled"), SizeIs(2)) << "two single messages this hour";

  clock_.Set(hour_end);
  ASSERT_TRUE(sink_->WaitForRequests("/throttled", 3, absl::Seconds(10)));
  ASSERT_TRUE(WaitForEmptyQueue(absl::Seconds(5)));
  auto requests = sink_->Requests("/throttled");
  ASSERT_THAT(requests, SizeIs(3));
  std::string text = nlohmann::json::parse(requests[2].body)["text"];
  EXPECT_THAT(text, ::testing::StartsWith("*3 new alerts*"));
  for (int i = 2; i < 5; ++i) EXPECT_THAT(text, HasSubstr("Putin statement " + std::to_string(i)));
}

TEST_F(DeliveryTest, AFailedDigestBecomesOneReplayableDeadLetterPerAlert) {
  UseFakeClock();
  sink_->Script("/gone", {{.status = 404, .headers = {}, .body = "no_service", .delay = {}}});
  v1::DeliveryPolicy policy;
  policy.set_digest_minutes(5);
  v1::Subscription sub = SubscriptionWithPolicy(*subs_, sink_->Url("/gone"), policy);
  for (int i = 0; i < 3; ++i)
    PublishAndConsume("ev_" + std::to_string(i), "Putin statement " + std::to_string(i));
  clock_.Advance(absl::Minutes(5));  // the 5-minute window ends
  StartWorker();
  ASSERT_TRUE(sink_->WaitForRequests("/gone", 1, absl::Seconds(10)));
  ASSERT_TRUE(WaitForEmptyQueue(absl::Seconds(5)));
  std::vector<v1::DeadLetter> dead = DeadLetters();
  ASSERT_THAT(dead, SizeIs(3));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(dead[i].alert().event().id(), "ev_" + std::to_string(i));
    EXPECT_EQ(dead[i].delivery_id(),
              DeliveryId("ev_" + std::to_string(i), sub.id(), sub.channels(0).webhook()));
    EXPECT_EQ(dead[i].error(), "HTTP 404: no_service");
  }
  // Each comes back alone, as a single message.
  ASSERT_THAT(queue_->Replay(dead[1].id(), clock_.Now()).status(), IsOk());
  ASSERT_TRUE(sink_->WaitForRequests("/gone", 2, absl::Seconds(10)));
  std::string text =
      nlohmann::json::parse(sink_->Requests("/gone")[1].body)["blocks"][0]["text"]["text"];
  EXPECT_EQ(text, "Putin statement 1");
}

}  // namespace
}  // namespace sa::notifier
