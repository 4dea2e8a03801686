// Wires the notifier together from its configuration and runs it until a termination signal.
#pragma once

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/auth/service_auth.h"
#include "common/grpc/grpc_server.h"
#include "common/redis/redis_url.h"
#include "notifier/chatops/chatops_server.h"
#include "notifier/consume/event_consumer.h"
#include "notifier/deliver/delivery_queue.h"
#include "notifier/deliver/delivery_worker.h"
#include "notifier/store/alert_store.h"

namespace sa::notifier {

struct NotifierConfig {
  GrpcServerOptions server;
  redis::RedisEndpoint redis;
  std::string key_prefix = "sa:";
  ConsumerOptions consumer;
  AlertStoreOptions alerts;
  DeliveryQueueOptions delivery_queue;  // key_prefix is set from key_prefix
  DeliveryWorkerOptions delivery;
  ChatOpsOptions chatops;  // off when address is empty
  int stream_workers = 4;  // threads reading alerts for Subscribe streams
  absl::Duration shutdown_grace = absl::Seconds(10);
  std::string gazetteer_dir;  // empty: config::FindDataDirectory's default
  bool world_places = true;   // load the packaged world places too (Gazetteer::Options)
  auth::AuthConfig auth;      // bearer tokens (docs/SECURITY.md); off by default
  // Webhook secrets encrypted at rest with this key file's keys (docs/SECURITY.md); empty: off.
  std::string secrets_key_file;
  bool reencrypt_secrets = true;  // at start, reseal subscriptions not on the current key
};

// Starts consuming and serving, waits for SIGTERM/SIGINT (BlockTerminationSignals must have
// been called), then: ends live streams (clients resume), stops accepting calls, finishes and
// acks the entry in hand, and returns. Errors only for start-up failures.
absl::Status RunNotifier(const NotifierConfig& config);

}  // namespace sa::notifier
