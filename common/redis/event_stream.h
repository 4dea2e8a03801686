// The layout of an entry in the events stream, shared by its writer (collector) and readers
// (notifier, tools). Plain fields keep `redis-cli XRANGE` readable; `event` is authoritative.
#pragma once

#include <string>

#include "common/redis/streams.h"

namespace sa::redis::event_stream {

inline constexpr char kEventId[] = "event_id";  // Event.id
inline constexpr char kType[] = "type";         // Event.type
inline constexpr char kTitle[] = "title";       // Event.title
inline constexpr char kEvent[] = "event";       // the serialized summit_alerts.v1.Event

// The serialized Event of an entry; nullptr when it has none.
inline const std::string* EventBytes(const StreamEntry& entry) { return entry.Field(kEvent); }

}  // namespace sa::redis::event_stream
