#include "notifier/store/subscription_store.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/status_macros.h"
#include "google/protobuf/util/time_util.h"
#include "notifier/rules/query.h"

namespace sa::notifier {
namespace {

using summit_alerts::v1::Subscription;
using google::protobuf::util::TimeUtil;

// KEYS: hash, version. ARGV: id, bytes, mode ("create" | "update").
// Returns 1 when written, 0 when update found nothing to replace.
const redis::RedisScript& PutScript() {
  static const redis::RedisScript script(R"lua(
if ARGV[3] == 'update' and redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('INCR', KEYS[2])
return 1
)lua");
  return script;
}

absl::StatusOr<Subscription> Parse(const std::string& bytes, const std::string& id) {
  Subscription sub;
  if (!sub.ParseFromString(bytes)) {
    return absl::DataLossError(absl::StrCat("subscription ", id, " is stored corrupted"));
  }
  return sub;
}

}  // namespace

absl::Status ValidateSubscription(const Subscription& sub) {
  if (auto query = ParseQuery(sub.query()); !query.ok()) return query.status();
  if (!(sub.min_relevance() >= 0 && sub.min_relevance() <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_relevance ", sub.min_relevance(), " is outside 0..1"));
  }
  if (sub.owner().size() > 256) return absl::InvalidArgumentError("owner is over 256 bytes");
  if (sub.name().size() > 256) return absl::InvalidArgumentError("name is over 256 bytes");
  if (sub.channels_size() > 16) return absl::InvalidArgumentError("more than 16 channels");
  for (int i = 0; i < sub.channels_size(); ++i) {
    const auto& channel = sub.channels(i);
    if (channel.has_webhook()) {
      const std::string& url = channel.webhook().url();
      if (!(absl::StartsWith(url, "https://") || absl::StartsWith(url, "http://")) ||
          url.size() > 2048) {
        return absl::InvalidArgumentError(
            absl::StrCat("channels[", i, "].webhook.url must be an http(s) URL"));
      }
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
  SA_ASSIGN_OR_RETURN(auto reply, PutScript().Run(redis_, {HashKey(), VersionKey()},
                                                  {sub.id(), sub.SerializeAsString(), "create"}));
  return sub;
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
  SA_RETURN_IF_ERROR(ValidateSubscription(sub));
  SA_ASSIGN_OR_RETURN(Subscription existing, Get(sub.id()));
  *sub.mutable_created_at() = existing.created_at();
  *sub.mutable_updated_at() = TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(clock_.Now()));
  if (sub.channels_size() == 0) sub.add_channels()->mutable_grpc_stream();
  SA_ASSIGN_OR_RETURN(auto reply, PutScript().Run(redis_, {HashKey(), VersionKey()},
                                                  {sub.id(), sub.SerializeAsString(), "update"}));
  if (reply.integer == 0) {
    return absl::NotFoundError(absl::StrCat("no subscription with id '", sub.id(), "'"));
  }
  return sub;
}

absl::Status SubscriptionStore::Delete(const std::string& id) {
  SA_ASSIGN_OR_RETURN(auto reply, redis_.Command({"HDEL", HashKey(), id}));
  if (reply.integer == 0) return absl::NotFoundError(absl::StrCat("no subscription with id '", id, "'"));
  SA_ASSIGN_OR_RETURN(auto version, redis_.Command({"INCR", VersionKey()}));
  return absl::OkStatus();
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
