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
#include "tests/support/http_sink.h"
#include "tests/support/redis_server.h"
#include "tests/support/shared_redis_test.h"
#include "tests/support/status_matchers.h"

namespace sa::notifier {
namespace {

using ::sa::testing::Eventually;
using ::sa::testing::HttpSink;
using ::sa::testing::IsOk;
using ::testing::HasSubstr;
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
    ConsumerOptions consumer;
    consumer.stream = prefix_ + "events";
    consumer.consumer = "c1";
    consumer_ = std::make_unique<EventConsumer>(client(), *cache_, *alerts_, consumer);
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

  DeliveryWorker& StartWorker(DeliveryWorkerOptions options = FastOptions(),
                              const Clock& clock = Clock::Real()) {
    workers_.push_back(std::make_unique<DeliveryWorker>(client(), *queue_, *subs_, options, clock));
    workers_.back()->Start();
    return *workers_.back();
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
    return Eventually([&] {
      auto size = queue_->Size();
      return size.ok() && *size == 0;
    }, timeout);
  }

  // The sink sees a request before its worker settles and counts it: wait for the count.
  static bool WaitForDelivered(const std::function<int64_t()>& delivered, int64_t expected) {
    return Eventually([&] { return delivered() >= expected; }, absl::Seconds(5)) && delivered() == expected;
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
};

TEST_F(DeliveryTest, EachChannelGetsTheAlertOnceWithTheExactPayload) {
  v1::Subscription sub = Subscribe("\"arms control\" Putin",
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
  auto expected = BuildWebhookRequest((*stored)[0], sub.channels(0).webhook(), delivery_id, absl::Now());
  ASSERT_THAT(expected.status(), IsOk());
  HttpSink::Request slack = sink_->Requests("/slack")[0];
  EXPECT_EQ(slack.body, expected->body);
  EXPECT_EQ(slack.headers["X-Summit-Delivery-Id"], delivery_id);

  // The generic body is signed over its raw bytes.
  HttpSink::Request hook = sink_->Requests("/hook")[0];
  std::string signature = hook.headers["X-Summit-Signature"];
  std::string timestamp = signature.substr(2, signature.find(',') - 2);
  EXPECT_EQ(signature, SignWebhookBody("k3y", hook.body, absl::FromUnixSeconds(std::stoll(timestamp))));
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
  sink_->Script("/slack", {{.status = 429, .headers = {{"Retry-After", "1"}}, .body = "rate_limited", .delay = {}}});
  Subscribe("Putin", {Webhook(v1::WebhookChannel::SLACK, sink_->Url("/slack"))});
  PublishAndConsume("ev_1", "Putin arrives");
  StartWorker();
  ASSERT_TRUE(sink_->WaitForRequests("/slack", 2, absl::Seconds(10)));
  auto requests = sink_->Requests("/slack");
  EXPECT_EQ(requests[0].status, 429);
  EXPECT_EQ(requests[1].status, 200);
  absl::Duration gap = requests[1].received - requests[0].received;
  EXPECT_GE(gap, absl::Seconds(1));
  EXPECT_LE(gap, absl::Seconds(4)) << "retry-after 1 s plus at most an idle poll and scheduling";
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
  sink_->Script("/bot123:abc/sendMessage",
                {{.status = 429,
                  .headers = {},
                  .body = R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1",)"
                          R"("parameters":{"retry_after":1}})",
                  .delay = {}}});
  Subscribe("Putin", {telegram});
  PublishAndConsume("ev_1", "Putin <b>arrives</b> & waves");
  StartWorker();
  ASSERT_TRUE(sink_->WaitForRequests("/bot123:abc/sendMessage", 2, absl::Seconds(10)));
  auto requests = sink_->Requests("/bot123:abc/sendMessage");
  EXPECT_GE(requests[1].received - requests[0].received, absl::Seconds(1));
  auto body = nlohmann::json::parse(requests[1].body);
  EXPECT_EQ(body["chat_id"], "@summit");
  EXPECT_THAT(body["text"].get<std::string>(), HasSubstr("<b>Putin &lt;b&gt;arrives&lt;/b&gt; &amp; waves</b>"));
}

TEST_F(DeliveryTest, ServerErrorsAreRetriedThenDeadLetteredAndCanBeReplayed) {
  std::vector<HttpSink::Reply> failures(3, HttpSink::Reply{.status = 500, .headers = {}, .body = "boom", .delay = {}});
  sink_->Script("/hook", failures);
  v1::Subscription sub = Subscribe("Putin", {Webhook(v1::WebhookChannel::GENERIC_JSON, sink_->Url("/hook"))});
  PublishAndConsume("ev_1", "Putin arrives");
  StartWorker();
  ASSERT_TRUE(sink_->WaitForRequests("/hook", 3, absl::Seconds(15)));
  ASSERT_TRUE(WaitForEmptyQueue(absl::Seconds(5)));
  auto requests = sink_->Requests("/hook");
  // Backoff: attempt 2 waits 100..200 ms, attempt 3 200..400 ms (initial 200 ms, jitter).
  EXPECT_GE(requests[1].received - requests[0].received, absl::Milliseconds(100));
  EXPECT_GE(requests[2].received - requests[1].received, absl::Milliseconds(200));

  std::vector<v1::DeadLetter> dead = DeadLetters();
  ASSERT_THAT(dead, SizeIs(1));
  EXPECT_EQ(dead[0].attempts(), 3);
  EXPECT_EQ(dead[0].error(), "HTTP 500: boom (gave up after 3 attempts)");
  EXPECT_EQ(dead[0].alert().subscription_id(), sub.id());
  EXPECT_EQ(dead[0].alert().event().id(), "ev_1");
  EXPECT_EQ(dead[0].channel().url(), sink_->Url("/…"));  // redacted
  EXPECT_THAT(queue_->ListDeadLetters("sub_other", "", 100).value(), SizeIs(0));

  // The receiver is fixed; replaying delivers once and empties the dead letters.
  auto replayed = queue_->Replay(dead[0].id(), absl::Now());
  ASSERT_THAT(replayed.status(), IsOk());
  EXPECT_EQ(*replayed, dead[0].delivery_id());
  ASSERT_TRUE(sink_->WaitForRequests("/hook", 4, absl::Seconds(10)));
  ASSERT_TRUE(WaitForEmptyQueue(absl::Seconds(5)));
  EXPECT_EQ(sink_->Requests("/hook")[3].status, 200);
  EXPECT_TRUE(DeadLetters().empty());
  EXPECT_EQ(queue_->Replay(dead[0].id(), absl::Now()).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(DeliveryTest, AClientErrorIsPermanentAtOnce) {
  sink_->Script("/discord", {{.status = 404, .headers = {}, .body = R"({"message": "Unknown Webhook", "code": 10015})", .delay = {}}});
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
  EXPECT_THAT(dead[0].error(), HasSubstr("failed: Couldn't connect to server (gave up after 3 attempts)"));
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
  std::vector<HttpSink::Reply> slow(3, HttpSink::Reply{.status = 200, .headers = {}, .body = "ok", .delay = absl::Seconds(3)});
  sink_->Script("/slow", slow);
  Subscribe("Putin", {Webhook(v1::WebhookChannel::SLACK, sink_->Url("/slow"))});
  PublishAndConsume("ev_1", "Putin arrives");
  StartWorker();
  for (int i = 0; i < 250 && sink_->InFlight() == 0; ++i) absl::SleepFor(absl::Milliseconds(20));
  ASSERT_EQ(sink_->InFlight(), 1) << "the slow endpoint should be holding a request";

  Subscribe("Lavrov", {Webhook(v1::WebhookChannel::SLACK, sink_->Url("/fast"))});
  PublishAndConsume("ev_2", "Lavrov arrives");
  ASSERT_TRUE(sink_->WaitForRequests("/fast", 1, absl::Seconds(10)));
  // Delivered while the slow endpoint was still stuck on its first request.
  EXPECT_TRUE(sink_->Requests("/slow").empty()) << "the slow request had not been answered yet";
}

TEST_F(DeliveryTest, AChannelsRateLimitSpacesItsMessagesWithoutUsingAttempts) {
  Subscribe("Putin", {Webhook(v1::WebhookChannel::SLACK, sink_->Url("/paced"))});
  for (int i = 0; i < 5; ++i) PublishAndConsume("ev_" + std::to_string(i), "Putin statement " + std::to_string(i));
  DeliveryWorkerOptions options = FastOptions();
  options.slack = {.per_second = 4, .burst = 2};  // two at once, then one per 250 ms
  DeliveryWorker& worker = StartWorker(options);
  ASSERT_TRUE(sink_->WaitForRequests("/paced", 5, absl::Seconds(15)));
  ASSERT_TRUE(WaitForEmptyQueue(absl::Seconds(5)));
  auto requests = sink_->Requests("/paced");
  // The burst, then one token per 250 ms: the last is sent >= 750 ms after the first was.
  // Arrival times add transit jitter (large on a loaded machine), so the bound keeps a wide
  // margin; unpaced, all five arrive within a few milliseconds.
  EXPECT_GE(requests[4].received - requests[0].received, absl::Milliseconds(500));
  EXPECT_GT(worker.stats().deferred, 0);
  EXPECT_EQ(worker.stats().retried, 0) << "waiting for the rate limit is not a failed attempt";
  EXPECT_TRUE(WaitForDelivered([&] { return worker.stats().delivered; }, 5));
  EXPECT_TRUE(DeadLetters().empty());
}

TEST_F(DeliveryTest, DeliveriesOfADeletedSubscriptionAreDropped) {
  v1::Subscription sub = Subscribe("Putin", {Webhook(v1::WebhookChannel::SLACK, sink_->Url("/slack"))});
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
  queue_ = std::make_unique<DeliveryQueue>(
      client(), DeliveryQueueOptions{.key_prefix = prefix_, .lease = absl::Milliseconds(500)});
  Subscribe("Putin", {Webhook(v1::WebhookChannel::SLACK, sink_->Url("/slack"))});
  PublishAndConsume("ev_1", "Putin arrives");
  // A worker claims the delivery and dies before sending.
  auto claimed = queue_->Claim(10, absl::Now());
  ASSERT_THAT(claimed.status(), IsOk());
  ASSERT_THAT(*claimed, SizeIs(1));
  StartWorker();
  ASSERT_TRUE(sink_->WaitForRequests("/slack", 1, absl::Seconds(10)));
  ASSERT_TRUE(WaitForEmptyQueue(absl::Seconds(5)));
  // The dead worker's lease is gone: it cannot settle (or re-queue) what was delivered.
  EXPECT_EQ(queue_->MarkDelivered((*claimed)[0], absl::Now()).value(), false);
  EXPECT_EQ(queue_->Retry((*claimed)[0], absl::Now(), "late").value(), false);
  EXPECT_EQ(queue_->Size().value(), 0);
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_THAT(sink_->Requests("/slack"), SizeIs(1));
}

TEST_F(DeliveryTest, TwoReplicasDeliverEveryAlertExactlyOnce) {
  Subscribe("Putin", {Webhook(v1::WebhookChannel::GENERIC_JSON, sink_->Url("/a"))});
  Subscribe("Putin OR Lavrov", {Webhook(v1::WebhookChannel::GENERIC_JSON, sink_->Url("/b"))});
  constexpr int kEvents = 30;
  for (int i = 0; i < kEvents; ++i) PublishAndConsume("ev_" + std::to_string(i), "Putin meets Lavrov");
  DeliveryWorker& first = StartWorker();
  DeliveryWorker& second = StartWorker();
  ASSERT_TRUE(sink_->WaitForRequests("", 2 * kEvents, absl::Seconds(30)));
  ASSERT_TRUE(WaitForEmptyQueue(absl::Seconds(5)));
  absl::SleepFor(absl::Milliseconds(300));
  std::map<std::string, int> per_delivery;
  for (auto& request : sink_->Requests()) ++per_delivery[request.headers["X-Summit-Delivery-Id"]];
  EXPECT_EQ(per_delivery.size(), 2u * kEvents);
  for (const auto& [id, count] : per_delivery) EXPECT_EQ(count, 1) << id;
  EXPECT_TRUE(WaitForDelivered([&] { return first.stats().delivered + second.stats().delivered; },
                               2 * kEvents));
}

// Real time moved forward by a fixed amount: lets a worker live at a digest's send time.
class ShiftedClock final : public Clock {
 public:
  explicit ShiftedClock(absl::Duration shift) : shift_(shift) {}
  absl::Time Now() const override { return absl::Now() + shift_; }

 private:
  const absl::Duration shift_;
};

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
  v1::DeliveryPolicy policy;
  policy.set_digest_minutes(60);
  SubscriptionWithPolicy(*subs_, sink_->Url("/digest"), policy);
  for (int i = 0; i < 3; ++i) PublishAndConsume("ev_" + std::to_string(i), "Putin statement " + std::to_string(i));
  EXPECT_EQ(queue_->Size().value(), 1) << "one digest job, not three deliveries";
  StartWorker();
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_TRUE(sink_->Requests().empty()) << "nothing before the digest time";
  workers_.back()->Stop();

  ShiftedClock in_an_hour(absl::Minutes(61));
  StartWorker(FastOptions(), in_an_hour);
  ASSERT_TRUE(sink_->WaitForRequests("/digest", 1, absl::Seconds(10)));
  ASSERT_TRUE(WaitForEmptyQueue(absl::Seconds(5)));
  auto requests = sink_->Requests("/digest");
  ASSERT_THAT(requests, SizeIs(1));
  std::string text = nlohmann::json::parse(requests[0].body)["text"];
  EXPECT_THAT(text, ::testing::StartsWith("*3 new alerts*\n• <https://news.example/ev_0|Putin statement 0>"));
  EXPECT_THAT(text, HasSubstr("|Putin statement 2> — 'Putin' in title, body"));
  EXPECT_EQ(client().Command({"EXISTS", prefix_ + "digest:" + subs_->List("", 0, "")->subscriptions.at(0).id() + ":" +
                                            ChannelKey(subs_->List("", 0, "")->subscriptions.at(0).channels(0).webhook())})
                ->integer,
            0);
}

TEST_F(DeliveryTest, AlertsOverTheHourlyThrottleWaitForTheHourlyDigest) {
  v1::DeliveryPolicy policy;
  policy.set_max_per_hour(2);
  SubscriptionWithPolicy(*subs_, sink_->Url("/throttled"), policy);
  for (int i = 0; i < 5; ++i) PublishAndConsume("ev_" + std::to_string(i), "Putin statement " + std::to_string(i));
  StartWorker();
  ASSERT_TRUE(sink_->WaitForRequests("/throttled", 2, absl::Seconds(10)));
  absl::SleepFor(absl::Milliseconds(500));
  ASSERT_THAT(sink_->Requests("/throttled"), SizeIs(2)) << "two single messages this hour";
  workers_.back()->Stop();

  ShiftedClock next_hour(absl::Minutes(61));
  StartWorker(FastOptions(), next_hour);
  ASSERT_TRUE(sink_->WaitForRequests("/throttled", 3, absl::Seconds(10)));
  ASSERT_TRUE(WaitForEmptyQueue(absl::Seconds(5)));
  auto requests = sink_->Requests("/throttled");
  ASSERT_THAT(requests, SizeIs(3));
  std::string text = nlohmann::json::parse(requests[2].body)["text"];
  EXPECT_THAT(text, ::testing::StartsWith("*3 new alerts*"));
  for (int i = 2; i < 5; ++i) EXPECT_THAT(text, HasSubstr("Putin statement " + std::to_string(i)));
}

TEST_F(DeliveryTest, AFailedDigestBecomesOneReplayableDeadLetterPerAlert) {
  sink_->Script("/gone", {{.status = 404, .headers = {}, .body = "no_service", .delay = {}}});
  v1::DeliveryPolicy policy;
  policy.set_digest_minutes(5);
  v1::Subscription sub = SubscriptionWithPolicy(*subs_, sink_->Url("/gone"), policy);
  for (int i = 0; i < 3; ++i) PublishAndConsume("ev_" + std::to_string(i), "Putin statement " + std::to_string(i));
  ShiftedClock later(absl::Minutes(6));
  StartWorker(FastOptions(), later);
  ASSERT_TRUE(sink_->WaitForRequests("/gone", 1, absl::Seconds(10)));
  ASSERT_TRUE(WaitForEmptyQueue(absl::Seconds(5)));
  std::vector<v1::DeadLetter> dead = DeadLetters();
  ASSERT_THAT(dead, SizeIs(3));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(dead[i].alert().event().id(), "ev_" + std::to_string(i));
    EXPECT_EQ(dead[i].delivery_id(), DeliveryId("ev_" + std::to_string(i), sub.id(), sub.channels(0).webhook()));
    EXPECT_EQ(dead[i].error(), "HTTP 404: no_service");
  }
  // Each comes back alone, as a single message.
  ASSERT_THAT(queue_->Replay(dead[1].id(), absl::Now()).status(), IsOk());
  ASSERT_TRUE(sink_->WaitForRequests("/gone", 2, absl::Seconds(10)));
  std::string text = nlohmann::json::parse(sink_->Requests("/gone")[1].body)["blocks"][0]["text"]["text"];
  EXPECT_EQ(text, "Putin statement 1");
}

}  // namespace
}  // namespace sa::notifier
