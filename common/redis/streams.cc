#include "common/redis/streams.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace sa::redis {
namespace {

const char* TypeName(const RedisReply& reply) {
  switch (reply.type) {
    case RedisReply::Type::kNil:
      return "nil";
    case RedisReply::Type::kInteger:
      return "an integer";
    case RedisReply::Type::kString:
      return "a string";
    case RedisReply::Type::kStatus:
      return "a status";
    case RedisReply::Type::kArray:
      return "an array";
  }
  return "unknown";
}

absl::Status Malformed(absl::string_view what, absl::string_view detail) {
  return absl::InternalError(absl::StrCat("redis ", what, ": unexpected reply: ", detail));
}

// A bulk string (or status), else an error naming `where`.
absl::StatusOr<std::string> StringAt(const RedisReply& reply, absl::string_view what,
                                     absl::string_view where) {
  if (!reply.is_string()) {
    return Malformed(what, absl::StrCat(where, " is ", TypeName(reply), ", not a string"));
  }
  return reply.str;
}

std::string Millis(absl::Duration d) {
  return absl::StrCat(std::max<int64_t>(0, absl::ToInt64Milliseconds(d)));
}

}  // namespace

const std::string* StreamEntry::Field(absl::string_view name) const {
  for (const auto& [field, value] : fields) {
    if (field == name) return &value;
  }
  return nullptr;
}

absl::StatusOr<StreamEntry> ParseStreamEntry(const RedisReply& reply, absl::string_view what,
                                             bool allow_deleted) {
  if (!reply.is_array() || reply.elements.size() != 2) {
    return Malformed(what, reply.is_array()
                               ? absl::StrCat("an entry has ", reply.elements.size(),
                                              " elements, not 2 (id, fields)")
                               : absl::StrCat("an entry is ", TypeName(reply), ", not an array"));
  }
  StreamEntry entry;
  SA_ASSIGN_OR_RETURN(entry.id, StringAt(reply.elements[0], what, "an entry id"));
  const RedisReply& fields = reply.elements[1];
  if (fields.is_nil() && allow_deleted) {
    entry.deleted = true;
    return entry;
  }
  if (!fields.is_array()) {
    return Malformed(what, absl::StrCat("the fields of entry ", entry.id, " are ", TypeName(fields),
                                        ", not an array"));
  }
  if (fields.elements.size() % 2 != 0) {
    return Malformed(what, absl::StrCat("entry ", entry.id, " has an odd number (",
                                        fields.elements.size(), ") of field names and values"));
  }
  entry.fields.reserve(fields.elements.size() / 2);
  for (size_t i = 0; i < fields.elements.size(); i += 2) {
    const RedisReply& name = fields.elements[i];
    const RedisReply& value = fields.elements[i + 1];
    if (!name.is_string() || !value.is_string()) {
      return Malformed(
          what, absl::StrCat("field ", i / 2, " of entry ", entry.id, " is not a string pair"));
    }
    entry.fields.emplace_back(name.str, value.str);
  }
  return entry;
}

absl::StatusOr<std::vector<StreamEntry>> ParseStreamEntries(const RedisReply& reply,
                                                            absl::string_view what,
                                                            bool allow_deleted) {
  if (!reply.is_array()) {
    return Malformed(what, absl::StrCat("the entries are ", TypeName(reply), ", not an array"));
  }
  std::vector<StreamEntry> entries;
  entries.reserve(reply.elements.size());
  for (const RedisReply& element : reply.elements) {
    SA_ASSIGN_OR_RETURN(StreamEntry entry, ParseStreamEntry(element, what, allow_deleted));
    entries.push_back(std::move(entry));
  }
  return entries;
}

absl::StatusOr<std::vector<StreamEntry>> ParseStreamRead(const RedisReply& reply,
                                                         absl::string_view stream,
                                                         absl::string_view what) {
  if (reply.is_nil()) return std::vector<StreamEntry>{};  // BLOCK timed out, or nothing new
  if (!reply.is_array()) {
    return Malformed(what, absl::StrCat("the reply is ", TypeName(reply), ", not an array"));
  }
  if (reply.elements.empty()) return std::vector<StreamEntry>{};
  if (reply.elements.size() != 1) {
    return Malformed(
        what, absl::StrCat("the reply holds ", reply.elements.size(), " streams; one was read"));
  }
  const RedisReply& one = reply.elements[0];
  if (!one.is_array() || one.elements.size() != 2) {
    return Malformed(what, "the stream's part is not a 2-element array (name, entries)");
  }
  SA_ASSIGN_OR_RETURN(std::string name, StringAt(one.elements[0], what, "the stream name"));
  if (name != stream) {
    return Malformed(what,
                     absl::StrCat("the reply is for stream '", name, "', not '", stream, "'"));
  }
  // Pending re-reads report entries deleted since they were delivered as [id, nil].
  return ParseStreamEntries(one.elements[1], what, /*allow_deleted=*/true);
}

absl::StatusOr<AutoClaimResult> ParseAutoClaim(const RedisReply& reply, absl::string_view what) {
  if (!reply.is_array() || (reply.elements.size() != 2 && reply.elements.size() != 3)) {
    return Malformed(
        what, reply.is_array()
                  ? absl::StrCat("the reply has ", reply.elements.size(), " elements, not 2 or 3")
                  : absl::StrCat("the reply is ", TypeName(reply), ", not an array"));
  }
  AutoClaimResult result;
  SA_ASSIGN_OR_RETURN(result.next_cursor, StringAt(reply.elements[0], what, "the next cursor"));
  const RedisReply& entries = reply.elements[1];
  if (!entries.is_array()) {
    return Malformed(what,
                     absl::StrCat("the claimed entries are ", TypeName(entries), ", not an array"));
  }
  for (const RedisReply& element : entries.elements) {
    if (element.is_nil()) continue;  // Redis 6.2: a deleted entry, without even its id
    SA_ASSIGN_OR_RETURN(StreamEntry entry, ParseStreamEntry(element, what, /*allow_deleted=*/true));
    result.entries.push_back(std::move(entry));
  }
  if (reply.elements.size() == 3) {
    const RedisReply& deleted = reply.elements[2];
    if (!deleted.is_array()) {
      return Malformed(what,
                       absl::StrCat("the deleted ids are ", TypeName(deleted), ", not an array"));
    }
    for (const RedisReply& id : deleted.elements) {
      SA_ASSIGN_OR_RETURN(std::string value, StringAt(id, what, "a deleted id"));
      result.deleted_ids.push_back(std::move(value));
    }
  }
  return result;
}

absl::StatusOr<StreamInfo> ParseStreamInfo(const RedisReply& reply, absl::string_view what) {
  if (!reply.is_array() || reply.elements.size() % 2 != 0) {
    return Malformed(what, "the reply is not an array of name/value pairs");
  }
  StreamInfo info;
  bool has_length = false;
  auto integer = [&](const RedisReply& value, absl::string_view name) -> absl::StatusOr<int64_t> {
    if (value.type != RedisReply::Type::kInteger) {
      return Malformed(what, absl::StrCat("'", name, "' is ", TypeName(value), ", not an integer"));
    }
    return value.integer;
  };
  auto entry = [&](const RedisReply& value) -> absl::StatusOr<std::optional<StreamEntry>> {
    if (value.is_nil()) return std::optional<StreamEntry>();
    SA_ASSIGN_OR_RETURN(StreamEntry parsed, ParseStreamEntry(value, what));
    return std::optional<StreamEntry>(std::move(parsed));
  };
  for (size_t i = 0; i < reply.elements.size(); i += 2) {
    SA_ASSIGN_OR_RETURN(std::string name, StringAt(reply.elements[i], what, "a field name"));
    const RedisReply& value = reply.elements[i + 1];
    if (name == "length") {
      SA_ASSIGN_OR_RETURN(info.length, integer(value, name));
      has_length = true;
    } else if (name == "entries-added") {
      SA_ASSIGN_OR_RETURN(info.entries_added, integer(value, name));
    } else if (name == "groups") {
      SA_ASSIGN_OR_RETURN(info.groups, integer(value, name));
    } else if (name == "last-generated-id") {
      SA_ASSIGN_OR_RETURN(info.last_generated_id, StringAt(value, what, "'last-generated-id'"));
    } else if (name == "first-entry") {
      SA_ASSIGN_OR_RETURN(info.first_entry, entry(value));
    } else if (name == "last-entry") {
      SA_ASSIGN_OR_RETURN(info.last_entry, entry(value));
    }
  }
  if (!has_length) return Malformed(what, "no 'length'");
  return info;
}

absl::StatusOr<std::vector<StreamEntry>> XRange(CommandRunner& redis, absl::string_view key,
                                                absl::string_view start, absl::string_view end,
                                                int count) {
  std::vector<std::string> args = {"XRANGE", std::string(key), std::string(start),
                                   std::string(end)};
  if (count > 0) args.insert(args.end(), {"COUNT", absl::StrCat(count)});
  SA_ASSIGN_OR_RETURN(RedisReply reply, redis.Command(args));
  return ParseStreamEntries(reply, absl::StrCat("XRANGE ", key));
}

absl::StatusOr<std::vector<StreamEntry>> XRevRange(CommandRunner& redis, absl::string_view key,
                                                   absl::string_view end, absl::string_view start,
                                                   int count) {
  std::vector<std::string> args = {"XREVRANGE", std::string(key), std::string(end),
                                   std::string(start)};
  if (count > 0) args.insert(args.end(), {"COUNT", absl::StrCat(count)});
  SA_ASSIGN_OR_RETURN(RedisReply reply, redis.Command(args));
  return ParseStreamEntries(reply, absl::StrCat("XREVRANGE ", key));
}

absl::StatusOr<std::vector<StreamEntry>> XRead(CommandRunner& redis, absl::string_view key,
                                               absl::string_view after_id, int count,
                                               absl::Duration block) {
  std::vector<std::string> args = {"XREAD", "COUNT", absl::StrCat(std::max(1, count))};
  if (block > absl::ZeroDuration()) args.insert(args.end(), {"BLOCK", Millis(block)});
  args.insert(args.end(), {"STREAMS", std::string(key), std::string(after_id)});
  SA_ASSIGN_OR_RETURN(RedisReply reply, redis.Command(args));
  return ParseStreamRead(reply, key, absl::StrCat("XREAD ", key));
}

absl::StatusOr<std::vector<StreamEntry>> XReadGroup(CommandRunner& redis,
                                                    const ReadGroupArgs& read) {
  std::vector<std::string> args = {"XREADGROUP",  "GROUP", read.group,
                                   read.consumer, "COUNT", absl::StrCat(std::max(1, read.count))};
  if (read.from == ">" && read.block > absl::ZeroDuration()) {
    args.insert(args.end(), {"BLOCK", Millis(read.block)});
  }
  args.insert(args.end(), {"STREAMS", read.stream, read.from});
  SA_ASSIGN_OR_RETURN(RedisReply reply, redis.Command(args));
  return ParseStreamRead(reply, read.stream, absl::StrCat("XREADGROUP ", read.stream));
}

absl::StatusOr<AutoClaimResult> XAutoClaim(CommandRunner& redis, absl::string_view stream,
                                           absl::string_view group, absl::string_view consumer,
                                           absl::Duration min_idle, absl::string_view start,
                                           int count) {
  SA_ASSIGN_OR_RETURN(RedisReply reply,
                      redis.Command({"XAUTOCLAIM", std::string(stream), std::string(group),
                                     std::string(consumer), Millis(min_idle), std::string(start),
                                     "COUNT", absl::StrCat(std::max(1, count))}));
  return ParseAutoClaim(reply, absl::StrCat("XAUTOCLAIM ", stream));
}

absl::Status XGroupCreate(CommandRunner& redis, absl::string_view stream, absl::string_view group,
                          absl::string_view start_id, bool mkstream) {
  std::vector<std::string> args = {"XGROUP", "CREATE", std::string(stream), std::string(group),
                                   std::string(start_id)};
  if (mkstream) args.push_back("MKSTREAM");
  return redis.Command(args).status();
}

absl::StatusOr<int64_t> XAck(CommandRunner& redis, absl::string_view stream,
                             absl::string_view group, const std::vector<std::string>& ids) {
  std::vector<std::string> args = {"XACK", std::string(stream), std::string(group)};
  args.insert(args.end(), ids.begin(), ids.end());
  SA_ASSIGN_OR_RETURN(RedisReply reply, redis.Command(args));
  if (reply.type != RedisReply::Type::kInteger) {
    return Malformed(absl::StrCat("XACK ", stream),
                     absl::StrCat("the reply is ", TypeName(reply), ", not an integer"));
  }
  return reply.integer;
}

absl::StatusOr<std::string> XAdd(CommandRunner& redis, absl::string_view key,
                                 const std::vector<std::pair<std::string, std::string>>& fields,
                                 int64_t max_len) {
  std::vector<std::string> args = {"XADD", std::string(key)};
  if (max_len > 0) args.insert(args.end(), {"MAXLEN", "~", absl::StrCat(max_len)});
  args.push_back("*");
  for (const auto& [name, value] : fields) args.insert(args.end(), {name, value});
  SA_ASSIGN_OR_RETURN(RedisReply reply, redis.Command(args));
  return StringAt(reply, absl::StrCat("XADD ", key), "the new id");
}

absl::StatusOr<StreamInfo> XInfoStream(CommandRunner& redis, absl::string_view key) {
  SA_ASSIGN_OR_RETURN(RedisReply reply, redis.Command({"XINFO", "STREAM", std::string(key)}));
  return ParseStreamInfo(reply, absl::StrCat("XINFO STREAM ", key));
}

}  // namespace sa::redis
