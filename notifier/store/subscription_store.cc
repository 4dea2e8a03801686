#include "notifier/store/subscription_store.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/status_macros.h"
#include "google/protobuf/util/time_util.h"
#include "notifier/deliver/delivery_policy.h"
#include "notifier/deliver/webhook_payload.h"
#include "notifier/match/subscription_rule.h"
#include "notifier/rules/rule_parser.h"
#include "notifier/store/alert_store.h"
#include "notifier/store/channel_secrets.h"

namespace sa::notifier {
namespace {

using google::protobuf::util::TimeUtil;
using summit_alerts::v1::Subscription;
using summit_alerts::v1::WebhookChannel;

// Every write bumps the version and appends (id, version) to the change log, atomically, so
// a replica that applies the log in order and sees no version gap has every change.
// KEYS: hash, version, changes, index, owner index, previous owner's index (an update that
// changes the owner). ARGV: id, bytes, mode ("create" | "update"), log length, index member.
// Returns 1 when written, 0 when update found nothing to replace.
const redis::RedisScript& PutScript() {
  static const redis::RedisScript script(R"lua(
if ARGV[3] == 'update' and redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[4], 0, ARGV[5])
if KEYS[6] ~= KEYS[5] then redis.call('ZREM', KEYS[6], ARGV[5]) end
redis.call('ZADD', KEYS[5], 0, ARGV[5])
local version = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*', 'id', ARGV[1], 'version', version)
return 1
)lua");
  return script;
}

// Deletes the record and everything the subscription owns (SubscriptionOwnedKeysKey).
// KEYS: hash, version, changes, index, owner index, alerts stream, owned-keys set, deliveries
// due. ARGV: id, log length, index member, delivery job key prefix, the current hour (throttle
// counters live 2 h, so hours -2..+1 cover them and a replica's clock skew).
// Returns 1 when deleted, 0 when absent.
const redis::RedisScript& DeleteScript() {
  static const redis::RedisScript script(R"lua(
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZREM', KEYS[4], ARGV[3])
redis.call('ZREM', KEYS[5], ARGV[3])
redis.call('DEL', KEYS[6])
local hour = tonumber(ARGV[5])
for _, owned in ipairs(redis.call('SMEMBERS', KEYS[7])) do
  local kind, key = string.sub(owned, 1, 1), string.sub(owned, 3)
  if kind == 'D' then
    redis.call('DEL', key)
  elseif kind == 'J' then
    redis.call('ZREM', KEYS[8], key)
    redis.call('DEL', ARGV[4] .. key)
  elseif kind == 'T' then
    for h = hour - 2, hour + 1 do redis.call('DEL', key .. h) end
  end
end
redis.call('DEL', KEYS[7])
local version = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[2], '*', 'id', ARGV[1], 'version', version)
return 1
)lua");
  return script;
}

// Re-encryption: replaces each record that still holds the bytes it was read with.
// KEYS: hash. ARGV: id, bytes read, bytes to write, ... (triples). Returns how many it wrote.
const redis::RedisScript& ResealScript() {
  static const redis::RedisScript script(R"lua(
local written = 0
for i = 1, #ARGV, 3 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 2])
    written = written + 1
  end
end
return written
)lua");
  return script;
}

constexpr int64_t kChangeLogLength = 100000;

// "<created_at ns, 19 digits>:<id>": sorts by creation time, then id.
std::string IndexMember(const Subscription& sub) {
  int64_t nanos = std::max<int64_t>(0, TimeUtil::TimestampToNanoseconds(sub.created_at()));
  std::string digits = absl::StrCat(nanos);
  return absl::StrCat(std::string(19 - std::min<size_t>(19, digits.size()), '0'), digits, ":",
                      sub.id());
}

// A page token is the index member of the last subscription returned.
bool IsIndexMember(absl::string_view token) {
  if (token.size() < 21 || token.size() > 20 + 64 || token[19] != ':') return false;
  for (size_t i = 0; i < 19; ++i) {
    if (!absl::ascii_isdigit(token[i])) return false;
  }
  for (char c : token.substr(20)) {
    if (!absl::ascii_isalnum(c) && c != '_') return false;
  }
  return true;
}

absl::string_view IdOfMember(absl::string_view member) { return member.substr(20); }

// InvalidArgument naming the field and its limit, for a string over `max_bytes`, not UTF-8,
// or with a control character (tab, CR, LF allowed when `multiline`).
absl::Status CheckText(absl::string_view field, const std::string& value, size_t max_bytes,
                       bool multiline = false) {
  if (value.size() > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " is ", value.size(), " bytes; the limit is ", max_bytes));
  }
  if (size_t bad = FindInvalidUtf8(value); bad != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is not valid UTF-8 at byte ", bad));
  }
  if (size_t bad = FindControlCharacter(value, multiline); bad != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " has a control character (0x",
        absl::Hex(static_cast<unsigned char>(value[bad]), absl::kZeroPad2), ") at byte ", bad));
  }
  return absl::OkStatus();
}

// The limits on the strings of a subscription; the query's own are checked by ParseRule.
absl::Status CheckFieldLimits(const Subscription& sub) {
  SA_RETURN_IF_ERROR(CheckText("owner", sub.owner(), kMaxOwnerBytes));
  SA_RETURN_IF_ERROR(CheckText("name", sub.name(), kMaxNameBytes));
  if (sub.topics_size() > kMaxTopics) {
    return absl::InvalidArgumentError(
        absl::StrCat("topics has ", sub.topics_size(), " entries; the limit is ", kMaxTopics));
  }
  for (int i = 0; i < sub.topics_size(); ++i) {
    SA_RETURN_IF_ERROR(CheckText(absl::StrCat("topics[", i, "]"), sub.topics(i), kMaxTopicBytes));
  }
  if (sub.channels_size() > kMaxChannels) {
    return absl::InvalidArgumentError(absl::StrCat("channels has ", sub.channels_size(),
                                                   " entries; the limit is ", kMaxChannels));
  }
  for (int i = 0; i < sub.channels_size(); ++i) {
    if (!sub.channels(i).has_webhook()) continue;
    const auto& webhook = sub.channels(i).webhook();
    const std::string where = absl::StrCat("channels[", i, "].webhook.");
    SA_RETURN_IF_ERROR(CheckText(where + "url", webhook.url(), kMaxUrlBytes));
    SA_RETURN_IF_ERROR(CheckText(where + "chat_id", webhook.chat_id(), kMaxChatIdBytes));
    SA_RETURN_IF_ERROR(CheckText(where + "template", webhook.template_(), kMaxTemplateBytes, true));
    if (size_t bad = FindInvalidUtf8(webhook.secret()); bad != absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "secret is not valid UTF-8 at byte ", bad));
    }
    if (crypto::SecretBox::IsSealed(webhook.secret())) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "secret starts with '", crypto::kSealedPrefix,
                       "', which is reserved for secrets encrypted at rest"));
    }
  }
  return CheckText("delivery.digest_daily_at", sub.delivery().digest_daily_at(), 5);
}

absl::StatusOr<Subscription> Parse(const std::string& bytes, const std::string& id) {
  Subscription sub;
  if (!sub.ParseFromString(bytes)) {
    return absl::DataLossError(absl::StrCat("subscription ", id, " is stored corrupted"));
  }
  return sub;
}

// Secrets are never shown back (RedactSecrets), so a client that updates what it read sends
// them back redacted. A webhook channel matches a stored one (each stored one at most once, in
// order) with the same format and chat id when its URL is the stored URL, the stored URL's
// redacted form, or empty (except Telegram, where empty means the default API base); it then
// gets the stored URL, and the stored secret when its own is empty.
void KeepStoredSecrets(const Subscription& existing, Subscription& updated) {
  std::vector<bool> used(existing.channels_size(), false);
  for (auto& channel : *updated.mutable_channels()) {
    if (!channel.has_webhook()) continue;
    WebhookChannel& hook = *channel.mutable_webhook();
    for (int i = 0; i < existing.channels_size(); ++i) {
      const auto& old = existing.channels(i);
      if (used[i] || !old.has_webhook() || old.webhook().format() != hook.format() ||
          old.webhook().chat_id() != hook.chat_id()) {
        continue;
      }
      const bool same = hook.url() == old.webhook().url() ||
                        (hook.url().empty() && hook.format() != WebhookChannel::TELEGRAM) ||
                        hook.url() == RedactWebhookChannel(old.webhook()).url();
      if (!same) continue;
      used[i] = true;
      hook.set_url(old.webhook().url());
      if (hook.secret().empty()) hook.set_secret(old.webhook().secret());
      break;
    }
  }
}

}  // namespace

Subscription RedactSecrets(Subscription sub) {
  for (auto& channel : *sub.mutable_channels()) {
    if (channel.has_webhook()) {
      *channel.mutable_webhook() = RedactWebhookChannel(std::move(*channel.mutable_webhook()));
    }
  }
  return sub;
}

absl::Status ValidateSubscription(const Subscription& sub) {
  // The sizes first: nothing below spends work on an oversized field.
  SA_RETURN_IF_ERROR(CheckFieldLimits(sub));
  if (auto compiled = CompileSubscription(sub); !compiled.ok()) return compiled.status();
  if (!(sub.min_relevance() >= 0 && sub.min_relevance() <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_relevance ", sub.min_relevance(), " is outside 0..1"));
  }
  SA_RETURN_IF_ERROR(ValidateDeliveryPolicy(sub.delivery()));
  for (int i = 0; i < sub.channels_size(); ++i) {
    const auto& channel = sub.channels(i);
    if (channel.has_webhook()) {
      SA_RETURN_IF_ERROR(
          ValidateWebhookChannel(channel.webhook(), absl::StrCat("channels[", i, "].webhook")));
    } else if (!channel.has_grpc_stream()) {
      return absl::InvalidArgumentError(absl::StrCat("channels[", i, "] names no channel kind"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<summit_alerts::v1::ListSubscriptionsResponse> ListSubscriptionsPage(
    SubscriptionStore& store, const summit_alerts::v1::ListSubscriptionsRequest& request) {
  SA_ASSIGN_OR_RETURN(SubscriptionStore::Page page,
                      store.List(request.owner(), request.page_size(), request.page_token()));
  summit_alerts::v1::ListSubscriptionsResponse response;
  for (auto& sub : page.subscriptions)
    *response.add_subscriptions() = RedactSecrets(std::move(sub));
  response.set_next_page_token(std::move(page.next_page_token));
  return response;
}

SubscriptionStore::SubscriptionStore(redis::RedisClient& redis, std::string key_prefix,
                                     const Clock& clock, const crypto::SecretBox* secrets)
    : redis_(redis), key_prefix_(std::move(key_prefix)), clock_(clock), secrets_(secrets) {}

absl::StatusOr<Subscription> SubscriptionStore::Read(const std::string& bytes,
                                                     const std::string& id) const {
  SA_ASSIGN_OR_RETURN(Subscription sub, Parse(bytes, id));
  SA_RETURN_IF_ERROR(OpenSubscriptionSecrets(secrets_, sub));
  return sub;
}

absl::StatusOr<std::string> SubscriptionStore::Sealed(Subscription sub) const {
  SA_RETURN_IF_ERROR(SealSubscriptionSecrets(secrets_, sub));
  return sub.SerializeAsString();
}

absl::StatusOr<Subscription> SubscriptionStore::Create(Subscription sub) {
  SA_RETURN_IF_ERROR(ValidateSubscription(sub));
  sub.set_id(RandomId("sub_", 16));
  auto now = TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(clock_.Now()));
  *sub.mutable_created_at() = now;
  *sub.mutable_updated_at() = now;
  if (sub.channels_size() == 0) sub.add_channels()->mutable_grpc_stream();
  SA_ASSIGN_OR_RETURN(std::string bytes, Sealed(sub));
  SA_ASSIGN_OR_RETURN(auto reply,
                      PutScript().Run(redis_,
                                      {HashKey(), VersionKey(), ChangesKey(), IndexKey(),
                                       OwnerIndexKey(sub.owner()), OwnerIndexKey(sub.owner())},
                                      {sub.id(), std::move(bytes), "create",
                                       absl::StrCat(kChangeLogLength), IndexMember(sub)}));
  return sub;
}

absl::StatusOr<bool> SubscriptionStore::Exists(const std::string& id) {
  SA_ASSIGN_OR_RETURN(auto reply, redis_.Command({"HEXISTS", HashKey(), id}));
  return reply.integer == 1;
}

absl::StatusOr<Subscription> SubscriptionStore::Get(const std::string& id) {
  SA_ASSIGN_OR_RETURN(auto reply, redis_.Command({"HGET", HashKey(), id}));
  if (reply.is_nil())
    return absl::NotFoundError(absl::StrCat("no subscription with id '", id, "'"));
  return Read(reply.str, id);
}

absl::Status SubscriptionStore::EnsureIndexed() {
  if (indexed_.load(std::memory_order_acquire)) return absl::OkStatus();
  absl::MutexLock lock(&index_mu_);
  if (indexed_.load(std::memory_order_relaxed)) return absl::OkStatus();
  SA_ASSIGN_OR_RETURN(auto marker, redis_.Command({"GET", IndexedMarkerKey()}));
  if (marker.is_nil()) {
    // Subscriptions stored before the index existed. ZADD is idempotent, and an entry for a
    // subscription deleted meanwhile is skipped by List, so racing writers are harmless.
    std::string cursor = "0";
    do {
      SA_ASSIGN_OR_RETURN(auto reply,
                          redis_.Command({"HSCAN", HashKey(), cursor, "COUNT", "1000"}));
      if (reply.elements.size() != 2) return absl::InternalError("unexpected HSCAN reply");
      cursor = reply.elements[0].str;
      const auto& pairs = reply.elements[1].elements;
      std::vector<std::string> all = {"ZADD", IndexKey()};
      std::map<std::string, std::vector<std::string>> by_owner;
      for (size_t i = 0; i + 1 < pairs.size(); i += 2) {
        SA_ASSIGN_OR_RETURN(Subscription sub, Parse(pairs[i + 1].str, pairs[i].str));
        std::string member = IndexMember(sub);
        all.insert(all.end(), {"0", member});
        auto& owned = by_owner[sub.owner()];
        if (owned.empty()) owned = {"ZADD", OwnerIndexKey(sub.owner())};
        owned.insert(owned.end(), {"0", member});
      }
      if (all.size() > 2) SA_RETURN_IF_ERROR(redis_.Command(all).status());
      for (const auto& [owner, command] : by_owner)
        SA_RETURN_IF_ERROR(redis_.Command(command).status());
    } while (cursor != "0");
    SA_RETURN_IF_ERROR(redis_.Command({"SET", IndexedMarkerKey(), "1"}).status());
  }
  indexed_.store(true, std::memory_order_release);
  return absl::OkStatus();
}

absl::StatusOr<SubscriptionStore::Page> SubscriptionStore::List(const std::string& owner,
                                                                int page_size,
                                                                const std::string& page_token) {
  if (page_size == 0) page_size = kDefaultPageSize;
  if (page_size < 1 || page_size > kMaxPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size ", page_size, " is outside 1..", kMaxPageSize));
  }
  if (!page_token.empty() && !IsIndexMember(page_token)) {
    return absl::InvalidArgumentError(
        "page_token is not one this server gave (pass next_page_token as is)");
  }
  SA_RETURN_IF_ERROR(EnsureIndexed());
  SA_ASSIGN_OR_RETURN(
      auto members,
      redis_.Command({"ZRANGEBYLEX", owner.empty() ? IndexKey() : OwnerIndexKey(owner),
                      page_token.empty() ? "-" : "(" + page_token, "+", "LIMIT", "0",
                      absl::StrCat(page_size)}));
  Page page;
  if (members.elements.empty()) return page;
  std::vector<std::string> command = {"HMGET", HashKey()};
  for (const auto& member : members.elements) {
    if (!IsIndexMember(member.str))
      return absl::DataLossError("malformed subscription index entry");
    command.emplace_back(IdOfMember(member.str));
  }
  SA_ASSIGN_OR_RETURN(auto records, redis_.Command(command));
  if (records.elements.size() != members.elements.size()) {
    return absl::InternalError("HMGET answered a different number of records");
  }
  size_t bytes = 0;
  std::string last;  // the member of the last record examined
  for (size_t i = 0; i < records.elements.size(); ++i) {
    const std::string& id = command[i + 2];
    if (!records.elements[i].is_nil()) {
      SA_ASSIGN_OR_RETURN(Subscription sub, Read(records.elements[i].str, id));
      // Skips index entries left behind by a racing delete or owner change.
      if (owner.empty() || sub.owner() == owner) {
        bytes += sub.ByteSizeLong();
        if (bytes > kMaxPageBytes && !page.subscriptions.empty()) {
          page.next_page_token = last;
          return page;
        }
        page.subscriptions.push_back(std::move(sub));
      }
    }
    last = members.elements[i].str;
  }
  if (static_cast<int>(members.elements.size()) == page_size) page.next_page_token = last;
  return page;
}

absl::StatusOr<Subscription> SubscriptionStore::Update(Subscription sub) {
  SA_ASSIGN_OR_RETURN(Subscription existing, Get(sub.id()));
  KeepStoredSecrets(existing, sub);
  SA_RETURN_IF_ERROR(ValidateSubscription(sub));
  *sub.mutable_created_at() = existing.created_at();
  *sub.mutable_updated_at() = TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(clock_.Now()));
  if (sub.channels_size() == 0) sub.add_channels()->mutable_grpc_stream();
  SA_ASSIGN_OR_RETURN(std::string bytes, Sealed(sub));
  SA_ASSIGN_OR_RETURN(auto reply,
                      PutScript().Run(redis_,
                                      {HashKey(), VersionKey(), ChangesKey(), IndexKey(),
                                       OwnerIndexKey(sub.owner()), OwnerIndexKey(existing.owner())},
                                      {sub.id(), std::move(bytes), "update",
                                       absl::StrCat(kChangeLogLength), IndexMember(sub)}));
  if (reply.integer == 0) {
    return absl::NotFoundError(absl::StrCat("no subscription with id '", sub.id(), "'"));
  }
  return sub;
}

absl::Status SubscriptionStore::Delete(const std::string& id) {
  SA_ASSIGN_OR_RETURN(Subscription sub, Get(id));
  const DeliveryKeys delivery_keys{key_prefix_};
  SA_ASSIGN_OR_RETURN(
      auto reply,
      DeleteScript().Run(redis_,
                         {HashKey(), VersionKey(), ChangesKey(), IndexKey(),
                          OwnerIndexKey(sub.owner()), SubscriptionAlertsKey(key_prefix_, id),
                          SubscriptionOwnedKeysKey(key_prefix_, id), delivery_keys.Due()},
                         {id, absl::StrCat(kChangeLogLength), IndexMember(sub),
                          delivery_keys.JobPrefix(), absl::StrCat(ThrottleHour(clock_.Now()))}));
  if (reply.integer == 0)
    return absl::NotFoundError(absl::StrCat("no subscription with id '", id, "'"));
  return absl::OkStatus();
}

absl::StatusOr<SubscriptionStore::Snapshot> SubscriptionStore::LoadAll() {
  Snapshot snapshot;
  // The log position first: changes after it are re-applied, which is idempotent.
  SA_ASSIGN_OR_RETURN(auto newest, redis::XRevRange(redis_, ChangesKey(), "+", "-", 1));
  if (!newest.empty()) {
    SA_ASSIGN_OR_RETURN(snapshot.position, ParseChange(newest.front()));
  } else {
    SA_ASSIGN_OR_RETURN(snapshot.position.version, Version());
  }
  std::string cursor = "0";
  do {
    SA_ASSIGN_OR_RETURN(auto reply, redis_.Command({"HSCAN", HashKey(), cursor, "COUNT", "1000"}));
    if (reply.elements.size() != 2) return absl::InternalError("unexpected HSCAN reply");
    cursor = reply.elements[0].str;
    const auto& pairs = reply.elements[1].elements;
    for (size_t i = 0; i + 1 < pairs.size(); i += 2) {
      SA_ASSIGN_OR_RETURN(Subscription sub, Read(pairs[i + 1].str, pairs[i].str));
      snapshot.subscriptions.push_back(std::move(sub));
    }
  } while (cursor != "0");
  return snapshot;
}

absl::StatusOr<SubscriptionStore::Change> SubscriptionStore::ParseChange(
    const redis::StreamEntry& entry) {
  Change change;
  change.stream_id = entry.id;
  if (const std::string* id = entry.Field("id")) change.subscription_id = *id;
  const std::string* version = entry.Field("version");
  if (version != nullptr && !absl::SimpleAtoi(*version, &change.version)) {
    return absl::DataLossError(absl::StrCat("change ", change.stream_id, " has a bad version"));
  }
  return change;
}

absl::StatusOr<std::vector<SubscriptionStore::Change>> SubscriptionStore::ChangesAfter(
    const std::string& stream_id, int limit) {
  return ChangesFrom(stream_id.empty() ? "" : absl::StrCat("(", stream_id), limit);
}

absl::StatusOr<std::vector<SubscriptionStore::Change>> SubscriptionStore::ChangesFrom(
    const std::string& stream_id, int limit) {
  std::string start = stream_id.empty() ? "-" : stream_id;
  SA_ASSIGN_OR_RETURN(auto entries, redis::XRange(redis_, ChangesKey(), start, "+", limit));
  std::vector<Change> changes;
  for (const redis::StreamEntry& entry : entries) {
    SA_ASSIGN_OR_RETURN(Change change, ParseChange(entry));
    changes.push_back(std::move(change));
  }
  return changes;
}

absl::StatusOr<std::vector<std::optional<Subscription>>> SubscriptionStore::GetMany(
    const std::vector<std::string>& ids) {
  std::vector<std::optional<Subscription>> subs;
  if (ids.empty()) return subs;
  std::vector<std::string> command = {"HMGET", HashKey()};
  command.insert(command.end(), ids.begin(), ids.end());
  SA_ASSIGN_OR_RETURN(auto reply, redis_.Command(command));
  for (size_t i = 0; i < ids.size() && i < reply.elements.size(); ++i) {
    if (reply.elements[i].is_nil()) {
      subs.emplace_back(std::nullopt);
    } else {
      SA_ASSIGN_OR_RETURN(Subscription sub, Read(reply.elements[i].str, ids[i]));
      subs.emplace_back(std::move(sub));
    }
  }
  return subs;
}

absl::StatusOr<int64_t> SubscriptionStore::ResealAll() {
  if (secrets_ == nullptr) return 0;
  int64_t written = 0;
  std::string cursor = "0";
  do {
    SA_ASSIGN_OR_RETURN(auto reply, redis_.Command({"HSCAN", HashKey(), cursor, "COUNT", "500"}));
    if (reply.elements.size() != 2) return absl::InternalError("unexpected HSCAN reply");
    cursor = reply.elements[0].str;
    const auto& pairs = reply.elements[1].elements;
    std::vector<std::string> args;
    for (size_t i = 0; i + 1 < pairs.size(); i += 2) {
      const std::string& id = pairs[i].str;
      const std::string& stored = pairs[i + 1].str;
      SA_ASSIGN_OR_RETURN(Subscription raw, Parse(stored, id));
      if (!NeedsResealing(*secrets_, raw)) continue;
      SA_ASSIGN_OR_RETURN(Subscription opened, Read(stored, id));
      SA_ASSIGN_OR_RETURN(std::string resealed, Sealed(std::move(opened)));
      args.insert(args.end(), {id, stored, std::move(resealed)});
    }
    if (!args.empty()) {
      SA_ASSIGN_OR_RETURN(auto count, ResealScript().Run(redis_, {HashKey()}, args));
      written += count.integer;
    }
  } while (cursor != "0");
  return written;
}

absl::StatusOr<int64_t> SubscriptionStore::Version() {
  SA_ASSIGN_OR_RETURN(auto reply, redis_.Command({"GET", VersionKey()}));
  if (reply.is_nil()) return 0;
  int64_t version = 0;
  if (!absl::SimpleAtoi(reply.str, &version)) {
    return absl::DataLossError(
        absl::StrCat(VersionKey(), " holds '", reply.str, "', not a number"));
  }
  return version;
}

}  // namespace sa::notifier
