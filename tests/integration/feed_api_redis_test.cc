// The collector's feed API over real gRPC on loopback (AddFeed, RemoveFeed, ListFeeds and its
// paging, alertctl feeds), with the feed poller's fixture (tests/support/feed_poller_fixture.h:
// a real redis-server, a real HTTP server playing the news site). Apart from
// feed_poller_redis_test because gRPC keeps it out of the ThreadSanitizer run
// (tests/CMakeLists.txt); the suite keeps the name FeedPollerTest that docs cite.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <set>

#include "absl/strings/str_cat.h"
#include "collector/feeds/feed_poller.h"
#include "collector/ingest/collector_service.h"
#include "common/grpc/grpc_server.h"
#include "common/redis/event_stream.h"
#include "tests/support/feed_poller_fixture.h"
#include "tests/support/status_matchers.h"

namespace sa::feeds {
namespace {

using ::testing::HasSubstr;
namespace v1 = summit_alerts::v1;
using FeedPollerTest = FeedPollerFixture;

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
