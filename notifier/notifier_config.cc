#include "notifier/notifier_config.h"

#include <algorithm>
#include <csignal>

#include "absl/flags/flag.h"
#include "absl/time/time.h"
#include "common/auth/auth_flags.h"
#include "common/config/service_flags.h"
#include "common/grpc/service_settings.h"
#include "common/log/log.h"
#include "common/status_macros.h"

ABSL_FLAG(std::string, group, "notifier", "consumer group shared by all replicas (env GROUP)");
ABSL_FLAG(std::string, consumer_name, "",
          "this replica's consumer name; must be stable across restarts so pending events are "
          "re-read (e.g. the pod name); empty: the host name (env CONSUMER_NAME)");
ABSL_FLAG(std::string, group_start_id, "0",
          "where a newly created group starts: 0 = every retained event, $ = only new ones "
          "(env GROUP_START_ID)");
ABSL_FLAG(int64_t, alerts_per_subscription, 1000,
          "alerts kept per subscription for resuming streams (env ALERTS_PER_SUBSCRIPTION)");
ABSL_FLAG(absl::Duration, alert_max_age, absl::Hours(7 * 24),
          "alerts older than this are trimmed (approximately), whatever their number "
          "(env ALERT_MAX_AGE)");
ABSL_FLAG(absl::Duration, claim_min_idle, absl::Seconds(60),
          "claim events another consumer left unacked this long (env CLAIM_MIN_IDLE)");
ABSL_FLAG(int32_t, stream_workers, 4,
          "threads reading alerts for live streams (env STREAM_WORKERS)");
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
ABSL_FLAG(std::string, slack_api_url, "https://slack.com/api",
          "Slack Web API base (env SLACK_API_URL)");
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
ABSL_FLAG(bool, testing_kill_before_ack, false,
          "FOR TESTS ONLY: SIGKILL this process after storing an event's alerts and before its "
          "XACK, to prove redelivery loses and duplicates nothing (env TESTING_KILL_BEFORE_ACK)");

namespace sa::notifier {
namespace {

absl::Status Invalid(absl::string_view message) { return absl::InvalidArgumentError(message); }

// The consumer group, the alerts kept and the Subscribe stream readers.
absl::Status ApplyConsumerFlags(const config::ServiceConfig& service, NotifierConfig& config) {
  ConsumerOptions& consumer = config.consumer;
  consumer.stream = service.stream;
  consumer.group = absl::GetFlag(FLAGS_group);
  consumer.consumer = absl::GetFlag(FLAGS_consumer_name);
  if (consumer.consumer.empty()) consumer.consumer = config::HostName("notifier");
  consumer.group_start_id = absl::GetFlag(FLAGS_group_start_id);
  consumer.claim_min_idle = absl::GetFlag(FLAGS_claim_min_idle);
  config.alerts.max_alerts_per_subscription = absl::GetFlag(FLAGS_alerts_per_subscription);
  config.alerts.max_alert_age = absl::GetFlag(FLAGS_alert_max_age);
  config.alerts.durability = service.durability;
  config.stream_workers = absl::GetFlag(FLAGS_stream_workers);
  if (consumer.group.empty()) return Invalid("--group must not be empty");
  if (consumer.group_start_id != "0" && consumer.group_start_id != "$") {
    return Invalid("--group_start_id must be 0 or $");
  }
  if (config.alerts.max_alerts_per_subscription < 1) {
    return Invalid("--alerts_per_subscription must be >= 1");
  }
  if (config.alerts.max_alert_age < absl::Minutes(1)) {
    return Invalid("--alert_max_age must be at least 1m");
  }
  if (config.stream_workers < 1) return Invalid("--stream_workers must be >= 1");
  if (absl::GetFlag(FLAGS_testing_kill_before_ack)) {
    consumer.before_ack = [](const std::string& entry_id) {
      log::Warning("notifier.killing_before_ack", {{"entry_id", entry_id}});
      std::raise(SIGKILL);
    };
  }
  return absl::OkStatus();
}

// The webhook delivery workers and their queue.
absl::Status ApplyDeliveryFlags(const config::ServiceConfig& service, NotifierConfig& config) {
  DeliveryWorkerOptions& delivery = config.delivery;
  delivery.workers = absl::GetFlag(FLAGS_delivery_workers);
  delivery.idle_poll = absl::GetFlag(FLAGS_delivery_poll);
  delivery.http.total_timeout = absl::GetFlag(FLAGS_webhook_timeout);
  delivery.http.connect_timeout = std::min(absl::Seconds(5), delivery.http.total_timeout);
  delivery.http.allow_private_addresses = absl::GetFlag(FLAGS_webhook_allow_private_networks);
  delivery.retry.max_attempts = absl::GetFlag(FLAGS_webhook_max_attempts);
  delivery.retry.initial_backoff = absl::GetFlag(FLAGS_webhook_initial_backoff);
  delivery.retry.max_backoff = absl::GetFlag(FLAGS_webhook_max_backoff);
  config.delivery_queue.durability = service.durability;
  // A claimed delivery comes back to the queue after its lease: longer than any attempt.
  config.delivery_queue.lease = delivery.http.total_timeout * 2 + absl::Seconds(10);
  if (delivery.workers < 0 || delivery.workers > 256) {
    return Invalid("--delivery_workers must be in 0..256");
  }
  if (delivery.retry.max_attempts < 1) return Invalid("--webhook_max_attempts must be >= 1");
  if (delivery.http.total_timeout < absl::Milliseconds(100)) {
    return Invalid("--webhook_timeout must be >= 100ms");
  }
  if (delivery.retry.initial_backoff <= absl::ZeroDuration()) {
    return Invalid("--webhook_initial_backoff must be > 0");
  }
  if (delivery.idle_poll <= absl::ZeroDuration()) return Invalid("--delivery_poll must be > 0");
  return absl::OkStatus();
}

// The chat-ops endpoint: its credentials and the limits of every request.
absl::Status ApplyChatOpsFlags(ChatOpsOptions& chatops) {
  chatops.address = absl::GetFlag(FLAGS_chatops_addr);
  chatops.slack_signing_secret = absl::GetFlag(FLAGS_slack_signing_secret);
  chatops.slack_bot_token = absl::GetFlag(FLAGS_slack_bot_token);
  chatops.slack_api_url = absl::GetFlag(FLAGS_slack_api_url);
  chatops.telegram_bot_token = absl::GetFlag(FLAGS_telegram_bot_token);
  chatops.telegram_secret_token = absl::GetFlag(FLAGS_telegram_secret_token);
  chatops.telegram_api_url = absl::GetFlag(FLAGS_telegram_api_url);
  chatops.api_token = absl::GetFlag(FLAGS_chatops_api_token);
  chatops.request_timeout = absl::GetFlag(FLAGS_chatops_request_timeout);
  chatops.max_connections = absl::GetFlag(FLAGS_chatops_max_connections);
  chatops.max_connections_per_address = absl::GetFlag(FLAGS_chatops_max_connections_per_address);
  chatops.workers = absl::GetFlag(FLAGS_chatops_workers);
  const int max_header = absl::GetFlag(FLAGS_chatops_max_header_bytes);
  const int max_body = absl::GetFlag(FLAGS_chatops_max_body_bytes);
  if (chatops.request_timeout < absl::Milliseconds(100)) {
    return Invalid("--chatops_request_timeout must be >= 100ms");
  }
  if (max_header < 1024) return Invalid("--chatops_max_header_bytes must be >= 1024");
  if (max_body < 1024) return Invalid("--chatops_max_body_bytes must be >= 1024");
  chatops.max_header_bytes = static_cast<size_t>(max_header);
  chatops.max_body_bytes = static_cast<size_t>(max_body);
  if (chatops.max_connections < 1) return Invalid("--chatops_max_connections must be >= 1");
  if (chatops.max_connections_per_address < 0) {
    return Invalid("--chatops_max_connections_per_address must be >= 0");
  }
  if (chatops.workers < 1 || chatops.workers > 256) {
    return Invalid("--chatops_workers must be in 1..256");
  }
  if (!chatops.address.empty() && chatops.slack_signing_secret.empty() &&
      chatops.telegram_secret_token.empty() && chatops.api_token.empty()) {
    return Invalid(
        "--chatops_addr serves nothing without --slack_signing_secret, --telegram_secret_token "
        "or --chatops_api_token");
  }
  if (!chatops.telegram_secret_token.empty() && chatops.telegram_bot_token.empty()) {
    return Invalid("--telegram_secret_token needs --telegram_bot_token");
  }
  if (!chatops.slack_signing_secret.empty() && chatops.slack_bot_token.empty()) {
    return Invalid("--slack_signing_secret needs --slack_bot_token");
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<absl::string_view> NotifierFlagNames() {
  std::vector<absl::string_view> names = auth::AuthFlagNames();
  names.insert(names.end(), {"group",
                             "consumer_name",
                             "group_start_id",
                             "alerts_per_subscription",
                             "alert_max_age",
                             "claim_min_idle",
                             "stream_workers",
                             "delivery_workers",
                             "webhook_timeout",
                             "webhook_max_attempts",
                             "webhook_initial_backoff",
                             "webhook_max_backoff",
                             "webhook_allow_private_networks",
                             "delivery_poll",
                             "chatops_addr",
                             "slack_signing_secret",
                             "slack_bot_token",
                             "slack_api_url",
                             "telegram_bot_token",
                             "telegram_secret_token",
                             "telegram_api_url",
                             "chatops_api_token",
                             "chatops_request_timeout",
                             "chatops_max_header_bytes",
                             "chatops_max_body_bytes",
                             "chatops_max_connections",
                             "chatops_max_connections_per_address",
                             "chatops_workers",
                             "testing_kill_before_ack"});
  return names;
}

absl::StatusOr<NotifierConfig> NotifierConfigFromFlags() {
  SA_ASSIGN_OR_RETURN(config::ServiceConfig service,
                      config::ServiceConfigFromFlags("notifier", kDefaultGrpcAddr));
  NotifierConfig config;
  config.server = service.server;
  config.redis = service.redis;
  config.key_prefix = service.key_prefix;
  config.gazetteer_dir = service.gazetteer_dir;
  config.world_places = service.world_places;
  config.shutdown_grace = service.shutdown_grace;
  SA_RETURN_IF_ERROR(ApplyConsumerFlags(service, config));
  SA_RETURN_IF_ERROR(ApplyDeliveryFlags(service, config));
  SA_RETURN_IF_ERROR(ApplyChatOpsFlags(config.chatops));
  SA_ASSIGN_OR_RETURN(config.auth, auth::AuthConfigFromFlags());
  if (!config.chatops.address.empty()) {  // plain HTTP: loopback only, unless told otherwise
    SA_RETURN_IF_ERROR(CheckPlaintextListener(
        "chatops_addr", config.chatops.address, service.insecure_plaintext,
        "chat-ops speaks plain HTTP; keep it on loopback behind a TLS-terminating proxy"));
  }
  if (absl::GetFlag(FLAGS_testing_kill_before_ack))
    log::Warning("notifier.testing_kill_before_ack");
  return config;
}

}  // namespace sa::notifier
