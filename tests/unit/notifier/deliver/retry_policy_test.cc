// Retry decisions of webhook deliveries: which answers are delivered, retried or permanent
// failures, backoff with jitter, and the delays each chat service asks for.
#include "notifier/deliver/retry_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/http/http_client.h"
#include "tests/support/fake_clock.h"

namespace sa::notifier {
namespace {

using ::testing::HasSubstr;

http::HttpResponse Response(int status,
                            std::vector<std::pair<std::string, std::string>> headers = {},
                            std::string body = "") {
  return {status, std::move(headers), std::move(body)};
}

TEST(RetryPolicy, SuccessRetryablesAndPermanentFailures) {
  RetryOptions options;
  absl::Time now = absl::FromUnixSeconds(1755262900);
  EXPECT_EQ(JudgeAttempt(Response(204), 1, options, now, 0.5).kind, AttemptVerdict::kDelivered);
  for (int status : {408, 429, 500, 502, 503}) {
    EXPECT_EQ(JudgeAttempt(Response(status), 1, options, now, 0.5).kind, AttemptVerdict::kRetry)
        << status;
  }
  for (int status : {400, 401, 403, 404, 410, 413}) {
    AttemptVerdict verdict =
        JudgeAttempt(Response(status, {}, "invalid_token"), 1, options, now, 0.5);
    EXPECT_EQ(verdict.kind, AttemptVerdict::kPermanentFailure) << status;
    EXPECT_EQ(verdict.error, absl::StrCat("HTTP ", status, ": invalid_token"));
  }
  EXPECT_EQ(JudgeAttempt(absl::UnavailableError("connection refused"), 1, options, now, 0).kind,
            AttemptVerdict::kRetry);
  EXPECT_EQ(JudgeAttempt(absl::DeadlineExceededError("timed out"), 1, options, now, 0).kind,
            AttemptVerdict::kRetry);
  EXPECT_EQ(JudgeAttempt(absl::PermissionDeniedError("private address"), 1, options, now, 0).kind,
            AttemptVerdict::kPermanentFailure);
  AttemptVerdict last = JudgeAttempt(Response(503), options.max_attempts, options, now, 0);
  EXPECT_EQ(last.kind, AttemptVerdict::kPermanentFailure);
  EXPECT_THAT(last.error, HasSubstr("gave up after 8 attempts"));
}

TEST(RetryPolicy, SlacksWebApiErrorsInA200AreFailures) {
  RetryOptions options;
  absl::Time now = absl::UnixEpoch();
  EXPECT_EQ(JudgeAttempt(Response(200, {}, R"({"ok":true,"ts":"1.2"})"), 1, options, now, 0).kind,
            AttemptVerdict::kDelivered);
  AttemptVerdict missing = JudgeAttempt(
      Response(200, {}, R"({"ok":false,"error":"channel_not_found"})"), 1, options, now, 0);
  EXPECT_EQ(missing.kind, AttemptVerdict::kPermanentFailure);
  EXPECT_EQ(missing.error, "API error: channel_not_found");
  AttemptVerdict limited =
      JudgeAttempt(Response(200, {{"retry-after", "3"}}, R"({"ok":false,"error":"ratelimited"})"),
                   1, options, now, 0);
  EXPECT_EQ(limited.kind, AttemptVerdict::kRetry);
  EXPECT_EQ(limited.retry_in, absl::Seconds(3));
}

TEST(RetryPolicy, BackoffDoublesWithJitterUpToTheCap) {
  RetryOptions options{
      .max_attempts = 20, .initial_backoff = absl::Seconds(2), .max_backoff = absl::Seconds(60)};
  absl::Time now = absl::UnixEpoch();
  EXPECT_EQ(JudgeAttempt(Response(500), 1, options, now, 0).retry_in, absl::Seconds(1));
  EXPECT_EQ(JudgeAttempt(Response(500), 1, options, now, 0.999).retry_in, absl::Seconds(1.999));
  EXPECT_EQ(JudgeAttempt(Response(500), 3, options, now, 0).retry_in, absl::Seconds(4));
  EXPECT_EQ(JudgeAttempt(Response(500), 15, options, now, 0).retry_in, absl::Seconds(30));
  EXPECT_LT(JudgeAttempt(Response(500), 15, options, now, 0.999).retry_in, absl::Seconds(60));
}

TEST(RetryPolicy, HonoursTheDelayEachServiceAsksFor) {
  RetryOptions options;
  absl::Time now = absl::FromUnixSeconds(1755262800);  // Fri, 15 Aug 2025 13:00:00 GMT
  EXPECT_EQ(JudgeAttempt(Response(429, {{"retry-after", "7"}}), 1, options, now, 0).retry_in,
            absl::Seconds(7));
  EXPECT_EQ(JudgeAttempt(Response(503, {{"retry-after", "Fri, 15 Aug 2025 13:00:30 GMT"}}), 1,
                         options, now, 0)
                .retry_in,
            absl::Seconds(30));
  // Telegram and Discord put it in the JSON body.
  EXPECT_EQ(
      JudgeAttempt(
          Response(429, {}, R"({"ok":false,"error_code":429,"parameters":{"retry_after":3}})"), 1,
          options, now, 0)
          .retry_in,
      absl::Seconds(3));
  EXPECT_EQ(JudgeAttempt(Response(429, {}, R"({"retry_after": 1.5, "global": false})"), 1, options,
                         now, 0)
                .retry_in,
            absl::Milliseconds(1500));
  // A Retry-After date counts from the time of judging: 10 s later, 20 s are left.
  testing::FakeClock clock(now);
  clock.Advance(absl::Seconds(10));
  EXPECT_EQ(JudgeAttempt(Response(503, {{"retry-after", "Fri, 15 Aug 2025 13:00:30 GMT"}}), 1,
                         options, clock.Now(), 0)
                .retry_in,
            absl::Seconds(20));
  // A huge request is capped.
  EXPECT_EQ(JudgeAttempt(Response(429, {{"retry-after", "99999999"}}), 1, options, now, 0).retry_in,
            absl::Hours(1));
}

}  // namespace
}  // namespace sa::notifier
