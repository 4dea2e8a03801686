#include "common/redis/redis_client.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/ids.h"

namespace sa::redis {
namespace {

timeval TimevalOf(absl::Duration d) { return absl::ToTimeval(d); }

RedisReply Convert(const redisReply* reply) {
  RedisReply out;
  switch (reply->type) {
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = reply->integer;
      break;
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(reply->elements);
      for (size_t i = 0; i < reply->elements; ++i)
        out.elements.push_back(Convert(reply->element[i]));
      break;
    default:
      out.type = RedisReply::Type::kNil;
  }
  return out;
}

// Where a Status made from a Redis error reply keeps the reply's error code.
constexpr absl::string_view kErrorCodePayload = "type.summit-alerts/redis.ErrorCode";

absl::StatusCode CodeOfRedisError(absl::string_view code, absl::string_view error) {
  if (code == "BUSYGROUP") return absl::StatusCode::kAlreadyExists;
  if (code == "NOGROUP" || code == "NOSCRIPT") return absl::StatusCode::kNotFound;
  if (code == "ERR" && absl::StartsWith(error, "ERR no such key")) {
    return absl::StatusCode::kNotFound;  // e.g. XINFO STREAM of a missing key
  }
  if (code == "LOADING" || code == "MASTERDOWN" || code == "READONLY" || code == "BUSY") {
    return absl::StatusCode::kUnavailable;  // transient server states: retry later
  }
  if (code == "WRONGTYPE" || code == "NOAUTH" || code == "WRONGPASS") {
    return absl::StatusCode::kFailedPrecondition;
  }
  return absl::StatusCode::kInternal;
}

absl::Status ErrorReplyToStatus(absl::string_view error, absl::string_view command,
                                absl::string_view server) {
  // The code is the first word of the error ("NOGROUP No such key ...").
  absl::string_view code = error.substr(0, std::min(error.find(' '), error.size()));
  absl::Status status(CodeOfRedisError(code, error),
                      absl::StrCat("redis ", server, ": ", command, ": ", error));
  status.SetPayload(kErrorCodePayload, absl::Cord(code));
  return status;
}

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};

}  // namespace

std::string RedisErrorCode(const absl::Status& status) {
  auto code = status.GetPayload(kErrorCodePayload);  // absl::optional<absl::Cord>
  return code ? std::string(*code) : std::string();
}

void RedisConnection::ContextDeleter::operator()(redisContext* context) const {
  redisFree(context);
}

RedisConnection::RedisConnection(ContextPtr context, std::string server)
    : context_(std::move(context)), server_(std::move(server)) {}

RedisConnection::~RedisConnection() = default;

absl::StatusOr<std::unique_ptr<RedisConnection>> RedisConnection::Connect(
    const RedisEndpoint& given, absl::Duration connect_timeout, absl::Duration command_timeout) {
  RedisEndpoint endpoint = given;
  if (given.uses_sentinel()) {
    // Ask each sentinel in turn for the master, and check that it is one (right after a
    // failover a sentinel may still name the old master for a moment).
    std::string errors;
    for (const auto& [host, port] : given.sentinels) {
      RedisEndpoint sentinel{.host = host, .port = port};
      auto connection = Connect(sentinel, connect_timeout, connect_timeout);
      if (!connection.ok()) {
        absl::StrAppend(&errors, "; ", connection.status().message());
        continue;
      }
      auto reply =
          (*connection)->Command({"SENTINEL", "get-master-addr-by-name", given.master_name});
      if (!reply.ok() || reply->elements.size() != 2 ||
          !absl::SimpleAtoi(reply->elements[1].str, &endpoint.port)) {
        absl::StrAppend(&errors, "; sentinel ", host, ":", port, " does not know master '",
                        given.master_name, "'");
        continue;
      }
      endpoint.host = reply->elements[0].str;
      endpoint.sentinels.clear();
      auto master = Connect(endpoint, connect_timeout, command_timeout);
      if (!master.ok()) {
        absl::StrAppend(&errors, "; ", master.status().message());
        continue;
      }
      auto role = (*master)->Command({"ROLE"});
      if (role.ok() && !role->elements.empty() && role->elements[0].str == "master") return master;
      absl::StrAppend(&errors, "; ", endpoint.Redacted(), " named by sentinel ", host, ":", port,
                      " is not a master (yet)");
    }
    return absl::UnavailableError(
        absl::StrCat("redis ", given.Redacted(), ": no master found", errors));
  }
  std::string server = endpoint.Redacted();
  ContextPtr context(
      redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, TimevalOf(connect_timeout)));
  if (context == nullptr) {
    return absl::UnavailableError(absl::StrCat("redis ", server, ": cannot allocate a context"));
  }
  if (context->err) {
    return absl::UnavailableError(absl::StrCat("redis ", server, ": connect: ", context->errstr));
  }
  redisSetTimeout(context.get(), TimevalOf(command_timeout));
  redisEnableKeepAlive(context.get());
  std::unique_ptr<RedisConnection> connection(new RedisConnection(std::move(context), server));
  if (!endpoint.password.empty()) {
    std::vector<std::string> auth = {"AUTH"};
    if (!endpoint.username.empty()) auth.push_back(endpoint.username);
    auth.push_back(endpoint.password);
    if (auto reply = connection->Command(auth); !reply.ok()) return reply.status();
  }
  if (endpoint.db != 0) {
    if (auto reply = connection->Command({"SELECT", std::to_string(endpoint.db)}); !reply.ok()) {
      return reply.status();
    }
  }
  return connection;
}

absl::StatusOr<RedisReply> RedisConnection::Command(const std::vector<std::string>& args) {
  absl::string_view command = args.empty() ? absl::string_view("(none)") : args[0];
  if (broken_) {
    return absl::UnavailableError(
        absl::StrCat("redis ", server_, ": ", command, ": connection already broken"));
  }
  std::vector<const char*> argv;
  std::vector<size_t> argvlen;
  argv.reserve(args.size());
  argvlen.reserve(args.size());
  for (const std::string& a : args) {
    argv.push_back(a.data());
    argvlen.push_back(a.size());
  }
  std::unique_ptr<redisReply, ReplyDeleter> reply(static_cast<redisReply*>(redisCommandArgv(
      context_.get(), static_cast<int>(args.size()), argv.data(), argvlen.data())));
  if (reply == nullptr) {
    broken_ = true;
    std::string reason = context_->errstr[0] ? context_->errstr : "connection lost";
    if (context_->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      reason = "timed out waiting for the reply";
    }
    return absl::UnavailableError(absl::StrCat("redis ", server_, ": ", command, ": ", reason));
  }
  if (reply->type == REDIS_REPLY_ERROR) {
    absl::string_view error(reply->str, reply->len);
    // This server became a replica (a failover): drop the connection, so the next one finds
    // the new master.
    if (absl::StartsWith(error, "READONLY")) broken_ = true;
    return ErrorReplyToStatus(error, command, server_);
  }
  return Convert(reply.get());
}

RedisClient::RedisClient(RedisOptions options) : options_(std::move(options)) {}
RedisClient::~RedisClient() = default;

std::unique_ptr<RedisConnection> RedisClient::TakeIdle() {
  absl::MutexLock lock(&mu_);
  if (idle_.empty()) return nullptr;
  std::unique_ptr<RedisConnection> connection = std::move(idle_.back());
  idle_.pop_back();
  return connection;
}

void RedisClient::GiveBack(std::unique_ptr<RedisConnection> connection) {
  if (connection->broken()) return;
  absl::MutexLock lock(&mu_);
  if (static_cast<int>(idle_.size()) < options_.max_idle_connections) {
    idle_.push_back(std::move(connection));
  }
}

absl::StatusOr<std::unique_ptr<RedisConnection>> RedisClient::NewConnection(
    absl::Duration command_timeout) const {
  return RedisConnection::Connect(options_.endpoint, options_.connect_timeout, command_timeout);
}

absl::StatusOr<RedisReply> RedisClient::RunOn(RedisConnection& connection,
                                              const std::vector<std::string>& args,
                                              const Durability& durability) {
  absl::StatusOr<RedisReply> reply = connection.Command(args);
  if (!reply.ok() || durability.replicas <= 0) return reply;
  auto acked = connection.Command({"WAIT", std::to_string(durability.replicas),
                                   std::to_string(absl::ToInt64Milliseconds(durability.timeout))});
  if (!acked.ok()) return acked.status();
  if (acked->integer < durability.replicas) {
    return absl::UnavailableError(
        absl::StrCat("redis: ", args.empty() ? "" : args[0], " reached ", acked->integer, " of ",
                     durability.replicas, " replica(s) within ",
                     absl::FormatDuration(durability.timeout), "; not acknowledged"));
  }
  return reply;
}

absl::StatusOr<RedisReply> RedisClient::Command(const std::vector<std::string>& args) {
  return Command(args, Durability{});
}

absl::StatusOr<RedisReply> RedisClient::Command(const std::vector<std::string>& args,
                                                const Durability& durability) {
  if (std::unique_ptr<RedisConnection> idle = TakeIdle()) {
    absl::StatusOr<RedisReply> reply = RunOn(*idle, args, durability);
    bool stale = !reply.ok() && idle->broken();
    GiveBack(std::move(idle));
    if (!stale) return reply;
    // The idle connection had died (server restart, idle timeout): one retry on a fresh one.
  }
  auto fresh = NewConnection(options_.command_timeout);
  if (!fresh.ok()) return fresh.status();
  absl::StatusOr<RedisReply> reply = RunOn(**fresh, args, durability);
  GiveBack(std::move(*fresh));
  return reply;
}

RedisScript::RedisScript(std::string source)
    : source_(std::move(source)), sha1_(Sha1Hex(source_)) {}

absl::StatusOr<RedisReply> RedisScript::Run(RedisClient& client,
                                            const std::vector<std::string>& keys,
                                            const std::vector<std::string>& args,
                                            const Durability& durability) const {
  std::vector<std::string> command = {"EVALSHA", sha1_, std::to_string(keys.size())};
  command.insert(command.end(), keys.begin(), keys.end());
  command.insert(command.end(), args.begin(), args.end());
  absl::StatusOr<RedisReply> reply = client.Command(command, durability);
  if (RedisErrorCode(reply.status()) == "NOSCRIPT") {
    command[0] = "EVAL";
    command[1] = source_;
    reply = client.Command(command, durability);
  }
  return reply;
}

}  // namespace sa::redis
