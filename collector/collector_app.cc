#include "collector/collector_app.h"

#include <csignal>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "collector/feeds/feeds_file.h"
#include "collector/ingest/collector_service.h"
#include "collector/ingest/directory_watcher.h"
#include "collector/ingest/ingester.h"
#include "common/auth/authenticator.h"
#include "common/clock.h"
#include "common/log/log.h"
#include "common/status_macros.h"
#include "extract/event_extractor.h"

namespace sa::collector {

absl::Status RunCollector(const CollectorConfig& config) {
  // Refuse a non-loopback address without authentication before any slow start-up work.
  SA_RETURN_IF_ERROR(auth::CheckListenAddress(config.server.address, config.auth.enabled,
                                              config.auth.insecure_no_auth));
  SA_ASSIGN_OR_RETURN(auto gazetteer,
                      extract::Gazetteer::LoadForService(config.gazetteer_dir,
                                                         {.world_places = config.world_places}));
  extract::EventExtractor extractor(std::move(gazetteer));

  const Clock& clock = Clock::Real();  // the service's one time source for business times
  redis::RedisClient redis(redis::RedisOptions{.endpoint = config.redis});
  EventPublisher publisher(redis, config.publisher, clock);
  Ingester ingester(extractor, publisher, config.limits, clock);
  feeds::FeedStore feed_store(redis, config.publisher.key_prefix);
  SA_ASSIGN_OR_RETURN(
      std::unique_ptr<auth::TokenStore> tokens,
      auth::StartAuth(config.auth, config.server.address, redis, config.publisher.key_prefix));
  auth::Authenticator authenticator(tokens.get(), clock, config.auth.client_certificate_scopes);
  CollectorService service(ingester, &feed_store, clock, config.server.unary, &authenticator);

  if (!config.feeds_file.empty()) {
    std::ifstream in(config.feeds_file);
    if (!in)
      return absl::NotFoundError(absl::StrCat("--feeds_file ", config.feeds_file, ": cannot open"));
    std::stringstream content;
    content << in.rdbuf();
    SA_ASSIGN_OR_RETURN(auto feeds, feeds::ParseFeedsFile(content.str(), config.feeds_file));
    for (const auto& feed : feeds) {
      // Redis may not be up yet: the file's feeds are added as soon as it answers.
      absl::StatusOr<summit_alerts::v1::Feed> added = feed_store.Add(feed, clock.Now());
      for (int attempt = 0;
           !added.ok() && added.status().code() == absl::StatusCode::kUnavailable && attempt < 30;
           ++attempt) {
        absl::SleepFor(absl::Seconds(1));
        added = feed_store.Add(feed, clock.Now());
      }
      if (!added.ok()) return added.status();
      log::Info("feed.configured", {{"feed", added->id()}, {"url", added->url()}});
    }
  }
  std::unique_ptr<DirectoryWatcher> watcher;
  if (!config.watch_dir.empty()) {
    watcher = std::make_unique<DirectoryWatcher>(
        ingester, DirectoryWatcherOptions{.directory = config.watch_dir});
    SA_RETURN_IF_ERROR(watcher->Start());
    log::Info("watch_dir.watching", {{"dir", config.watch_dir}});
  }
  std::unique_ptr<feeds::FeedPoller> poller;
  if (config.poll_feeds) {
    poller = std::make_unique<feeds::FeedPoller>(feed_store, ingester, config.feed_poller, clock);
    poller->Start();
  }

  SA_ASSIGN_OR_RETURN(auto server, GrpcServer::Start(config.server, {&service}));
  server->WatchRedisHealth(redis, absl::Seconds(2));
  log::Info("collector.serving", {{"grpc_addr", server->address()},
                                  {"redis", config.redis.Redacted()},
                                  {"stream", config.publisher.stream}});
  int signal_number = WaitForTerminationSignal();
  log::Info("collector.stopping", {{"signal", signal_number}});
  if (poller) poller->Stop();    // polls in progress finish (each within --feed_timeout)
  if (watcher) watcher->Stop();  // the file in hand is finished
  server->Shutdown(config.shutdown_grace);
  log::Info("collector.stopped");
  return absl::OkStatus();
}

}  // namespace sa::collector
