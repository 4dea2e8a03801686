#include "notifier/deliver/delivery_worker.h"

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "notifier/deliver/delivery_policy.h"
#include "notifier/deliver/webhook_payload.h"

namespace sa::notifier {
namespace {

using summit_alerts::v1::WebhookChannel;

std::string FormatName(const WebhookChannel& channel) {
  return WebhookChannel::Format_Name(channel.format());
}

void LogDelivery(log::Level level, absl::string_view msg, const ClaimedDelivery& delivery,
                 int attempt, absl::string_view detail) {
  log::Write(level, msg,
             {{"delivery_id", delivery.id},
              {"subscription_id", delivery.alert.subscription_id()},
              {"alert_id", delivery.alert.id()},
              {"format", FormatName(delivery.channel)},
              {"attempt", attempt},
              {"detail", detail}});
}

// A settle that did not reach Redis is only logged: the lease runs out and the delivery is
// claimed again, so nothing is lost.
void WarnIfUnsettled(const absl::StatusOr<bool>& result, const ClaimedDelivery& delivery,
                     const char* settle) {
  if (!result.ok()) {
    log::Warning("delivery.settle_failed",
                 {{"delivery_id", delivery.id}, {"settle", settle}, {"error", result.status()}});
  }
}

}  // namespace

DeliveryWorker::DeliveryWorker(redis::RedisClient& redis, DeliveryQueue& queue,
                               DeliveryWorkerOptions options, const Clock& clock)
    : redis_(redis),
      queue_(queue),
      options_(std::move(options)),
      clock_(clock),
      http_(options_.http) {}

DeliveryWorker::~DeliveryWorker() { Stop(); }

void DeliveryWorker::Start() {
  for (int i = 0; i < options_.workers; ++i) threads_.emplace_back([this, i] { Run(i); });
}

void DeliveryWorker::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

DeliveryStats DeliveryWorker::stats() const {
  absl::MutexLock lock(&stats_mu_);
  return stats_;
}

void DeliveryWorker::Count(int64_t DeliveryStats::*counter) {
  absl::MutexLock lock(&stats_mu_);
  ++(stats_.*counter);
}

void DeliveryWorker::Run(int worker) {
  std::unique_ptr<redis::RedisConnection> waiter;
  absl::Duration error_backoff = absl::Milliseconds(200);
  while (!stop_.HasBeenNotified()) {
    auto claimed = queue_.Claim(1, clock_.Now());
    if (!claimed.ok()) {
      log::Warning("delivery.claim_failed", {{"worker", worker}, {"error", claimed.status()}});
      stop_.WaitForNotificationWithTimeout(error_backoff);
      error_backoff = std::min(error_backoff * 2, absl::Seconds(5));
      continue;
    }
    error_backoff = absl::Milliseconds(200);
    if (!claimed->empty()) {
      Handle(claimed->front());
      continue;
    }
    // Nothing due: sleep until a delivery is queued (BLPOP on the wake list) or idle_poll
    // passes, which also catches retries coming due.
    if (!waiter || waiter->broken()) {
      auto connection = redis_.NewConnection(options_.idle_poll + absl::Seconds(5));
      if (!connection.ok()) {
        stop_.WaitForNotificationWithTimeout(options_.idle_poll);
        continue;
      }
      waiter = std::move(*connection);
    }
    if (absl::Status waited = queue_.WaitForWork(*waiter, options_.idle_poll); !waited.ok()) {
      stop_.WaitForNotificationWithTimeout(options_.idle_poll);
    }
  }
}

void DeliveryWorker::HandleDigest(const ClaimedDelivery& digest, const std::string& channel_key) {
  const int attempt = digest.attempts + 1;
  auto settled = [&](const absl::StatusOr<bool>& result) {
    WarnIfUnsettled(result, digest, "digest");
  };
  auto alerts = queue_.DigestAlerts(digest, kMaxDigestAlerts);
  if (!alerts.ok() || alerts->empty()) {
    MarkIdle(channel_key);
    if (!alerts.ok()) {
      LogDelivery(log::Level::kError, "delivery.digest_unreadable", digest, attempt,
                  alerts.status().message());
    }
    settled(queue_.Cancel(digest, clock_.Now()));  // nothing (readable) to send
    return;
  }
  const int count = static_cast<int>(alerts->size());
  auto request = BuildDigestRequest(*alerts, digest.channel, digest.id, clock_.Now());
  absl::StatusOr<http::HttpResponse> response =
      request.ok() ? http_.Send({.method = "POST",
                                 .url = request->url,
                                 .headers = request->headers,
                                 .body = request->body})
                   : absl::StatusOr<http::HttpResponse>(
                         absl::InvalidArgumentError(request.status().message()));
  MarkIdle(channel_key);
  thread_local absl::BitGen random;
  const absl::Time now = clock_.Now();
  AttemptVerdict verdict =
      JudgeAttempt(response, attempt, options_.retry, now, absl::Uniform(random, 0.0, 1.0));
  const std::string detail = absl::StrCat(count, " alerts; ", verdict.error);
  switch (verdict.kind) {
    case AttemptVerdict::kDelivered:
      settled(queue_.FinishDigest(digest, count, now, NextDigestTime(digest.policy, now)));
      Count(&DeliveryStats::delivered);
      LogDelivery(log::Level::kInfo, "delivery.digest_sent", digest, attempt,
                  absl::StrCat(count, " alerts"));
      break;
    case AttemptVerdict::kRetry:
      settled(queue_.Retry(digest, now + verdict.retry_in, verdict.error));
      Count(&DeliveryStats::retried);
      LogDelivery(log::Level::kWarning, "delivery.retry", digest, attempt, detail);
      break;
    case AttemptVerdict::kPermanentFailure: {
      std::vector<std::string> ids;
      for (const auto& alert : *alerts) {
        ids.push_back(DeliveryId(alert.event().id(), alert.subscription_id(), digest.channel));
      }
      settled(queue_.DeadLetterDigest(digest, ids, verdict.error, now,
                                      NextDigestTime(digest.policy, now)));
      Count(&DeliveryStats::dead_lettered);
      LogDelivery(log::Level::kError, "delivery.dead_letter", digest, attempt, detail);
      break;
    }
  }
}

RateLimit DeliveryWorker::LimitFor(const WebhookChannel& channel) const {
  switch (channel.format()) {
    case WebhookChannel::SLACK:
      return options_.slack;
    case WebhookChannel::DISCORD:
      return options_.discord;
    case WebhookChannel::MATTERMOST:
      return options_.mattermost;
    case WebhookChannel::TEAMS:
      return options_.teams;
    case WebhookChannel::TELEGRAM:
      return options_.telegram;
    default:
      return options_.generic;
  }
}

bool DeliveryWorker::TryMarkBusy(const std::string& channel_key) {
  absl::MutexLock lock(&mu_);
  return busy_channels_.insert(channel_key).second;
}

void DeliveryWorker::MarkIdle(const std::string& channel_key) {
  absl::MutexLock lock(&mu_);
  busy_channels_.erase(channel_key);
}

void DeliveryWorker::Handle(const ClaimedDelivery& delivery) {
  const int attempt = delivery.attempts + 1;
  auto settled = [&](const absl::StatusOr<bool>& result, const char* what) {
    WarnIfUnsettled(result, delivery, what);
  };

  if (!delivery.subscription_exists) {
    settled(queue_.Cancel(delivery, clock_.Now()), "cancel");
    Count(&DeliveryStats::cancelled);
    LogDelivery(log::Level::kInfo, "delivery.cancelled", delivery, attempt, "subscription deleted");
    return;
  }

  const std::string channel_key = ChannelKey(delivery.channel);
  if (!TryMarkBusy(channel_key)) {
    settled(queue_.Defer(delivery, clock_.Now() + options_.busy_channel_delay), "defer");
    Count(&DeliveryStats::deferred);
    return;
  }
  absl::Duration wait = limiter_.TryTake(channel_key, LimitFor(delivery.channel), clock_.Now());
  if (wait > absl::ZeroDuration()) {
    MarkIdle(channel_key);
    settled(queue_.Defer(delivery, clock_.Now() + wait), "defer");
    Count(&DeliveryStats::deferred);
    return;
  }

  if (delivery.digest) {
    HandleDigest(delivery, channel_key);
    return;
  }
  auto request = BuildWebhookRequest(delivery.alert, delivery.channel, delivery.id, clock_.Now());
  if (!request.ok()) {
    MarkIdle(channel_key);
    settled(
        queue_.MoveToDeadLetters(delivery, std::string(request.status().message()), clock_.Now()),
        "dead");
    Count(&DeliveryStats::dead_lettered);
    LogDelivery(log::Level::kError, "delivery.dead_letter", delivery, attempt,
                request.status().message());
    return;
  }
  absl::StatusOr<http::HttpResponse> response = http_.Send(
      {.method = "POST", .url = request->url, .headers = request->headers, .body = request->body});
  MarkIdle(channel_key);

  thread_local absl::BitGen random;
  const absl::Time now = clock_.Now();
  AttemptVerdict verdict =
      JudgeAttempt(response, attempt, options_.retry, now, absl::Uniform(random, 0.0, 1.0));
  switch (verdict.kind) {
    case AttemptVerdict::kDelivered:
      settled(queue_.MarkDelivered(delivery, now), "delivered");
      Count(&DeliveryStats::delivered);
      LogDelivery(log::Level::kInfo, "delivery.sent", delivery, attempt,
                  absl::StrCat("HTTP ", response->status));
      break;
    case AttemptVerdict::kRetry:
      settled(queue_.Retry(delivery, now + verdict.retry_in, verdict.error), "retry");
      Count(&DeliveryStats::retried);
      LogDelivery(log::Level::kWarning, "delivery.retry", delivery, attempt,
                  absl::StrCat(verdict.error, "; next attempt in ",
                               absl::FormatDuration(verdict.retry_in)));
      break;
    case AttemptVerdict::kPermanentFailure:
      settled(queue_.MoveToDeadLetters(delivery, verdict.error, now), "dead");
      Count(&DeliveryStats::dead_lettered);
      LogDelivery(log::Level::kError, "delivery.dead_letter", delivery, attempt, verdict.error);
      break;
  }
}

}  // namespace sa::notifier
