// The gRPC face of the notifier: subscription CRUD, TestQuery and dead letters (sync API), and
// Subscribe (callback API, one SubscribeSession reactor per stream).
//
// CreateSubscription, UpdateSubscription and TestQuery take their request as raw bytes
// (callback API) and parse it here: proto3 refuses a string field holding invalid UTF-8, and
// gRPC would answer that INTERNAL with an empty message; these answer INVALID_ARGUMENT naming
// the field and the byte offset instead.
#pragma once

#include "common/clock.h"
#include "common/concurrency/work_queue.h"
#include "notifier/api/alert_hub.h"
#include "notifier/api/query_tester.h"
#include "notifier/deliver/delivery_queue.h"
#include "notifier/store/alert_store.h"
#include "notifier/store/subscription_store.h"
#include "summit_alerts/v1/notifier.grpc.pb.h"

namespace sa::notifier {

namespace internal {
using NotifierServiceBase = summit_alerts::v1::Notifier::WithRawCallbackMethod_CreateSubscription<
    summit_alerts::v1::Notifier::WithRawCallbackMethod_UpdateSubscription<
        summit_alerts::v1::Notifier::WithRawCallbackMethod_TestQuery<
            summit_alerts::v1::Notifier::WithCallbackMethod_Subscribe<
                summit_alerts::v1::Notifier::Service>>>>;
}  // namespace internal

// Parses `bytes` into `message`. On failure: InvalidArgument naming the first string field
// with invalid UTF-8 and the byte offset in it (e.g. "subscription.query is not valid UTF-8
// at byte 6"), or saying the request is not a valid encoding of the message.
absl::Status ParseRequestBytes(const std::string& bytes, google::protobuf::Message& message);

class NotifierService final : public internal::NotifierServiceBase {
 public:
  // All references must outlive the service.
  NotifierService(SubscriptionStore& subscriptions, AlertStore& alerts, AlertHub& hub,
                  WorkQueue& work, const QueryTester& tester, DeliveryQueue& deliveries,
                  const Clock& clock = Clock::Real());

  grpc::ServerUnaryReactor* CreateSubscription(grpc::CallbackServerContext* context,
                                               const grpc::ByteBuffer* request,
                                               grpc::ByteBuffer* response) override;
  grpc::Status GetSubscription(grpc::ServerContext* context,
                               const summit_alerts::v1::GetSubscriptionRequest* request,
                               summit_alerts::v1::Subscription* response) override;
  grpc::Status ListSubscriptions(grpc::ServerContext* context,
                                 const summit_alerts::v1::ListSubscriptionsRequest* request,
                                 summit_alerts::v1::ListSubscriptionsResponse* response) override;
  grpc::ServerUnaryReactor* UpdateSubscription(grpc::CallbackServerContext* context,
                                               const grpc::ByteBuffer* request,
                                               grpc::ByteBuffer* response) override;
  grpc::Status DeleteSubscription(grpc::ServerContext* context,
                                  const summit_alerts::v1::DeleteSubscriptionRequest* request,
                                  summit_alerts::v1::DeleteSubscriptionResponse* response) override;
  grpc::ServerUnaryReactor* TestQuery(grpc::CallbackServerContext* context,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override;
  grpc::Status ListDeadLetters(grpc::ServerContext* context,
                               const summit_alerts::v1::ListDeadLettersRequest* request,
                               summit_alerts::v1::ListDeadLettersResponse* response) override;
  grpc::Status ReplayDeadLetter(grpc::ServerContext* context,
                                const summit_alerts::v1::ReplayDeadLetterRequest* request,
                                summit_alerts::v1::ReplayDeadLetterResponse* response) override;
  grpc::ServerWriteReactor<summit_alerts::v1::Alert>* Subscribe(
      grpc::CallbackServerContext* context,
      const summit_alerts::v1::SubscribeRequest* request) override;

 private:
  grpc::Status DoCreate(const summit_alerts::v1::CreateSubscriptionRequest& request,
                        summit_alerts::v1::Subscription* response);
  grpc::Status DoUpdate(const summit_alerts::v1::UpdateSubscriptionRequest& request,
                        summit_alerts::v1::Subscription* response);
  grpc::Status DoTestQuery(const summit_alerts::v1::TestQueryRequest& request,
                           summit_alerts::v1::TestQueryResponse* response);

  SubscriptionStore& subscriptions_;
  AlertStore& alerts_;
  AlertHub& hub_;
  WorkQueue& work_;
  const QueryTester& tester_;
  DeliveryQueue& deliveries_;
  const Clock& clock_;  // ReplayDeadLetter's "now" (when the replayed delivery is due)
};

}  // namespace sa::notifier
