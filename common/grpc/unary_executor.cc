#include "common/grpc/unary_executor.h"

#include <grpcpp/server_context.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log/log.h"

namespace sa {

UnaryExecutor::UnaryExecutor(std::string service, const UnaryExecutorOptions& options)
    : service_(std::move(service)),
      options_(options),
      queue_(std::max(1, options.workers), static_cast<size_t>(std::max(1, options.queue_limit))) {}

grpc::ServerUnaryReactor* UnaryExecutor::Serve(grpc::CallbackServerContext* context,
                                               absl::string_view method,
                                               std::function<grpc::Status()> handler) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::Status queued = queue_.TrySchedule([context, reactor, handler = std::move(handler)] {
    if (context->IsCancelled()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled while queued"));
      return;
    }
    reactor->Finish(handler());
  });
  if (!queued.ok()) Refuse(context, reactor, method, queued);
  return reactor;
}

void UnaryExecutor::Refuse(grpc::CallbackServerContext* context, grpc::ServerUnaryReactor* reactor,
                           absl::string_view method, const absl::Status& why) {
  if (why.code() != absl::StatusCode::kResourceExhausted) {
    reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                 absl::StrCat(service_,
                                              " is shutting down; retry on another replica "
                                              "or once it is back")));
    return;
  }
  const int64_t retry_ms = std::max<int64_t>(1, absl::ToInt64Milliseconds(options_.retry_after));
  refused_.fetch_add(1);
  const int64_t now_ns = absl::GetCurrentTimeNanos();
  int64_t last = last_warning_ns_.load();
  if (now_ns - last >= 1'000'000'000 && last_warning_ns_.compare_exchange_strong(last, now_ns)) {
    log::Warning("rpc.overloaded", {{"method", method},
                                    {"queue_limit", options_.queue_limit},
                                    {"workers", options_.workers},
                                    {"refused_total", refused_.load()}});
  }
  context->AddTrailingMetadata(kRetryPushbackKey, std::to_string(retry_ms));
  reactor->Finish(grpc::Status(
      grpc::StatusCode::RESOURCE_EXHAUSTED,
      absl::StrCat(service_, " is overloaded: ", options_.queue_limit,
                   " calls already wait for its ", options_.workers, " workers; retry ", method,
                   " in ", retry_ms, " ms with backoff (", kRetryPushbackKey, ")")));
}

}  // namespace sa
