#include "notifier/store/alert_store.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/redis/streams.h"
#include "common/status_macros.h"

namespace sa::notifier {
namespace {

using summit_alerts::v1::Alert;

// KEYS: dedupe key, alert stream, feed stream, deliveries due, deliveries wake, the
// subscription's owned-keys set (SubscriptionOwnedKeysKey: records each digest list, digest
// job and throttle counter created here, for SubscriptionStore::Delete).
// ARGV: ttl seconds, max alerts, alert bytes, subscription id, feed max length, now ms, key
// prefix (job and marker keys as in DeliveryKeys), then per delivery 9 values: id, channel bytes,
// digest job id, digest list key, digest due ms, digest ("1"/"0"), throttle key, throttle limit,
// policy bytes. Each delivery is a single-message job, or (digest, or over its hour's throttle) an
// entry of the channel's digest list whose job is queued for the digest time. Returns the new alert
// id, or false (nil) when the dedupe key exists.
const redis::RedisScript& AppendScript() {
  static const redis::RedisScript script(R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'alert', ARGV[3])
redis.call('SET', KEYS[1], id, 'EX', ARGV[1])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '*', 'subscription_id', ARGV[4], 'alert_id', id)
local job_prefix, marker_prefix = ARGV[7] .. 'delivery:', ARGV[7] .. 'delivered:'
local woke = false
for base = 8, #ARGV, 9 do
  local delivery_id, channel = ARGV[base], ARGV[base + 1]
  local digest_id, digest_key, digest_due = ARGV[base + 2], ARGV[base + 3], ARGV[base + 4]
  local to_digest = ARGV[base + 5] == '1'
  if not to_digest and ARGV[base + 6] ~= '' then
    local sent = redis.call('INCR', ARGV[base + 6])
    if sent == 1 then
      redis.call('EXPIRE', ARGV[base + 6], 7200)
      local hourless = string.match(ARGV[base + 6], '^(.*:)%d+$')
      if hourless then redis.call('SADD', KEYS[6], 'T\t' .. hourless) end
    end
    to_digest = sent > tonumber(ARGV[base + 7])
  end
  if to_digest then
    redis.call('RPUSH', digest_key, id .. '\n' .. ARGV[3])
    local job = job_prefix .. digest_id
    if redis.call('EXISTS', job) == 0 then
      redis.call('SADD', KEYS[6], 'D\t' .. digest_key, 'J\t' .. digest_id)
      redis.call('HSET', job, 'kind', 'digest', 'digest_key', digest_key, 'channel', channel,
                 'subscription_id', ARGV[4], 'policy', ARGV[base + 8], 'attempts', 0, 'lease', '',
                 'alert', '', 'alert_id', '', 'queued_ms', ARGV[6])
      redis.call('ZADD', KEYS[4], digest_due, digest_id)
    end
  else
    local job = job_prefix .. delivery_id
    if redis.call('EXISTS', marker_prefix .. delivery_id) == 0 and redis.call('EXISTS', job) == 0 then
      redis.call('HSET', job, 'alert', ARGV[3], 'alert_id', id, 'channel', channel, 'attempts', 0,
                 'subscription_id', ARGV[4], 'queued_ms', ARGV[6], 'lease', '')
      redis.call('ZADD', KEYS[4], ARGV[6], delivery_id)
      redis.call('LPUSH', KEYS[5], '1')
      woke = true
    end
  end
end
if woke then redis.call('LTRIM', KEYS[5], 0, 99) end
return id
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

absl::StatusOr<std::optional<std::string>> AlertStore::Append(
    const Alert& alert, const std::vector<PendingDelivery>& deliveries) {
  Alert stored = alert;
  stored.clear_id();  // the stream entry id is the alert id
  const DeliveryKeys delivery_keys{options_.key_prefix};
  std::vector<std::string> keys = {
      absl::StrCat(options_.key_prefix, "alerted:", alert.subscription_id(), ":",
                   alert.event().id()),
      AlertsKey(alert.subscription_id()),
      FeedKey(),
      delivery_keys.Due(),
      delivery_keys.Wake(),
      SubscriptionOwnedKeysKey(options_.key_prefix, alert.subscription_id())};
  std::vector<std::string> args = {
      std::to_string(std::max<int64_t>(1, absl::ToInt64Seconds(options_.dedupe_ttl))),
      std::to_string(options_.max_alerts_per_subscription),
      stored.SerializeAsString(),
      alert.subscription_id(),
      std::to_string(options_.feed_max_len),
      std::to_string(absl::ToUnixMillis(clock_.Now())),
      options_.key_prefix};
  for (const PendingDelivery& d : deliveries) {
    args.insert(args.end(), {d.delivery_id, d.channel_bytes, d.digest_job_id, d.digest_key,
                             std::to_string(d.digest_due_ms), d.digest ? "1" : "0", d.throttle_key,
                             std::to_string(d.throttle_limit), d.policy_bytes});
  }
  SA_ASSIGN_OR_RETURN(auto reply, AppendScript().Run(redis_, keys, args, options_.durability));
  if (reply.is_nil()) return std::nullopt;
  if (!reply.is_string()) return absl::InternalError("alert append script returned no id");
  return reply.str;
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
  }
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
