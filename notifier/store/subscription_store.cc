#include "notifier/store/subscription_store.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/status_macros.h"
#include "google/protobuf/util/time_util.h"
#include "notifier/deliver/delivery_policy.h"
#include "notifier/deliver/webhook_payload.h"
#include "notifier/match/subscription_rule.h"

namespace sa::notifier {
namespace {

using summit_alerts::v1::Subscription;
using google::protobuf::util::TimeUtil;

// Every write bumps the version and appends (id, version) to the change log, atomically, so
// a replica that applies the log in order and sees no version gap has every change.
// KEYS: hash, version, changes. ARGV: id, bytes, mode ("create" | "update"), log length.
// Returns 1 when written, 0 when update found nothing to replace.
const redis::RedisScript& PutScript() {
  static const redis::RedisScript script(R"lua(
if ARGV[3] == 'update' and redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local version = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*', 'id', ARGV[1], 'version', version)
return 1
)lua");
  return script;
}

// KEYS: hash, version, changes. ARGV: id, log length. Returns 1 when deleted, 0 when absent.
const redis::RedisScript& DeleteScript() {
  static const redis::RedisScript script(R"lua(
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
local version = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[2], '*', 'id', ARGV[1], 'version', version)
return 1
)lua");
  return script;
}

constexpr int64_t kChangeLogLength = 100000;

absl::StatusOr<Subscription> Parse(const std::string& bytes, const std::string& id) {
  Subscription sub;
  if (!sub.ParseFromString(bytes)) {
    return absl::DataLossError(absl::StrCat("subscription ", id, " is stored corrupted"));
  }
  return sub;
}

// Secrets are never shown back (RedactSecrets), so a client that updates what it read sends
// them empty: a webhook channel with an empty secret keeps the stored channel's secret.
void KeepStoredSecrets(const Subscription& existing, Subscription& updated) {
  for (auto& channel : *updated.mutable_channels()) {
    if (!channel.has_webhook() || !channel.webhook().secret().empty()) continue;
    for (const auto& old : existing.channels()) {
      if (old.has_webhook() && old.webhook().format() == channel.webhook().format() &&
          old.webhook().url() == channel.webhook().url() &&
          old.webhook().chat_id() == channel.webhook().chat_id()) {
        channel.mutable_webhook()->set_secret(old.webhook().secret());
        break;
      }
    }
  }
}

}  // namespace

Subscription RedactSecrets(Subscription sub) {
  for (auto& channel : *sub.mutable_channels()) {
    if (channel.has_webhook()) channel.mutable_webhook()->clear_secret();
  }
  return sub;
}

absl::Status ValidateSubscription(const Subscription& sub) {
  if (auto compiled = CompileSubscription(sub); !compiled.ok()) return compiled.status();
  if (sub.topics_size() > 32) return absl::InvalidArgumentError("more than 32 topics");
  if (!(sub.min_relevance() >= 0 && sub.min_relevance() <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_relevance ", sub.min_relevance(), " is outside 0..1"));
  }
  if (sub.owner().size() > 256) return absl::InvalidArgumentError("owner is over 256 bytes");
  if (sub.name().size() > 256) return absl::InvalidArgumentError("name is over 256 bytes");
  if (sub.channels_size() > 16) return absl::InvalidArgumentError("more than 16 channels");
  SA_RETURN_IF_ERROR(ValidateDeliveryPolicy(sub.delivery()));
  for (int i = 0; i < sub.channels_size(); ++i) {
    const auto& channel = sub.channels(i);
    if (channel.has_webhook()) {
      SA_RETURN_IF_ERROR(ValidateWebhookChannel(channel.webhook(), absl::StrCat("channels[", i, "].webhook")));
    } else if (!channel.has_grpc_stream()) {
      return absl::InvalidArgumentError(absl::StrCat("channels[", i, "] names no channel kind"));
    }
  }
  return absl::OkStatus();
}

SubscriptionStore::SubscriptionStore(redis::RedisClient& redis, std::string key_prefix,
                                     const Clock& clock)
    : redis_(redis), key_prefix_(std::move(key_prefix)), clock_(clock) {}

absl::StatusOr<Subscription> SubscriptionStore::Create(Subscription sub) {
  SA_RETURN_IF_ERROR(ValidateSubscription(sub));
  sub.set_id(RandomId("sub_", 16));
  auto now = TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(clock_.Now()));
  *sub.mutable_created_at() = now;
  *sub.mutable_updated_at() = now;
  if (sub.channels_size() == 0) sub.add_channels()->mutable_grpc_stream();
  SA_ASSIGN_OR_RETURN(auto reply, PutScript().Run(redis_, {HashKey(), VersionKey(), ChangesKey()},
                                                  {sub.id(), sub.SerializeAsString(), "create",
                                                   absl::StrCat(kChangeLogLength)}));
  return sub;
}

absl::StatusOr<bool> SubscriptionStore::Exists(const std::string& id) {
  SA_ASSIGN_OR_RETURN(auto reply, redis_.Command({"HEXISTS", HashKey(), id}));
  return reply.integer == 1;
}

absl::StatusOr<Subscription> SubscriptionStore::Get(const std::string& id) {
  SA_ASSIGN_OR_RETURN(auto reply, redis_.Command({"HGET", HashKey(), id}));
  if (reply.is_nil()) return absl::NotFoundError(absl::StrCat("no subscription with id '", id, "'"));
  return Parse(reply.str, id);
}

absl::StatusOr<std::vector<Subscription>> SubscriptionStore::List(const std::string& owner) {
  SA_ASSIGN_OR_RETURN(auto reply, redis_.Command({"HGETALL", HashKey()}));
  std::vector<Subscription> subs;
  for (size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    SA_ASSIGN_OR_RETURN(Subscription sub, Parse(reply.elements[i + 1].str, reply.elements[i].str));
    if (owner.empty() || sub.owner() == owner) subs.push_back(std::move(sub));
  }
  std::sort(subs.begin(), subs.end(), [](const Subscription& a, const Subscription& b) {
    return std::make_pair(TimeUtil::TimestampToNanoseconds(a.created_at()), a.id()) <
           std::make_pair(TimeUtil::TimestampToNanoseconds(b.created_at()), b.id());
  });
  return subs;
}

absl::StatusOr<Subscription> SubscriptionStore::Update(Subscription sub) {
  SA_ASSIGN_OR_RETURN(Subscription existing, Get(sub.id()));
  KeepStoredSecrets(existing, sub);
  SA_RETURN_IF_ERROR(ValidateSubscription(sub));
  *sub.mutable_created_at() = existing.created_at();
  *sub.mutable_updated_at() = TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(clock_.Now()));
  if (sub.channels_size() == 0) sub.add_channels()->mutable_grpc_stream();
  SA_ASSIGN_OR_RETURN(auto reply, PutScript().Run(redis_, {HashKey(), VersionKey(), ChangesKey()},
                                                  {sub.id(), sub.SerializeAsString(), "update",
                                                   absl::StrCat(kChangeLogLength)}));
  if (reply.integer == 0) {
    return absl::NotFoundError(absl::StrCat("no subscription with id '", sub.id(), "'"));
  }
  return sub;
}

absl::Status SubscriptionStore::Delete(const std::string& id) {
  SA_ASSIGN_OR_RETURN(auto reply, DeleteScript().Run(redis_, {HashKey(), VersionKey(), ChangesKey()},
                                                     {id, absl::StrCat(kChangeLogLength)}));
  if (reply.integer == 0) return absl::NotFoundError(absl::StrCat("no subscription with id '", id, "'"));
  return absl::OkStatus();
}

absl::StatusOr<SubscriptionStore::Snapshot> SubscriptionStore::LoadAll() {
  Snapshot snapshot;
  // The log position first: changes after it are re-applied, which is idempotent.
  SA_ASSIGN_OR_RETURN(auto newest, redis_.Command({"XREVRANGE", ChangesKey(), "+", "-", "COUNT", "1"}));
  if (!newest.elements.empty()) {
    SA_ASSIGN_OR_RETURN(snapshot.position, ParseChange(newest.elements[0]));
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
      SA_ASSIGN_OR_RETURN(Subscription sub, Parse(pairs[i + 1].str, pairs[i].str));
      snapshot.subscriptions.push_back(std::move(sub));
    }
  } while (cursor != "0");
  return snapshot;
}

absl::StatusOr<SubscriptionStore::Change> SubscriptionStore::ParseChange(const redis::RedisReply& entry) {
  Change change;
  if (entry.elements.size() != 2) return absl::DataLossError("malformed subscription change entry");
  change.stream_id = entry.elements[0].str;
  const auto& fields = entry.elements[1].elements;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    if (fields[i].str == "id") change.subscription_id = fields[i + 1].str;
    if (fields[i].str == "version" && !absl::SimpleAtoi(fields[i + 1].str, &change.version)) {
      return absl::DataLossError(absl::StrCat("change ", change.stream_id, " has a bad version"));
    }
  }
  return change;
}

absl::StatusOr<std::vector<SubscriptionStore::Change>> SubscriptionStore::ChangesAfter(
    const std::string& stream_id, int limit) {
  std::string start = stream_id.empty() ? "-" : absl::StrCat("(", stream_id);
  SA_ASSIGN_OR_RETURN(auto reply, redis_.Command({"XRANGE", ChangesKey(), start, "+", "COUNT",
                                                  absl::StrCat(limit)}));
  std::vector<Change> changes;
  for (const auto& entry : reply.elements) {
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
      SA_ASSIGN_OR_RETURN(Subscription sub, Parse(reply.elements[i].str, ids[i]));
      subs.emplace_back(std::move(sub));
    }
  }
  return subs;
}

absl::StatusOr<int64_t> SubscriptionStore::Version() {
  SA_ASSIGN_OR_RETURN(auto reply, redis_.Command({"GET", VersionKey()}));
  if (reply.is_nil()) return 0;
  int64_t version = 0;
  if (!absl::SimpleAtoi(reply.str, &version)) {
    return absl::DataLossError(absl::StrCat(VersionKey(), " holds '", reply.str, "', not a number"));
  }
  return version;
}

}  // namespace sa::notifier
