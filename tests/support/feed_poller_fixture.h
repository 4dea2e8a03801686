// The fixture of the feed poller's tests (feed_poller_redis_test: the poller alone, under
// ThreadSanitizer too; feed_api_redis_test: the collector's feed API over gRPC): a real
// redis-server for the suite, a real HTTP server on loopback playing the news site
// (tests/support/http_sink), a fresh key prefix per test.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "collector/feeds/feed_poller.h"
#include "collector/feeds/feed_store.h"
#include "collector/ingest/ingester.h"
#include "collector/publish/event_publisher.h"
#include "tests/support/bundled_gazetteer.h"
#include "tests/support/http_sink.h"
#include "tests/support/redis_server.h"

namespace sa::feeds {

namespace v1 = summit_alerts::v1;
using Reply = ::sa::testing::HttpSink::Reply;

inline std::string Rss(const std::vector<std::pair<std::string, std::string>>& items) {
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

inline Reply Ok(std::string body, std::string etag = "") {
  Reply r{.status = 200,
          .headers = {{"Content-Type", "application/rss+xml; charset=utf-8"}},
          .body = std::move(body)};
  if (!etag.empty()) r.headers.emplace_back("ETag", etag);
  return r;
}

class FeedPollerFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto redis = ::sa::testing::RedisServer::Start();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = redis->release();
    extractor_ = new extract::EventExtractor(::sa::testing::BundledGazetteerWithoutWorldPlaces());
  }
  static void TearDownTestSuite() {
    delete extractor_;
    delete redis_;
  }

  void SetUp() override {
    prefix_ = ::sa::testing::UniquePrefix();
    publisher_options_.key_prefix = prefix_;
    publisher_options_.stream = prefix_ + "events";
    publisher_ = std::make_unique<collector::EventPublisher>(redis_->client(), publisher_options_);
    ingester_ =
        std::make_unique<collector::Ingester>(*extractor_, *publisher_, extract::ArticleLimits{});
    store_ = std::make_unique<FeedStore>(redis_->client(), prefix_);
    auto sink = ::sa::testing::HttpSink::Start();
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

  static inline ::sa::testing::RedisServer* redis_ = nullptr;
  static inline extract::EventExtractor* extractor_ = nullptr;
  std::string prefix_;
  collector::PublisherOptions publisher_options_;
  std::unique_ptr<collector::EventPublisher> publisher_;
  std::unique_ptr<collector::Ingester> ingester_;
  std::unique_ptr<FeedStore> store_;
  std::unique_ptr<::sa::testing::HttpSink> sink_;
  FeedPollerOptions options_;
};

}  // namespace sa::feeds
