// The layout of an entry in the events stream, shared by its writer (collector) and readers
// (notifier, tools). Plain fields keep `redis-cli XRANGE` readable; `event` is authoritative.
#pragma once

#include <optional>
#include <string>

#include "common/redis/redis_reply.h"

namespace sa::redis::event_stream {

inline constexpr char kEventId[] = "event_id";  // Event.id
inline constexpr char kType[] = "type";         // Event.type
inline constexpr char kTitle[] = "title";       // Event.title
inline constexpr char kEvent[] = "event";       // the serialized summit_alerts.v1.Event

// The serialized Event among an entry's field/value pairs; nullopt when absent.
inline std::optional<std::string> EventBytes(const RedisReply& fields) {
  for (size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
    if (fields.elements[i].str == kEvent) return fields.elements[i + 1].str;
  }
  return std::nullopt;
}

}  // namespace sa::redis::event_stream
