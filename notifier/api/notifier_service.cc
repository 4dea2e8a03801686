#include "absl/strings/string_view.h"
#include "notifier/api/notifier_service.h"

#include "common/grpc/status_convert.h"
#include "common/log/log.h"
#include "notifier/api/subscribe_session.h"

namespace sa::notifier {

namespace v1 = summit_alerts::v1;

namespace {

// Copies the value or maps the error, logging unexpected ones (not client mistakes).
template <typename T, typename Out>
grpc::Status Reply(absl::StatusOr<T> result, Out* out, absl::string_view method) {
  if (!result.ok()) {
    auto code = result.status().code();
    if (code != absl::StatusCode::kInvalidArgument && code != absl::StatusCode::kNotFound) {
      log::Error("rpc.failed", {{"method", method}, {"error", result.status()}});
    }
    return ToGrpcStatus(result.status());
  }
  *out = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace

NotifierService::NotifierService(SubscriptionStore& subscriptions, AlertStore& alerts,
                                 AlertHub& hub, WorkQueue& work, const QueryTester& tester)
    : subscriptions_(subscriptions), alerts_(alerts), hub_(hub), work_(work), tester_(tester) {}

grpc::Status NotifierService::TestQuery(grpc::ServerContext*, const v1::TestQueryRequest* request,
                                        v1::TestQueryResponse* response) {
  return Reply(tester_.Test(*request), response, "TestQuery");
}

grpc::Status NotifierService::CreateSubscription(grpc::ServerContext*,
                                                 const v1::CreateSubscriptionRequest* request,
                                                 v1::Subscription* response) {
  auto created = subscriptions_.Create(request->subscription());
  if (created.ok()) {
    log::Info("subscription.created", {{"subscription_id", created->id()}, {"query", created->query()},
                                       {"owner", created->owner()}});
  }
  return Reply(std::move(created), response, "CreateSubscription");
}

grpc::Status NotifierService::GetSubscription(grpc::ServerContext*,
                                              const v1::GetSubscriptionRequest* request,
                                              v1::Subscription* response) {
  return Reply(subscriptions_.Get(request->id()), response, "GetSubscription");
}

grpc::Status NotifierService::ListSubscriptions(grpc::ServerContext*,
                                                const v1::ListSubscriptionsRequest* request,
                                                v1::ListSubscriptionsResponse* response) {
  auto subs = subscriptions_.List(request->owner());
  if (!subs.ok()) return Reply(absl::StatusOr<v1::ListSubscriptionsResponse>(subs.status()), response, "ListSubscriptions");
  for (auto& s : *subs) *response->add_subscriptions() = std::move(s);
  return grpc::Status::OK;
}

grpc::Status NotifierService::UpdateSubscription(grpc::ServerContext*,
                                                 const v1::UpdateSubscriptionRequest* request,
                                                 v1::Subscription* response) {
  if (request->subscription().id().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "subscription.id is empty");
  }
  return Reply(subscriptions_.Update(request->subscription()), response, "UpdateSubscription");
}

grpc::Status NotifierService::DeleteSubscription(grpc::ServerContext*,
                                                 const v1::DeleteSubscriptionRequest* request,
                                                 v1::DeleteSubscriptionResponse*) {
  if (absl::Status s = subscriptions_.Delete(request->id()); !s.ok()) return ToGrpcStatus(s);
  if (absl::Status s = alerts_.DeleteAll(request->id()); !s.ok()) {
    log::Warning("subscription.alerts_not_deleted", {{"subscription_id", request->id()}, {"error", s}});
  }
  log::Info("subscription.deleted", {{"subscription_id", request->id()}});
  return grpc::Status::OK;
}

grpc::ServerWriteReactor<v1::Alert>* NotifierService::Subscribe(
    grpc::CallbackServerContext*, const v1::SubscribeRequest* request) {
  return SubscribeSession::Create({subscriptions_, alerts_, hub_, work_}, *request);
}

}  // namespace sa::notifier
