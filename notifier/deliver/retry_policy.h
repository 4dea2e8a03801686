// What to do after a delivery attempt: done, retry later (when), or give up. Pure.
//
// 2xx is delivered, unless its JSON body says {"ok": false} (Slack's Web API): then the
// "error" is permanent, except "ratelimited". A transport error, 408, 429 and 5xx are retried, with
// exponential backoff and jitter, or after the delay the service asked for (Retry-After in seconds
// or as an HTTP date; Telegram's and Discord's JSON retry_after). Other 4xx, and a refused
// (private) address, are permanent. After `max_attempts` attempts a retryable failure is permanent
// too.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/http/http_client.h"

namespace sa::notifier {

struct RetryOptions {
  int max_attempts = 8;
  absl::Duration initial_backoff = absl::Seconds(2);
  absl::Duration max_backoff = absl::Minutes(10);
  absl::Duration max_retry_after = absl::Hours(1);  // a larger Retry-After is capped to this
};

struct AttemptVerdict {
  enum Kind { kDelivered, kRetry, kPermanentFailure } kind;
  absl::Duration retry_in = absl::ZeroDuration();  // kRetry only
  std::string error;                               // empty when delivered
};

// `attempt` is 1 for the first attempt. `jitter` in [0, 1) picks the point in the backoff
// window [backoff/2, backoff).
AttemptVerdict JudgeAttempt(const absl::StatusOr<http::HttpResponse>& result, int attempt,
                            const RetryOptions& options, absl::Time now, double jitter);

// The delay a response asks for: Retry-After (delta-seconds or HTTP date), or a JSON body's
// retry_after / parameters.retry_after (seconds, may be fractional). nullopt when none.
std::optional<absl::Duration> RequestedRetryDelay(const http::HttpResponse& response,
                                                  absl::Time now);

}  // namespace sa::notifier
