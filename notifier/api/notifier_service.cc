#include "notifier/api/notifier_service.h"

#include <algorithm>
#include <functional>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/grpc/status_convert.h"
#include "common/log/log.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"
#include "notifier/api/subscribe_session.h"
#include "notifier/rules/rule_parser.h"
#include "notifier/store/alert_store.h"

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

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::internal::WireFormatLite;

// Walks `bytes` as an encoding of `type` and names the first string field (in wire order,
// depth first) that is not valid UTF-8, with the byte offset; empty when none is found.
std::string FindInvalidUtf8Field(absl::string_view bytes, const Descriptor& type,
                                 const std::string& path, int depth) {
  if (depth > 32) return "";
  google::protobuf::io::CodedInputStream input(reinterpret_cast<const uint8_t*>(bytes.data()),
                                               static_cast<int>(bytes.size()));
  std::map<int, int> occurrences;  // index of each repeated field's next element
  for (uint32_t tag = input.ReadTag(); tag != 0; tag = input.ReadTag()) {
    const FieldDescriptor* field = type.FindFieldByNumber(WireFormatLite::GetTagFieldNumber(tag));
    if (field == nullptr ||
        WireFormatLite::GetTagWireType(tag) != WireFormatLite::WIRETYPE_LENGTH_DELIMITED ||
        (field->type() != FieldDescriptor::TYPE_STRING &&
         field->type() != FieldDescriptor::TYPE_MESSAGE)) {
      if (!WireFormatLite::SkipField(&input, tag)) return "";
      continue;
    }
    uint32_t length = 0;
    std::string value;
    if (!input.ReadVarint32(&length) || !input.ReadString(&value, static_cast<int>(length)))
      return "";
    std::string name = path.empty() ? field->name() : absl::StrCat(path, ".", field->name());
    if (field->is_repeated()) absl::StrAppend(&name, "[", occurrences[field->number()]++, "]");
    if (field->type() == FieldDescriptor::TYPE_STRING) {
      if (size_t bad = FindInvalidUtf8(value); bad != absl::string_view::npos) {
        return absl::StrCat(name, " is not valid UTF-8 at byte ", bad);
      }
    } else if (std::string found =
                   FindInvalidUtf8Field(value, *field->message_type(), name, depth + 1);
               !found.empty()) {
      return found;
    }
  }
  return "";
}

std::string ToString(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (!buffer.Dump(&slices).ok()) return bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return bytes;
}

// A unary call taken as bytes: parses the request (ParseRequestBytes), runs `handle`, and
// serializes its response into `response_bytes`; returns the call's status.
template <typename Request, typename Response, typename Handler>
grpc::Status RawUnary(const grpc::ByteBuffer& request_bytes, grpc::ByteBuffer* response_bytes,
                      Handler&& handle) {
  Request request;
  if (absl::Status parsed = ParseRequestBytes(ToString(request_bytes), request); !parsed.ok()) {
    return ToGrpcStatus(parsed);
  }
  Response response;
  grpc::Status status = handle(request, &response);
  bool own_buffer = false;
  if (status.ok()) {
    status = grpc::SerializationTraits<Response>::Serialize(response, response_bytes, &own_buffer);
  }
  return status;
}

// Serves a raw-bytes unary call on `unary`: RawUnary runs on a worker.
template <typename Request, typename Response>
grpc::ServerUnaryReactor* ServeRaw(UnaryExecutor& unary, grpc::CallbackServerContext* context,
                                   absl::string_view method, const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response,
                                   std::function<grpc::Status(const Request&, Response*)> handle) {
  return unary.Serve(context, method, [request, response, handle = std::move(handle)] {
    return RawUnary<Request, Response>(*request, response, handle);
  });
}

}  // namespace

absl::Status ParseRequestBytes(const std::string& bytes, google::protobuf::Message& message) {
  if (message.ParseFromString(bytes)) return absl::OkStatus();
  std::string bad = FindInvalidUtf8Field(bytes, *message.GetDescriptor(), "", 0);
  if (!bad.empty()) return absl::InvalidArgumentError(bad);
  return absl::InvalidArgumentError(
      absl::StrCat("the request is not a valid ", message.GetDescriptor()->full_name()));
}

NotifierService::NotifierService(SubscriptionStore& subscriptions, AlertStore& alerts,
                                 AlertHub& hub, WorkQueue& work, const QueryTester& tester,
                                 DeliveryQueue& deliveries, const Clock& clock,
                                 const UnaryExecutorOptions& unary)
    : subscriptions_(subscriptions),
      alerts_(alerts),
      hub_(hub),
      work_(work),
      tester_(tester),
      deliveries_(deliveries),
      clock_(clock),
      unary_("notifier", unary) {}

grpc::ServerUnaryReactor* NotifierService::GetSubscription(
    grpc::CallbackServerContext* context, const v1::GetSubscriptionRequest* request,
    v1::Subscription* response) {
  return unary_.Serve(context, "GetSubscription",
                      [this, request, response] { return DoGet(request, response); });
}

grpc::ServerUnaryReactor* NotifierService::ListSubscriptions(
    grpc::CallbackServerContext* context, const v1::ListSubscriptionsRequest* request,
    v1::ListSubscriptionsResponse* response) {
  return unary_.Serve(context, "ListSubscriptions",
                      [this, request, response] { return DoList(request, response); });
}

grpc::ServerUnaryReactor* NotifierService::DeleteSubscription(
    grpc::CallbackServerContext* context, const v1::DeleteSubscriptionRequest* request,
    v1::DeleteSubscriptionResponse*) {
  return unary_.Serve(context, "DeleteSubscription", [this, request] { return DoDelete(request); });
}

grpc::ServerUnaryReactor* NotifierService::ListDeadLetters(
    grpc::CallbackServerContext* context, const v1::ListDeadLettersRequest* request,
    v1::ListDeadLettersResponse* response) {
  return unary_.Serve(context, "ListDeadLetters",
                      [this, request, response] { return DoListDeadLetters(request, response); });
}

grpc::ServerUnaryReactor* NotifierService::ReplayDeadLetter(
    grpc::CallbackServerContext* context, const v1::ReplayDeadLetterRequest* request,
    v1::ReplayDeadLetterResponse* response) {
  return unary_.Serve(context, "ReplayDeadLetter",
                      [this, request, response] { return DoReplayDeadLetter(request, response); });
}

grpc::Status NotifierService::DoListDeadLetters(const v1::ListDeadLettersRequest* request,
                                                v1::ListDeadLettersResponse* response) {
  // page_size, or the deprecated limit (which keeps its old range).
  int page_size = kDefaultPageSize;
  if (request->page_size() != 0) {
    page_size = request->page_size();
    if (page_size < 1 || page_size > kMaxPageSize) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          absl::StrCat("page_size ", page_size, " is outside 1..", kMaxPageSize));
    }
  } else if (request->limit() != 0) {
    page_size = request->limit();
    if (page_size < 1 || page_size > 1000) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          absl::StrCat("limit ", request->limit(), " is outside 1..1000"));
    }
  }
  const std::string& token =
      request->page_token().empty() ? request->after_id() : request->page_token();
  if (!token.empty() && !IsValidAlertId(token)) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("page_token '", token, "' is not a dead-letter id"));
  }
  // Bounded work per call: at most kScan letters are examined (page_size when unfiltered),
  // read kChunk at a time so only a few alerts are held at once; filtering by subscription
  // may leave the page short (even empty) with a next_page_token.
  constexpr int kScan = 500, kChunk = 50;
  const bool filtered = !request->subscription_id().empty();
  const int budget = filtered ? std::max(page_size, kScan) : page_size;
  std::string cursor = token;
  int examined = 0;
  size_t bytes = 0;
  while (examined < budget) {
    const int want = std::min(kChunk, budget - examined);
    auto dead = deliveries_.ListDeadLetters("", cursor, want);
    if (!dead.ok()) {
      return Reply(absl::StatusOr<v1::ListDeadLettersResponse>(dead.status()), response,
                   "ListDeadLetters");
    }
    for (auto& letter : *dead) {
      if (!filtered || letter.alert().subscription_id() == request->subscription_id()) {
        bytes += letter.ByteSizeLong();
        if (response->dead_letters_size() == page_size ||
            (bytes > kMaxPageBytes && response->dead_letters_size() > 0)) {
          response->set_next_page_token(
              response->dead_letters(response->dead_letters_size() - 1).id());
          return grpc::Status::OK;
        }
        cursor = letter.id();
        *response->add_dead_letters() = std::move(letter);
      } else {
        cursor = letter.id();
      }
      ++examined;
    }
    if (static_cast<int>(dead->size()) < want) return grpc::Status::OK;  // the end of the stream
  }
  response->set_next_page_token(cursor);  // more may follow the last letter examined
  return grpc::Status::OK;
}

grpc::Status NotifierService::DoReplayDeadLetter(const v1::ReplayDeadLetterRequest* request,
                                                 v1::ReplayDeadLetterResponse* response) {
  if (!IsValidAlertId(request->id()) || request->id() == "0") {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("'", request->id(), "' is not a dead-letter id (MS-SEQ)"));
  }
  auto replayed = deliveries_.Replay(request->id(), clock_.Now());
  if (!replayed.ok()) {
    return Reply(absl::StatusOr<v1::ReplayDeadLetterResponse>(replayed.status()), response,
                 "ReplayDeadLetter");
  }
  response->set_delivery_id(*replayed);
  log::Info("delivery.replayed", {{"dead_letter_id", request->id()}, {"delivery_id", *replayed}});
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* NotifierService::TestQuery(grpc::CallbackServerContext* context,
                                                     const grpc::ByteBuffer* request,
                                                     grpc::ByteBuffer* response) {
  return ServeRaw<v1::TestQueryRequest, v1::TestQueryResponse>(
      unary_, context, "TestQuery", request, response,
      [this](const v1::TestQueryRequest& r, v1::TestQueryResponse* out) {
        return DoTestQuery(r, out);
      });
}

grpc::Status NotifierService::DoTestQuery(const v1::TestQueryRequest& request,
                                          v1::TestQueryResponse* response) {
  return Reply(tester_.Test(request), response, "TestQuery");
}

grpc::ServerUnaryReactor* NotifierService::CreateSubscription(grpc::CallbackServerContext* context,
                                                              const grpc::ByteBuffer* request,
                                                              grpc::ByteBuffer* response) {
  return ServeRaw<v1::CreateSubscriptionRequest, v1::Subscription>(
      unary_, context, "CreateSubscription", request, response,
      [this](const v1::CreateSubscriptionRequest& r, v1::Subscription* out) {
        return DoCreate(r, out);
      });
}

grpc::Status NotifierService::DoCreate(const v1::CreateSubscriptionRequest& request,
                                       v1::Subscription* response) {
  auto created = subscriptions_.Create(request.subscription());
  if (created.ok()) {
    log::Info("subscription.created", {{"subscription_id", created->id()},
                                       {"query", created->query()},
                                       {"owner", created->owner()}});
    created = RedactSecrets(std::move(*created));
  }
  return Reply(std::move(created), response, "CreateSubscription");
}

grpc::Status NotifierService::DoGet(const v1::GetSubscriptionRequest* request,
                                    v1::Subscription* response) {
  auto sub = subscriptions_.Get(request->id());
  if (sub.ok()) sub = RedactSecrets(std::move(*sub));
  return Reply(std::move(sub), response, "GetSubscription");
}

grpc::Status NotifierService::DoList(const v1::ListSubscriptionsRequest* request,
                                     v1::ListSubscriptionsResponse* response) {
  return Reply(ListSubscriptionsPage(subscriptions_, *request), response, "ListSubscriptions");
}

grpc::ServerUnaryReactor* NotifierService::UpdateSubscription(grpc::CallbackServerContext* context,
                                                              const grpc::ByteBuffer* request,
                                                              grpc::ByteBuffer* response) {
  return ServeRaw<v1::UpdateSubscriptionRequest, v1::Subscription>(
      unary_, context, "UpdateSubscription", request, response,
      [this](const v1::UpdateSubscriptionRequest& r, v1::Subscription* out) {
        return DoUpdate(r, out);
      });
}

grpc::Status NotifierService::DoUpdate(const v1::UpdateSubscriptionRequest& request,
                                       v1::Subscription* response) {
  if (request.subscription().id().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "subscription.id is empty");
  }
  auto updated = subscriptions_.Update(request.subscription());
  if (updated.ok()) updated = RedactSecrets(std::move(*updated));
  return Reply(std::move(updated), response, "UpdateSubscription");
}

grpc::Status NotifierService::DoDelete(const v1::DeleteSubscriptionRequest* request) {
  // The one delete every front end uses: record, alerts and delivery state.
  if (absl::Status s = subscriptions_.Delete(request->id()); !s.ok()) {
    if (s.code() != absl::StatusCode::kNotFound) {
      log::Error("rpc.failed", {{"method", "DeleteSubscription"}, {"error", s}});
    }
    return ToGrpcStatus(s);
  }
  log::Info("subscription.deleted", {{"subscription_id", request->id()}});
  return grpc::Status::OK;
}

grpc::ServerWriteReactor<v1::Alert>* NotifierService::Subscribe(
    grpc::CallbackServerContext*, const v1::SubscribeRequest* request) {
  return SubscribeSession::Create({subscriptions_, alerts_, hub_, work_}, *request);
}

}  // namespace sa::notifier
