// The gRPC face of the notifier: subscription CRUD, TestQuery and dead letters (sync API), and
// Subscribe (callback API, one SubscribeSession reactor per stream).
#pragma once

#include "common/concurrency/work_queue.h"
#include "notifier/api/alert_hub.h"
#include "notifier/api/query_tester.h"
#include "notifier/deliver/delivery_queue.h"
#include "notifier/store/alert_store.h"
#include "notifier/store/subscription_store.h"
#include "summit_alerts/v1/notifier.grpc.pb.h"

namespace sa::notifier {

class NotifierService final
    : public summit_alerts::v1::Notifier::WithCallbackMethod_Subscribe<
          summit_alerts::v1::Notifier::Service> {
 public:
  // All references must outlive the service.
  NotifierService(SubscriptionStore& subscriptions, AlertStore& alerts, AlertHub& hub,
                  WorkQueue& work, const QueryTester& tester, DeliveryQueue& deliveries);

  grpc::Status CreateSubscription(grpc::ServerContext* context,
                                  const summit_alerts::v1::CreateSubscriptionRequest* request,
                                  summit_alerts::v1::Subscription* response) override;
  grpc::Status GetSubscription(grpc::ServerContext* context,
                               const summit_alerts::v1::GetSubscriptionRequest* request,
                               summit_alerts::v1::Subscription* response) override;
  grpc::Status ListSubscriptions(grpc::ServerContext* context,
                                 const summit_alerts::v1::ListSubscriptionsRequest* request,
                                 summit_alerts::v1::ListSubscriptionsResponse* response) override;
  grpc::Status UpdateSubscription(grpc::ServerContext* context,
                                  const summit_alerts::v1::UpdateSubscriptionRequest* request,
                                  summit_alerts::v1::Subscription* response) override;
  grpc::Status DeleteSubscription(grpc::ServerContext* context,
                                  const summit_alerts::v1::DeleteSubscriptionRequest* request,
                                  summit_alerts::v1::DeleteSubscriptionResponse* response) override;
  grpc::Status TestQuery(grpc::ServerContext* context,
                         const summit_alerts::v1::TestQueryRequest* request,
                         summit_alerts::v1::TestQueryResponse* response) override;
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
  SubscriptionStore& subscriptions_;
  AlertStore& alerts_;
  AlertHub& hub_;
  WorkQueue& work_;
  const QueryTester& tester_;
  DeliveryQueue& deliveries_;
};

}  // namespace sa::notifier
