#include "notifier/api/subscribe_session.h"

#include "absl/strings/str_cat.h"
#include "common/grpc/status_convert.h"
#include "common/log/log.h"

namespace sa::notifier {

using summit_alerts::v1::Alert;

grpc::ServerWriteReactor<Alert>* SubscribeSession::Create(
    Deps deps, const summit_alerts::v1::SubscribeRequest& request) {
  std::shared_ptr<SubscribeSession> session(
      new SubscribeSession(deps, request.subscription_id(), request.after_alert_id()));
  session->Begin();
  return session.get();
}

SubscribeFlow::SubscribeFlow(Deps deps, std::string subscription_id, std::string cursor)
    : deps_(deps), subscription_id_(std::move(subscription_id)), cursor_(std::move(cursor)) {}

void SubscribeFlow::Begin() {
  self_ = shared_from_this();
  std::string after;
  {
    absl::MutexLock lock(&mu_);
    after = cursor_;
  }
  grpc::Status invalid;
  if (subscription_id_.empty()) {
    invalid = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "subscription_id is empty");
  } else if (!after.empty() && !IsValidAlertId(after)) {
    invalid = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                           absl::StrCat("after_alert_id '", after,
                                        "' is not an alert id (like 1732450000000-0), \"0\" or "
                                        "empty"));
  }
  if (invalid.ok()) {
    // Lock order is hub, then session (the hub wakes under its lock): register unlocked.
    if (!deps_.hub.Register(subscription_id_, weak_from_this(), this)) {
      invalid = ShuttingDown();  // a draining replica: the client retries elsewhere or later
    }
  }
  absl::MutexLock lock(&mu_);
  if (!invalid.ok()) {
    FinishLocked(std::move(invalid));
  } else if (!fetching_) {  // a wake may have scheduled the first fetch already
    ScheduleFetchLocked();
  }
}

void SubscribeFlow::Wake() {
  absl::MutexLock lock(&mu_);
  if (finishing_) return;
  if (fetching_ || writing_ || !buffer_.empty()) {
    wake_again_ = true;
    return;
  }
  ScheduleFetchLocked();
}

grpc::Status SubscribeFlow::ShuttingDown() {
  return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                      "notifier is shutting down; reconnect with after_alert_id set to the last "
                      "alert id you received");
}

void SubscribeFlow::Shutdown() {
  absl::MutexLock lock(&mu_);
  FinishLocked(ShuttingDown());
}

void SubscribeFlow::ScheduleFetchLocked() {
  fetching_ = true;
  wake_again_ = false;
  deps_.work.Schedule([self = shared_from_this()] { self->Fetch(); });
}

void SubscribeFlow::Fetch() {
  std::string cursor;
  bool started;
  {
    absl::MutexLock lock(&mu_);
    if (finishing_) {
      fetching_ = false;
      return;
    }
    cursor = cursor_;
    started = started_;
  }
  absl::Status status;
  if (!started) {
    // First fetch: the subscription must exist; an empty resume point means "from now".
    if (deps_.authorize) status = deps_.authorize();
    if (status.ok()) status = deps_.subscriptions.Get(subscription_id_).status();
    if (status.ok() && cursor.empty()) {
      auto last = deps_.alerts.LastId(subscription_id_);
      status = last.status();
      if (last.ok()) cursor = *last;
    }
  }
  std::vector<Alert> alerts;
  if (status.ok()) {
    auto read = deps_.alerts.ReadAfter(subscription_id_, cursor, kBatch);
    status = read.status();
    if (read.ok()) alerts = std::move(*read);
  }
  // A resuming or lagging reader (a full batch) may have fallen behind the retained alerts:
  // say so rather than skip the trimmed ones silently.
  bool trimmed = false;
  if (status.ok() && (!started || static_cast<int>(alerts.size()) == kBatch)) {
    auto was_trimmed = deps_.alerts.TrimmedAfter(subscription_id_, cursor);
    status = was_trimmed.status();
    trimmed = was_trimmed.ok() && *was_trimmed;
  }

  absl::MutexLock lock(&mu_);
  fetching_ = false;
  if (finishing_) return;
  if (!status.ok()) {
    if (status.code() == absl::StatusCode::kNotFound ||
        status.code() == absl::StatusCode::kInvalidArgument ||
        status.code() == absl::StatusCode::kUnauthenticated ||
        status.code() == absl::StatusCode::kPermissionDenied) {
      FinishLocked(ToGrpcStatus(status));
      return;
    }
    // Redis trouble: keep the stream open; the hub's periodic wake retries.
    log::Warning("subscribe.fetch_failed",
                 {{"subscription_id", subscription_id_}, {"error", status}});
    return;
  }
  if (trimmed) {
    log::Warning("subscribe.behind_retention",
                 {{"subscription_id", subscription_id_}, {"after", cursor}});
    FinishLocked(grpc::Status(
        grpc::StatusCode::OUT_OF_RANGE,
        absl::StrCat(
            "alerts after ", cursor,
            " were trimmed (the notifier keeps the newest "
            "--alerts_per_subscription per subscription); resume with after_alert_id \"0\" "
            "for every alert still retained")));
    return;
  }
  if (!started_) {
    started_ = true;
    cursor_ = cursor;
    log::Info("subscribe.started", {{"subscription_id", subscription_id_}, {"after", cursor}});
  }
  bool full = static_cast<int>(alerts.size()) == kBatch;
  for (Alert& a : alerts) {
    cursor_ = a.id();
    buffer_.push_back(std::move(a));
  }
  if (full) wake_again_ = true;  // more are waiting behind this batch
  if (!buffer_.empty()) {
    if (!writing_) WriteNextLocked();
  } else if (wake_again_) {
    ScheduleFetchLocked();
  }
}

void SubscribeFlow::WriteNextLocked() {
  in_flight_ = std::move(buffer_.front());
  buffer_.pop_front();
  writing_ = true;
  StartAlertWrite(&in_flight_);
}

void SubscribeFlow::WriteDone(bool ok) {
  absl::MutexLock lock(&mu_);
  writing_ = false;
  if (!ok) {
    FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE, "write failed: client gone"));
  }
  if (finishing_) {
    FinishLocked(final_status_);
    return;
  }
  if (!buffer_.empty()) {
    WriteNextLocked();
  } else if (wake_again_ && !fetching_) {
    ScheduleFetchLocked();
  }
}

void SubscribeFlow::Cancelled() {
  // Read the hub first: lock order is hub, then session.
  const bool draining = deps_.hub.draining();
  absl::MutexLock lock(&mu_);
  FinishLocked(draining ? ShuttingDown() : grpc::Status::CANCELLED);
}

void SubscribeFlow::FinishLocked(grpc::Status status) {
  if (!finishing_) {
    finishing_ = true;
    final_status_ = std::move(status);
  }
  // Finish only once no write is outstanding; WriteDone calls back here otherwise.
  if (writing_ || finished_) return;
  finished_ = true;
  FinishStream(final_status_);
}

void SubscribeFlow::Done() {
  deps_.hub.Unregister(subscription_id_, this);
  std::shared_ptr<SubscribeFlow> keep;
  {
    absl::MutexLock lock(&mu_);
    keep = std::move(self_);
    log::Info("subscribe.ended", {{"subscription_id", subscription_id_},
                                  {"after", cursor_},
                                  {"status", final_status_.error_message()},
                                  {"code", static_cast<int>(final_status_.error_code())}});
  }
  // `keep` is released here; queued fetches may still hold a reference and see finishing_.
}

}  // namespace sa::notifier
