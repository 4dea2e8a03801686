#include "collector/publish/event_publisher.h"

#include "absl/strings/str_cat.h"
#include "common/redis/event_stream.h"

namespace sa::collector {
namespace {

namespace es = redis::event_stream;

// KEYS: dedupe key, stream. ARGV: ttl seconds, maxlen, event id, type, title, event bytes.
// Returns {0, new stream id} or {1, stream id of the first publication}.
const redis::RedisScript& PublishScript() {
  static const redis::RedisScript script(absl::StrCat(R"lua(
local existing = redis.call('GET', KEYS[1])
if existing then return {1, existing} end
local id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*',
  ')lua", es::kEventId, "', ARGV[3], '", es::kType, "', ARGV[4], '", es::kTitle,
                                                     "', ARGV[5], '", es::kEvent, R"lua(', ARGV[6])
redis.call('SET', KEYS[1], id, 'EX', ARGV[1])
return {0, id}
)lua"));
  return script;
}

}  // namespace

EventPublisher::EventPublisher(redis::RedisClient& redis, PublisherOptions options)
    : redis_(redis), options_(std::move(options)) {}

absl::StatusOr<PublishResult> EventPublisher::Publish(const summit_alerts::v1::Event& event) {
  std::string bytes;
  if (!event.SerializeToString(&bytes)) {
    return absl::InternalError(absl::StrCat("cannot serialize event ", event.id()));
  }
  auto reply = PublishScript().Run(
      redis_, {absl::StrCat(options_.key_prefix, "event:", event.id()), options_.stream},
      {std::to_string(std::max<int64_t>(1, absl::ToInt64Seconds(options_.dedupe_window))),
       std::to_string(options_.stream_max_len), event.id(), event.type(), event.title(), bytes},
      options_.durability);
  if (!reply.ok()) return reply.status();
  if (!reply->is_array() || reply->elements.size() != 2 || !reply->elements[1].is_string()) {
    return absl::InternalError("publish script returned an unexpected reply");
  }
  return PublishResult{reply->elements[1].str, reply->elements[0].integer == 1};
}

absl::StatusOr<std::optional<summit_alerts::v1::Event>> EventPublisher::Read(
    const std::string& stream_id) {
  auto reply = redis_.Command({"XRANGE", options_.stream, stream_id, stream_id});
  if (!reply.ok()) return reply.status();
  if (!reply->is_array() || reply->elements.empty()) return std::nullopt;
  const redis::RedisReply& entry = reply->elements[0];
  if (!entry.is_array() || entry.elements.size() != 2) return std::nullopt;
  const auto& fields = entry.elements[1].elements;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    if (fields[i].str == es::kEvent) {
      summit_alerts::v1::Event event;
      if (!event.ParseFromString(fields[i + 1].str)) {
        return absl::DataLossError(absl::StrCat("stream entry ", stream_id, " holds no valid event"));
      }
      return event;
    }
  }
  return std::nullopt;
}

}  // namespace sa::collector
