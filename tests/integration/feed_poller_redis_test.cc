// Feed polling against real parts: a real redis-server, a real HTTP server on loopback playing
// the news site (tests/support/http_sink), and the collector's gRPC feed API over loopback.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>
#include <cstdio>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "collector/feeds/feed_poller.h"
#include "collector/ingest/collector_service.h"
#include "common/grpc/grpc_server.h"
#include "common/redis/event_stream.h"
#include "tests/support/bundled_gazetteer.h"
#include "tests/support/eventually.h"
#include "tests/support/http_sink.h"
#include "tests/support/redis_server.h"
#include "tests/support/status_matchers.h"

namespace sa::feeds {
namespace {

using ::testing::HasSubstr;
namespace v1 = summit_alerts::v1;
using Reply = testing::HttpSink::Reply;

std::string Rss(const std::vector<std::pair<std::string, std::string>>& items) {
  std::string xml = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Wire</title>";
  for (const auto& [guid, title] : items) {
    absl::StrAppend(
        &xml, "<item><guid isPermaLink=\"false\">", guid, "</guid><title>", title,
        "</title><description>", title,
        ": President Vladimir Putin and Donald Trump discussed arms control.</description>"
        "<pubDate>Fri, 15 Aug 2025 10:00:00 GMT</pubDate></item>");
  }
  return xml + "</channel></rss>";
}

std::string Gzip(const std::string& data) {
  z_stream z{};
  deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, data.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// Feed state keeps times in milliseconds.
absl::Time Ms(absl::Time t) { return absl::FromUnixMillis(absl::ToUnixMillis(t)); }

Reply Ok(std::string body, std::string etag = "") {
  Reply r{.status = 200,
          .headers = {{"Content-Type", "application/rss+xml; charset=utf-8"}},
          .body = std::move(body)};
  if (!etag.empty()) r.headers.emplace_back("ETag", etag);
  return r;
}

// ListFeeds through a real gRPC server in front of `service` (its unary calls are callback-API
// calls, served on its own workers).
absl::StatusOr<v1::ListFeedsResponse> ListFeedsOverGrpc(collector::CollectorService& service) {
  auto server = GrpcServer::Start({.address = "127.0.0.1:0"}, {&service});
  if (!server.ok()) return server.status();
  auto stub = v1::Collector::NewStub(
      grpc::CreateChannel((*server)->address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::ListFeedsResponse list;
  grpc::Status status = stub->ListFeeds(&context, v1::ListFeedsRequest(), &list);
  (*server)->Shutdown(absl::Seconds(1));
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  }
  return list;
}

class FeedPollerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto redis = testing::RedisServer::Start();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = redis->release();
    extractor_ = new extract::EventExtractor(testing::BundledGazetteerWithoutWorldPlaces());
  }
  static void TearDownTestSuite() {
    delete extractor_;
    delete redis_;
  }

  void SetUp() override {
    prefix_ = testing::UniquePrefix();
    publisher_options_.key_prefix = prefix_;
    publisher_options_.stream = prefix_ + "events";
    publisher_ = std::make_unique<collector::EventPublisher>(redis_->client(), publisher_options_);
    ingester_ =
        std::make_unique<collector::Ingester>(*extractor_, *publisher_, extract::ArticleLimits{});
    store_ = std::make_unique<FeedStore>(redis_->client(), prefix_);
    auto sink = testing::HttpSink::Start();
    ASSERT_TRUE(sink.ok()) << sink.status();
    sink_ = std::move(*sink);
    options_.allow_private_networks = true;  // the site is on loopback
    options_.min_interval = absl::Seconds(1);
    options_.default_interval = absl::Seconds(60);
    options_.fetch_timeout = absl::Seconds(5);
    options_.host_delay = absl::ZeroDuration();
  }

  v1::Feed AddFeed(const std::string& path, uint32_t interval_seconds = 0) {
    v1::AddFeedRequest request;
    request.set_url(sink_->Url(path));
    request.set_interval_seconds(interval_seconds);
    auto feed = store_->Add(request, absl::Now());
    EXPECT_TRUE(feed.ok()) << feed.status();
    return feed.ok() ? *feed : v1::Feed();
  }

  int64_t StreamLength() {
    auto reply = redis_->client().Command({"XLEN", publisher_options_.stream});
    return reply.ok() ? reply->integer : -1;
  }

  FeedState State(const v1::Feed& feed) {
    auto state = store_->State(feed.id());
    EXPECT_TRUE(state.ok()) << state.status();
    return state.ok() ? *state : FeedState();
  }

  static testing::RedisServer* redis_;
  static extract::EventExtractor* extractor_;
  std::string prefix_;
  collector::PublisherOptions publisher_options_;
  std::unique_ptr<collector::EventPublisher> publisher_;
  std::unique_ptr<collector::Ingester> ingester_;
  std::unique_ptr<FeedStore> store_;
  std::unique_ptr<testing::HttpSink> sink_;
  FeedPollerOptions options_;
};

testing::RedisServer* FeedPollerTest::redis_ = nullptr;
extract::EventExtractor* FeedPollerTest::extractor_ = nullptr;

TEST_F(FeedPollerTest, PublishesEachItemOnceAndAsksConditionally) {
  v1::Feed feed = AddFeed("/world.rss");
  sink_->Script(
      "/world.rss",
      {Ok(Rss({{"a", "Summit opens"}, {"b", "Leaders arrive"}}), "\"v1\""),
       Reply{.status = 304, .body = ""},
       Ok(Rss({{"c", "Talks end"}, {"a", "Summit opens"}, {"b", "Leaders arrive"}}), "\"v2\"")});
  FeedPoller poller(*store_, *ingester_, options_);

  auto first = poller.PollNow(feed);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->entries, 2);
  EXPECT_EQ(first->published, 2);
  EXPECT_EQ(StreamLength(), 2);

  auto second = poller.PollNow(feed);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(second->not_modified);
  auto requests = sink_->Requests("/world.rss");
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].headers["If-None-Match"], "\"v1\"");
  EXPECT_THAT(requests[1].headers["Accept-Encoding"], HasSubstr("gzip"));

  auto third = poller.PollNow(feed);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(third->entries, 3);
  EXPECT_EQ(third->new_items, 1);
  EXPECT_EQ(third->published, 1);
  EXPECT_EQ(StreamLength(), 3);

  FeedState state = State(feed);
  EXPECT_EQ(state.items_seen, 3u);
  EXPECT_EQ(state.items_published, 3u);
  EXPECT_EQ(state.http_status, 200);
  EXPECT_EQ(state.etag, "\"v2\"");
  EXPECT_EQ(state.error, "");
  // The next fetch is the default interval away.
  EXPECT_GT(state.next_fetch, absl::Now() + absl::Seconds(50));
}

TEST_F(FeedPollerTest, ARepublishedStoryFromAnotherFeedIsADuplicateNotANewEvent) {
  v1::Feed one = AddFeed("/one.rss");
  v1::Feed two = AddFeed("/two.rss");
  sink_->Script("/one.rss", {Ok(Rss({{"x1", "Summit opens"}}))});
  sink_->Script("/two.rss", {Ok(Rss({{"y9", "Summit opens"}}))});
  FeedPoller poller(*store_, *ingester_, options_);
  ASSERT_TRUE(poller.PollNow(one).ok());
  auto second = poller.PollNow(two);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->duplicates, 1);
  EXPECT_EQ(StreamLength(), 1);
}

TEST_F(FeedPollerTest, FollowsRedirectsAndDecodesGzipAndCharsets) {
  v1::Feed feed = AddFeed("/old");
  // KOI8-R from the HTTP charset: "Путин" is F0 D5 D4 C9 CE.
  std::string koi8 =
      "<rss version=\"2.0\"><channel><title>RU</title><item><guid>r1</guid>"
      "<title>\xF0\xD5\xD4\xC9\xCE</title><description>\xF0\xD5\xD4\xC9\xCE</description>"
      "</item></channel></rss>";
  sink_->Script(
      "/old",
      {Reply{.status = 301, .headers = {{"Location", sink_->Url("/new.rss")}}, .body = ""}});
  sink_->Script("/new.rss",
                {Reply{.status = 200,
                       .headers = {{"Content-Type", "application/rss+xml; charset=KOI8-R"},
                                   {"Content-Encoding", "gzip"}},
                       .body = Gzip(koi8)}});
  FeedPoller poller(*store_, *ingester_, options_);
  auto result = poller.PollNow(feed);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->published, 1);
  auto entries = redis::XRange(redis_->client(), publisher_options_.stream, "-", "+");
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 1u);
  const std::string* bytes = redis::event_stream::EventBytes((*entries)[0]);
  ASSERT_NE(bytes, nullptr);
  v1::Event event;
  ASSERT_TRUE(event.ParseFromString(*bytes));
  EXPECT_EQ(event.title(), "Путин");
  EXPECT_EQ(event.source(), "RU");
}

TEST_F(FeedPollerTest, ARedisOutageWhilePublishingLosesNoItem) {
  // The events go to a Redis that dies; the feed state lives on (as with a failing write path).
  auto events_redis = testing::RedisServer::Start();
  ASSERT_TRUE(events_redis.ok()) << events_redis.status();
  collector::EventPublisher publisher((*events_redis)->client(), publisher_options_);
  collector::Ingester ingester(*extractor_, publisher, extract::ArticleLimits{});
  v1::Feed feed = AddFeed("/flaky.rss");
  std::string body = Rss({{"a", "Summit opens"}, {"b", "Leaders arrive"}, {"c", "Talks end"}});
  sink_->Script("/flaky.rss", {Ok(body, "\"v1\""), Ok(body, "\"v1\"")});
  FeedPoller poller(*store_, ingester, options_);

  (*events_redis)->Kill();
  auto failed = poller.PollNow(feed);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  FeedState state = State(feed);
  EXPECT_EQ(state.items_seen, 0u);
  EXPECT_EQ(state.etag, "") << "validators are kept only after every entry was handled";
  EXPECT_EQ(state.consecutive_failures, 1u);
  EXPECT_THAT(state.error, HasSubstr("not published"));

  ASSERT_THAT((*events_redis)->Restart(), testing::IsOk());
  auto retried = poller.PollNow(feed);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(retried->published, 3);
  auto requests = sink_->Requests("/flaky.rss");
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].headers.count("If-None-Match"), 0u);
  auto length = (*events_redis)->client().Command({"XLEN", publisher_options_.stream});
  ASSERT_TRUE(length.ok());
  EXPECT_EQ(length->integer, 3);
  EXPECT_EQ(State(feed).consecutive_failures, 0u);
}

TEST_F(FeedPollerTest, FailuresBackOffAndRetryAfterIsHonoured) {
  v1::Feed feed = AddFeed("/busy.rss", /*interval_seconds=*/10);
  sink_->Script("/busy.rss",
                {Reply{.status = 503, .headers = {{"Retry-After", "120"}}, .body = "busy"},
                 Reply{.status = 500, .body = "oops"}, Reply{.status = 500, .body = "oops"},
                 Reply{.status = 200, .body = "<html>not a feed</html>"}});
  FeedPoller poller(*store_, *ingester_, options_);

  absl::Time before = Ms(absl::Now());
  EXPECT_FALSE(poller.PollNow(feed).ok());
  FeedState state = State(feed);
  EXPECT_EQ(state.http_status, 503);
  EXPECT_GE(state.next_fetch, before + absl::Seconds(120));
  EXPECT_LE(state.next_fetch, absl::Now() + absl::Seconds(121));

  before = Ms(absl::Now());
  EXPECT_FALSE(poller.PollNow(feed).ok());  // 2nd failure: ~2 x 10 s
  state = State(feed);
  EXPECT_EQ(state.consecutive_failures, 2u);
  EXPECT_GE(state.next_fetch, before + absl::Seconds(17));
  EXPECT_LE(state.next_fetch, absl::Now() + absl::Seconds(23));

  before = Ms(absl::Now());
  EXPECT_FALSE(poller.PollNow(feed).ok());  // 3rd: ~4 x 10 s
  state = State(feed);
  EXPECT_GE(state.next_fetch, before + absl::Seconds(35));
  EXPECT_LE(state.next_fetch, absl::Now() + absl::Seconds(45));

  auto not_feed = poller.PollNow(feed);
  EXPECT_EQ(not_feed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(State(feed).error, HasSubstr("not a feed"));
  EXPECT_EQ(State(feed).consecutive_failures, 4u);
}

TEST_F(FeedPollerTest, TtlAndMaxAgeStretchTheInterval) {
  v1::Feed feed = AddFeed("/slow.rss", /*interval_seconds=*/10);
  Reply ttl = Ok("<rss version=\"2.0\"><channel><title>T</title><ttl>30</ttl></channel></rss>");
  Reply max_age = Ok(Rss({}));
  max_age.headers.emplace_back("Cache-Control", "public, max-age=900");
  sink_->Script("/slow.rss", {ttl, max_age});
  FeedPoller poller(*store_, *ingester_, options_);
  ASSERT_TRUE(poller.PollNow(feed).ok());
  EXPECT_GE(State(feed).next_fetch, absl::Now() + absl::Minutes(29));
  ASSERT_TRUE(poller.PollNow(feed).ok());
  EXPECT_GE(State(feed).next_fetch, absl::Now() + absl::Minutes(14));
  EXPECT_LE(State(feed).next_fetch, absl::Now() + absl::Minutes(16));
}

TEST_F(FeedPollerTest, RefusesOversizedFeedsAndPrivateAddressesUnlessAllowed) {
  v1::Feed feed = AddFeed("/big.rss");
  sink_->Script("/big.rss", {Ok(Rss({{"a", std::string(4000, 'x')}}))});
  FeedPollerOptions small = options_;
  small.max_feed_bytes = 1024;
  FeedPoller poller(*store_, *ingester_, small);
  auto big = poller.PollNow(feed);
  EXPECT_EQ(big.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(State(feed).error, HasSubstr("larger than 1024 bytes"));

  FeedPollerOptions strict = options_;
  strict.allow_private_networks = false;
  FeedPoller strict_poller(*store_, *ingester_, strict);
  auto refused = strict_poller.PollNow(feed);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(StreamLength(), 0);
}

TEST_F(FeedPollerTest, TwoReplicasNeverPollAFeedAtOnceAndPublishEachItemOnce) {
  v1::Feed feed = AddFeed("/shared.rss", /*interval_seconds=*/1);
  // Every answer is slow, so overlapping polls would be seen; the items grow over time.
  std::vector<Reply> replies;
  std::vector<std::pair<std::string, std::string>> items;
  for (int i = 0; i < 40; ++i) {
    items.insert(items.begin(), {absl::StrCat("item-", i), absl::StrCat("Story number ", i)});
    Reply r = Ok(Rss(items));
    r.delay = absl::Milliseconds(300);
    replies.push_back(r);
  }
  sink_->Script("/shared.rss", replies);
  FeedPollerOptions a = options_, b = options_;
  a.tick = b.tick = absl::Milliseconds(20);
  a.holder = "replica-a";
  b.holder = "replica-b";
  FeedPoller first(*store_, *ingester_, a), second(*store_, *ingester_, b);
  std::atomic<bool> sampling{true};
  std::atomic<int> max_in_flight{0};
  std::thread sampler([&] {
    while (sampling) {
      max_in_flight = std::max(max_in_flight.load(), sink_->InFlight());
      absl::SleepFor(absl::Milliseconds(2));
    }
  });
  first.Start();
  second.Start();
  ASSERT_TRUE(sink_->WaitForRequests("/shared.rss", 4, absl::Seconds(30)));
  first.Stop();
  second.Stop();
  sampling = false;
  sampler.join();

  EXPECT_EQ(max_in_flight.load(), 1);
  size_t polls = sink_->Requests("/shared.rss").size();
  EXPECT_GE(polls, 4u);
  // Poll k (1-based) listed k items; each became one event, never two.
  EXPECT_EQ(StreamLength(), static_cast<int64_t>(polls));
  EXPECT_EQ(State(feed).items_seen, polls);
}

TEST_F(FeedPollerTest, OnlyDueFeedsAreReadFromTheSchedule) {
  v1::Feed a = AddFeed("/a.rss"), b = AddFeed("/b.rss"), c = AddFeed("/c.rss");
  auto due = store_->Due(absl::Now(), 10);
  ASSERT_TRUE(due.ok()) << due.status();
  EXPECT_EQ(due->size(), 3u);  // new feeds are due at once

  sink_->Script("/b.rss", {Ok(Rss({{"x", "Summit opens"}}))});
  FeedPoller poller(*store_, *ingester_, options_);
  ASSERT_TRUE(poller.PollNow(b).ok());  // next fetch a minute away
  ASSERT_THAT(store_->Remove(c.id()), testing::IsOk());
  due = store_->Due(absl::Now(), 10);
  ASSERT_TRUE(due.ok()) << due.status();
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].id(), a.id());
  due = store_->Due(absl::Now() + absl::Minutes(2), 10);
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(due->size(), 2u);
  // Adding a feed again (a new name) keeps its schedule.
  v1::AddFeedRequest again;
  again.set_url(b.url());
  again.set_name("B");
  ASSERT_TRUE(store_->Add(again, absl::Now()).ok());
  EXPECT_EQ(store_->Due(absl::Now(), 10)->size(), 1u);
}

TEST_F(FeedPollerTest, FeedApiOverGrpcKeepsTheListInRedis) {
  collector::CollectorService service(*ingester_, store_.get());
  auto server = GrpcServer::Start({.address = "127.0.0.1:0"}, {&service});
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = v1::Collector::NewStub(
      grpc::CreateChannel((*server)->address(), grpc::InsecureChannelCredentials()));
  auto call = [](auto method) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return method(&context);
  };

  v1::AddFeedRequest add;
  add.set_url("ftp://example.org/feed");
  v1::Feed feed;
  grpc::Status bad = call([&](grpc::ClientContext* c) { return stub->AddFeed(c, add, &feed); });
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad.error_message(), HasSubstr("not an absolute http(s) URL"));

  add.set_url(sink_->Url("/api.rss"));
  add.set_name("Wire desk");
  add.set_interval_seconds(300);
  ASSERT_TRUE(call([&](grpc::ClientContext* c) { return stub->AddFeed(c, add, &feed); }).ok());
  EXPECT_EQ(feed.id(), FeedStore::FeedId(add.url()));
  add.set_name("Renamed");
  v1::Feed again;
  ASSERT_TRUE(call([&](grpc::ClientContext* c) { return stub->AddFeed(c, add, &again); }).ok());
  EXPECT_EQ(again.id(), feed.id());  // same URL, same feed

  sink_->Script("/api.rss", {Ok(Rss({{"a", "Summit opens"}}))});
  FeedPoller poller(*store_, *ingester_, options_);
  ASSERT_TRUE(poller.PollNow(again).ok());

  // A fresh store (a restarted or another replica) sees the same list and status.
  FeedStore other(redis_->client(), prefix_);
  collector::CollectorService other_service(*ingester_, &other);
  auto listed = ListFeedsOverGrpc(other_service);
  ASSERT_TRUE(listed.ok()) << listed.status();
  const v1::ListFeedsResponse& list = *listed;
  ASSERT_EQ(list.feeds_size(), 1);
  EXPECT_EQ(list.feeds(0).name(), "Renamed");
  EXPECT_EQ(list.feeds(0).interval_seconds(), 300u);
  EXPECT_EQ(list.feeds(0).status().http_status(), 200);
  EXPECT_EQ(list.feeds(0).status().items_published(), 1u);
  EXPECT_GT(list.feeds(0).status().last_fetch().seconds(), 0);

  v1::RemoveFeedRequest remove;
  remove.set_id(add.url());  // by URL
  v1::RemoveFeedResponse removed;
  EXPECT_TRUE(
      call([&](grpc::ClientContext* c) { return stub->RemoveFeed(c, remove, &removed); }).ok());
  EXPECT_EQ(call([&](grpc::ClientContext* c) {
              return stub->RemoveFeed(c, remove, &removed);
            }).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::ListFeedsResponse empty;
  ASSERT_TRUE(call([&](grpc::ClientContext* c) {
                return stub->ListFeeds(c, v1::ListFeedsRequest(), &empty);
              }).ok());
  EXPECT_EQ(empty.feeds_size(), 0);
  (*server)->Shutdown(absl::Seconds(1));
}

// Issue 19: an item dated 9999-12-31 saying "next Friday" aborted the collector (a protobuf
// CHECK), before the item was marked seen: every restart died again on the next poll. Now such
// dates are dropped, an entry that fails for good is marked seen with its reason, and the
// items around it publish.
TEST_F(FeedPollerTest, PoisonEntriesFailAloneAreSeenWithTheirReasonAndNeverRetried) {
  v1::Feed feed = AddFeed("/poison.rss");
  auto item = [](const std::string& guid, const std::string& title, const std::string& date) {
    return absl::StrCat("<item><guid isPermaLink=\"false\">", guid, "</guid><title>", title,
                        "</title><description>", title,
                        ": the leaders meet next Friday to discuss arms control.</description>"
                        "<pubDate>",
                        date, "</pubDate></item>");
  };
  const std::string xml = absl::StrCat(
      "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Wire</title>",
      item("good-1", "Summit opens", "Fri, 15 Aug 2025 10:00:00 GMT"),
      item("end-of-time", "Envoys named", "Fri, 31 Dec 9999 23:59:59 GMT"),
      // 9999-12-31 23:59:59 -0100 is in the year 10000 in UTC: no Timestamp can hold it.
      item("beyond-time", "Talks resume", "Fri, 31 Dec 9999 23:59:59 -0100"),
      item("too-long", std::string(2000, 'T'), "Fri, 15 Aug 2025 11:00:00 GMT"),
      item("good-2", "Leaders arrive", "Fri, 15 Aug 2025 12:00:00 GMT"), "</channel></rss>");
  sink_->Script("/poison.rss", {Ok(xml), Ok(xml)});
  FeedPoller poller(*store_, *ingester_, options_);

  auto first = poller.PollNow(feed);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->new_items, 5);
  EXPECT_EQ(first->published, 4);
  EXPECT_EQ(first->rejected, 1);
  EXPECT_EQ(StreamLength(), 4);
  FeedState state = State(feed);
  EXPECT_EQ(state.error, "") << "one bad entry does not fail the poll";
  EXPECT_EQ(state.items_seen, 5u);
  EXPECT_EQ(state.items_rejected, 1u);
  EXPECT_EQ(state.last_rejected_entry, "too-long");
  EXPECT_THAT(state.last_rejected_error,
              HasSubstr("article.title is 2000 bytes; the limit is 1024"));
  EXPECT_GT(state.last_rejected_at, absl::Now() - absl::Minutes(1));

  // The events of the out-of-range dates carry no published time; "next Friday" was resolved
  // against the ingest time.
  auto entries = redis::XRange(redis_->client(), publisher_options_.stream, "-", "+");
  ASSERT_TRUE(entries.ok()) << entries.status();
  int undated = 0;
  for (const redis::StreamEntry& entry : *entries) {
    const std::string* bytes = redis::event_stream::EventBytes(entry);
    ASSERT_NE(bytes, nullptr);
    v1::Event event;
    ASSERT_TRUE(event.ParseFromString(*bytes));
    if (event.title() == "Envoys named" || event.title() == "Talks resume") {
      ++undated;
      EXPECT_FALSE(event.has_published_at()) << event.title();
      EXPECT_GT(event.event_time().seconds(), absl::ToUnixSeconds(absl::Now() - absl::Hours(24)));
      EXPECT_LT(event.event_time().seconds(),
                absl::ToUnixSeconds(absl::Now() + absl::Hours(24 * 8)));
    } else {
      EXPECT_TRUE(event.has_published_at()) << event.title();
    }
  }
  EXPECT_EQ(undated, 2);

  // The same document again: nothing is new, the bad entry is not tried again.
  auto second = poller.PollNow(feed);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->new_items, 0);
  EXPECT_EQ(second->rejected, 0);
  EXPECT_EQ(StreamLength(), 4);
  EXPECT_EQ(State(feed).items_rejected, 1u);

  // ListFeeds shows the reason.
  collector::CollectorService service(*ingester_, store_.get());
  auto listed = ListFeedsOverGrpc(service);
  ASSERT_TRUE(listed.ok()) << listed.status();
  const v1::ListFeedsResponse& list = *listed;
  ASSERT_EQ(list.feeds_size(), 1);
  EXPECT_EQ(list.feeds(0).status().items_rejected(), 1u);
  EXPECT_EQ(list.feeds(0).status().last_rejected_entry(), "too-long");
  EXPECT_THAT(list.feeds(0).status().last_rejected_error(), HasSubstr("article.title"));
  EXPECT_GT(list.feeds(0).status().last_rejected_at().seconds(), 0);
}

// Issue 19 "Paging": ListFeeds pages (default 100, at most 500 per page), over real gRPC, and
// `alertctl feeds` reads every page.
TEST_F(FeedPollerTest, ListFeedsPagesOverGrpcAndAlertctlReadsEveryPage) {
  constexpr int kFeeds = 501;
  for (int i = 0; i < kFeeds; ++i) {
    v1::AddFeedRequest add;
    add.set_url(absl::StrCat("https://news", i, ".example/feed.xml"));
    ASSERT_TRUE(store_->Add(add, absl::Now()).ok());
  }
  collector::CollectorService service(*ingester_, store_.get());
  auto server = GrpcServer::Start({.address = "127.0.0.1:0"}, {&service});
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = v1::Collector::NewStub(
      grpc::CreateChannel((*server)->address(), grpc::InsecureChannelCredentials()));
  auto list = [&](uint32_t page_size, const std::string& token, v1::ListFeedsResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::ListFeedsRequest request;
    request.set_page_size(page_size);
    request.set_page_token(token);
    return stub->ListFeeds(&context, request, response);
  };

  v1::ListFeedsResponse page;
  ASSERT_TRUE(list(0, "", &page).ok());
  EXPECT_EQ(page.feeds_size(), 100);  // the default
  EXPECT_FALSE(page.next_page_token().empty());
  page.Clear();
  ASSERT_TRUE(list(100000, "", &page).ok());
  EXPECT_EQ(page.feeds_size(), 500);  // the server's maximum
  EXPECT_FALSE(page.next_page_token().empty());

  // Pages of 150 cover every feed once, in id order, and the last page says so.
  std::vector<std::string> ids;
  std::string token;
  int pages = 0;
  do {
    v1::ListFeedsResponse response;
    grpc::Status status = list(150, token, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (const auto& feed : response.feeds()) ids.push_back(feed.id());
    token = response.next_page_token();
    ASSERT_LT(++pages, 10);
  } while (!token.empty());
  EXPECT_EQ(pages, 4);
  EXPECT_EQ(ids.size(), static_cast<size_t>(kFeeds));
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), static_cast<size_t>(kFeeds));

  v1::ListFeedsResponse bad;
  grpc::Status invalid = list(10, "not a token", &bad);
  EXPECT_EQ(invalid.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(invalid.error_message(), HasSubstr("page_token"));

  // alertctl lists all 501 (two pages of at most 500).
  std::string command =
      absl::StrCat(SA_ALERTCTL_BIN, " --collector=", (*server)->address(), " feeds");
  FILE* out = popen(command.c_str(), "r");
  ASSERT_NE(out, nullptr);
  std::set<std::string> listed;
  char line[4096];
  while (fgets(line, sizeof line, out) != nullptr) {
    std::string l(line);
    if (l.rfind("feed_", 0) == 0) listed.insert(l.substr(0, l.find(' ')));
  }
  EXPECT_EQ(pclose(out), 0);
  EXPECT_EQ(listed, std::set<std::string>(ids.begin(), ids.end()));
  (*server)->Shutdown(absl::Seconds(1));
}

// A state time no Timestamp can hold (a corrupt or hand-edited Redis) is left out of the
// status instead of aborting the collector in ListFeeds.
TEST_F(FeedPollerTest, ACorruptStateTimeIsLeftOutOfTheStatus) {
  v1::Feed feed = AddFeed("/corrupt.rss");
  ASSERT_TRUE(redis_->client()
                  .Command({"HSET", prefix_ + "feed:" + feed.id() + ":state", "next_fetch_ms",
                            "9000000000000000000", "last_fetch_ms", "1755000000000"})
                  .ok());
  collector::CollectorService service(*ingester_, store_.get());
  auto listed = ListFeedsOverGrpc(service);
  ASSERT_TRUE(listed.ok()) << listed.status();
  const v1::ListFeedsResponse& list = *listed;
  ASSERT_EQ(list.feeds_size(), 1);
  EXPECT_EQ(list.feeds(0).status().next_fetch().seconds(), 0);  // unknown, as alertctl shows it
  EXPECT_EQ(list.feeds(0).status().last_fetch().seconds(), 1755000000);
}

}  // namespace
}  // namespace sa::feeds
