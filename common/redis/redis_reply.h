// A Redis reply as a plain value, converted once from hiredis's redisReply tree.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sa::redis {

struct RedisReply {
  enum class Type { kNil, kInteger, kString, kStatus, kArray };
  // Error replies never become a RedisReply: RedisConnection turns them into a Status.

  Type type = Type::kNil;
  int64_t integer = 0;
  std::string str;                   // kString and kStatus
  std::vector<RedisReply> elements;  // kArray

  bool is_nil() const { return type == Type::kNil; }
  bool is_array() const { return type == Type::kArray; }
  bool is_string() const { return type == Type::kString || type == Type::kStatus; }
};

}  // namespace sa::redis
