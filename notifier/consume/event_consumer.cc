#include "notifier/consume/event_consumer.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/redis/event_stream.h"
#include "common/redis/streams.h"
#include "common/status_macros.h"
#include "notifier/deliver/delivery_policy.h"
#include "notifier/deliver/delivery_queue.h"
#include "notifier/match/event_document.h"
#include "notifier/store/channel_secrets.h"

namespace sa::notifier {
namespace {

using summit_alerts::v1::Event;

}  // namespace

EventConsumer::Entry EventConsumer::ToEntry(const redis::StreamEntry& stream_entry) {
  Entry entry{.id = stream_entry.id, .event_bytes = std::nullopt};
  if (const std::string* bytes = stream_entry.Field(redis::event_stream::kEvent)) {
    entry.event_bytes = *bytes;
  }
  return entry;
}

EventConsumer::EventConsumer(redis::RedisClient& redis, SubscriptionCache& subscriptions,
                             AlertStore& alerts, ConsumerOptions options, const Clock& clock)
    : redis_(redis),
      subscriptions_(subscriptions),
      alerts_(alerts),
      options_([&] {
        if (options.dead_letter_stream.empty())
          options.dead_letter_stream = options.stream + ":dead";
        return std::move(options);
      }()),
      clock_(clock) {}

EventConsumer::~EventConsumer() { Stop(); }

absl::Status EventConsumer::EnsureGroup() {
  absl::Status created = redis::XGroupCreate(redis_, options_.stream, options_.group,
                                             options_.group_start_id, /*mkstream=*/true);
  if (absl::IsAlreadyExists(created)) return absl::OkStatus();  // BUSYGROUP
  return created;
}

absl::Status EventConsumer::Start() {
  SA_RETURN_IF_ERROR(EnsureGroup());
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

void EventConsumer::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

ConsumerStats EventConsumer::stats() const {
  absl::MutexLock lock(&stats_mu_);
  return stats_;
}

absl::StatusOr<std::vector<EventConsumer::Entry>> EventConsumer::Read(redis::RedisConnection& conn,
                                                                      const std::string& from,
                                                                      absl::Duration block) {
  auto read = redis::XReadGroup(conn, {.stream = options_.stream,
                                       .group = options_.group,
                                       .consumer = options_.consumer,
                                       .from = from,
                                       .count = options_.batch_size,
                                       .block = block});
  if (absl::IsNotFound(read.status())) {  // NOGROUP: the group or the whole stream is gone
    SA_RETURN_IF_ERROR(RecoverGroup());
    return std::vector<Entry>{};
  }
  if (!read.ok()) return read.status();
  std::vector<Entry> entries;
  entries.reserve(read->size());
  for (const redis::StreamEntry& stream_entry : *read) entries.push_back(ToEntry(stream_entry));
  return entries;
}

absl::Status EventConsumer::RecoverGroup() {
  // The stream or group vanished under us: Redis was wiped (FLUSHALL, a restart without
  // persistence) or failed over to an empty replica. Recreate the group as configured, and do
  // not trust the subscriptions cached from the old data: the next batch reloads them all.
  log::Warning("consumer.group_recreated", {{"stream", options_.stream},
                                            {"group", options_.group},
                                            {"start_id", options_.group_start_id}});
  subscriptions_.Invalidate();
  return EnsureGroup();
}

absl::StatusOr<std::vector<EventConsumer::Entry>> EventConsumer::Claim() {
  auto claimed = redis::XAutoClaim(redis_, options_.stream, options_.group, options_.consumer,
                                   options_.claim_min_idle, claim_cursor_, options_.batch_size);
  if (absl::IsNotFound(claimed.status())) {  // NOGROUP
    claim_cursor_ = "0-0";
    SA_RETURN_IF_ERROR(RecoverGroup());
    return std::vector<Entry>{};
  }
  SA_ASSIGN_OR_RETURN(redis::AutoClaimResult result, std::move(claimed));
  // One call scans a bounded part of the pending list; the next claim goes on from there.
  claim_cursor_ = result.next_cursor;
  std::vector<Entry> entries;
  for (const redis::StreamEntry& stream_entry : result.entries) {
    entries.push_back(ToEntry(stream_entry));
  }
  // Entries deleted from the stream while pending are acked as lost.
  for (std::string& id : result.deleted_ids) entries.push_back({std::move(id), std::nullopt});
  if (!entries.empty()) log::Info("consumer.claimed", {{"count", entries.size()}});
  return entries;
}

absl::StatusOr<std::vector<std::vector<PendingDelivery>>> EventConsumer::WebhookDeliveries(
    const std::string& event_id, const std::vector<SubscriptionMatch>& matched) {
  std::vector<std::vector<PendingDelivery>> deliveries(matched.size());
  std::vector<std::string> ids;
  std::vector<size_t> positions;
  for (size_t i = 0; i < matched.size(); ++i) {
    if (matched[i].has_webhooks) {
      ids.push_back(matched[i].subscription_id);
      positions.push_back(i);
    }
  }
  if (ids.empty()) return deliveries;
  // The channels as stored now: the index keeps only what matching needs.
  SA_ASSIGN_OR_RETURN(auto subscriptions, subscriptions_.store().GetMany(ids));
  const DeliveryKeys keys{alerts_.key_prefix()};
  const absl::Time now = clock_.Now();
  for (size_t j = 0; j < ids.size(); ++j) {
    if (!subscriptions[j]) continue;  // deleted since the index saw it
    const summit_alerts::v1::DeliveryPolicy& policy = subscriptions[j]->delivery();
    for (const auto& channel : subscriptions[j]->channels()) {
      if (!channel.has_webhook()) continue;
      const std::string channel_key = ChannelKey(channel.webhook());
      SA_ASSIGN_OR_RETURN(std::string channel_bytes,  // its secrets sealed when configured
                          SealedChannelBytes(subscriptions_.store().secrets(), channel.webhook()));
      PendingDelivery delivery{.delivery_id = DeliveryId(event_id, ids[j], channel.webhook()),
                               .channel_bytes = std::move(channel_bytes),
                               .digest_job_id = DigestJobId(ids[j], channel.webhook()),
                               .digest_key = keys.Digest(ids[j], channel_key),
                               .digest_due_ms = absl::ToUnixMillis(NextDigestTime(policy, now)),
                               .digest = IsDigest(policy),
                               .throttle_key = "",
                               .throttle_limit = policy.max_per_hour(),
                               .policy_bytes = policy.SerializeAsString()};
      if (!delivery.digest && policy.max_per_hour() > 0) {
        delivery.throttle_key = keys.Throttle(ids[j], channel_key, ThrottleHour(now));
      }
      deliveries[positions[j]].push_back(std::move(delivery));
    }
  }
  return deliveries;
}

absl::Status EventConsumer::Process(const Entry& entry) {
  Event event;
  bool parsed = entry.event_bytes.has_value() && event.ParseFromString(*entry.event_bytes) &&
                !event.id().empty();
  if (!parsed) {
    std::string reason = entry.event_bytes ? "entry holds no valid Event"
                                           : "entry was deleted or has no event field";
    SA_RETURN_IF_ERROR(
        redis::XAdd(
            redis_, options_.dead_letter_stream,
            {{"entry_id", entry.id}, {"reason", reason}, {"event", entry.event_bytes.value_or("")}})
            .status());
    log::Error("consumer.dead_letter", {{"entry_id", entry.id}, {"reason", reason}});
    absl::MutexLock lock(&stats_mu_);
    ++stats_.dead_letters;
  } else {
    EventDocument document(event);
    auto index = subscriptions_.Current();
    const absl::Time created_at = clock_.Now();
    std::vector<SubscriptionMatch> matched = index->Match(document);
    SA_ASSIGN_OR_RETURN(auto deliveries, WebhookDeliveries(event.id(), matched));
    std::vector<AlertStore::NewAlert> alerts(matched.size());
    for (size_t i = 0; i < matched.size(); ++i) {
      alerts[i].subscription_id = matched[i].subscription_id;
      for (const TermMatch& m : matched[i].matches) *alerts[i].matches.Add() = ToProto(m);
      alerts[i].deliveries = std::move(deliveries[i]);
    }
    SA_ASSIGN_OR_RETURN(std::vector<std::optional<std::string>> alert_ids,
                        alerts_.AppendEvent(event, created_at, alerts));
    int64_t stored = 0;
    for (const auto& id : alert_ids) stored += id.has_value();
    const int64_t already = static_cast<int64_t>(alert_ids.size()) - stored;
    if (!alert_ids.empty()) {
      // One line per event, not per alert (a popular story matches thousands): the alerts are
      // in Redis under the event id; per-alert lines at debug level.
      log::Info("alerts.stored",
                {{"event_id", event.id()}, {"stored", stored}, {"already_stored", already}});
      if (log::Enabled(log::Level::kDebug)) {
        for (size_t i = 0; i < alert_ids.size(); ++i) {
          log::Debug(alert_ids[i] ? "alert.stored" : "alert.already_stored",
                     {{"alert_id", alert_ids[i].value_or("")},
                      {"subscription_id", matched[i].subscription_id},
                      {"event_id", event.id()}});
        }
      }
    }
    absl::MutexLock lock(&stats_mu_);
    stats_.alerts += stored;
    stats_.duplicates += already;
  }
  return absl::OkStatus();
}

absl::Status EventConsumer::ProcessBatch(const std::vector<Entry>& entries, int& acked) {
  if (entries.empty()) return absl::OkStatus();
  // Subscriptions created before these events were published must be visible now.
  SA_RETURN_IF_ERROR(subscriptions_.Refresh());
  // Entries whose alerts are stored are acked together, in one XACK after the batch (or after
  // the entries before a failure): a crash before it redelivers them, and the alert guard
  // makes that harmless.
  std::vector<std::string> stored;
  absl::Status status;
  for (const Entry& entry : entries) {
    status = Process(entry);
    if (!status.ok()) break;
    stored.push_back(entry.id);
  }
  if (stored.empty()) return status;
  if (options_.before_ack) {
    for (const std::string& id : stored) options_.before_ack(id);
  }
  SA_RETURN_IF_ERROR(redis::XAck(redis_, options_.stream, options_.group, stored).status());
  acked += static_cast<int>(stored.size());
  {
    absl::MutexLock lock(&stats_mu_);
    stats_.events += static_cast<int64_t>(stored.size());
  }
  return status;
}

absl::StatusOr<int> EventConsumer::DrainOnce() {
  SA_RETURN_IF_ERROR(EnsureGroup());
  SA_ASSIGN_OR_RETURN(auto conn, redis_.NewConnection(absl::Seconds(5)));
  int acked = 0;
  for (const char* from : {"0", ">"}) {
    while (true) {
      SA_ASSIGN_OR_RETURN(auto entries, Read(*conn, from, absl::ZeroDuration()));
      // Pending re-reads return entries until none is left; stop when a read adds nothing.
      int before = acked;
      SA_RETURN_IF_ERROR(ProcessBatch(entries, acked));
      if (entries.empty() || acked == before) break;
    }
  }
  return acked;
}

void EventConsumer::Run() {
  log::Info(
      "consumer.started",
      {{"stream", options_.stream}, {"group", options_.group}, {"consumer", options_.consumer}});
  std::unique_ptr<redis::RedisConnection> conn;
  bool read_pending = true;  // own pending entries first, after start and after any failure
  // Real time on purpose: it paces this loop's XAUTOCLAIMs, and Redis measures the entries'
  // idle time (claim_min_idle) in real time too. Business times (alert created_at, digest and
  // throttle times) come from clock_.
  absl::Time next_claim = absl::Now();
  absl::Duration backoff = absl::Milliseconds(100);
  while (!stop_.HasBeenNotified()) {
    absl::Status status;
    if (conn == nullptr || conn->broken()) {
      auto fresh = redis_.NewConnection(options_.block + absl::Seconds(5));
      if (fresh.ok()) {
        conn = std::move(*fresh);
      } else {
        status = fresh.status();
      }
    }
    if (status.ok()) {
      absl::StatusOr<std::vector<Entry>> entries;
      bool claiming = false;
      if (read_pending) {
        entries = Read(*conn, "0", absl::ZeroDuration());
      } else if (absl::Now() >= next_claim) {
        claiming = true;
        next_claim = absl::Now() + options_.claim_interval;
        entries = Claim();
      } else {
        entries = Read(*conn, ">", options_.block);
      }
      if (entries.ok()) {
        int acked = 0;
        status = ProcessBatch(*entries, acked);
        if (status.ok() && read_pending && entries->empty()) read_pending = false;
        // More may wait: claimed entries, or a pending list not scanned to its end.
        if (status.ok() && claiming && (!entries->empty() || claim_cursor_ != "0-0")) {
          next_claim = absl::Now();
        }
      } else {
        status = entries.status();
      }
    }
    if (status.ok()) {
      backoff = absl::Milliseconds(100);
      continue;
    }
    // Nothing was acked for the failed entry: it stays pending and is re-read next time.
    read_pending = true;
    log::Error("consumer.error",
               {{"error", status}, {"retry_in_ms", absl::ToInt64Milliseconds(backoff)}});
    stop_.WaitForNotificationWithTimeout(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(5));
  }
  log::Info("consumer.stopped");
}

}  // namespace sa::notifier
