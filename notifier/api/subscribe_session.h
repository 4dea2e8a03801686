// One live Subscribe stream (gRPC callback API): replays alerts after the client's resume
// point, then follows new ones as the AlertHub wakes it.
//
// Redis reads run on a WorkQueue, never on a reactor callback. At most one batch (64 alerts)
// is buffered per stream and the next is read only once it is written, so a slow reader
// costs memory for one batch and never stalls other streams or the consumer; it simply lags,
// reading from the durable per-subscription stream at its own pace.
#pragma once

#include <grpcpp/support/server_callback.h>

#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "common/concurrency/work_queue.h"
#include "notifier/api/alert_hub.h"
#include "notifier/store/alert_store.h"
#include "notifier/store/subscription_store.h"
#include "summit_alerts/v1/notifier.pb.h"

namespace sa::notifier {

class SubscribeSession final : public grpc::ServerWriteReactor<summit_alerts::v1::Alert>,
                               public AlertListener,
                               public std::enable_shared_from_this<SubscribeSession> {
 public:
  struct Deps {
    SubscriptionStore& subscriptions;
    AlertStore& alerts;
    AlertHub& hub;
    WorkQueue& work;
    // When set, called first on the stream's first fetch (on `work`): a status other than OK
    // ends the stream with it if it is NOT_FOUND, UNAUTHENTICATED or PERMISSION_DENIED (the
    // caller may not read this subscription); UNAVAILABLE is retried as any fetch.
    std::function<absl::Status()> authorize;
  };

  // Creates the reactor for one call; gRPC owns it until OnDone.
  static grpc::ServerWriteReactor<summit_alerts::v1::Alert>* Create(
      Deps deps, const summit_alerts::v1::SubscribeRequest& request);

  void Wake() override;
  // Ends the stream with UNAVAILABLE (ShuttingDown) once the write in flight, if any, is done.
  void Shutdown() override;
  // The status of a stream ended by a draining notifier, or refused by one: UNAVAILABLE, so
  // clients retry (resuming after the last alert id they received).
  static grpc::Status ShuttingDown();

  void OnWriteDone(bool ok) override;
  // A cancel the server makes (the grace period of a shutdown ran out) ends the stream with
  // ShuttingDown()'s UNAVAILABLE, not CANCELLED, which a client may take as final.
  void OnCancel() override;
  void OnDone() override;

 private:
  SubscribeSession(Deps deps, std::string subscription_id, std::string cursor);
  void Fetch();
  void ScheduleFetchLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void WriteNextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FinishLocked(grpc::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  static constexpr int kBatch = 64;

  Deps deps_;
  const std::string subscription_id_;
  std::shared_ptr<SubscribeSession> self_;  // keeps this alive until OnDone

  absl::Mutex mu_;
  std::string cursor_ ABSL_GUARDED_BY(mu_);    // last alert id read; empty: resolve to "now"
  bool started_ ABSL_GUARDED_BY(mu_) = false;  // subscription checked, cursor resolved
  std::deque<summit_alerts::v1::Alert> buffer_ ABSL_GUARDED_BY(mu_);
  summit_alerts::v1::Alert in_flight_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool fetching_ ABSL_GUARDED_BY(mu_) = false;
  bool wake_again_ ABSL_GUARDED_BY(mu_) = false;
  bool finishing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status final_status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sa::notifier
