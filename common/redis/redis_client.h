// RAII access to Redis over hiredis: one connection, and a small pool of them. With a
// redis-sentinel:// endpoint every new connection asks the sentinels for the current master,
// and a connection that finds its server demoted (READONLY) is dropped, so the client follows
// a failover: commands fail UNAVAILABLE while there is no master, then reach the new one.
//
// Error mapping (one place, here): an unreachable or broken connection, or an I/O timeout,
// is UNAVAILABLE. A Redis error reply becomes, by its error code (the reply's first word):
//   BUSYGROUP (XGROUP CREATE of an existing group)            ALREADY_EXISTS
//   NOGROUP (no such consumer group or stream), NOSCRIPT,
//   "ERR no such key" (e.g. XINFO STREAM of a missing key)     NOT_FOUND
//   LOADING, MASTERDOWN, READONLY, BUSY (transient states)     UNAVAILABLE
//   WRONGTYPE, NOAUTH, WRONGPASS                               FAILED_PRECONDITION
//   anything else                                              INTERNAL
// and carries the code itself, read back with RedisErrorCode(), so callers branch on codes and
// never on message text. Every message names the server (without password) and the command.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/redis/redis_reply.h"
#include "common/redis/redis_url.h"

struct redisContext;

namespace sa::redis {

struct RedisOptions {
  RedisEndpoint endpoint;
  absl::Duration connect_timeout = absl::Seconds(2);
  // Socket read/write timeout of pooled connections.
  absl::Duration command_timeout = absl::Seconds(5);
  // Idle connections kept for reuse; more may be open while busy.
  int max_idle_connections = 8;
};

// How many replicas must have a write before it counts as done (Redis WAIT on the writing
// connection). 0: the master's answer is enough.
struct Durability {
  int replicas = 0;
  absl::Duration timeout = absl::Seconds(1);
};

// The error code of the Redis error reply `status` was made from ("NOGROUP", "WRONGTYPE",
// "ERR", ...); empty when it was not made from one (OK, connection errors, parse errors).
std::string RedisErrorCode(const absl::Status& status);

// Something that runs one Redis command: a pooled client or a single connection. The typed
// stream commands (common/redis/streams.h) take either.
class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  // Runs one command. Arguments are binary-safe.
  virtual absl::StatusOr<RedisReply> Command(const std::vector<std::string>& args) = 0;
};

// One connection. Not thread-safe: use from one thread at a time.
class RedisConnection final : public CommandRunner {
 public:
  // Connects, authenticates and selects the database.
  static absl::StatusOr<std::unique_ptr<RedisConnection>> Connect(const RedisEndpoint& endpoint,
                                                                  absl::Duration connect_timeout,
                                                                  absl::Duration command_timeout);
  ~RedisConnection() override;
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Runs one command. Arguments are binary-safe.
  absl::StatusOr<RedisReply> Command(const std::vector<std::string>& args) override;

  // True once an I/O error made this connection unusable; it must then be discarded.
  bool broken() const { return broken_; }

 private:
  struct ContextDeleter {
    void operator()(redisContext* context) const;  // redisFree
  };
  using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;

  RedisConnection(ContextPtr context, std::string server);

  ContextPtr context_;  // never null
  std::string server_;
  bool broken_ = false;
};

// A thread-safe client that runs each command on a pooled connection, connecting lazily.
// When a command fails because a reused idle connection had gone stale (e.g. Redis restarted),
// it is retried once on a fresh connection, so callers' commands must be idempotent (every
// write in this project is: scripts check dedupe keys first).
class RedisClient final : public CommandRunner {
 public:
  explicit RedisClient(RedisOptions options);
  ~RedisClient() override;

  absl::StatusOr<RedisReply> Command(const std::vector<std::string>& args) override;
  // As Command, then WAIT for `durability.replicas` on the same connection: UNAVAILABLE when
  // fewer acknowledged in time (the write is on the master; retrying an idempotent write is
  // safe).
  absl::StatusOr<RedisReply> Command(const std::vector<std::string>& args,
                                     const Durability& durability);

  // A connection of the caller's own, e.g. for blocking reads (XREAD/XREADGROUP BLOCK), whose
  // socket timeout must exceed the block time.
  absl::StatusOr<std::unique_ptr<RedisConnection>> NewConnection(
      absl::Duration command_timeout) const;

  const RedisOptions& options() const { return options_; }

 private:
  std::unique_ptr<RedisConnection> TakeIdle();
  static absl::StatusOr<RedisReply> RunOn(RedisConnection& connection,
                                          const std::vector<std::string>& args,
                                          const Durability& durability);
  void GiveBack(std::unique_ptr<RedisConnection> connection);

  const RedisOptions options_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<RedisConnection>> idle_ ABSL_GUARDED_BY(mu_);
};

// A Lua script run with EVALSHA; when the server does not know it (NOSCRIPT: never loaded,
// SCRIPT FLUSH, a restart or failover) it is sent again with EVAL, which also caches it.
class RedisScript {
 public:
  explicit RedisScript(std::string source);
  absl::StatusOr<RedisReply> Run(RedisClient& client, const std::vector<std::string>& keys,
                                 const std::vector<std::string>& args,
                                 const Durability& durability = {}) const;

 private:
  std::string source_;
  std::string sha1_;
};

}  // namespace sa::redis
