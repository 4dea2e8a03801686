#include "collector/publish/event_publisher.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/ids.h"
#include "common/redis/event_stream.h"
#include "common/status_macros.h"

namespace sa::collector {
namespace {

namespace es = redis::event_stream;

// KEYS: dedupe key, stream, url key, 4 band keys.
// ARGV: 1 ttl seconds, 2 maxlen, 3 event id, 4 type, 5 title, 6 event bytes, 7 has url (1/0),
// 8 word simhash (16 hex), 9 shingle simhash (16 hex), 10 near window ms, 11 now ms,
// 12 max word bits (0 = off), 13 max shingle bits, 14 source bytes, 15 source field, 16 prefix.
// Returns {duplicate 0/1, stream id, first event id, reason, distance}.
const redis::RedisScript& PublishScript() {
  static const redis::RedisScript script(absl::StrCat(R"lua(
local function popcount(x)
  local c = 0
  while x ~= 0 do x = bit.band(x, x - 1); c = c + 1 end
  return c
end
local function distance(a, b)
  return popcount(bit.bxor(tonumber(a:sub(1, 8), 16), tonumber(b:sub(1, 8), 16))) +
         popcount(bit.bxor(tonumber(a:sub(9, 16), 16), tonumber(b:sub(9, 16), 16)))
end
-- Sources hash: "source\nurl" -> "matched_by\n" .. EventSource bytes; at most 100 copies.
local function note_source(first_id, reason)
  local key = ARGV[16] .. 'event:' .. first_id .. ':sources'
  if redis.call('HEXISTS', key, ARGV[15]) == 0 and redis.call('HLEN', key) < 100 then
    redis.call('HSET', key, ARGV[15], reason .. '\n' .. ARGV[14])
  end
  redis.call('EXPIRE', key, ARGV[1])
end
local existing = redis.call('GET', KEYS[1])
if existing then
  note_source(ARGV[3], 'same content')
  return {1, existing, ARGV[3], 'same content', 0}
end
if ARGV[7] == '1' then
  local seen = redis.call('GET', KEYS[3])
  if seen then
    local sid, fid = seen:match('^(%S+) (%S+)$')
    note_source(fid, 'same URL')
    return {1, sid, fid, 'same URL', 0}
  end
end
local max_word = tonumber(ARGV[12])
if max_word > 0 then
  local cutoff = tonumber(ARGV[11]) - tonumber(ARGV[10])
  for i = 4, 7 do
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', '(' .. cutoff)
    for _, m in ipairs(redis.call('ZRANGE', KEYS[i], 0, -1)) do
      local w, s, sid, fid = m:match('^(%x+):(%x+):(%S+):(%S+)$')
      if w then
        local d = distance(w, ARGV[8])
        if d <= max_word and distance(s, ARGV[9]) <= tonumber(ARGV[13]) then
          note_source(fid, 'near duplicate')
          return {1, sid, fid, 'near duplicate', d}
        end
      end
    end
  end
end
local id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*',
  ')lua",
                                                      es::kEventId, "', ARGV[3], '", es::kType,
                                                      "', ARGV[4], '", es::kTitle, "', ARGV[5], '",
                                                      es::kEvent, R"lua(', ARGV[6])
redis.call('SET', KEYS[1], id, 'EX', ARGV[1])
note_source(ARGV[3], '')
if ARGV[7] == '1' then redis.call('SET', KEYS[3], id .. ' ' .. ARGV[3], 'EX', ARGV[1]) end
if max_word > 0 then
  local member = ARGV[8] .. ':' .. ARGV[9] .. ':' .. id .. ':' .. ARGV[3]
  for i = 4, 7 do
    redis.call('ZADD', KEYS[i], ARGV[11], member)
    redis.call('PEXPIRE', KEYS[i], ARGV[10])
  end
end
return {0, id, ARGV[3], '', 0}
)lua"));
  return script;
}

std::string Hex64(uint64_t v) { return absl::StrFormat("%016x", v); }

}  // namespace

EventPublisher::EventPublisher(redis::RedisClient& redis, PublisherOptions options,
                               const Clock& clock)
    : redis_(redis), options_(std::move(options)), clock_(clock) {}

absl::StatusOr<PublishResult> EventPublisher::Publish(const summit_alerts::v1::Event& event,
                                                      const StoryKeys& keys) {
  std::string bytes;
  if (!event.SerializeToString(&bytes)) {
    return absl::InternalError(absl::StrCat("cannot serialize event ", event.id()));
  }
  const std::string& p = options_.key_prefix;
  const std::string word = Hex64(keys.word_simhash);
  const bool near = options_.near_duplicate_bits > 0 && keys.word_simhash != 0;
  std::vector<std::string> redis_keys = {
      absl::StrCat(p, "event:", event.id()), options_.stream,
      absl::StrCat(p,
                   "url:", keys.canonical_url.empty() ? "-" : Sha256Hex(keys.canonical_url, 16))};
  for (int band = 0; band < 4; ++band) {
    redis_keys.push_back(absl::StrCat(p, "nd:", band, ":", word.substr(band * 4, 4)));
  }
  const std::string source_field = absl::StrCat(keys.source.source(), "\n", keys.source.url());
  auto reply = PublishScript().Run(
      redis_, redis_keys,
      {std::to_string(std::max<int64_t>(1, absl::ToInt64Seconds(options_.dedupe_window))),
       std::to_string(options_.stream_max_len), event.id(), event.type(), event.title(), bytes,
       keys.canonical_url.empty() ? "0" : "1", word, Hex64(keys.shingle_simhash),
       std::to_string(
           std::max<int64_t>(1, absl::ToInt64Milliseconds(options_.near_duplicate_window))),
       std::to_string(absl::ToUnixMillis(clock_.Now())),
       std::to_string(near ? std::min(options_.near_duplicate_bits, 3) : 0),
       std::to_string(options_.near_duplicate_shingle_bits), keys.source.SerializeAsString(),
       source_field, p},
      options_.durability);
  if (!reply.ok()) return reply.status();
  if (!reply->is_array() || reply->elements.size() != 5 || !reply->elements[1].is_string()) {
    return absl::InternalError("publish script returned an unexpected reply");
  }
  PublishResult result{reply->elements[1].str, reply->elements[0].integer == 1,
                       reply->elements[2].str, reply->elements[3].str};
  if (result.reason == "near duplicate") {
    absl::StrAppend(&result.reason, " (", reply->elements[4].integer, " bits)");
  }
  return result;
}

absl::StatusOr<std::vector<summit_alerts::v1::EventSource>> EventPublisher::Sources(
    const std::string& event_id) {
  auto reply =
      redis_.Command({"HVALS", absl::StrCat(options_.key_prefix, "event:", event_id, ":sources")});
  if (!reply.ok()) return reply.status();
  std::vector<summit_alerts::v1::EventSource> sources;
  for (const auto& value : reply->elements) {
    size_t nl = value.str.find('\n');
    summit_alerts::v1::EventSource source;
    if (value.is_string() && nl != std::string::npos &&
        source.ParseFromString(value.str.substr(nl + 1))) {
      source.set_matched_by(value.str.substr(0, nl));
      sources.push_back(std::move(source));
    }
  }
  std::sort(sources.begin(), sources.end(), [](const auto& a, const auto& b) {
    return std::make_pair(a.ingested_at().seconds(), a.ingested_at().nanos()) <
           std::make_pair(b.ingested_at().seconds(), b.ingested_at().nanos());
  });
  return sources;
}

absl::StatusOr<std::optional<summit_alerts::v1::Event>> EventPublisher::Read(
    const std::string& stream_id) {
  SA_ASSIGN_OR_RETURN(auto entries, redis::XRange(redis_, options_.stream, stream_id, stream_id));
  if (entries.empty()) return std::nullopt;
  const std::string* bytes = es::EventBytes(entries.front());
  if (bytes == nullptr) return std::nullopt;
  summit_alerts::v1::Event event;
  if (!event.ParseFromString(*bytes)) {
    return absl::DataLossError(absl::StrCat("stream entry ", stream_id, " holds no valid event"));
  }
  return event;
}

}  // namespace sa::collector
