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
#include <utility>

#include "absl/synchronization/mutex.h"
#include "common/concurrency/work_queue.h"
#include "notifier/api/alert_hub.h"
#include "notifier/store/alert_store.h"
#include "notifier/store/subscription_store.h"
#include "summit_alerts/v1/notifier.pb.h"

namespace sa::notifier {

// The part of a Subscribe stream that threads meet in, apart from gRPC's reactor: wakes from the
// hub's thread, fetches on the WorkQueue, write completions and cancels from gRPC's threads all
// decide under one lock what to send next and when the stream ends. SubscribeSession binds it to
// a grpc::ServerWriteReactor; tests drive it through a stand-in stream
// (tests/integration/alert_hub_redis_test.cc), which ThreadSanitizer can check without gRPC.
class SubscribeFlow : public AlertListener, public std::enable_shared_from_this<SubscribeFlow> {
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

  void Wake() override;
  // Ends the stream with UNAVAILABLE (ShuttingDown) once the write in flight, if any, is done.
  void Shutdown() override;
  // The status of a stream ended by a draining notifier, or refused by one: UNAVAILABLE, so
  // clients retry (resuming after the last alert id they received).
  static grpc::Status ShuttingDown();

 protected:
  // `cursor`: the request's after_alert_id (empty: from now on).
  SubscribeFlow(Deps deps, std::string subscription_id, std::string cursor);

  // Call once, right after construction, on an object a shared_ptr owns: validates the request,
  // registers with the hub and schedules the first fetch, or ends the stream at once (invalid
  // request, draining hub). From here the flow keeps itself alive until Done().
  void Begin();
  // What the transport reports: the write StartAlertWrite began has completed (ok: sent); the
  // call was cancelled; the call is over (after FinishStream; nothing follows it).
  void WriteDone(bool ok);
  void Cancelled();
  void Done();

  // The transport. Both are called under the flow's lock and must neither block nor call back
  // into the flow before returning. At most one write is outstanding: StartAlertWrite sends
  // `alert` (valid until WriteDone) and is answered by one WriteDone. FinishStream ends the
  // stream with `status`; called once, with no write outstanding.
  virtual void StartAlertWrite(const summit_alerts::v1::Alert* alert) = 0;
  virtual void FinishStream(const grpc::Status& status) = 0;

 private:
  void Fetch();
  void ScheduleFetchLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void WriteNextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FinishLocked(grpc::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  static constexpr int kBatch = 64;

  Deps deps_;
  const std::string subscription_id_;
  std::shared_ptr<SubscribeFlow> self_;  // keeps this alive until Done

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

// The gRPC reactor of one Subscribe call: a SubscribeFlow whose transport is the reactor.
class SubscribeSession final : public grpc::ServerWriteReactor<summit_alerts::v1::Alert>,
                               public SubscribeFlow {
 public:
  // Creates the reactor for one call; gRPC owns it until OnDone.
  static grpc::ServerWriteReactor<summit_alerts::v1::Alert>* Create(
      Deps deps, const summit_alerts::v1::SubscribeRequest& request);

  void OnWriteDone(bool ok) override { WriteDone(ok); }
  // A cancel the server makes (the grace period of a shutdown ran out) ends the stream with
  // ShuttingDown()'s UNAVAILABLE, not CANCELLED, which a client may take as final.
  void OnCancel() override { Cancelled(); }
  void OnDone() override { Done(); }

 private:
  SubscribeSession(Deps deps, std::string subscription_id, std::string cursor)
      : SubscribeFlow(deps, std::move(subscription_id), std::move(cursor)) {}
  void StartAlertWrite(const summit_alerts::v1::Alert* alert) override { StartWrite(alert); }
  void FinishStream(const grpc::Status& status) override { Finish(status); }
};

}  // namespace sa::notifier
