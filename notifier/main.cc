// notifier: matches events from the Redis Stream against subscriptions and delivers alerts.
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/time/time.h"
#include "common/config/env_flags.h"
#include "common/grpc/service_settings.h"
#include "common/log/log.h"
#include "notifier/notifier_app.h"

ABSL_FLAG(std::string, grpc_addr, "127.0.0.1:50052",
          "gRPC listen address HOST:PORT; port 0 picks a free port (env GRPC_ADDR)");
ABSL_FLAG(std::string, grpc_port_file, "",
          "write the bound HOST:PORT to this file once serving (env GRPC_PORT_FILE)");
ABSL_FLAG(std::string, redis_url, "redis://127.0.0.1:6379/0",
          "Redis: redis://[[user]:password@]host[:port][/db] (env REDIS_URL)");
ABSL_FLAG(std::string, stream, "events", "Redis Stream key to consume events from (env STREAM)");
ABSL_FLAG(std::string, group, "notifier", "consumer group shared by all replicas (env GROUP)");
ABSL_FLAG(std::string, consumer_name, "",
          "this replica's consumer name; must be stable across restarts so pending events are "
          "re-read (e.g. the pod name); empty: the host name (env CONSUMER_NAME)");
ABSL_FLAG(std::string, group_start_id, "0",
          "where a newly created group starts: 0 = every retained event, $ = only new ones "
          "(env GROUP_START_ID)");
ABSL_FLAG(std::string, key_prefix, "sa:", "prefix of every other Redis key (env KEY_PREFIX)");
ABSL_FLAG(int64_t, alerts_per_subscription, 1000,
          "alerts kept per subscription for resuming streams (env ALERTS_PER_SUBSCRIPTION)");
ABSL_FLAG(absl::Duration, claim_min_idle, absl::Seconds(60),
          "claim events another consumer left unacked this long (env CLAIM_MIN_IDLE)");
ABSL_FLAG(int32_t, stream_workers, 4, "threads reading alerts for live streams (env STREAM_WORKERS)");
ABSL_FLAG(int32_t, max_threads, 64, "most threads serving unary gRPC calls (env MAX_THREADS)");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(10),
          "how long in-flight calls may finish after SIGTERM (env SHUTDOWN_GRACE)");
ABSL_FLAG(std::string, gazetteer_dir, "",
          "directory of the collector's .tsv dictionaries, for TestQuery on articles; empty: "
          "./data/gazetteer, then the installed copy (env GAZETTEER_DIR)");
ABSL_FLAG(int32_t, delivery_workers, 4,
          "threads sending webhook deliveries; 0: this replica only matches and queues "
          "(env DELIVERY_WORKERS)");
ABSL_FLAG(absl::Duration, webhook_timeout, absl::Seconds(10),
          "longest one webhook request may take, connect included (env WEBHOOK_TIMEOUT)");
ABSL_FLAG(int32_t, webhook_max_attempts, 8,
          "attempts before a failing delivery is dead-lettered (env WEBHOOK_MAX_ATTEMPTS)");
ABSL_FLAG(absl::Duration, webhook_initial_backoff, absl::Seconds(2),
          "delay before the first retry; doubles per attempt, with jitter, up to "
          "--webhook_max_backoff (env WEBHOOK_INITIAL_BACKOFF)");
ABSL_FLAG(absl::Duration, webhook_max_backoff, absl::Minutes(10),
          "longest delay between retries (env WEBHOOK_MAX_BACKOFF)");
ABSL_FLAG(bool, webhook_allow_private_networks, false,
          "allow webhooks to loopback/private/link-local addresses (a self-hosted Mattermost "
          "on the LAN); off, such URLs are dead-lettered (env WEBHOOK_ALLOW_PRIVATE_NETWORKS)");
ABSL_FLAG(absl::Duration, delivery_poll, absl::Seconds(1),
          "longest an idle delivery worker waits before looking for due retries "
          "(env DELIVERY_POLL)");
ABSL_FLAG(std::string, chatops_addr, "",
          "HOST:PORT of the chat-ops HTTP endpoint (Slack commands, Telegram webhook, JSON API); "
          "empty: off (env CHATOPS_ADDR)");
ABSL_FLAG(std::string, slack_signing_secret, "",
          "enables POST /slack/commands; requests are verified with it (env SLACK_SIGNING_SECRET)");
ABSL_FLAG(std::string, slack_bot_token, "",
          "xoxb- token that posts alerts of Slack-created subscriptions (env SLACK_BOT_TOKEN)");
ABSL_FLAG(std::string, slack_api_url, "https://slack.com/api", "Slack Web API base (env SLACK_API_URL)");
ABSL_FLAG(std::string, telegram_bot_token, "",
          "bot token that answers and posts alerts of Telegram-created subscriptions "
          "(env TELEGRAM_BOT_TOKEN)");
ABSL_FLAG(std::string, telegram_secret_token, "",
          "enables POST /telegram/webhook; the secret_token given to setWebhook "
          "(env TELEGRAM_SECRET_TOKEN)");
ABSL_FLAG(std::string, telegram_api_url, "https://api.telegram.org",
          "Telegram Bot API base (env TELEGRAM_API_URL)");
ABSL_FLAG(std::string, chatops_api_token, "",
          "enables the JSON mirror /v1/subscriptions, /v1/test with this bearer token "
          "(env CHATOPS_API_TOKEN)");
ABSL_FLAG(absl::Duration, chatops_request_timeout, absl::Seconds(10),
          "longest a chat-ops request may take to arrive whole (headers and body), however "
          "steadily its bytes come; later: 408 and closed (env CHATOPS_REQUEST_TIMEOUT)");
ABSL_FLAG(int32_t, chatops_max_header_bytes, 16 * 1024,
          "largest chat-ops request line + headers; larger: 431 (env CHATOPS_MAX_HEADER_BYTES)");
ABSL_FLAG(int32_t, chatops_max_body_bytes, 1024 * 1024,
          "largest chat-ops request body; larger: 413 (env CHATOPS_MAX_BODY_BYTES)");
ABSL_FLAG(int32_t, chatops_max_connections, 256,
          "most open chat-ops connections; more are answered 503 (env CHATOPS_MAX_CONNECTIONS)");
ABSL_FLAG(int32_t, chatops_max_connections_per_address, 8,
          "most open chat-ops connections from one client address, more are answered 429; 0: no "
          "cap (behind a proxy that connects from one address) "
          "(env CHATOPS_MAX_CONNECTIONS_PER_ADDRESS)");
ABSL_FLAG(int32_t, chatops_workers, 4, "threads running chat-ops requests (env CHATOPS_WORKERS)");
ABSL_FLAG(int32_t, redis_wait_replicas, 0,
          "count an alert as stored, and a delivery as settled, only once this many Redis "
          "replicas have it (WAIT), so a failover repeats nothing (env REDIS_WAIT_REPLICAS)");
ABSL_FLAG(absl::Duration, redis_wait_timeout, absl::Seconds(1),
          "how long such a write waits for the replicas before it is retried "
          "(env REDIS_WAIT_TIMEOUT)");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warning or error (env LOG_LEVEL)");
ABSL_FLAG(bool, testing_kill_before_ack, false,
          "FOR TESTS ONLY: SIGKILL this process after storing an event's alerts and before its "
          "XACK, to prove redelivery loses and duplicates nothing (env TESTING_KILL_BEFORE_ACK)");

int main(int argc, char** argv) {
  sa::BlockTerminationSignals();
  sa::config::ParseFlagsWithEnvironment(
      argc, argv,
      {"grpc_addr", "grpc_port_file", "redis_url", "stream", "group", "consumer_name",
       "group_start_id", "key_prefix", "alerts_per_subscription", "claim_min_idle",
       "stream_workers", "max_threads", "shutdown_grace", "gazetteer_dir", "log_level", "testing_kill_before_ack", "delivery_workers",
       "webhook_timeout", "webhook_max_attempts", "webhook_initial_backoff", "webhook_max_backoff",
       "webhook_allow_private_networks", "delivery_poll", "chatops_addr", "slack_signing_secret",
       "slack_bot_token", "slack_api_url", "telegram_bot_token", "telegram_secret_token",
       "telegram_api_url", "chatops_api_token", "chatops_request_timeout",
       "chatops_max_header_bytes", "chatops_max_body_bytes", "chatops_max_connections",
       "chatops_max_connections_per_address", "chatops_workers", "redis_wait_replicas", "redis_wait_timeout"},
      "matches events against subscriptions and streams alerts.\n"
      "Every flag can also be set by the environment variable named in its help.");
  auto fail = [](const absl::Status& s) { return sa::ReportConfigError("notifier", s); };
  sa::notifier::NotifierConfig config;
  if (auto s = sa::ApplyServiceSettings("notifier",
                                        {.grpc_addr = absl::GetFlag(FLAGS_grpc_addr),
                                         .grpc_port_file = absl::GetFlag(FLAGS_grpc_port_file),
                                         .max_threads = absl::GetFlag(FLAGS_max_threads),
                                         .redis_url = absl::GetFlag(FLAGS_redis_url),
                                         .log_level = absl::GetFlag(FLAGS_log_level)},
                                        config.server, config.redis);
      !s.ok()) {
    return fail(s);
  }
  config.key_prefix = absl::GetFlag(FLAGS_key_prefix);
  config.consumer.stream = absl::GetFlag(FLAGS_stream);
  config.consumer.group = absl::GetFlag(FLAGS_group);
  config.consumer.consumer = absl::GetFlag(FLAGS_consumer_name);
  if (config.consumer.consumer.empty()) {
    char host[256] = {};
    gethostname(host, sizeof(host) - 1);
    config.consumer.consumer = host[0] ? host : "notifier";
  }
  config.consumer.group_start_id = absl::GetFlag(FLAGS_group_start_id);
  config.consumer.claim_min_idle = absl::GetFlag(FLAGS_claim_min_idle);
  config.alerts.max_alerts_per_subscription = absl::GetFlag(FLAGS_alerts_per_subscription);
  config.stream_workers = absl::GetFlag(FLAGS_stream_workers);
  config.shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace);
  config.gazetteer_dir = absl::GetFlag(FLAGS_gazetteer_dir);
  auto durability = sa::RedisDurability(absl::GetFlag(FLAGS_redis_wait_replicas),
                                        absl::GetFlag(FLAGS_redis_wait_timeout));
  if (!durability.ok()) return fail(durability.status());
  config.alerts.durability = *durability;
  config.delivery_queue.durability = *durability;
  config.delivery.workers = absl::GetFlag(FLAGS_delivery_workers);
  config.delivery.idle_poll = absl::GetFlag(FLAGS_delivery_poll);
  config.delivery.http.total_timeout = absl::GetFlag(FLAGS_webhook_timeout);
  config.delivery.http.connect_timeout = std::min(absl::Seconds(5), config.delivery.http.total_timeout);
  config.delivery.http.allow_private_addresses = absl::GetFlag(FLAGS_webhook_allow_private_networks);
  config.delivery.retry.max_attempts = absl::GetFlag(FLAGS_webhook_max_attempts);
  config.delivery.retry.initial_backoff = absl::GetFlag(FLAGS_webhook_initial_backoff);
  config.delivery.retry.max_backoff = absl::GetFlag(FLAGS_webhook_max_backoff);
  // A claimed delivery comes back to the queue after its lease: longer than any attempt.
  config.delivery_queue.lease = config.delivery.http.total_timeout * 2 + absl::Seconds(10);
  config.chatops = {.address = absl::GetFlag(FLAGS_chatops_addr),
                    .slack_signing_secret = absl::GetFlag(FLAGS_slack_signing_secret),
                    .slack_bot_token = absl::GetFlag(FLAGS_slack_bot_token),
                    .slack_api_url = absl::GetFlag(FLAGS_slack_api_url),
                    .telegram_bot_token = absl::GetFlag(FLAGS_telegram_bot_token),
                    .telegram_secret_token = absl::GetFlag(FLAGS_telegram_secret_token),
                    .telegram_api_url = absl::GetFlag(FLAGS_telegram_api_url),
                    .api_token = absl::GetFlag(FLAGS_chatops_api_token),
                    .max_body_bytes = static_cast<size_t>(
                        std::max(0, absl::GetFlag(FLAGS_chatops_max_body_bytes))),
                    .max_header_bytes = static_cast<size_t>(
                        std::max(0, absl::GetFlag(FLAGS_chatops_max_header_bytes))),
                    .request_timeout = absl::GetFlag(FLAGS_chatops_request_timeout),
                    .max_connections = absl::GetFlag(FLAGS_chatops_max_connections),
                    .max_connections_per_address =
                        absl::GetFlag(FLAGS_chatops_max_connections_per_address),
                    .workers = absl::GetFlag(FLAGS_chatops_workers)};
  if (config.chatops.request_timeout < absl::Milliseconds(100) ||
      config.chatops.max_header_bytes < 1024 || config.chatops.max_body_bytes < 1024 ||
      config.chatops.max_connections < 1 || config.chatops.max_connections_per_address < 0 ||
      config.chatops.workers < 1 || config.chatops.workers > 256) {
    return fail(absl::InvalidArgumentError(
        "--chatops_request_timeout must be >= 100ms, --chatops_max_header_bytes and "
        "--chatops_max_body_bytes >= 1024, --chatops_max_connections >= 1, "
        "--chatops_max_connections_per_address >= 0 and --chatops_workers in 1..256"));
  }
  if (!config.chatops.address.empty() && config.chatops.slack_signing_secret.empty() &&
      config.chatops.telegram_secret_token.empty() && config.chatops.api_token.empty()) {
    return fail(absl::InvalidArgumentError(
        "--chatops_addr serves nothing without --slack_signing_secret, --telegram_secret_token "
        "or --chatops_api_token"));
  }
  if (!config.chatops.telegram_secret_token.empty() && config.chatops.telegram_bot_token.empty()) {
    return fail(absl::InvalidArgumentError("--telegram_secret_token needs --telegram_bot_token"));
  }
  if (!config.chatops.slack_signing_secret.empty() && config.chatops.slack_bot_token.empty()) {
    return fail(absl::InvalidArgumentError("--slack_signing_secret needs --slack_bot_token"));
  }
  if (config.delivery.workers < 0 || config.delivery.workers > 256) {
    return fail(absl::InvalidArgumentError("--delivery_workers must be in 0..256"));
  }
  if (config.delivery.retry.max_attempts < 1) {
    return fail(absl::InvalidArgumentError("--webhook_max_attempts must be >= 1"));
  }
  if (config.delivery.http.total_timeout < absl::Milliseconds(100) ||
      config.delivery.retry.initial_backoff <= absl::ZeroDuration() ||
      config.delivery.idle_poll <= absl::ZeroDuration()) {
    return fail(absl::InvalidArgumentError(
        "--webhook_timeout must be >= 100ms; --webhook_initial_backoff and --delivery_poll > 0"));
  }
  if (config.consumer.stream.empty() || config.consumer.group.empty()) {
    return fail(absl::InvalidArgumentError("--stream and --group must not be empty"));
  }
  if (config.consumer.group_start_id != "0" && config.consumer.group_start_id != "$") {
    return fail(absl::InvalidArgumentError("--group_start_id must be 0 or $"));
  }
  if (config.alerts.max_alerts_per_subscription < 1) {
    return fail(absl::InvalidArgumentError("--alerts_per_subscription must be >= 1"));
  }
  if (config.stream_workers < 1) {
    return fail(absl::InvalidArgumentError("--stream_workers must be >= 1"));
  }
  if (absl::GetFlag(FLAGS_testing_kill_before_ack)) {
    sa::log::Warning("notifier.testing_kill_before_ack");
    config.consumer.before_ack = [](const std::string& entry_id) {
      sa::log::Warning("notifier.killing_before_ack", {{"entry_id", entry_id}});
      std::raise(SIGKILL);
    };
  }
  if (absl::Status s = sa::notifier::RunNotifier(config); !s.ok()) {
    sa::log::Error("notifier.failed", {{"error", s}});
    std::fprintf(stderr, "notifier: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  return 0;
}
