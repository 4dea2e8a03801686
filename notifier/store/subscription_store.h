// Subscriptions, persisted in Redis (a hash of id -> serialized Subscription) so they survive
// restarts and are shared by every notifier replica. Every write also increments a version
// counter and appends (id, version) to a change-log stream, in one Lua script, so replicas
// apply just the changes (SubscriptionCache) and detect a gap by the version. The same script
// keeps two sorted sets for paging (List): every subscription (<prefix>subs:index) and each
// owner's (<prefix>subs:owner:<owner>), members "<created_at ns, 19 digits>:<id>", all with
// score 0 so they sort by creation time, then id.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/redis/redis_client.h"
#include "common/redis/streams.h"
#include "summit_alerts/v1/notifier.pb.h"

namespace sa::notifier {

// Field limits of a subscription (docs/RULES.md). Every string must be valid UTF-8.
inline constexpr size_t kMaxOwnerBytes = 256;
inline constexpr size_t kMaxNameBytes = 256;
inline constexpr int kMaxTopics = 32;
inline constexpr size_t kMaxTopicBytes = 128;
inline constexpr int kMaxChannels = 16;
inline constexpr size_t kMaxUrlBytes = 2048;
inline constexpr size_t kMaxChatIdBytes = 128;
inline constexpr size_t kMaxTemplateBytes = 4096;

// Paging of List (and of ListDeadLetters in the API).
inline constexpr int kDefaultPageSize = 100;
inline constexpr int kMaxPageSize = 500;
// A page stops early rather than grow past this (the gRPC default receive limit is 4 MiB).
inline constexpr size_t kMaxPageBytes = size_t{2} << 20;

// OK, or InvalidArgument naming the field and the limit: a query that does not parse (with
// position; the rule's limits are in rule_parser.h) or cannot be matched (only exclusions and
// no topics; see CompileSubscription), min_relevance outside 0..1, a field over the limits
// above, invalid UTF-8 in any string (with the byte offset), a control character in the
// owner, name, a topic, a URL or a chat id (tab, CR and LF are allowed in the query and in a
// template), a webhook channel that ValidateWebhookChannel rejects.
absl::Status ValidateSubscription(const summit_alerts::v1::Subscription& subscription);

// The subscription as clients see it, in every API, CLI output and log line: webhook secrets
// (HMAC keys, bot tokens) cleared and URLs cut to scheme://host/… (RedactWebhookChannel), as
// they may carry credentials (Slack, Discord, Teams, Mattermost). Update accepts this form
// back and keeps the stored URL and secret.
summit_alerts::v1::Subscription RedactSecrets(summit_alerts::v1::Subscription sub);

class SubscriptionStore;

// One page of ListSubscriptions (gRPC and the JSON API), secrets redacted; the request's
// page_size and page_token as SubscriptionStore::List takes them.
absl::StatusOr<summit_alerts::v1::ListSubscriptionsResponse> ListSubscriptionsPage(
    SubscriptionStore& store, const summit_alerts::v1::ListSubscriptionsRequest& request);

// Thread-safe.
class SubscriptionStore {
 public:
  SubscriptionStore(redis::RedisClient& redis, std::string key_prefix,
                    const Clock& clock = Clock::Real());

  // Validates, assigns id and timestamps (ignoring any given), stores.
  absl::StatusOr<summit_alerts::v1::Subscription> Create(summit_alerts::v1::Subscription sub);
  // NotFound when no subscription has this id.
  absl::StatusOr<summit_alerts::v1::Subscription> Get(const std::string& id);
  struct Page {
    std::vector<summit_alerts::v1::Subscription> subscriptions;
    std::string next_page_token;  // empty: this was the last page
  };
  // One page of all subscriptions, or of `owner`'s when not empty, ordered by creation time
  // then id, after `page_token` (a next_page_token from before; empty: from the first). Reads
  // at most `page_size` (1..kMaxPageSize, 0 means kDefaultPageSize) records from Redis; the
  // page is cut short at kMaxPageBytes. A subscription that exists throughout a walk is
  // returned exactly once; one created or deleted meanwhile may or may not be. InvalidArgument
  // for a page_size out of range or a token this store did not make.
  absl::StatusOr<Page> List(const std::string& owner, int page_size, const std::string& page_token);
  // Replaces owner, name, query, min_relevance, topics and channels; NotFound if absent. A
  // webhook channel sent back as read (RedactSecrets: redacted URL, empty secret), or with an
  // empty URL (not Telegram), keeps the URL and secret of the stored channel with the same
  // format and chat id; an empty secret keeps the stored secret.
  absl::StatusOr<summit_alerts::v1::Subscription> Update(summit_alerts::v1::Subscription sub);
  // Deletes everything the subscription owns, atomically: its record (and index entries), its
  // alerts stream, its digest lists and pending digest jobs, and its throttle counters (found
  // through SubscriptionOwnedKeysKey). What remains expires or is dropped by itself: the
  // fields of the per-event dedupe hashes <prefix>alerted:<event> (TTL 7 days), single-message
  // webhook deliveries already queued (the worker cancels each when it comes due, as the
  // subscription is gone) and their sent-markers (TTL), and dead letters (a shared,
  // length-capped stream). NotFound if absent. Every front end (gRPC, chat, JSON API) calls
  // this.
  absl::Status Delete(const std::string& id);
  // Whether a subscription with this id exists now.
  absl::StatusOr<bool> Exists(const std::string& id);
  // Changes whenever a subscription is created, updated or deleted.
  absl::StatusOr<int64_t> Version();

  // One entry of the change log: subscription `subscription_id` was written (created,
  // updated or deleted: read it to know which) as version `version`.
  struct Change {
    std::string stream_id;
    std::string subscription_id;
    int64_t version = 0;
  };
  struct Snapshot {
    Change position;  // the newest change included (stream_id empty: the log was empty)
    std::vector<summit_alerts::v1::Subscription> subscriptions;
  };
  // Every subscription (scanned in chunks), and the change-log position to continue from.
  absl::StatusOr<Snapshot> LoadAll();
  // Up to `limit` changes after `stream_id` (empty: from the start of the log), oldest first.
  absl::StatusOr<std::vector<Change>> ChangesAfter(const std::string& stream_id, int limit);
  // As ChangesAfter, but starting with the entry `stream_id` itself when it still exists (an
  // anchor: its absence means the log was wiped, replaced or trimmed past it).
  absl::StatusOr<std::vector<Change>> ChangesFrom(const std::string& stream_id, int limit);
  // The subscriptions with these ids, nullopt where deleted; in the order of `ids`.
  absl::StatusOr<std::vector<std::optional<summit_alerts::v1::Subscription>>> GetMany(
      const std::vector<std::string>& ids);

 private:
  std::string HashKey() const { return key_prefix_ + "subs"; }
  std::string VersionKey() const { return key_prefix_ + "subs:version"; }
  std::string ChangesKey() const { return key_prefix_ + "subs:changes"; }
  std::string IndexKey() const { return key_prefix_ + "subs:index"; }
  std::string OwnerIndexKey(const std::string& owner) const {
    return key_prefix_ + "subs:owner:" + owner;
  }
  // Set once every subscription stored before the indexes existed was indexed.
  std::string IndexedMarkerKey() const { return key_prefix_ + "subs:indexed"; }
  static absl::StatusOr<Change> ParseChange(const redis::StreamEntry& entry);
  // Indexes subscriptions written before the index existed, once per keyspace.
  absl::Status EnsureIndexed();

  redis::RedisClient& redis_;
  const std::string key_prefix_;
  const Clock& clock_;
  absl::Mutex index_mu_;
  std::atomic<bool> indexed_{false};
};

}  // namespace sa::notifier
