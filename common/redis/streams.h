// Typed, checked Redis stream commands. Every reply is checked element by element (types and
// sizes, however deeply nested) before it becomes a value: a reply of an unexpected shape is
// INTERNAL with a message naming the command, the key and what was wrong, never an
// out-of-range index. Redis errors keep the codes of redis_client.h (NOGROUP is NOT_FOUND,
// BUSYGROUP ALREADY_EXISTS, LOADING UNAVAILABLE, ...).
//
// The commands take any CommandRunner: a pooled RedisClient, or a RedisConnection of the
// caller's own for blocking reads (its socket timeout must exceed the block time).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/redis/redis_client.h"
#include "common/redis/redis_reply.h"

namespace sa::redis {

// One stream entry: its id ("MS-SEQ") and its field/value pairs in stored order.
struct StreamEntry {
  std::string id;
  std::vector<std::pair<std::string, std::string>> fields;
  // Only XREADGROUP of pending entries ("0") and XAUTOCLAIM on Redis < 7 report an entry
  // deleted from the stream while pending: it has an id and no fields.
  bool deleted = false;

  // The value of the first field called `name`; nullptr when there is none.
  const std::string* Field(absl::string_view name) const;
};

// XAUTOCLAIM's answer.
struct AutoClaimResult {
  std::string next_cursor;  // "0-0" when the whole pending list was scanned
  std::vector<StreamEntry> entries;
  // Pending entries that no longer exist in the stream (Redis 7 removes them from the pending
  // list itself); the caller should treat them as lost.
  std::vector<std::string> deleted_ids;
};

// XINFO STREAM's answer (the fields this project uses; others are ignored).
struct StreamInfo {
  int64_t length = 0;
  std::string last_generated_id;
  std::optional<int64_t> entries_added;  // Redis 7 and later
  int64_t groups = 0;
  std::optional<StreamEntry> first_entry;  // nullopt when the stream is empty
  std::optional<StreamEntry> last_entry;
};

// ---- Commands ----------------------------------------------------------------------------

// XRANGE key start end [COUNT count]; count <= 0 means no COUNT. Oldest first.
absl::StatusOr<std::vector<StreamEntry>> XRange(CommandRunner& redis, absl::string_view key,
                                                absl::string_view start, absl::string_view end,
                                                int count = 0);
// XREVRANGE key end start [COUNT count]; count <= 0 means no COUNT. Newest first.
absl::StatusOr<std::vector<StreamEntry>> XRevRange(CommandRunner& redis, absl::string_view key,
                                                   absl::string_view end, absl::string_view start,
                                                   int count = 0);

// XREAD COUNT count [BLOCK ms] STREAMS key after_id: entries after `after_id`; empty when the
// block time passed with nothing new. block <= 0 does not block.
absl::StatusOr<std::vector<StreamEntry>> XRead(CommandRunner& redis, absl::string_view key,
                                               absl::string_view after_id, int count,
                                               absl::Duration block = absl::ZeroDuration());

struct ReadGroupArgs {
  std::string stream;
  std::string group;
  std::string consumer;
  // ">" new entries; "0" (or an id) this consumer's pending entries from there.
  std::string from = ">";
  int count = 64;
  absl::Duration block = absl::ZeroDuration();  // only with ">"; <= 0 does not block
};
// XREADGROUP GROUP group consumer COUNT count [BLOCK ms] STREAMS stream from. NOT_FOUND
// (NOGROUP) when the group or the stream does not exist.
absl::StatusOr<std::vector<StreamEntry>> XReadGroup(CommandRunner& redis,
                                                    const ReadGroupArgs& args);

// XAUTOCLAIM stream group consumer min_idle start COUNT count. NOT_FOUND (NOGROUP) when the
// group or the stream does not exist.
absl::StatusOr<AutoClaimResult> XAutoClaim(CommandRunner& redis, absl::string_view stream,
                                           absl::string_view group, absl::string_view consumer,
                                           absl::Duration min_idle, absl::string_view start,
                                           int count);

// XGROUP CREATE stream group start_id [MKSTREAM]. ALREADY_EXISTS (BUSYGROUP) when the group
// exists.
absl::Status XGroupCreate(CommandRunner& redis, absl::string_view stream, absl::string_view group,
                          absl::string_view start_id, bool mkstream);

// XACK stream group id...: how many of `ids` were pending and are now acknowledged.
absl::StatusOr<int64_t> XAck(CommandRunner& redis, absl::string_view stream,
                             absl::string_view group, const std::vector<std::string>& ids);

// XADD key [MAXLEN ~ max_len] * field value ...; max_len <= 0 means no trimming. The new id.
absl::StatusOr<std::string> XAdd(CommandRunner& redis, absl::string_view key,
                                 const std::vector<std::pair<std::string, std::string>>& fields,
                                 int64_t max_len = 0);

// XINFO STREAM key. NOT_FOUND when the key does not exist.
absl::StatusOr<StreamInfo> XInfoStream(CommandRunner& redis, absl::string_view key);

// ---- Reply parsers (pure; what the commands above use) ------------------------------------
// `what` names the command and key in error messages, e.g. "XRANGE events".

// One entry: [id, [field, value, ...]]; with `allow_deleted`, also [id, nil].
absl::StatusOr<StreamEntry> ParseStreamEntry(const RedisReply& reply, absl::string_view what,
                                             bool allow_deleted = false);
// XRANGE / XREVRANGE: an array of entries.
absl::StatusOr<std::vector<StreamEntry>> ParseStreamEntries(const RedisReply& reply,
                                                            absl::string_view what,
                                                            bool allow_deleted = false);
// XREAD / XREADGROUP of one stream: nil (nothing new) or [[stream, [entry, ...]]].
absl::StatusOr<std::vector<StreamEntry>> ParseStreamRead(const RedisReply& reply,
                                                         absl::string_view stream,
                                                         absl::string_view what);
// XAUTOCLAIM: [cursor, [entry, ...]] (Redis 6.2) or [cursor, [entry, ...], [id, ...]] (7+).
absl::StatusOr<AutoClaimResult> ParseAutoClaim(const RedisReply& reply, absl::string_view what);
// XINFO STREAM: a flat array of name/value pairs.
absl::StatusOr<StreamInfo> ParseStreamInfo(const RedisReply& reply, absl::string_view what);

}  // namespace sa::redis
