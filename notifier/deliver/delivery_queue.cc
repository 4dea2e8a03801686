#include "notifier/deliver/delivery_queue.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/ids.h"
#include "common/log/log.h"
#include "common/redis/streams.h"
#include "common/status_macros.h"
#include "google/protobuf/util/time_util.h"
#include "notifier/deliver/webhook_payload.h"
#include "notifier/store/event_bodies.h"

namespace sa::notifier {
namespace {

using summit_alerts::v1::Alert;
using summit_alerts::v1::DeadLetter;
using summit_alerts::v1::WebhookChannel;

int64_t Millis(absl::Time t) { return absl::ToUnixMillis(t); }

// The tails the settling scripts share, prepended to each: a dead letter's fields, dropping a
// job, and queueing it again.
constexpr absl::string_view kSettleLuaHelpers = R"lua(
-- One dead letter on stream `dead` (MAXLEN ~ max_len) for a delivery of job hash fields `f`
-- (channel, attempts, subscription_id) whose alert is `alert_id` / `alert`.
local function dead_letter(dead, max_len, delivery_id, f, alert_id, alert, err, failed_ms)
  redis.call('XADD', dead, 'MAXLEN', '~', max_len, '*', 'delivery_id', delivery_id,
             'subscription_id', f.subscription_id or '', 'alert', alert or '',
             'alert_id', alert_id or '', 'channel', f.channel or '',
             'attempts', (tonumber(f.attempts) or 0) + 1, 'error', err, 'failed_ms', failed_ms)
end
local function job_fields(job)
  local v = redis.call('HMGET', job, 'alert', 'alert_id', 'channel', 'attempts', 'subscription_id')
  return {alert = v[1], alert_id = v[2], channel = v[3], attempts = v[4], subscription_id = v[5]}
end
local function drop(due, job, id)
  redis.call('DEL', job)
  redis.call('ZREM', due, id)
end
-- Clears the lease (and sets any extra field/value pairs), then makes the job due at `due_ms`.
local function requeue(due, job, id, due_ms, ...)
  redis.call('HSET', job, 'lease', '', ...)
  redis.call('ZADD', due, due_ms, id)
end
)lua";

// KEYS: due, subscriptions hash. ARGV: now ms, lease-until ms, limit, job key prefix, lease
// token prefix, event body key prefix.
// Returns {id, alert, alert_id, channel, attempts, lease, kind, digest_key, policy,
// subscription_id, event body or '', subscription exists 1/0} per claimed delivery: the event
// and the subscription check come with the claim, so a delivery costs two round trips (claim,
// settle).
const redis::RedisScript& ClaimScript() {
  static const redis::RedisScript script(R"lua(
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, id in ipairs(ids) do
  local job = ARGV[4] .. id
  local f = redis.call('HMGET', job, 'alert', 'alert_id', 'channel', 'attempts', 'kind', 'digest_key',
                       'policy', 'subscription_id', 'event_id')
  if not f[3] then
    redis.call('ZREM', KEYS[1], id)
  else
    local lease = ARGV[5] .. ':' .. redis.call('HINCRBY', job, 'claims', 1)
    redis.call('HSET', job, 'lease', lease)
    redis.call('ZADD', KEYS[1], ARGV[2], id)
    local body = ''
    if f[9] and f[9] ~= '' then body = redis.call('GET', ARGV[6] .. f[9]) or '' end
    local exists = 1
    if f[8] and f[8] ~= '' then exists = redis.call('HEXISTS', KEYS[2], f[8]) end
    out[#out + 1] = {id, f[1] or '', f[2] or '', f[3], f[4] or '0', lease, f[5] or '', f[6] or '',
                     f[7] or '', f[8] or '', body, exists}
  end
end
return out
)lua");
  return script;
}

// KEYS: due, job, marker, dead. ARGV: id, lease, mode, due ms, error, marker ttl s,
// dead max length, now ms. Returns 1 when settled, 0 when the lease is not ours.
const redis::RedisScript& SettleScript() {
  static const redis::RedisScript script(absl::StrCat(kSettleLuaHelpers, R"lua(
if redis.call('HGET', KEYS[2], 'lease') ~= ARGV[2] then return 0 end
local mode = ARGV[3]
if mode == 'delivered' then
  redis.call('SET', KEYS[3], ARGV[8], 'EX', ARGV[6])
  drop(KEYS[1], KEYS[2], ARGV[1])
elseif mode == 'retry' then
  redis.call('HINCRBY', KEYS[2], 'attempts', 1)
  requeue(KEYS[1], KEYS[2], ARGV[1], ARGV[4], 'last_error', ARGV[5])
elseif mode == 'defer' then
  requeue(KEYS[1], KEYS[2], ARGV[1], ARGV[4])
elseif mode == 'dead' then
  local f = job_fields(KEYS[2])
  dead_letter(KEYS[4], ARGV[7], ARGV[1], f, f.alert_id, f.alert, ARGV[5], ARGV[8])
  drop(KEYS[1], KEYS[2], ARGV[1])
else
  local digest_key = redis.call('HGET', KEYS[2], 'digest_key')
  if digest_key and digest_key ~= '' then redis.call('DEL', digest_key) end
  drop(KEYS[1], KEYS[2], ARGV[1])
end
return 1
)lua"));
  return script;
}

// KEYS: due, job, digest list, dead. ARGV: id, lease, count sent, next due ms, dead max
// length, error, now ms, then (dead letters only) one delivery id per alert sent.
// Removes the first `count` alerts of the digest (as dead letters when delivery ids are
// given); queues the job again for the next due time if more wait, else deletes it.
const redis::RedisScript& FinishDigestScript() {
  static const redis::RedisScript script(absl::StrCat(kSettleLuaHelpers, R"lua(
if redis.call('HGET', KEYS[2], 'lease') ~= ARGV[2] then return 0 end
local count = tonumber(ARGV[3])
if #ARGV > 7 then
  local f = job_fields(KEYS[2])
  local items = redis.call('LRANGE', KEYS[3], 0, count - 1)
  for i, item in ipairs(items) do
    local cut = string.find(item, '\n', 1, true)
    dead_letter(KEYS[4], ARGV[5], ARGV[7 + i], f, string.sub(item, 1, cut - 1),
                string.sub(item, cut + 1), ARGV[6], ARGV[7])
  end
end
redis.call('LTRIM', KEYS[3], count, -1)
if redis.call('LLEN', KEYS[3]) > 0 then
  requeue(KEYS[1], KEYS[2], ARGV[1], ARGV[4], 'attempts', 0, 'last_error', '')
else
  drop(KEYS[1], KEYS[2], ARGV[1])
end
return 1
)lua"));
  return script;
}

// KEYS: dead, due, wake. ARGV: dead entry id, job key prefix, now ms.
// Returns the delivery id, or false when no such dead letter exists.
const redis::RedisScript& ReplayScript() {
  static const redis::RedisScript script(R"lua(
local entries = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
if #entries == 0 then return false end
local f = entries[1][2]
local m = {}
for i = 1, #f, 2 do m[f[i]] = f[i + 1] end
redis.call('HSET', ARGV[2] .. m['delivery_id'], 'alert', m['alert'], 'alert_id', m['alert_id'],
           'channel', m['channel'], 'attempts', 0, 'subscription_id', m['subscription_id'],
           'queued_ms', ARGV[3], 'lease', '')
redis.call('ZADD', KEYS[2], ARGV[3], m['delivery_id'])
redis.call('XDEL', KEYS[1], ARGV[1])
redis.call('LPUSH', KEYS[3], '1')
redis.call('LTRIM', KEYS[3], 0, 99)
return m['delivery_id']
)lua");
  return script;
}

absl::StatusOr<DeadLetter> ParseDeadLetter(const redis::StreamEntry& entry) {
  DeadLetter dead;
  dead.set_id(entry.id);
  std::string subscription_id;
  for (const auto& [name, value] : entry.fields) {
    if (name == "delivery_id") {
      dead.set_delivery_id(value);
    } else if (name == "alert") {
      if (!dead.mutable_alert()->ParseFromString(value)) {
        return absl::DataLossError(
            absl::StrCat("dead letter ", dead.id(), " holds a corrupted alert"));
      }
    } else if (name == "alert_id") {
      dead.mutable_alert()->set_id(value);
    } else if (name == "subscription_id") {
      subscription_id = value;
    } else if (name == "channel") {
      WebhookChannel channel;
      if (!channel.ParseFromString(value)) {
        return absl::DataLossError(
            absl::StrCat("dead letter ", dead.id(), " holds a corrupted channel"));
      }
      *dead.mutable_channel() = RedactWebhookChannel(std::move(channel));
    } else if (name == "attempts") {
      int attempts = 0;
      (void)absl::SimpleAtoi(value, &attempts);
      dead.set_attempts(attempts);
    } else if (name == "error") {
      dead.set_error(value);
    } else if (name == "failed_ms") {
      int64_t ms = 0;
      (void)absl::SimpleAtoi(value, &ms);
      *dead.mutable_failed_at() = google::protobuf::util::TimeUtil::MillisecondsToTimestamp(ms);
    }
  }
  // Alerts stored by reference carry no subscription id of their own.
  if (!subscription_id.empty()) dead.mutable_alert()->set_subscription_id(subscription_id);
  return dead;
}

}  // namespace

std::string DigestJobId(const std::string& subscription_id, const WebhookChannel& channel) {
  return "dg_" + Sha256Hex(absl::StrCat(subscription_id, "\n", ChannelKey(channel)), 12);
}

std::string ChannelKey(const WebhookChannel& channel) {
  return Sha256Hex(absl::StrCat(channel.format(), "\n", channel.url(), "\n", channel.chat_id()), 8);
}

std::string DeliveryId(const std::string& event_id, const std::string& subscription_id,
                       const WebhookChannel& channel) {
  return "dl_" +
         Sha256Hex(absl::StrCat(event_id, "\n", subscription_id, "\n", ChannelKey(channel)), 12);
}

DeliveryQueue::DeliveryQueue(redis::RedisClient& redis, DeliveryQueueOptions options)
    : redis_(redis), options_(std::move(options)), keys_{options_.key_prefix} {}

absl::StatusOr<std::vector<ClaimedDelivery>> DeliveryQueue::Claim(int max, absl::Time now) {
  SA_ASSIGN_OR_RETURN(
      auto reply,
      ClaimScript().Run(redis_, {keys_.Due(), options_.key_prefix + "subs"},
                        {absl::StrCat(Millis(now)), absl::StrCat(Millis(now + options_.lease)),
                         absl::StrCat(std::max(1, max)), keys_.JobPrefix(), RandomId("", 12),
                         AlertEventKey(options_.key_prefix, "")}));
  std::vector<ClaimedDelivery> claimed;
  for (const redis::RedisReply& row : reply.elements) {
    if (row.elements.size() != 12)
      return absl::InternalError("claim script returned a malformed row");
    ClaimedDelivery delivery;
    delivery.id = row.elements[0].str;
    delivery.lease = row.elements[5].str;
    (void)absl::SimpleAtoi(row.elements[4].str, &delivery.attempts);
    delivery.digest = row.elements[6].str == "digest";
    delivery.digest_key = row.elements[7].str;
    delivery.subscription_exists = row.elements[11].integer == 1;
    bool ok = delivery.alert.ParseFromString(row.elements[1].str) &&
              delivery.channel.ParseFromString(row.elements[3].str) &&
              delivery.policy.ParseFromString(row.elements[8].str);
    // The event, stored once for all its alerts (event_bodies.h), when the job names it.
    if (ok && !row.elements[10].str.empty()) {
      ok = delivery.alert.mutable_event()->ParseFromString(row.elements[10].str);
    }
    delivery.alert.set_id(row.elements[2].str);
    if (!row.elements[9].str.empty()) delivery.alert.set_subscription_id(row.elements[9].str);
    if (!ok) {
      log::Error("delivery.corrupted", {{"delivery_id", delivery.id}});
      SA_RETURN_IF_ERROR(
          MoveToDeadLetters(delivery, "the queued delivery is corrupted", now).status());
      continue;
    }
    claimed.push_back(std::move(delivery));
  }
  // Jobs queued before events were stored by reference name no event_id: look theirs up.
  std::vector<Alert*> alerts;
  for (ClaimedDelivery& delivery : claimed) alerts.push_back(&delivery.alert);
  SA_RETURN_IF_ERROR(FillAlertEvents(redis_, options_.key_prefix, alerts));
  return claimed;
}

absl::StatusOr<bool> DeliveryQueue::Settle(const ClaimedDelivery& delivery, const std::string& mode,
                                           absl::Time due, const std::string& error,
                                           absl::Time now) {
  SA_ASSIGN_OR_RETURN(
      auto reply,
      SettleScript().Run(
          redis_, {keys_.Due(), keys_.Job(delivery.id), keys_.Marker(delivery.id), keys_.Dead()},
          {delivery.id, delivery.lease, mode, absl::StrCat(Millis(due)), error,
           absl::StrCat(std::max<int64_t>(1, absl::ToInt64Seconds(options_.sent_marker_ttl))),
           absl::StrCat(options_.dead_letter_max_len), absl::StrCat(Millis(now))},
          options_.durability));
  if (reply.integer == 0) {
    log::Warning("delivery.lease_lost", {{"delivery_id", delivery.id}, {"settle", mode}});
  }
  return reply.integer == 1;
}

absl::StatusOr<bool> DeliveryQueue::MarkDelivered(const ClaimedDelivery& delivery, absl::Time now) {
  return Settle(delivery, "delivered", now, "", now);
}

absl::StatusOr<bool> DeliveryQueue::Retry(const ClaimedDelivery& delivery, absl::Time due,
                                          const std::string& error) {
  return Settle(delivery, "retry", due, error, due);
}

absl::StatusOr<bool> DeliveryQueue::Defer(const ClaimedDelivery& delivery, absl::Time due) {
  return Settle(delivery, "defer", due, "", due);
}

absl::StatusOr<bool> DeliveryQueue::MoveToDeadLetters(const ClaimedDelivery& delivery,
                                                      const std::string& error, absl::Time now) {
  SA_ASSIGN_OR_RETURN(bool settled, Settle(delivery, "dead", now, error, now));
  if (settled) KeepEventsForDeadLetters({delivery.alert.event().id()});
  return settled;
}

void DeliveryQueue::KeepEventsForDeadLetters(const std::vector<std::string>& event_ids) {
  for (const std::string& event_id : event_ids) {
    if (event_id.empty()) continue;
    // GT: only ever lengthens the event's life. Best effort: a failure costs the dead letter
    // its event text after the normal retention, never the dead letter.
    auto extended = redis_.Command(
        {"EXPIRE", AlertEventKey(options_.key_prefix, event_id),
         absl::StrCat(std::max<int64_t>(1, absl::ToInt64Seconds(options_.dead_letter_event_ttl))),
         "GT"});
    if (!extended.ok()) {
      log::Warning("dead_letter.event_ttl_not_extended",
                   {{"event_id", event_id}, {"error", extended.status()}});
    }
  }
}

absl::StatusOr<bool> DeliveryQueue::Cancel(const ClaimedDelivery& delivery, absl::Time now) {
  return Settle(delivery, "cancel", now, "", now);
}

absl::StatusOr<std::vector<Alert>> DeliveryQueue::DigestAlerts(const ClaimedDelivery& digest,
                                                               int max) {
  SA_ASSIGN_OR_RETURN(auto reply, redis_.Command({"LRANGE", digest.digest_key, "0",
                                                  absl::StrCat(std::max(1, max) - 1)}));
  std::vector<Alert> alerts;
  for (const redis::RedisReply& item : reply.elements) {
    size_t cut = item.str.find('\n');
    Alert& alert = alerts.emplace_back();
    if (cut == std::string::npos || !alert.ParseFromString(item.str.substr(cut + 1))) {
      return absl::DataLossError(absl::StrCat("digest ", digest.id, " holds a corrupted alert"));
    }
    alert.set_id(item.str.substr(0, cut));
    alert.set_subscription_id(digest.alert.subscription_id());
  }
  std::vector<Alert*> filling;
  for (Alert& alert : alerts) filling.push_back(&alert);
  SA_RETURN_IF_ERROR(FillAlertEvents(redis_, options_.key_prefix, filling));
  return alerts;
}

absl::StatusOr<bool> DeliveryQueue::SettleDigest(const ClaimedDelivery& digest, int count,
                                                 const std::vector<std::string>& delivery_ids,
                                                 const std::string& error, absl::Time now,
                                                 absl::Time next_due) {
  std::vector<std::string> args = {digest.id,
                                   digest.lease,
                                   absl::StrCat(count),
                                   absl::StrCat(Millis(next_due)),
                                   absl::StrCat(options_.dead_letter_max_len),
                                   error,
                                   absl::StrCat(Millis(now))};
  args.insert(args.end(), delivery_ids.begin(), delivery_ids.end());
  SA_ASSIGN_OR_RETURN(
      auto reply,
      FinishDigestScript().Run(
          redis_, {keys_.Due(), keys_.Job(digest.id), digest.digest_key, keys_.Dead()}, args));
  if (reply.integer == 0)
    log::Warning("delivery.lease_lost", {{"delivery_id", digest.id}, {"settle", "digest"}});
  return reply.integer == 1;
}

absl::StatusOr<bool> DeliveryQueue::FinishDigest(const ClaimedDelivery& digest, int count,
                                                 absl::Time now, absl::Time next_due) {
  return SettleDigest(digest, count, {}, "", now, next_due);
}

absl::StatusOr<bool> DeliveryQueue::DeadLetterDigest(const ClaimedDelivery& digest,
                                                     const std::vector<std::string>& delivery_ids,
                                                     const std::string& error, absl::Time now,
                                                     absl::Time next_due) {
  const int count = static_cast<int>(delivery_ids.size());
  std::vector<std::string> event_ids;
  if (auto alerts = DigestAlerts(digest, count); alerts.ok()) {
    for (const Alert& alert : *alerts) event_ids.push_back(alert.event().id());
  }
  SA_ASSIGN_OR_RETURN(bool settled,
                      SettleDigest(digest, count, delivery_ids, error, now, next_due));
  if (settled) KeepEventsForDeadLetters(event_ids);
  return settled;
}

absl::StatusOr<std::vector<DeadLetter>> DeliveryQueue::ListDeadLetters(
    const std::string& subscription_id, const std::string& after_id, int limit) {
  std::vector<DeadLetter> out;
  std::string start = after_id.empty() ? "-" : "(" + after_id;
  while (static_cast<int>(out.size()) < limit) {
    SA_ASSIGN_OR_RETURN(auto entries, redis::XRange(redis_, keys_.Dead(), start, "+", 200));
    if (entries.empty()) break;
    for (const redis::StreamEntry& entry : entries) {
      SA_ASSIGN_OR_RETURN(DeadLetter dead, ParseDeadLetter(entry));
      start = "(" + dead.id();
      if (!subscription_id.empty() && dead.alert().subscription_id() != subscription_id) continue;
      out.push_back(std::move(dead));
      if (static_cast<int>(out.size()) == limit) break;
    }
  }
  std::vector<Alert*> alerts;
  for (DeadLetter& dead : out) alerts.push_back(dead.mutable_alert());
  SA_RETURN_IF_ERROR(FillAlertEvents(redis_, options_.key_prefix, alerts));
  return out;
}

absl::StatusOr<std::string> DeliveryQueue::Replay(const std::string& dead_letter_id,
                                                  absl::Time now) {
  SA_ASSIGN_OR_RETURN(
      auto reply,
      ReplayScript().Run(redis_, {keys_.Dead(), keys_.Due(), keys_.Wake()},
                         {dead_letter_id, keys_.JobPrefix(), absl::StrCat(Millis(now))}));
  if (reply.is_nil()) {
    return absl::NotFoundError(absl::StrCat("no dead letter with id '", dead_letter_id, "'"));
  }
  return reply.str;
}

absl::Status DeliveryQueue::WaitForWork(redis::RedisConnection& connection,
                                        absl::Duration max_wait) {
  double seconds = std::max(0.01, absl::ToDoubleSeconds(max_wait));
  return connection.Command({"BLPOP", keys_.Wake(), absl::StrFormat("%.3f", seconds)}).status();
}

absl::StatusOr<int64_t> DeliveryQueue::Size() {
  SA_ASSIGN_OR_RETURN(auto reply, redis_.Command({"ZCARD", keys_.Due()}));
  return reply.integer;
}

}  // namespace sa::notifier
