// The feed list and each feed's polling state, in Redis, shared by every collector replica.
//
// Keys (under the service's key prefix):
//   feeds                 hash: feed id -> Feed (its configuration, protobuf)
//   feeds:schedule        sorted set: feed id -> time of its next fetch (ms), so finding the due
//                         feeds costs one range read however many feeds there are
//   feed:{id}:state       hash: the last fetch's outcome, validators (ETag, Last-Modified),
//                         counters and the time of the next fetch
//   feed:{id}:seen        sorted set: keys of entries already turned into events -> time seen
//   feed:{id}:lease       the replica fetching it now (SET NX PX), so no feed is polled twice
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/redis/redis_client.h"
#include "summit_alerts/v1/collector.pb.h"

namespace sa::feeds {

// A feed's polling state as kept in feed:{id}:state.
struct FeedState {
  std::string etag;
  std::string last_modified;
  absl::Time next_fetch = absl::InfinitePast();
  absl::Time last_fetch = absl::InfinitePast();
  absl::Time last_success = absl::InfinitePast();
  int http_status = 0;
  std::string error;
  uint32_t consecutive_failures = 0;
  uint64_t items_seen = 0;
  uint64_t items_published = 0;
  uint64_t items_rejected = 0;
  std::string last_rejected_entry;  // the last entry that failed, and why
  std::string last_rejected_error;
  absl::Time last_rejected_at = absl::InfinitePast();
};

// What one poll changed: written by RecordPoll.
struct PollRecord {
  absl::Time fetched_at;
  absl::Time next_fetch = absl::InfinitePast();  // unset: the poller fills in a backoff
  int http_status = 0;
  std::string error;  // "" = success
  // Replaced only when the poll processed every entry (else the next poll must get them again).
  bool update_validators = false;
  std::string etag;
  std::string last_modified;
  uint64_t new_items_seen = 0;
  uint64_t new_items_published = 0;
  uint64_t new_items_rejected = 0;
  std::string rejected_entry;  // the last entry of this poll that failed ("" = none), and why
  std::string rejected_error;
};

// One page of ListPage.
struct FeedPage {
  std::vector<summit_alerts::v1::Feed> feeds;
  std::string next_page_token;  // "" on the last page
};

// Thread-safe (the RedisClient is).
class FeedStore {
 public:
  FeedStore(redis::RedisClient& redis, std::string key_prefix);

  // Adds (or updates, by URL) a feed. InvalidArgument for a URL that is not absolute http(s).
  absl::StatusOr<summit_alerts::v1::Feed> Add(const summit_alerts::v1::AddFeedRequest& request,
                                              absl::Time now);
  // Every feed, in URL order; with `with_status`, each one's FeedStatus.
  absl::StatusOr<std::vector<summit_alerts::v1::Feed>> List(bool with_status);
  // Up to `page_size` feeds (clamped to 1..kMaxPageSize) with their FeedStatus, in id order,
  // after `page_token` (a next_page_token, or "" for the first page). Reads the feed ids (not
  // the feeds) of the whole list and the feeds and states of the page only. InvalidArgument
  // for a token that is no feed id.
  absl::StatusOr<FeedPage> ListPage(const std::string& page_token, int page_size);
  static constexpr int kMaxPageSize = 500;
  // By id or URL; NotFound when there is no such feed. Its state and seen-markers go with it.
  absl::Status Remove(const std::string& id_or_url);

  // Up to `limit` feeds whose next fetch is at or before `now`, the most overdue first.
  absl::StatusOr<std::vector<summit_alerts::v1::Feed>> Due(absl::Time now, int limit);

  absl::StatusOr<FeedState> State(const std::string& id);
  absl::Status RecordPoll(const std::string& id, const PollRecord& record);

  // Which of `entry_keys` were already turned into events.
  absl::StatusOr<std::vector<bool>> Seen(const std::string& id,
                                         const std::vector<std::string>& entry_keys);
  // Marks an entry as done (after its event is in the stream). Keeps the newest `kMaxSeen`.
  absl::Status MarkSeen(const std::string& id, const std::string& entry_key, absl::Time now);
  static constexpr int kMaxSeen = 20000;

  // True when this `holder` now holds the feed's lease for `ttl`; false when another does.
  absl::StatusOr<bool> AcquireLease(const std::string& id, const std::string& holder,
                                    absl::Duration ttl);
  // Gives the lease back if `holder` still has it.
  absl::Status ReleaseLease(const std::string& id, const std::string& holder);

  static std::string FeedId(const std::string& url);

 private:
  std::string Key(const std::string& id, const char* what) const;
  absl::Status FillStatus(summit_alerts::v1::Feed& feed);

  redis::RedisClient& redis_;
  const std::string prefix_;
};

}  // namespace sa::feeds
