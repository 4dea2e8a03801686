// Webhook secrets encrypted at rest (docs/SECURITY.md, "Encryption at rest"), against a real
// redis-server and a real loopback HTTP sink: with a key ring, no key under the test's prefix
// holds a webhook URL or secret — subscription records, queued delivery and digest jobs, dead
// letters — while deliveries still reach the sink, records written before a key was configured
// still read and are re-encrypted, and a key that is missing is named.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "collector/publish/event_publisher.h"
#include "common/crypto/secret_box.h"
#include "notifier/consume/event_consumer.h"
#include "notifier/deliver/delivery_queue.h"
#include "notifier/deliver/delivery_worker.h"
#include "notifier/deliver/webhook_payload.h"
#include "tests/support/eventually.h"
#include "tests/support/fake_clock.h"
#include "tests/support/http_sink.h"
#include "tests/support/shared_redis_test.h"
#include "tests/support/status_matchers.h"

namespace sa::notifier {
namespace {

using ::sa::testing::Eventually;
using ::sa::testing::HttpSink;
using ::sa::testing::IsOk;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;
namespace v1 = summit_alerts::v1;

constexpr absl::string_view kSlackPath = "/services/T000/B000/XOXSECRETPATH";
constexpr absl::string_view kSigningSecret = "hmac-SECRETKEY-4711";

std::unique_ptr<crypto::SecretBox> Ring(std::vector<std::pair<std::string, char>> keys) {
  std::vector<crypto::SecretBox::Key> ring;
  for (const auto& [id, fill] : keys) ring.push_back({id, std::string(32, fill)});
  auto box = crypto::SecretBox::FromKeys(std::move(ring));
  EXPECT_THAT(box.status(), IsOk());
  return box.ok() ? std::move(*box) : nullptr;
}

// The notifier's Redis side (store, cache, consumer, queue) with one key ring (or none).
struct NotifierSide {
  NotifierSide(redis::RedisClient& redis, const std::string& prefix,
               const crypto::SecretBox* secrets)
      : subs(redis, prefix, Clock::Real(), secrets),
        alerts(redis, AlertStoreOptions{.key_prefix = prefix}),
        cache(subs),
        consumer(redis, cache, alerts,
                 ConsumerOptions{.stream = prefix + "events", .consumer = "c1"}),
        queue(redis, DeliveryQueueOptions{
                         .key_prefix = prefix, .lease = absl::Seconds(5), .secrets = secrets}) {}
  SubscriptionStore subs;
  AlertStore alerts;
  SubscriptionCache cache;
  EventConsumer consumer;
  DeliveryQueue queue;
};

class SecretsAtRestTest : public testing::SharedRedisTest {
 protected:
  void SetUp() override {
    prefix_ = testing::UniquePrefix();
    keys_ = Ring({{"k1", 'a'}});
    sealed_ = std::make_unique<NotifierSide>(client(), prefix_, keys_.get());
    publisher_ = std::make_unique<collector::EventPublisher>(
        client(), collector::PublisherOptions{.stream = prefix_ + "events", .key_prefix = prefix_});
    auto sink = HttpSink::Start();
    ASSERT_TRUE(sink.ok()) << sink.status();
    sink_ = std::move(*sink);
  }
  void TearDown() override {
    for (auto& worker : workers_) worker->Stop();
  }

  void StartWorker(NotifierSide& side) {
    DeliveryWorkerOptions options;
    options.workers = 1;
    options.idle_poll = absl::Milliseconds(100);
    options.http.total_timeout = absl::Seconds(2);
    options.http.connect_timeout = absl::Seconds(2);
    options.http.allow_private_addresses = true;  // the sink is on loopback
    options.retry = {.max_attempts = 1,
                     .initial_backoff = absl::Milliseconds(200),
                     .max_backoff = absl::Seconds(1)};
    workers_.push_back(std::make_unique<DeliveryWorker>(client(), side.queue, options));
    workers_.back()->Start();
  }

  static v1::Channel Webhook(v1::WebhookChannel::Format format, const std::string& url,
                             absl::string_view secret = "") {
    v1::Channel channel;
    channel.mutable_webhook()->set_format(format);
    channel.mutable_webhook()->set_url(url);
    channel.mutable_webhook()->set_secret(std::string(secret));
    return channel;
  }

  // A subscription to "Putin" with a Slack URL that is a credential and a signed generic hook.
  v1::Subscription Subscribe(SubscriptionStore& store, v1::DeliveryPolicy policy = {}) {
    v1::Subscription sub;
    sub.set_query("Putin");
    *sub.add_channels() = Webhook(v1::WebhookChannel::SLACK, SlackUrl());
    *sub.add_channels() =
        Webhook(v1::WebhookChannel::GENERIC_JSON, sink_->Url("/hook"), kSigningSecret);
    *sub.mutable_delivery() = std::move(policy);
    auto created = store.Create(sub);
    EXPECT_THAT(created.status(), IsOk());
    return created.ok() ? *created : v1::Subscription{};
  }

  std::string SlackUrl() const { return sink_->Url(std::string(kSlackPath)); }

  void PublishAndConsume(EventConsumer& consumer, const std::string& id, const std::string& title) {
    v1::Event event;
    event.set_id(id);
    event.set_title(title);
    event.set_body(title);
    event.set_url("https://news.example/" + id);
    event.set_relevance(0.9);
    ASSERT_THAT(publisher_->Publish(event).status(), IsOk());
    ASSERT_THAT(consumer.DrainOnce().status(), IsOk());
  }

  // Every byte Redis holds under the test's prefix, as `redis-cli` would read it: every key
  // (SCAN), read whole by its type.
  std::string Keyspace() {
    std::string all;
    std::string cursor = "0";
    do {
      auto page = client().Command({"SCAN", cursor, "MATCH", prefix_ + "*", "COUNT", "1000"});
      EXPECT_THAT(page.status(), IsOk());
      if (!page.ok()) return all;
      cursor = page->elements[0].str;
      for (const auto& key : page->elements[1].elements) {
        const std::string type = client().Command({"TYPE", key.str})->str;
        std::vector<std::string> read;
        if (type == "string") read = {"GET", key.str};
        if (type == "hash") read = {"HGETALL", key.str};
        if (type == "list") read = {"LRANGE", key.str, "0", "-1"};
        if (type == "set") read = {"SMEMBERS", key.str};
        if (type == "zset") read = {"ZRANGE", key.str, "0", "-1"};
        if (type == "stream") read = {"XRANGE", key.str, "-", "+"};
        EXPECT_FALSE(read.empty()) << key.str << " is a " << type;
        if (read.empty()) continue;
        auto value = client().Command(read);
        EXPECT_THAT(value.status(), IsOk());
        if (value.ok()) Flatten(*value, all);
        all += "\n";
      }
    } while (cursor != "0");
    return all;
  }

  static void Flatten(const redis::RedisReply& reply, std::string& out) {
    out += reply.str;
    for (const auto& element : reply.elements) {
      out += " ";
      Flatten(element, out);
    }
  }

  // No webhook URL, no path of the Slack URL, no signing secret anywhere in Redis.
  void ExpectNoSecretsInRedis() {
    const std::string keyspace = Keyspace();
    EXPECT_THAT(keyspace, Not(HasSubstr(SlackUrl())));
    EXPECT_THAT(keyspace, Not(HasSubstr("XOXSECRETPATH")));
    EXPECT_THAT(keyspace, Not(HasSubstr(sink_->Url("/hook"))));
    EXPECT_THAT(keyspace, Not(HasSubstr(std::string(kSigningSecret))));
  }

  std::string StoredRecord(const std::string& id) {
    auto record = client().Command({"HGET", prefix_ + "subs", id});
    EXPECT_THAT(record.status(), IsOk());
    return record.ok() ? record->str : "";
  }

  bool WaitForEmptyQueue(DeliveryQueue& queue) {
    return Eventually(
        [&] {
          auto size = queue.Size();
          return size.ok() && *size == 0;
        },
        absl::Seconds(10));
  }

  std::string prefix_;
  std::unique_ptr<crypto::SecretBox> keys_;
  std::unique_ptr<NotifierSide> sealed_;
  std::unique_ptr<collector::EventPublisher> publisher_;
  std::unique_ptr<HttpSink> sink_;
  std::vector<std::unique_ptr<DeliveryWorker>> workers_;
};

TEST_F(SecretsAtRestTest, SubscriptionRecordsHoldNoWebhookUrlOrSecret) {
  v1::Subscription sub = Subscribe(sealed_->subs);
  const std::string record = StoredRecord(sub.id());
  EXPECT_THAT(record, HasSubstr("sa-enc:v1:k1:"));
  EXPECT_THAT(record, HasSubstr("Putin")) << "only the secret fields are sealed";
  ExpectNoSecretsInRedis();

  // Every read opens them again.
  auto read = sealed_->subs.Get(sub.id());
  ASSERT_THAT(read.status(), IsOk());
  EXPECT_EQ(read->channels(0).webhook().url(), SlackUrl());
  EXPECT_EQ(read->channels(1).webhook().secret(), kSigningSecret);
  auto page = sealed_->subs.List("", 0, "");
  ASSERT_THAT(page.status(), IsOk());
  ASSERT_THAT(page->subscriptions, SizeIs(1));
  EXPECT_EQ(page->subscriptions[0].channels(0).webhook().url(), SlackUrl());
  auto all = sealed_->subs.LoadAll();
  ASSERT_THAT(all.status(), IsOk());
  EXPECT_EQ(all->subscriptions.at(0).channels(1).webhook().secret(), kSigningSecret);

  // An update sent back as clients read it (redacted) keeps the secrets, sealed again.
  v1::Subscription update = RedactSecrets(*read);
  update.set_name("renamed");
  ASSERT_THAT(sealed_->subs.Update(update).status(), IsOk());
  auto updated = sealed_->subs.Get(sub.id());
  ASSERT_THAT(updated.status(), IsOk());
  EXPECT_EQ(updated->name(), "renamed");
  EXPECT_EQ(updated->channels(0).webhook().url(), SlackUrl());
  EXPECT_EQ(updated->channels(1).webhook().secret(), kSigningSecret);
  EXPECT_NE(StoredRecord(sub.id()), record) << "sealed afresh, with a new nonce";
  ExpectNoSecretsInRedis();
}

TEST_F(SecretsAtRestTest, QueuedDeliveriesAreSealedAndStillReachTheSink) {
  Subscribe(sealed_->subs);
  PublishAndConsume(sealed_->consumer, "ev_1", "Putin arrives in Anchorage");
  ASSERT_EQ(sealed_->queue.Size().value_or(0), 2);
  ExpectNoSecretsInRedis();  // the two queued jobs included

  StartWorker(*sealed_);
  ASSERT_TRUE(sink_->WaitForRequests(std::string(kSlackPath), 1, absl::Seconds(10)));
  ASSERT_TRUE(sink_->WaitForRequests("/hook", 1, absl::Seconds(10)));
  // The generic body is signed with the opened secret.
  HttpSink::Request hook = sink_->Requests("/hook")[0];
  std::string signature = hook.headers["X-Summit-Signature"];
  std::string timestamp = signature.substr(2, signature.find(',') - 2);
  EXPECT_EQ(signature, SignWebhookBody(std::string(kSigningSecret), hook.body,
                                       absl::FromUnixSeconds(std::stoll(timestamp))));
  ASSERT_TRUE(WaitForEmptyQueue(sealed_->queue));
  ExpectNoSecretsInRedis();
}

TEST_F(SecretsAtRestTest, DigestJobsAreSealed) {
  v1::DeliveryPolicy policy;
  policy.set_digest_minutes(60);
  v1::Subscription sub = Subscribe(sealed_->subs, policy);
  PublishAndConsume(sealed_->consumer, "ev_1", "Putin arrives in Anchorage");
  PublishAndConsume(sealed_->consumer, "ev_2", "Putin leaves Anchorage");
  auto job = client().Command(
      {"HGET", sealed_->queue.keys().Job(DigestJobId(sub.id(), sub.channels(0).webhook())),
       "channel"});
  ASSERT_THAT(job.status(), IsOk());
  EXPECT_THAT(job->str, HasSubstr("sa-enc:v1:k1:")) << "the digest job exists and is sealed";
  ExpectNoSecretsInRedis();
}

TEST_F(SecretsAtRestTest, DeadLettersAreSealedListedRedactedAndReplayable) {
  sink_->Script(std::string(kSlackPath), {{.status = 404, .headers = {}, .body = "no_service"}});
  Subscribe(sealed_->subs);
  PublishAndConsume(sealed_->consumer, "ev_1", "Putin arrives in Anchorage");
  StartWorker(*sealed_);
  ASSERT_TRUE(WaitForEmptyQueue(sealed_->queue));
  auto dead = sealed_->queue.ListDeadLetters("", "", 10);
  ASSERT_THAT(dead.status(), IsOk());
  ASSERT_THAT(*dead, SizeIs(1));
  // Opened, then redacted as every view of a channel is.
  EXPECT_EQ(dead->at(0).channel().url(), sink_->Url("/…"));
  ExpectNoSecretsInRedis();

  // The replayed delivery opens its sealed channel again and reaches the sink.
  auto replayed = sealed_->queue.Replay(dead->at(0).id(), absl::Now());
  ASSERT_THAT(replayed.status(), IsOk());
  ASSERT_TRUE(sink_->WaitForRequests(std::string(kSlackPath), 2, absl::Seconds(10)));
  EXPECT_EQ(sink_->Requests(std::string(kSlackPath))[1].status, 200);
  ASSERT_TRUE(WaitForEmptyQueue(sealed_->queue));
  ExpectNoSecretsInRedis();
}

TEST_F(SecretsAtRestTest, PlaintextRecordsAndJobsFromBeforeStillWorkAndAreResealed) {
  // Written by a notifier without a key file.
  NotifierSide plain(client(), prefix_, nullptr);
  v1::Subscription sub = Subscribe(plain.subs);
  PublishAndConsume(plain.consumer, "ev_1", "Putin arrives in Anchorage");
  EXPECT_THAT(StoredRecord(sub.id()), HasSubstr("XOXSECRETPATH"));
  // (Also proves Keyspace() sees what ExpectNoSecretsInRedis looks for: record and jobs.)
  EXPECT_THAT(Keyspace(), HasSubstr(SlackUrl()));
  EXPECT_THAT(Keyspace(), HasSubstr(std::string(kSigningSecret)));

  // Read by one with a key file.
  auto read = sealed_->subs.Get(sub.id());
  ASSERT_THAT(read.status(), IsOk());
  EXPECT_EQ(read->channels(0).webhook().url(), SlackUrl());
  ASSERT_THAT(sealed_->cache.Refresh(), IsOk());
  StartWorker(*sealed_);  // the plaintext jobs queued before
  ASSERT_TRUE(sink_->WaitForRequests(std::string(kSlackPath), 1, absl::Seconds(10)));
  ASSERT_TRUE(sink_->WaitForRequests("/hook", 1, absl::Seconds(10)));
  ASSERT_TRUE(WaitForEmptyQueue(sealed_->queue));

  // Re-encryption rewrites the record once; afterwards nothing is left in plaintext.
  EXPECT_EQ(sealed_->subs.ResealAll().value_or(-1), 1);
  EXPECT_EQ(sealed_->subs.ResealAll().value_or(-1), 0);
  ExpectNoSecretsInRedis();
  auto after = sealed_->subs.Get(sub.id());
  ASSERT_THAT(after.status(), IsOk());
  EXPECT_EQ(after->channels(1).webhook().secret(), kSigningSecret);
  EXPECT_EQ(after->updated_at().seconds(), sub.updated_at().seconds()) << "content unchanged";
  // Without the key file the record is now unreadable, with a reason.
  auto unkeyed = plain.subs.Get(sub.id());
  EXPECT_EQ(unkeyed.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(unkeyed.status().message()), HasSubstr("no --secrets_key_file"));
}

TEST_F(SecretsAtRestTest, RotationReSealsWithTheNewKeyAndTheOldKeyCanGo) {
  v1::Subscription sub = Subscribe(sealed_->subs);
  // Step 1: the new key is added second, so every replica can read it before any writes it.
  auto both = Ring({{"k1", 'a'}, {"k2", 'b'}});
  SubscriptionStore reader(client(), prefix_, Clock::Real(), both.get());
  EXPECT_EQ(reader.ResealAll().value_or(-1), 0) << "k1 is still current";
  // Step 2: the new key first: re-encryption moves every record to it.
  auto rotated = Ring({{"k2", 'b'}, {"k1", 'a'}});
  SubscriptionStore writer(client(), prefix_, Clock::Real(), rotated.get());
  EXPECT_EQ(writer.ResealAll().value_or(-1), 1);
  EXPECT_THAT(StoredRecord(sub.id()), HasSubstr("sa-enc:v1:k2:"));
  EXPECT_THAT(StoredRecord(sub.id()), Not(HasSubstr("sa-enc:v1:k1:")));
  // Step 3: the old key removed; everything still reads.
  auto only_new = Ring({{"k2", 'b'}});
  SubscriptionStore after(client(), prefix_, Clock::Real(), only_new.get());
  auto read = after.Get(sub.id());
  ASSERT_THAT(read.status(), IsOk());
  EXPECT_EQ(read->channels(0).webhook().url(), SlackUrl());
  ExpectNoSecretsInRedis();
}

TEST_F(SecretsAtRestTest, AMissingKeyIsNamedForRecordsAndDeliveries) {
  v1::Subscription sub = Subscribe(sealed_->subs);
  PublishAndConsume(sealed_->consumer, "ev_1", "Putin arrives in Anchorage");

  auto other_keys = Ring({{"k9", 'z'}});
  NotifierSide wrong(client(), prefix_, other_keys.get());
  auto read = wrong.subs.Get(sub.id());
  EXPECT_EQ(read.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(read.status().message()), HasSubstr("key id 'k1'"));
  EXPECT_THAT(std::string(read.status().message()), HasSubstr(sub.id()));

  // A job it cannot open is dead-lettered with the reason, never sent; it keeps its sealed
  // channel, so a replay after the key file is fixed still delivers it.
  StartWorker(wrong);
  ASSERT_TRUE(WaitForEmptyQueue(wrong.queue));
  auto dead = wrong.queue.ListDeadLetters("", "", 10);
  ASSERT_THAT(dead.status(), IsOk());
  ASSERT_THAT(*dead, SizeIs(2));
  EXPECT_THAT(dead->at(0).error(), HasSubstr("key id 'k1'"));
  EXPECT_EQ(dead->at(0).channel().url(), "sa-enc:v1:k1:…");
  EXPECT_THAT(sink_->Requests(), SizeIs(0));
  ExpectNoSecretsInRedis();
}

TEST_F(SecretsAtRestTest, ASecretThatLooksSealedIsRefused) {
  v1::Subscription sub;
  sub.set_query("Putin");
  *sub.add_channels() =
      Webhook(v1::WebhookChannel::GENERIC_JSON, sink_->Url("/hook"), "sa-enc:v1:k1:AAAA");
  auto created = sealed_->subs.Create(sub);
  EXPECT_EQ(created.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(created.status().message()),
              HasSubstr("reserved for secrets encrypted at rest"));
}

}  // namespace
}  // namespace sa::notifier
