#include "collector/collector_app.h"

#include <csignal>

#include "collector/extract/event_extractor.h"
#include "collector/ingest/collector_service.h"
#include "collector/ingest/ingester.h"
#include "common/log/log.h"
#include "common/status_macros.h"

namespace sa::collector {

absl::Status RunCollector(const CollectorConfig& config) {
  SA_ASSIGN_OR_RETURN(auto gazetteer, Gazetteer::LoadForService(config.gazetteer_dir));
  EventExtractor extractor(std::move(gazetteer));

  redis::RedisClient redis(redis::RedisOptions{.endpoint = config.redis});
  EventPublisher publisher(redis, config.publisher);
  Ingester ingester(extractor, publisher, config.limits);
  CollectorService service(ingester);

  SA_ASSIGN_OR_RETURN(auto server, GrpcServer::Start(config.server, {&service}));
  server->WatchRedisHealth(redis, absl::Seconds(2));
  log::Info("collector.serving", {{"grpc_addr", server->address()},
                                  {"redis", config.redis.Redacted()},
                                  {"stream", config.publisher.stream}});
  int signal_number = WaitForTerminationSignal();
  log::Info("collector.stopping", {{"signal", signal_number}});
  server->Shutdown(config.shutdown_grace);
  log::Info("collector.stopped");
  return absl::OkStatus();
}

}  // namespace sa::collector
