#include "notifier/deliver/delivery_policy.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace sa::notifier {
namespace {

// Minutes after midnight of "HH:MM", or -1.
int DailyMinute(const std::string& text) {
  int hours, minutes;
  if (text.size() != 5 || text[2] != ':' || !absl::SimpleAtoi(text.substr(0, 2), &hours) ||
      !absl::SimpleAtoi(text.substr(3, 2), &minutes) || hours < 0 || hours > 23 || minutes < 0 ||
      minutes > 59) {
    return -1;
  }
  return hours * 60 + minutes;
}

absl::Time NextBoundary(absl::Time now, absl::Duration period, absl::Duration offset) {
  int64_t period_s = absl::ToInt64Seconds(period);
  int64_t t = absl::ToUnixSeconds(now) - absl::ToInt64Seconds(offset);
  int64_t next = (t / period_s + 1) * period_s;
  return absl::FromUnixSeconds(next + absl::ToInt64Seconds(offset));
}

}  // namespace

absl::Status ValidateDeliveryPolicy(const summit_alerts::v1::DeliveryPolicy& policy) {
  if (policy.digest_minutes() < 0 || policy.digest_minutes() > 10080) {
    return absl::InvalidArgumentError(absl::StrCat(
        "delivery.digest_minutes ", policy.digest_minutes(), " is outside 0..10080 (a week)"));
  }
  if (!policy.digest_daily_at().empty() && DailyMinute(policy.digest_daily_at()) < 0) {
    return absl::InvalidArgumentError(absl::StrCat("delivery.digest_daily_at '",
                                                   policy.digest_daily_at(),
                                                   "' is not HH:MM (UTC, e.g. 07:30)"));
  }
  if (policy.max_per_hour() < 0 || policy.max_per_hour() > 3600) {
    return absl::InvalidArgumentError(
        absl::StrCat("delivery.max_per_hour ", policy.max_per_hour(), " is outside 0..3600"));
  }
  return absl::OkStatus();
}

bool IsDigest(const summit_alerts::v1::DeliveryPolicy& policy) {
  return policy.digest_minutes() > 0 || !policy.digest_daily_at().empty();
}

absl::Time NextDigestTime(const summit_alerts::v1::DeliveryPolicy& policy, absl::Time now) {
  if (int minute = DailyMinute(policy.digest_daily_at()); minute >= 0) {
    return NextBoundary(now, absl::Hours(24), absl::Minutes(minute));
  }
  if (policy.digest_minutes() > 0) {
    return NextBoundary(now, absl::Minutes(policy.digest_minutes()), absl::ZeroDuration());
  }
  return NextBoundary(now, absl::Hours(1), absl::ZeroDuration());
}

int64_t ThrottleHour(absl::Time now) { return absl::ToUnixSeconds(now) / 3600; }

}  // namespace sa::notifier
