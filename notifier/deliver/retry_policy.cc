#include "notifier/deliver/retry_policy.h"

#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "notifier/deliver/chat_text.h"

namespace sa::notifier {
namespace {

std::string Describe(const http::HttpResponse& response) {
  std::string body = TruncateText(response.body, 200);
  for (char& c : body) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return body.empty() ? absl::StrCat("HTTP ", response.status)
                      : absl::StrCat("HTTP ", response.status, ": ", body);
}

std::optional<double> JsonRetryAfter(const std::string& body) {
  if (body.empty() || body[0] != '{') return std::nullopt;
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return std::nullopt;
  if (auto it = parsed.find("retry_after"); it != parsed.end() && it->is_number()) {
    return it->get<double>();  // Discord
  }
  if (auto params = parsed.find("parameters"); params != parsed.end() && params->is_object()) {
    if (auto it = params->find("retry_after"); it != params->end() && it->is_number()) {
      return it->get<double>();  // Telegram
    }
  }
  return std::nullopt;
}

// The "error" of a JSON body {"ok": false, ...}, or nullopt for any other body.
std::optional<std::string> JsonApiError(const std::string& body) {
  if (body.empty() || body[0] != '{') return std::nullopt;
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return std::nullopt;
  auto ok = parsed.find("ok");
  if (ok == parsed.end() || !ok->is_boolean() || ok->get<bool>()) return std::nullopt;
  auto error = parsed.find("error");
  return error != parsed.end() && error->is_string() ? error->get<std::string>()
                                                     : std::string("unknown");
}

}  // namespace

std::optional<absl::Duration> RequestedRetryDelay(const http::HttpResponse& response,
                                                  absl::Time now) {
  std::string header = response.Header("retry-after");
  if (!header.empty()) {
    int64_t seconds;
    if (absl::SimpleAtoi(header, &seconds) && seconds >= 0) return absl::Seconds(seconds);
    absl::Time when;
    std::string error;
    if (absl::ParseTime("%a, %d %b %Y %H:%M:%S GMT", header, &when, &error)) {
      return std::max(absl::ZeroDuration(), when - now);
    }
  }
  if (auto seconds = JsonRetryAfter(response.body);
      seconds && *seconds >= 0 && std::isfinite(*seconds)) {
    return absl::Milliseconds(std::ceil(*seconds * 1000));
  }
  return std::nullopt;
}

AttemptVerdict JudgeAttempt(const absl::StatusOr<http::HttpResponse>& result, int attempt,
                            const RetryOptions& options, absl::Time now, double jitter) {
  std::string error;
  std::optional<absl::Duration> requested;
  if (!result.ok()) {
    if (result.status().code() == absl::StatusCode::kPermissionDenied ||
        result.status().code() == absl::StatusCode::kInvalidArgument) {
      return {AttemptVerdict::kPermanentFailure, absl::ZeroDuration(),
              std::string(result.status().message())};
    }
    error = std::string(result.status().message());
  } else {
    int status = result->status;
    if (status >= 200 && status < 300) {
      // Slack's Web API answers errors with 200 and {"ok": false, "error": "..."}.
      std::optional<std::string> api_error = JsonApiError(result->body);
      if (!api_error) return {AttemptVerdict::kDelivered, absl::ZeroDuration(), ""};
      if (*api_error != "ratelimited") {
        return {AttemptVerdict::kPermanentFailure, absl::ZeroDuration(),
                absl::StrCat("API error: ", *api_error)};
      }
      error = "API error: ratelimited";
      requested = RequestedRetryDelay(*result, now);
    } else {
      error = Describe(*result);
      bool retryable = status == 408 || status == 429 || status >= 500 || status < 200;
      if (!retryable) return {AttemptVerdict::kPermanentFailure, absl::ZeroDuration(), error};
      requested = RequestedRetryDelay(*result, now);
    }
  }
  if (attempt >= options.max_attempts) {
    return {AttemptVerdict::kPermanentFailure, absl::ZeroDuration(),
            absl::StrCat(error, " (gave up after ", attempt, " attempts)")};
  }
  absl::Duration delay;
  if (requested) {
    delay = std::min(*requested, options.max_retry_after);
  } else {
    absl::Duration backoff = options.initial_backoff * std::pow(2.0, std::min(attempt - 1, 30));
    backoff = std::min(backoff, options.max_backoff);
    delay = backoff / 2 + (backoff / 2) * std::clamp(jitter, 0.0, 1.0);
  }
  return {AttemptVerdict::kRetry, delay, error};
}

}  // namespace sa::notifier
