// The collector against a real redis-server: over real gRPC on loopback, and the publisher.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "collector/ingest/collector_service.h"
#include "collector/ingest/directory_watcher.h"
#include "common/grpc/grpc_server.h"
#include "common/redis/event_stream.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/support/bundled_gazetteer.h"
#include "tests/support/eventually.h"
#include "tests/support/fake_clock.h"
#include "tests/support/redis_server.h"
#include "tests/support/status_matchers.h"

namespace sa::collector {
namespace {

using ::sa::extract::ArticleLimits;
using ::sa::extract::EventExtractor;
using ::sa::extract::Gazetteer;
using ::sa::testing::IsOk;
using ::testing::HasSubstr;
namespace v1 = summit_alerts::v1;

class CollectorRedisTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto server = testing::RedisServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    redis_ = server->release();
    extractor_ = new EventExtractor(testing::BundledGazetteerWithoutWorldPlaces());
  }
  static void TearDownTestSuite() {
    delete extractor_;
    delete redis_;
  }

  void SetUp() override {
    options_.key_prefix = testing::UniquePrefix();
    options_.stream = options_.key_prefix + "events";
    publisher_ = std::make_unique<EventPublisher>(redis_->client(), options_);
    ingester_ = std::make_unique<Ingester>(*extractor_, *publisher_, ArticleLimits{});
    service_ = std::make_unique<CollectorService>(*ingester_);
    auto server = GrpcServer::Start({.address = "127.0.0.1:0"}, {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = v1::Collector::NewStub(
        grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override { server_->Shutdown(absl::Seconds(1)); }

  int64_t StreamLength() {
    auto reply = redis_->client().Command({"XLEN", options_.stream});
    return reply.ok() ? reply->integer : -1;
  }

  static v1::IngestRequest SummitRequest() {
    v1::IngestRequest r;
    r.mutable_article()->set_title("Trump and Putin to meet in Anchorage");
    r.mutable_article()->set_body(
        "President Vladimir Putin will meet Donald Trump in Anchorage, Alaska, to discuss arms "
        "control.");
    r.mutable_article()->set_source("Wire");
    return r;
  }

  grpc::Status Ingest(const v1::IngestRequest& request, v1::IngestResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return stub_->Ingest(&context, request, response);
  }

  static testing::RedisServer* redis_;
  static EventExtractor* extractor_;
  PublisherOptions options_;
  std::unique_ptr<EventPublisher> publisher_;
  std::unique_ptr<Ingester> ingester_;
  std::unique_ptr<CollectorService> service_;
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<v1::Collector::Stub> stub_;
};
testing::RedisServer* CollectorRedisTest::redis_ = nullptr;
EventExtractor* CollectorRedisTest::extractor_ = nullptr;

TEST_F(CollectorRedisTest, IngestPutsTheSerializedEventInTheStream) {
  v1::IngestResponse response;
  ASSERT_TRUE(Ingest(SummitRequest(), &response).ok());
  EXPECT_FALSE(response.duplicate());
  auto reply = redis_->client().Command({"XRANGE", options_.stream, "-", "+"});
  ASSERT_TRUE(reply.ok()) << reply.status();
  ASSERT_EQ(reply->elements.size(), 1u);
  EXPECT_EQ(reply->elements[0].elements[0].str, response.stream_id());
  const auto& fields = reply->elements[0].elements[1].elements;
  std::map<std::string, std::string> by_name;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) by_name[fields[i].str] = fields[i + 1].str;
  EXPECT_EQ(by_name[redis::event_stream::kEventId], response.event_id());
  EXPECT_EQ(by_name[redis::event_stream::kType], "summit/meeting");
  EXPECT_EQ(by_name[redis::event_stream::kTitle], "Trump and Putin to meet in Anchorage");
  v1::Event event;
  ASSERT_TRUE(event.ParseFromString(by_name[redis::event_stream::kEvent]));
  EXPECT_EQ(event.id(), response.event_id());
  ASSERT_EQ(event.participants_size(), 2);
  EXPECT_EQ(event.participants(0).name(), "Donald J. Trump");  // title mentions come first
  EXPECT_EQ(event.participants(1).name(), "Vladimir Putin");
  EXPECT_EQ(event.source(), "Wire");
}

TEST_F(CollectorRedisTest, SecondIngestOfTheSameStoryIsADuplicate) {
  v1::IngestResponse first, second;
  ASSERT_TRUE(Ingest(SummitRequest(), &first).ok());
  v1::IngestRequest again = SummitRequest();
  again.mutable_article()->set_source("Another outlet");
  ASSERT_TRUE(Ingest(again, &second).ok());
  EXPECT_TRUE(second.duplicate());
  EXPECT_EQ(second.event_id(), first.event_id());
  EXPECT_EQ(second.stream_id(), first.stream_id());
  EXPECT_EQ(second.event().source(), "Wire");  // the event as first published
  EXPECT_EQ(StreamLength(), 1);
}

TEST_F(CollectorRedisTest, ConcurrentIngestsOfOneStoryPublishOnce) {
  std::vector<std::thread> threads;
  std::atomic<int> duplicates{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto result = ingester_->Ingest(SummitRequest().article());
      if (result.ok() && result->duplicate()) ++duplicates;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(StreamLength(), 1);
  EXPECT_EQ(duplicates.load(), 7);
}

TEST_F(CollectorRedisTest, InvalidArticleIsRejectedWithAClearMessage) {
  v1::IngestRequest request = SummitRequest();
  request.mutable_article()->set_title("");
  v1::IngestResponse response;
  grpc::Status status = Ingest(request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "article.title is empty");
  EXPECT_EQ(Ingest(v1::IngestRequest(), &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(StreamLength(), 0);
}

// Issue 18 §4: ORF publishes titles only; such an entry is extracted and published.
TEST_F(CollectorRedisTest, ATitleOnlyArticleIsPublished) {
  v1::IngestRequest request = SummitRequest();
  request.mutable_article()->clear_body();
  v1::IngestResponse response;
  grpc::Status status = Ingest(request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(response.duplicate());
  EXPECT_EQ(response.event().title(), "Trump and Putin to meet in Anchorage");
  ASSERT_EQ(response.event().participants_size(), 2);
  EXPECT_EQ(response.event().participants(1).name(), "Vladimir Putin");
  EXPECT_EQ(StreamLength(), 1);
}

TEST_F(CollectorRedisTest, IngestStreamReportsEachItem) {
  grpc::ClientContext context;
  v1::IngestSummary summary;
  auto writer = stub_->IngestStream(&context, &summary);
  v1::IngestRequest bad = SummitRequest();
  bad.mutable_article()->clear_title();
  v1::IngestRequest other = SummitRequest();
  other.mutable_article()->set_title("Lavrov and Rubio hold talks");
  ASSERT_TRUE(writer->Write(SummitRequest()));
  ASSERT_TRUE(writer->Write(bad));
  ASSERT_TRUE(writer->Write(SummitRequest()));
  ASSERT_TRUE(writer->Write(other));
  writer->WritesDone();
  ASSERT_TRUE(writer->Finish().ok());
  EXPECT_EQ(summary.received(), 4u);
  EXPECT_EQ(summary.published(), 2u);
  EXPECT_EQ(summary.duplicates(), 1u);
  EXPECT_EQ(summary.rejected(), 1u);
  ASSERT_EQ(summary.results_size(), 4);
  EXPECT_EQ(summary.results(1).code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(summary.results(1).error(), "article.title is empty");
  EXPECT_TRUE(summary.results(2).duplicate());
  EXPECT_EQ(StreamLength(), 2);
}

TEST(CollectorWithoutRedis, IngestIsUnavailableNotLost) {
  EventExtractor extractor(testing::BundledGazetteerWithoutWorldPlaces());
  redis::RedisEndpoint nowhere;
  nowhere.port = testing::FreeLoopbackPort();  // nothing listens there
  redis::RedisClient client(redis::RedisOptions{.endpoint = nowhere});
  EventPublisher publisher(client, {});
  Ingester ingester(extractor, publisher, {});
  CollectorService service(ingester);
  auto server = GrpcServer::Start({.address = "127.0.0.1:0"}, {&service});
  ASSERT_TRUE(server.ok());
  auto stub = v1::Collector::NewStub(
      grpc::CreateChannel((*server)->address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  v1::IngestRequest request;
  request.mutable_article()->set_title("t");
  request.mutable_article()->set_body("b");
  v1::IngestResponse response;
  grpc::Status status = stub->Ingest(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(status.error_message(), HasSubstr("connect"));
  (*server)->Shutdown(absl::Seconds(1));
}

// Readiness follows Redis; the "liveness" service does not, so an orchestrator takes a replica
// out of rotation during a Redis outage instead of restarting it.
TEST(CollectorHealth, ReadinessFollowsRedisWhileLivenessStaysServing) {
  using grpc::health::v1::HealthCheckRequest;
  using grpc::health::v1::HealthCheckResponse;
  auto redis = testing::RedisServer::Start();
  ASSERT_THAT(redis.status(), IsOk());
  redis::RedisClient client(redis::RedisOptions{.endpoint = (*redis)->endpoint()});
  auto server = GrpcServer::Start({.address = "127.0.0.1:0"}, {});
  ASSERT_THAT(server.status(), IsOk());
  (*server)->WatchRedisHealth(client, absl::Milliseconds(50));
  auto stub = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel((*server)->address(), grpc::InsecureChannelCredentials()));
  auto status_of = [&](const std::string& service) {
    grpc::ClientContext context;
    HealthCheckRequest request;
    request.set_service(service);
    HealthCheckResponse response;
    grpc::Status status = stub->Check(&context, request, &response);
    return status.ok() ? response.status() : HealthCheckResponse::UNKNOWN;
  };
  auto becomes = [&](const std::string& service, HealthCheckResponse::ServingStatus want) {
    return testing::Eventually([&] { return status_of(service) == want; }, absl::Seconds(10));
  };
  EXPECT_TRUE(becomes("", HealthCheckResponse::SERVING));
  EXPECT_EQ(status_of(GrpcServer::kLivenessService), HealthCheckResponse::SERVING);
  (*redis)->Kill();
  EXPECT_TRUE(becomes("", HealthCheckResponse::NOT_SERVING));
  EXPECT_EQ(status_of(GrpcServer::kLivenessService), HealthCheckResponse::SERVING);
  ASSERT_THAT((*redis)->Restart(), IsOk());
  EXPECT_TRUE(becomes("", HealthCheckResponse::SERVING));
  (*server)->Shutdown(absl::Seconds(1));
}

TEST_F(CollectorRedisTest, RedisRestartedBetweenIngestsIsSurvived) {
  v1::IngestResponse response;
  ASSERT_TRUE(Ingest(SummitRequest(), &response).ok());
  // The pooled connection goes stale; the client must reconnect transparently.
  ASSERT_THAT(redis_->Restart(), testing::IsOk());
  v1::IngestRequest other = SummitRequest();
  other.mutable_article()->set_title("Putin and Trump meet again");
  ASSERT_TRUE(Ingest(other, &response).ok());
  EXPECT_FALSE(response.duplicate());
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

v1::IngestRequest Story(const std::string& text, const std::string& source,
                        const std::string& url) {
  v1::IngestRequest r;
  r.mutable_article()->set_title(text.substr(0, text.find('.')));
  r.mutable_article()->set_body(text);
  r.mutable_article()->set_source(source);
  r.mutable_article()->set_url(url);
  return r;
}

// The seed story as another outlet republishes it: a dateline, a reworded lead, a paragraph
// dropped and a copyright line.
std::string SyndicatedSeed(const std::string& seed) {
  std::string copy = seed;
  size_t a = copy.find("The choice of Anchorage");
  size_t b = copy.find('\n', a);
  copy.erase(a, b - a + 1);
  return absl::StrCat("ANCHORAGE (Northern Wire) — ",
                      absl::StrReplaceAll(copy, {{"highly anticipated", "much-awaited"}}),
                      "\nCopyright 2025 Northern Wire.");
}

TEST_F(CollectorRedisTest, ARepublishedWireStoryBecomesASourceOfTheFirstEvent) {
  const std::string seed = ReadText(SA_SHARED_DIR "/corpora/news/anchorage-summit.txt");
  ASSERT_FALSE(seed.empty());
  v1::IngestResponse first, copy, again, other;
  ASSERT_TRUE(Ingest(Story(seed, "Wire", "https://wire.example/summit"), &first).ok());
  ASSERT_FALSE(first.duplicate());

  ASSERT_TRUE(Ingest(Story(SyndicatedSeed(seed), "Northern Wire",
                           "https://north.example/a/1?utm_source=rss"),
                     &copy)
                  .ok());
  EXPECT_TRUE(copy.duplicate());
  EXPECT_THAT(copy.duplicate_reason(), ::testing::StartsWith("near duplicate ("));
  EXPECT_EQ(copy.event_id(), first.event_id());
  EXPECT_EQ(copy.stream_id(), first.stream_id());
  ASSERT_EQ(copy.event().sources_size(), 2);
  EXPECT_EQ(copy.event().sources(0).source(), "Wire");
  EXPECT_EQ(copy.event().sources(0).matched_by(), "");
  EXPECT_EQ(copy.event().sources(1).source(), "Northern Wire");
  EXPECT_EQ(copy.event().sources(1).url(), "https://north.example/a/1");  // canonical
  EXPECT_EQ(copy.event().sources(1).matched_by(), "near duplicate");

  // Sending the copy again (a retry) records nothing new.
  ASSERT_TRUE(
      Ingest(Story(SyndicatedSeed(seed), "Northern Wire", "https://north.example/a/1"), &again)
          .ok());
  EXPECT_TRUE(again.duplicate());
  EXPECT_EQ(again.event().sources_size(), 2);

  // A different story about the same summit is its own event.
  ASSERT_TRUE(
      Ingest(Story(ReadText(SA_SOURCE_DIR "/tests/data/near_duplicates/lavrov-briefing.txt"),
                   "Wire", "https://wire.example/lavrov"),
             &other)
          .ok());
  EXPECT_FALSE(other.duplicate());
  EXPECT_EQ(StreamLength(), 2);
}

TEST_F(CollectorRedisTest, TheSameCanonicalUrlIsTheSameStory) {
  v1::IngestResponse first, updated;
  ASSERT_TRUE(Ingest(Story("Lavrov lands in Anchorage. He will meet Rubio.", "Wire",
                           "https://Wire.example:443/world/lavrov#top"),
                     &first)
                  .ok());
  ASSERT_TRUE(
      Ingest(Story("Lavrov arrives in Alaska for talks. Updated with quotes from the airport.",
                   "Wire", "https://wire.example/world/lavrov?utm_campaign=x&fbclid=y"),
             &updated)
          .ok());
  EXPECT_TRUE(updated.duplicate());
  EXPECT_EQ(updated.duplicate_reason(), "same URL");
  EXPECT_EQ(updated.event_id(), first.event_id());
  EXPECT_EQ(StreamLength(), 1);
}

TEST_F(CollectorRedisTest, ACopyPublishedAfterTheNearDuplicateWindowIsANewStory) {
  testing::FakeClock clock;
  EventPublisher publisher(redis_->client(), options_, clock);
  Ingester ingester(*extractor_, publisher, ArticleLimits{}, clock);
  const std::string seed = ReadText(SA_SHARED_DIR "/corpora/news/anchorage-summit.txt");
  auto first = ingester.Ingest(Story(seed, "Wire", "https://wire.example/summit").article());
  ASSERT_THAT(first.status(), IsOk());
  // The same copy as in ARepublishedWireStoryBecomesASourceOfTheFirstEvent, once the window
  // (measured on the publisher's clock) has passed since the first story.
  clock.Advance(options_.near_duplicate_window + absl::Seconds(1));
  auto copy = ingester.Ingest(
      Story(SyndicatedSeed(seed), "Northern Wire", "https://north.example/a/1").article());
  ASSERT_THAT(copy.status(), IsOk());
  EXPECT_FALSE(copy->duplicate()) << copy->duplicate_reason();
  EXPECT_NE(copy->event_id(), first->event_id());
  EXPECT_EQ(StreamLength(), 2);
}

TEST_F(CollectorRedisTest, NearDuplicateDetectionCanBeSwitchedOff) {
  options_.near_duplicate_bits = 0;
  EventPublisher publisher(redis_->client(), options_);
  Ingester ingester(*extractor_, publisher, ArticleLimits{});
  const std::string seed = ReadText(SA_SHARED_DIR "/corpora/news/anchorage-summit.txt");
  auto first = ingester.Ingest(Story(seed, "Wire", "").article());
  auto copy = ingester.Ingest(Story(SyndicatedSeed(seed), "Northern Wire", "").article());
  ASSERT_TRUE(first.ok() && copy.ok());
  EXPECT_FALSE(copy->duplicate());
  EXPECT_EQ(StreamLength(), 2);
}

TEST_F(CollectorRedisTest, AWatchedDirectoryIngestsFilesAndMovesThemAside) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(::testing::TempDir()) / testing::UniquePrefix();
  fs::create_directories(dir);
  std::ofstream(dir / "a-story.txt")
      << "Putin and Trump meet in Anchorage. They discussed arms control.";
  std::ofstream(dir / "b-feed.xml")
      << "<rss version=\"2.0\"><channel><title>W</title>"
         "<item><title>Lavrov lands</title><description>Sergei Lavrov landed."
         "</description></item></channel></rss>";
  std::ofstream(dir / "c-broken.json") << "{not json";
  std::ofstream(dir / "d-writing.part") << "half a story";
  DirectoryWatcher watcher(*ingester_,
                           {.directory = dir.string(), .settle_time = absl::ZeroDuration()});
  ASSERT_THAT(watcher.Start(), testing::IsOk());
  watcher.Stop();  // scans are driven by hand below

  ScanResult scan = watcher.ScanOnce();
  EXPECT_EQ(scan.files_done, 2);
  EXPECT_EQ(scan.files_failed, 1);
  EXPECT_EQ(scan.published, 2);
  EXPECT_EQ(StreamLength(), 2);
  EXPECT_TRUE(fs::exists(dir / "done" / "a-story.txt"));
  EXPECT_TRUE(fs::exists(dir / "done" / "b-feed.xml"));
  EXPECT_TRUE(fs::exists(dir / "failed" / "c-broken.json"));
  EXPECT_THAT(ReadText((dir / "failed" / "c-broken.json.error").string()),
              HasSubstr("not an Article"));
  EXPECT_TRUE(fs::exists(dir / "d-writing.part"));  // not finished: left alone

  // Redis down: the file stays and is ingested once Redis is back.
  std::ofstream(dir / "e-later.txt") << "Sergei Lavrov met Marco Rubio in Anchorage on Thursday.";
  redis_->Kill();
  scan = watcher.ScanOnce();
  EXPECT_EQ(scan.files_retry, 1);
  EXPECT_TRUE(fs::exists(dir / "e-later.txt"));
  ASSERT_THAT(redis_->Restart(), testing::IsOk());
  scan = watcher.ScanOnce();
  EXPECT_EQ(scan.files_done, 1);
  EXPECT_EQ(scan.published, 1);
  EXPECT_TRUE(fs::exists(dir / "done" / "e-later.txt"));
}

// Issue 19: an article dated 9999-12-31 saying "next Friday" made Ingest answer UNKNOWN (a
// protobuf CHECK in the event-time code). Now the date is dropped and the article is ingested;
// a published_at no Timestamp may hold is INVALID_ARGUMENT with the reason.
TEST_F(CollectorRedisTest, ArticlesDatedAtTheEndOfTimeNeverFailTheCall) {
  v1::IngestRequest request = SummitRequest();
  request.mutable_article()->set_body(
      "President Vladimir Putin will meet Donald Trump next Friday.");
  request.mutable_article()->mutable_published_at()->set_seconds(
      253402300799);  // 9999-12-31T23:59:59Z
  v1::IngestResponse response;
  grpc::Status status = Ingest(request, &response);
  ASSERT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  EXPECT_FALSE(response.event().has_published_at());
  EXPECT_TRUE(response.event().has_event_time());  // next Friday from now
  EXPECT_LT(response.event().event_time().seconds(),
            absl::ToUnixSeconds(absl::Now() + absl::Hours(24 * 8)));
  EXPECT_FALSE(response.event().sources(0).has_published_at());
  EXPECT_EQ(StreamLength(), 1);

  for (auto [seconds, nanos] : {std::pair<int64_t, int32_t>{253402300800, 0},
                                {-62135596801, 0},
                                {1755000000, -1},
                                {1755000000, 1000000000}}) {
    v1::IngestRequest bad = SummitRequest();
    bad.mutable_article()->set_title(absl::StrCat("Talks next Friday ", seconds, " ", nanos));
    bad.mutable_article()->mutable_published_at()->set_seconds(seconds);
    bad.mutable_article()->mutable_published_at()->set_nanos(nanos);
    grpc::Status rejected = Ingest(bad, &response);
    EXPECT_EQ(rejected.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << seconds << " " << nanos;
    EXPECT_EQ(rejected.error_message(), "article.published_at is outside 0001-01-01..9999-12-31");
  }
  EXPECT_EQ(StreamLength(), 1);
}

// Issue 19: the 9999 article dropped into --watch_dir aborted the collector at every start. Now
// it is ingested; a file with an article that fails goes to failed/ with the reason, and its
// other articles are published.
TEST_F(CollectorRedisTest, AWatchedFileWithAFailingArticleGoesToFailedWithTheReason) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(::testing::TempDir()) / testing::UniquePrefix();
  fs::create_directories(dir);
  auto item = [](const std::string& title, const std::string& date) {
    return absl::StrCat("<item><title>", title, "</title><description>", title,
                        ": Sergei Lavrov meets Marco Rubio next Friday.</description><pubDate>",
                        date, "</pubDate></item>");
  };
  std::ofstream(dir / "a-end-of-time.xml")
      << "<rss version=\"2.0\"><channel><title>W</title>"
      << item("Envoys named", "Fri, 31 Dec 9999 23:59:59 GMT")
      << item("Talks resume", "Fri, 31 Dec 9999 23:59:59 -0100") << "</channel></rss>";
  std::ofstream(dir / "b-poison.xml")
      << "<rss version=\"2.0\"><channel><title>W</title>"
      << item("Summit opens", "Fri, 15 Aug 2025 10:00:00 GMT")
      << item(std::string(2000, 'T'), "Fri, 15 Aug 2025 11:00:00 GMT") << "</channel></rss>";
  DirectoryWatcher watcher(*ingester_,
                           {.directory = dir.string(), .settle_time = absl::ZeroDuration()});
  ASSERT_THAT(watcher.Start(), testing::IsOk());
  watcher.Stop();

  ScanResult scan = watcher.ScanOnce();
  EXPECT_EQ(scan.files_done, 1);
  EXPECT_EQ(scan.files_failed, 1);
  EXPECT_EQ(scan.published, 3);
  EXPECT_EQ(scan.rejected, 1);
  EXPECT_EQ(StreamLength(), 3);
  EXPECT_TRUE(fs::exists(dir / "done" / "a-end-of-time.xml"));
  EXPECT_TRUE(fs::exists(dir / "failed" / "b-poison.xml"));
  EXPECT_THAT(ReadText((dir / "failed" / "b-poison.xml.error").string()),
              HasSubstr("article 2 of 2: article.title is 2000 bytes; the limit is 1024"));
  // Nothing is left to read again.
  scan = watcher.ScanOnce();
  EXPECT_EQ(scan.files_done + scan.files_failed + scan.files_retry, 0);
}

}  // namespace
}  // namespace sa::collector
