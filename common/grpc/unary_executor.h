// Serves callback-API unary calls on a bounded pool of worker threads owned by a service: a
// burst of calls waits in the queue (never "Server Threadpool Exhausted"), blocking work
// (Redis) never runs on gRPC's callback threads, and only a real overload — the queue full — is
// refused, with advice on when to retry.
#pragma once

#include <grpcpp/support/server_callback.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/concurrency/work_queue.h"

namespace grpc {
class CallbackServerContext;
}

namespace sa {

struct UnaryExecutorOptions {
  int workers = 8;         // threads running handlers (>= 1)
  int queue_limit = 1000;  // calls waiting for a worker (>= 1); one more is RESOURCE_EXHAUSTED
  // The retry advice sent with RESOURCE_EXHAUSTED (>= 1 ms).
  absl::Duration retry_after = absl::Seconds(1);
};

// Trailing metadata of a refused call: milliseconds to wait before retrying (gRPC's own retry
// policy honours it; other clients read it, or the same figure in the message).
inline constexpr char kRetryPushbackKey[] = "grpc-retry-pushback-ms";

class UnaryExecutor {
 public:
  // `service` names the service in messages ("notifier").
  UnaryExecutor(std::string service, const UnaryExecutorOptions& options);
  // Runs the calls still queued, then joins. Shut the gRPC server down first: its Shutdown
  // waits for these calls, so the executor must outlive it.
  ~UnaryExecutor() = default;

  // The reactor for one call: `handler` runs on a worker thread (it may block) and the call
  // finishes with the status it returns; whatever the handler refers to (the call's request
  // and response) stays valid until then. A call cancelled before a worker takes it (client
  // gone, deadline passed, server shutting down) finishes CANCELLED without running `handler`.
  // When `queue_limit` calls already wait: RESOURCE_EXHAUSTED at once, saying when to retry
  // in the message and in kRetryPushbackKey; when the executor is stopping: UNAVAILABLE.
  grpc::ServerUnaryReactor* Serve(grpc::CallbackServerContext* context, absl::string_view method,
                                  std::function<grpc::Status()> handler);

  // Calls refused as overload so far.
  int64_t refused() const { return refused_.load(); }

 private:
  void Refuse(grpc::CallbackServerContext* context, grpc::ServerUnaryReactor* reactor,
              absl::string_view method, const absl::Status& why);

  const std::string service_;
  const UnaryExecutorOptions options_;
  std::atomic<int64_t> refused_{0};
  std::atomic<int64_t> last_warning_ns_{0};  // overload warnings: at most one per second
  WorkQueue queue_;                          // last: destroyed (drained) first
};

}  // namespace sa
