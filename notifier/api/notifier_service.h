// The gRPC face of the notifier: subscription CRUD, TestQuery and dead letters (unary), and
// Subscribe (one SubscribeSession reactor per stream). Every method uses gRPC's callback API;
// each unary call runs on the service's UnaryExecutor (common/grpc/unary_executor.h), a bounded
// queue and pool of workers, so a burst of calls waits there and blocking Redis work never runs
// on gRPC's callback threads; only a full queue is refused (RESOURCE_EXHAUSTED, retry advice).
//
// CreateSubscription, UpdateSubscription and TestQuery take their request as raw bytes and parse
// it on the worker: proto3 refuses a string field holding invalid UTF-8, and gRPC would answer
// that INTERNAL with an empty message; these answer INVALID_ARGUMENT naming the field and the
// byte offset instead.
//
// Authentication (docs/SECURITY.md): with an enabled Authenticator every call first needs a
// bearer token with scope `subscribe` (UNAUTHENTICATED / PERMISSION_DENIED otherwise), checked
// on the worker before any other work. A caller sees and changes only its own subscriptions
// (and their alerts and dead letters): the owner is the token's, never a request field, and
// another owner's id answers NOT_FOUND exactly as a missing one. An admin token acts for any
// owner (the request's owner field, when set). Without an Authenticator (or a disabled one)
// every caller is unrestricted, as before tokens existed. Replies never carry webhook secrets
// or credential-bearing URLs (RedactSecrets), whatever the mode.
#pragma once

#include "common/auth/authenticator.h"
#include "common/clock.h"
#include "common/concurrency/work_queue.h"
#include "common/grpc/unary_executor.h"
#include "notifier/api/alert_hub.h"
#include "notifier/api/owned_subscriptions.h"
#include "notifier/api/query_tester.h"
#include "notifier/deliver/delivery_queue.h"
#include "notifier/store/alert_store.h"
#include "notifier/store/subscription_store.h"
#include "summit_alerts/v1/notifier.grpc.pb.h"

namespace sa::notifier {

namespace internal {
namespace v1g = summit_alerts::v1;
using NotifierServiceBase = v1g::Notifier::WithRawCallbackMethod_CreateSubscription<
    v1g::Notifier::WithRawCallbackMethod_UpdateSubscription<
        v1g::Notifier::WithRawCallbackMethod_TestQuery<
            v1g::Notifier::WithCallbackMethod_GetSubscription<
                v1g::Notifier::WithCallbackMethod_ListSubscriptions<
                    v1g::Notifier::WithCallbackMethod_DeleteSubscription<
                        v1g::Notifier::WithCallbackMethod_ListDeadLetters<
                            v1g::Notifier::WithCallbackMethod_ReplayDeadLetter<
                                v1g::Notifier::WithCallbackMethod_Subscribe<
                                    v1g::Notifier::Service>>>>>>>>>;
}  // namespace internal

// Parses `bytes` into `message`. On failure: InvalidArgument naming the first string field
// with invalid UTF-8 and the byte offset in it (e.g. "subscription.query is not valid UTF-8
// at byte 6"), or saying the request is not a valid encoding of the message.
absl::Status ParseRequestBytes(const std::string& bytes, google::protobuf::Message& message);

class NotifierService final : public internal::NotifierServiceBase {
 public:
  // All references must outlive the service. `work` reads alerts for Subscribe streams;
  // `unary` sizes the service's own workers and queue for unary calls. Shut the gRPC server
  // down before destroying the service (its Shutdown waits for the unary calls in flight).
  // `auth` null: no authentication (every caller unrestricted).
  NotifierService(SubscriptionStore& subscriptions, AlertStore& alerts, AlertHub& hub,
                  WorkQueue& work, const QueryTester& tester, DeliveryQueue& deliveries,
                  const Clock& clock = Clock::Real(), const UnaryExecutorOptions& unary = {},
                  const auth::Authenticator* auth = nullptr);

  // Unary calls refused so far because the queue was full.
  int64_t refused_calls() const { return unary_.refused(); }

  grpc::ServerUnaryReactor* CreateSubscription(grpc::CallbackServerContext* context,
                                               const grpc::ByteBuffer* request,
                                               grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetSubscription(
      grpc::CallbackServerContext* context,
      const summit_alerts::v1::GetSubscriptionRequest* request,
      summit_alerts::v1::Subscription* response) override;
  grpc::ServerUnaryReactor* ListSubscriptions(
      grpc::CallbackServerContext* context,
      const summit_alerts::v1::ListSubscriptionsRequest* request,
      summit_alerts::v1::ListSubscriptionsResponse* response) override;
  grpc::ServerUnaryReactor* UpdateSubscription(grpc::CallbackServerContext* context,
                                               const grpc::ByteBuffer* request,
                                               grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* DeleteSubscription(
      grpc::CallbackServerContext* context,
      const summit_alerts::v1::DeleteSubscriptionRequest* request,
      summit_alerts::v1::DeleteSubscriptionResponse* response) override;
  grpc::ServerUnaryReactor* TestQuery(grpc::CallbackServerContext* context,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ListDeadLetters(
      grpc::CallbackServerContext* context,
      const summit_alerts::v1::ListDeadLettersRequest* request,
      summit_alerts::v1::ListDeadLettersResponse* response) override;
  grpc::ServerUnaryReactor* ReplayDeadLetter(
      grpc::CallbackServerContext* context,
      const summit_alerts::v1::ReplayDeadLetterRequest* request,
      summit_alerts::v1::ReplayDeadLetterResponse* response) override;
  grpc::ServerWriteReactor<summit_alerts::v1::Alert>* Subscribe(
      grpc::CallbackServerContext* context,
      const summit_alerts::v1::SubscribeRequest* request) override;

 private:
  using Identity = auth::Identity;
  // The caller of `context`, once known to hold `subscribe` (Authenticator::Authorize).
  absl::StatusOr<Identity> Caller(grpc::CallbackServerContext* context, absl::string_view method);
  // Serves a unary call on unary_: Caller first, then `handler(identity)` for the status.
  template <typename Handler>
  grpc::ServerUnaryReactor* ServeAuthorized(grpc::CallbackServerContext* context,
                                            absl::string_view method, Handler handler);
  // The subscription `id` if the caller may act for its owner; NotFound (the store's own
  // message) when it is missing or someone else's.
  absl::StatusOr<summit_alerts::v1::Subscription> GetOwned(const Identity& caller,
                                                           const std::string& id);

  grpc::Status DoCreate(const Identity& caller,
                        const summit_alerts::v1::CreateSubscriptionRequest& request,
                        summit_alerts::v1::Subscription* response);
  grpc::Status DoUpdate(const Identity& caller,
                        const summit_alerts::v1::UpdateSubscriptionRequest& request,
                        summit_alerts::v1::Subscription* response);
  grpc::Status DoTestQuery(const summit_alerts::v1::TestQueryRequest& request,
                           summit_alerts::v1::TestQueryResponse* response);
  grpc::Status DoGet(const Identity& caller,
                     const summit_alerts::v1::GetSubscriptionRequest* request,
                     summit_alerts::v1::Subscription* response);
  grpc::Status DoList(const Identity& caller,
                      const summit_alerts::v1::ListSubscriptionsRequest* request,
                      summit_alerts::v1::ListSubscriptionsResponse* response);
  grpc::Status DoDelete(const Identity& caller,
                        const summit_alerts::v1::DeleteSubscriptionRequest* request);
  grpc::Status DoListDeadLetters(const Identity& caller,
                                 const summit_alerts::v1::ListDeadLettersRequest* request,
                                 summit_alerts::v1::ListDeadLettersResponse* response);
  grpc::Status DoReplayDeadLetter(const Identity& caller,
                                  const summit_alerts::v1::ReplayDeadLetterRequest* request,
                                  summit_alerts::v1::ReplayDeadLetterResponse* response);

  SubscriptionStore& subscriptions_;
  AlertStore& alerts_;
  AlertHub& hub_;
  WorkQueue& work_;
  const QueryTester& tester_;
  DeliveryQueue& deliveries_;
  const Clock& clock_;  // ReplayDeadLetter's "now" (when the replayed delivery is due)
  const auth::Authenticator auth_off_{nullptr};
  const auth::Authenticator& auth_;  // *auth, else auth_off_
  OwnedSubscriptions owned_;         // the owner rules over subscriptions_
  UnaryExecutor unary_;              // last: drained before the members its calls use are destroyed
};

}  // namespace sa::notifier
