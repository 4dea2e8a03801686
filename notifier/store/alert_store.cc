#include "notifier/store/alert_store.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/redis/streams.h"
#include "common/status_macros.h"
#include "google/protobuf/util/time_util.h"
#include "notifier/store/event_bodies.h"

namespace sa::notifier {
namespace {

using summit_alerts::v1::Alert;
using summit_alerts::v1::Event;

// KEYS: the event's dedupe hash (field per subscription), alert feed stream, deliveries due,
// deliveries wake, the event's body key.
// ARGV: 1 dedupe ttl s, 2 max alerts per subscription, 3 min alert id kept (age trim), 4 feed max
// length, 5 now ms, 6 key prefix, 7 event id, 8 event bytes, 9 event body ttl s; then per alert:
// subscription id, alert bytes (event as a reference, no subscription id), number of deliveries,
// and per delivery 9 values: id, channel bytes, digest job id, digest list key, digest due ms,
// digest ("1"/"0"), throttle key, throttle limit, policy bytes. Each delivery is a single-message
// job, or (digest, or over its hour's throttle) an entry of the channel's digest list whose job is
// queued for the digest time; the subscription's owned-keys set (SubscriptionOwnedKeysKey) records
// each digest list, digest job and throttle counter created here, for SubscriptionStore::Delete.
// Returns one value per alert: the new alert id, or false (nil) when the subscription already
// has an alert for this event (also under the per-alert key of versions before 2026-12-02,
// <prefix>alerted:<subscription>:<event>, which expires within dedupe ttl of an upgrade).
const redis::RedisScript& AppendEventScript() {
  static const redis::RedisScript script(R"lua(
local prefix, event_id = ARGV[6], ARGV[7]
local job_prefix, marker_prefix = prefix .. 'delivery:', prefix .. 'delivered:'
local results, announced, woke = {}, {}, false
local at = 10
while at <= #ARGV do
  local sub, alert, n = ARGV[at], ARGV[at + 1], tonumber(ARGV[at + 2])
  local first = at + 3
  at = first + 9 * n
  if redis.call('HEXISTS', KEYS[1], sub) == 1 or
     redis.call('EXISTS', prefix .. 'alerted:' .. sub .. ':' .. event_id) == 1 then
    results[#results + 1] = false
  else
    local stream = prefix .. 'alerts:' .. sub
    local id = redis.call('XADD', stream, 'MAXLEN', '~', ARGV[2], '*', 'alert', alert)
    redis.call('XTRIM', stream, 'MINID', '~', ARGV[3])
    redis.call('HSET', KEYS[1], sub, '1')
    results[#results + 1] = id
    announced[#announced + 1] = sub
    local owned = prefix .. 'subs:owned:' .. sub
    for base = first, at - 1, 9 do
      local delivery_id, channel = ARGV[base], ARGV[base + 1]
      local digest_id, digest_key, digest_due = ARGV[base + 2], ARGV[base + 3], ARGV[base + 4]
      local to_digest = ARGV[base + 5] == '1'
      if not to_digest and ARGV[base + 6] ~= '' then
        local sent = redis.call('INCR', ARGV[base + 6])
        if sent == 1 then
          redis.call('EXPIRE', ARGV[base + 6], 7200)
          local hourless = string.match(ARGV[base + 6], '^(.*:)%d+$')
          if hourless then redis.call('SADD', owned, 'T\t' .. hourless) end
        end
        to_digest = sent > tonumber(ARGV[base + 7])
      end
      if to_digest then
        redis.call('RPUSH', digest_key, id .. '\n' .. alert)
        local job = job_prefix .. digest_id
        if redis.call('EXISTS', job) == 0 then
          redis.call('SADD', owned, 'D\t' .. digest_key, 'J\t' .. digest_id)
          redis.call('HSET', job, 'kind', 'digest', 'digest_key', digest_key, 'channel', channel,
                     'subscription_id', sub, 'policy', ARGV[base + 8], 'attempts', 0, 'lease', '',
                     'alert', '', 'alert_id', '', 'queued_ms', ARGV[5])
          redis.call('ZADD', KEYS[3], digest_due, digest_id)
        end
      else
        local job = job_prefix .. delivery_id
        if redis.call('EXISTS', marker_prefix .. delivery_id) == 0 and redis.call('EXISTS', job) == 0 then
          redis.call('HSET', job, 'alert', alert, 'alert_id', id, 'channel', channel, 'attempts', 0,
                     'subscription_id', sub, 'queued_ms', ARGV[5], 'lease', '', 'event_id', event_id)
          redis.call('ZADD', KEYS[3], ARGV[5], delivery_id)
          woke = true
        end
      end
    end
  end
end
if #announced > 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
  redis.call('SET', KEYS[5], ARGV[8], 'EX', ARGV[9])
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'subscriptions', table.concat(announced, ' '))
end
if woke then
  redis.call('LPUSH', KEYS[4], '1')
  redis.call('LTRIM', KEYS[4], 0, 99)
end
return results
)lua");
  return script;
}

}  // namespace

bool IsValidAlertId(const std::string& id) {
  if (id == "0") return true;
  std::vector<absl::string_view> parts = absl::StrSplit(id, '-');
  uint64_t ms, seq;
  return parts.size() == 2 && absl::SimpleAtoi(parts[0], &ms) && absl::SimpleAtoi(parts[1], &seq) &&
         !parts[0].empty() && !parts[1].empty() && parts[0][0] != '+' && parts[1][0] != '+';
}

AlertStore::AlertStore(redis::RedisClient& redis, AlertStoreOptions options, const Clock& clock)
    : redis_(redis), options_(std::move(options)), clock_(clock) {}

absl::StatusOr<std::vector<std::optional<std::string>>> AlertStore::AppendEvent(
    const Event& event, absl::Time created_at, const std::vector<NewAlert>& alerts) {
  std::vector<std::optional<std::string>> ids;
  if (alerts.empty()) return ids;
  const absl::Time now = clock_.Now();
  const absl::Duration body_ttl =
      std::max(options_.max_alert_age, options_.dedupe_ttl) + absl::Hours(24);
  // Alerts are stream entries whose ids are Redis' clock in ms; those older than this go.
  const int64_t oldest_kept_ms =
      std::max<int64_t>(0, absl::ToUnixMillis(absl::Now() - options_.max_alert_age));
  const DeliveryKeys delivery_keys{options_.key_prefix};
  std::vector<std::string> keys = {absl::StrCat(options_.key_prefix, "alerted:", event.id()),
                                   FeedKey(), delivery_keys.Due(), delivery_keys.Wake(),
                                   AlertEventKey(options_.key_prefix, event.id())};
  std::vector<std::string> args = {
      std::to_string(std::max<int64_t>(1, absl::ToInt64Seconds(options_.dedupe_ttl))),
      std::to_string(options_.max_alerts_per_subscription),
      absl::StrCat(oldest_kept_ms, "-0"),
      std::to_string(options_.feed_max_len),
      std::to_string(absl::ToUnixMillis(now)),
      options_.key_prefix,
      event.id(),
      event.SerializeAsString(),
      std::to_string(absl::ToInt64Seconds(body_ttl))};
  Alert stored;
  stored.mutable_event()->set_id(event.id());
  *stored.mutable_created_at() =
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(created_at));
  for (const NewAlert& alert : alerts) {
    *stored.mutable_matches() = alert.matches;
    args.insert(args.end(), {alert.subscription_id, stored.SerializeAsString(),
                             std::to_string(alert.deliveries.size())});
    for (const PendingDelivery& d : alert.deliveries) {
      args.insert(args.end(), {d.delivery_id, d.channel_bytes, d.digest_job_id, d.digest_key,
                               std::to_string(d.digest_due_ms), d.digest ? "1" : "0",
                               d.throttle_key, std::to_string(d.throttle_limit), d.policy_bytes});
    }
  }
  SA_ASSIGN_OR_RETURN(auto reply, AppendEventScript().Run(redis_, keys, args, options_.durability));
  if (!reply.is_array() || reply.elements.size() != alerts.size()) {
    return absl::InternalError("alert append script returned no id per alert");
  }
  for (const redis::RedisReply& id : reply.elements) {
    if (id.is_string()) {
      ids.emplace_back(id.str);
    } else {
      ids.emplace_back(std::nullopt);
    }
  }
  return ids;
}

absl::StatusOr<std::optional<std::string>> AlertStore::Append(
    const Alert& alert, const std::vector<PendingDelivery>& deliveries) {
  absl::Time created_at =
      alert.has_created_at()
          ? absl::FromUnixNanos(
                google::protobuf::util::TimeUtil::TimestampToNanoseconds(alert.created_at()))
          : clock_.Now();
  std::vector<NewAlert> one = {{.subscription_id = alert.subscription_id(),
                                .matches = alert.matches(),
                                .deliveries = deliveries}};
  SA_ASSIGN_OR_RETURN(auto ids, AppendEvent(alert.event(), created_at, one));
  return ids.front();
}

absl::StatusOr<std::vector<Alert>> AlertStore::ReadAfter(const std::string& subscription_id,
                                                         const std::string& after_id, int count) {
  std::string start = after_id == "0" || after_id == "0-0" ? "-" : "(" + after_id;
  SA_ASSIGN_OR_RETURN(auto entries,
                      redis::XRange(redis_, AlertsKey(subscription_id), start, "+", count));
  std::vector<Alert> alerts;
  for (const redis::StreamEntry& entry : entries) {
    const std::string* bytes = entry.Field("alert");
    Alert& alert = alerts.emplace_back();
    if (bytes == nullptr || !alert.ParseFromString(*bytes)) {
      return absl::DataLossError(
          absl::StrCat("alert ", entry.id, " of ", subscription_id, " is corrupted"));
    }
    alert.set_id(entry.id);
    alert.set_subscription_id(subscription_id);
  }
  std::vector<Alert*> filling;
  for (Alert& alert : alerts) filling.push_back(&alert);
  SA_RETURN_IF_ERROR(FillAlertEvents(redis_, options_.key_prefix, filling));
  return alerts;
}

namespace {
// "MS-SEQ" as a comparable pair; "0" is (0, 0).
std::pair<uint64_t, uint64_t> ParseStreamId(absl::string_view id) {
  std::pair<uint64_t, uint64_t> parsed{0, 0};
  std::vector<absl::string_view> parts = absl::StrSplit(id, '-');
  if (!parts.empty()) (void)absl::SimpleAtoi(parts[0], &parsed.first);
  if (parts.size() > 1) (void)absl::SimpleAtoi(parts[1], &parsed.second);
  return parsed;
}
}  // namespace

absl::StatusOr<bool> AlertStore::TrimmedAfter(const std::string& subscription_id,
                                              const std::string& after_id) {
  if (after_id.empty() || after_id == "0" || after_id == "0-0") return false;
  auto info = redis::XInfoStream(redis_, AlertsKey(subscription_id));
  if (absl::IsNotFound(info.status())) return false;  // no alerts stream yet: nothing was trimmed
  if (!info.ok()) return info.status();
  // Trimming moves the first entry forward (XDEL-style deletions are not used on this stream).
  // Some alert after `after_id` is gone when anything was ever removed (entries-added, Redis 7,
  // exceeds the length) and the oldest kept alert is newer than `after_id`.
  if (!info->first_entry) return false;
  if (info->entries_added && *info->entries_added == info->length) return false;
  return ParseStreamId(info->first_entry->id) > ParseStreamId(after_id);
}

absl::StatusOr<std::string> AlertStore::LastId(const std::string& subscription_id) {
  SA_ASSIGN_OR_RETURN(auto newest,
                      redis::XRevRange(redis_, AlertsKey(subscription_id), "+", "-", 1));
  if (newest.empty()) return std::string("0-0");
  return newest.front().id;
}

}  // namespace sa::notifier
