// Feed polling against real parts: a real redis-server and a real HTTP server on loopback playing
// the news site (tests/support/feed_poller_fixture.h). No gRPC here, so these tests carry the
// `concurrency` label and run under ThreadSanitizer too (tests/CMakeLists.txt); the collector's
// feed API over gRPC is tested in feed_api_redis_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "collector/feeds/feed_poller.h"
#include "common/redis/event_stream.h"
#include "tests/support/feed_poller_fixture.h"
#include "tests/support/http_sink.h"
#include "tests/support/redis_server.h"
#include "tests/support/status_matchers.h"

namespace sa::feeds {
namespace {

using ::testing::HasSubstr;
namespace v1 = summit_alerts::v1;
using Reply = testing::HttpSink::Reply;
using FeedPollerTest = FeedPollerFixture;

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

}  // namespace
}  // namespace sa::feeds
