#include "notifier/notifier_app.h"

#include "common/auth/authenticator.h"
#include "common/concurrency/work_queue.h"
#include "common/log/log.h"
#include "common/status_macros.h"
#include "notifier/api/alert_hub.h"
#include "notifier/api/notifier_service.h"
#include "notifier/match/subscription_cache.h"
#include "notifier/store/subscription_store.h"

namespace sa::notifier {

absl::Status RunNotifier(const NotifierConfig& config) {
  // Refuse a non-loopback address without authentication before any slow start-up work.
  SA_RETURN_IF_ERROR(auth::CheckListenAddress(config.server.address, config.auth.enabled,
                                              config.auth.insecure_no_auth));
  std::unique_ptr<crypto::SecretBox> secrets;  // webhook secrets sealed at rest when set
  if (!config.secrets_key_file.empty()) {
    SA_ASSIGN_OR_RETURN(secrets, crypto::SecretBox::LoadFile(config.secrets_key_file));
  }
  SA_ASSIGN_OR_RETURN(auto gazetteer,
                      extract::Gazetteer::LoadForService(config.gazetteer_dir,
                                                         {.world_places = config.world_places}));
  extract::EventExtractor extractor(std::move(gazetteer));
  redis::RedisClient redis(redis::RedisOptions{.endpoint = config.redis});
  SubscriptionStore subscriptions(redis, config.key_prefix, Clock::Real(), secrets.get());
  AlertStoreOptions alert_options = config.alerts;
  alert_options.key_prefix = config.key_prefix;
  AlertStore alerts(redis, alert_options);
  SubscriptionCache cache(subscriptions);
  EventConsumer consumer(redis, cache, alerts, config.consumer);
  DeliveryQueueOptions queue_options = config.delivery_queue;
  queue_options.key_prefix = config.key_prefix;
  queue_options.secrets = secrets.get();
  DeliveryQueue deliveries(redis, queue_options);
  DeliveryWorker delivery_worker(redis, deliveries, config.delivery);
  AlertHub hub(redis, alerts);
  WorkQueue work(config.stream_workers);
  QueryTester tester(redis, config.consumer.stream, &extractor);
  SA_ASSIGN_OR_RETURN(
      std::unique_ptr<auth::TokenStore> tokens,
      auth::StartAuth(config.auth, config.server.address, redis, config.key_prefix));
  auth::Authenticator authenticator(tokens.get(), Clock::Real(),
                                    config.auth.client_certificate_scopes);
  NotifierService service(subscriptions, alerts, hub, work, tester, deliveries, Clock::Real(),
                          config.server.unary, &authenticator);

  // The consumer group must exist before we claim to be up; retry while Redis starts.
  absl::Status started = consumer.Start();
  for (int attempt = 1; !started.ok() && attempt < 30; ++attempt) {
    log::Warning("notifier.waiting_for_redis", {{"error", started}, {"attempt", attempt}});
    absl::SleepFor(absl::Seconds(1));
    started = consumer.Start();
  }
  SA_RETURN_IF_ERROR(started);
  // Load every subscription before serving, so the first event does not pay for it.
  SA_RETURN_IF_ERROR(cache.Refresh());
  if (secrets != nullptr && config.reencrypt_secrets) {
    SA_ASSIGN_OR_RETURN(int64_t resealed, subscriptions.ResealAll());
    log::Info("notifier.secrets_resealed",
              {{"key_id", secrets->current_key_id()}, {"subscriptions", resealed}});
  }
  hub.Start();
  delivery_worker.Start();
  SA_ASSIGN_OR_RETURN(auto server, GrpcServer::Start(config.server, {&service}));
  RedisReplayGuard chatops_replays(redis, config.key_prefix);  // shared by every replica
  std::unique_ptr<ChatOpsServer> chatops;
  if (!config.chatops.address.empty()) {
    SA_ASSIGN_OR_RETURN(chatops,
                        ChatOpsServer::Start(config.chatops, subscriptions, tester, chatops_replays,
                                             Clock::Real(), &authenticator));
  }
  server->WatchRedisHealth(redis, absl::Seconds(2));
  log::Info("notifier.serving", {{"grpc_addr", server->address()},
                                 {"redis", config.redis.Redacted()},
                                 {"stream", config.consumer.stream},
                                 {"group", config.consumer.group},
                                 {"consumer", config.consumer.consumer},
                                 {"delivery_workers", config.delivery.workers}});

  int signal_number = WaitForTerminationSignal();
  log::Info("notifier.stopping", {{"signal", signal_number}});
  if (chatops) chatops->Stop();             // no new chat commands
  hub.Stop();                               // live streams end with UNAVAILABLE + resume hint,
  log::Info("notifier.streams_ended");      // and new ones are refused with it
  server->Shutdown(config.shutdown_grace);  // no new calls; in-flight unary calls finish
  log::Info("notifier.server_stopped");
  consumer.Stop();         // the entry in hand is stored and acked
  delivery_worker.Stop();  // attempts in flight finish and are settled
  ConsumerStats stats = consumer.stats();
  DeliveryStats delivered = delivery_worker.stats();
  log::Info("notifier.stopped", {{"events", stats.events},
                                 {"alerts", stats.alerts},
                                 {"duplicates", stats.duplicates},
                                 {"webhooks_delivered", delivered.delivered},
                                 {"webhooks_dead_lettered", delivered.dead_lettered}});
  return absl::OkStatus();
}

}  // namespace sa::notifier
