#include "notifier/api/notifier_service.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <map>

#include "absl/strings/numbers.h"
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

// The status that ends a call whose caller failed authentication or authorization; Redis
// trouble while verifying is logged.
grpc::Status Refused(const absl::Status& status, absl::string_view method) {
  if (status.code() != absl::StatusCode::kUnauthenticated &&
      status.code() != absl::StatusCode::kPermissionDenied) {
    log::Error("rpc.auth_failed", {{"method", method}, {"error", status}});
  }
  return ToGrpcStatus(status);
}

// Serves a raw-bytes unary call on `unary`: on a worker, `authorize` first (before the request
// is even parsed), then RawUnary with the caller's identity.
template <typename Request, typename Response>
grpc::ServerUnaryReactor* ServeRaw(
    UnaryExecutor& unary, grpc::CallbackServerContext* context, absl::string_view method,
    const grpc::ByteBuffer* request, grpc::ByteBuffer* response,
    std::function<absl::StatusOr<auth::Identity>()> authorize,
    std::function<grpc::Status(const auth::Identity&, const Request&, Response*)> handle) {
  return unary.Serve(
      context, method,
      [method, request, response, authorize = std::move(authorize), handle = std::move(handle)] {
        absl::StatusOr<auth::Identity> caller = authorize();
        if (!caller.ok()) return Refused(caller.status(), method);
        return RawUnary<Request, Response>(
            *request, response,
            [&](const Request& r, Response* out) { return handle(*caller, r, out); });
      });
}

// The stream id just before `id` ("MS-SEQ"), so reading "after" it starts at `id` itself.
std::string PreviousStreamId(const std::string& id) {
  size_t dash = id.find('-');
  uint64_t ms = 0, seq = 0;
  if (dash == std::string::npos) {
    if (!absl::SimpleAtoi(id, &ms)) return id;
  } else if (!absl::SimpleAtoi(id.substr(0, dash), &ms) ||
             !absl::SimpleAtoi(id.substr(dash + 1), &seq)) {
    return id;
  }
  if (seq > 0) return absl::StrCat(ms, "-", seq - 1);
  if (ms == 0) return "0";
  return absl::StrCat(ms - 1, "-", std::numeric_limits<uint64_t>::max());
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
                                 const UnaryExecutorOptions& unary, const auth::Authenticator* auth)
    : subscriptions_(subscriptions),
      alerts_(alerts),
      hub_(hub),
      work_(work),
      tester_(tester),
      deliveries_(deliveries),
      clock_(clock),
      auth_(auth != nullptr ? *auth : auth_off_),
      owned_(subscriptions),
      unary_("notifier", unary) {}

absl::StatusOr<auth::Identity> NotifierService::Caller(grpc::CallbackServerContext* context,
                                                       absl::string_view method) {
  return auth_.Authorize(*context, auth::kSubscribe, method);
}

absl::StatusOr<v1::Subscription> NotifierService::GetOwned(const Identity& caller,
                                                           const std::string& id) {
  return owned_.GetUnredacted(caller, id);
}

template <typename Handler>
grpc::ServerUnaryReactor* NotifierService::ServeAuthorized(grpc::CallbackServerContext* context,
                                                           absl::string_view method,
                                                           Handler handler) {
  return unary_.Serve(context, method, [this, context, method, handler = std::move(handler)] {
    absl::StatusOr<Identity> caller = Caller(context, method);
    if (!caller.ok()) return Refused(caller.status(), method);
    return handler(*caller);
  });
}

grpc::ServerUnaryReactor* NotifierService::GetSubscription(
    grpc::CallbackServerContext* context, const v1::GetSubscriptionRequest* request,
    v1::Subscription* response) {
  return ServeAuthorized(context, "GetSubscription",
                         [this, request, response](const Identity& caller) {
                           return DoGet(caller, request, response);
                         });
}

grpc::ServerUnaryReactor* NotifierService::ListSubscriptions(
    grpc::CallbackServerContext* context, const v1::ListSubscriptionsRequest* request,
    v1::ListSubscriptionsResponse* response) {
  return ServeAuthorized(context, "ListSubscriptions",
                         [this, request, response](const Identity& caller) {
                           return DoList(caller, request, response);
                         });
}

grpc::ServerUnaryReactor* NotifierService::DeleteSubscription(
    grpc::CallbackServerContext* context, const v1::DeleteSubscriptionRequest* request,
    v1::DeleteSubscriptionResponse*) {
  return ServeAuthorized(context, "DeleteSubscription", [this, request](const Identity& caller) {
    return DoDelete(caller, request);
  });
}

grpc::ServerUnaryReactor* NotifierService::ListDeadLetters(
    grpc::CallbackServerContext* context, const v1::ListDeadLettersRequest* request,
    v1::ListDeadLettersResponse* response) {
  return ServeAuthorized(context, "ListDeadLetters",
                         [this, request, response](const Identity& caller) {
                           return DoListDeadLetters(caller, request, response);
                         });
}

grpc::ServerUnaryReactor* NotifierService::ReplayDeadLetter(
    grpc::CallbackServerContext* context, const v1::ReplayDeadLetterRequest* request,
    v1::ReplayDeadLetterResponse* response) {
  return ServeAuthorized(context, "ReplayDeadLetter",
                         [this, request, response](const Identity& caller) {
                           return DoReplayDeadLetter(caller, request, response);
                         });
}

grpc::Status NotifierService::DoListDeadLetters(const Identity& caller,
                                                const v1::ListDeadLettersRequest* request,
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
  // A caller who is not an admin sees only the letters of their own subscriptions: another
  // owner's subscription id answers NOT_FOUND, and an unfiltered walk skips the others'.
  if (!request->subscription_id().empty() && !caller.is_admin()) {
    if (auto owned = GetOwned(caller, request->subscription_id()); !owned.ok()) {
      return Reply(absl::StatusOr<v1::ListDeadLettersResponse>(owned.status()), response,
                   "ListDeadLetters");
    }
  }
  const bool owner_filtered = !caller.is_admin();
  std::map<std::string, bool> own;  // subscription id -> the caller's (deleted: not)
  auto visible = [&](const v1::DeadLetter& letter) -> absl::StatusOr<bool> {
    const std::string& sub = letter.alert().subscription_id();
    if (!request->subscription_id().empty() && sub != request->subscription_id()) return false;
    if (!owner_filtered) return true;
    auto known = own.find(sub);
    if (known != own.end()) return known->second;
    absl::StatusOr<v1::Subscription> found = subscriptions_.Get(sub);
    if (!found.ok() && found.status().code() != absl::StatusCode::kNotFound) {
      return found.status();
    }
    return own[sub] = found.ok() && caller.MayActFor(found->owner());
  };
  const bool filtered = !request->subscription_id().empty() || owner_filtered;
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
      absl::StatusOr<bool> shown = visible(letter);
      if (!shown.ok()) {
        return Reply(absl::StatusOr<v1::ListDeadLettersResponse>(shown.status()), response,
                     "ListDeadLetters");
      }
      if (*shown) {
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

grpc::Status NotifierService::DoReplayDeadLetter(const Identity& caller,
                                                 const v1::ReplayDeadLetterRequest* request,
                                                 v1::ReplayDeadLetterResponse* response) {
  if (!IsValidAlertId(request->id()) || request->id() == "0") {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("'", request->id(), "' is not a dead-letter id (MS-SEQ)"));
  }
  if (!caller.is_admin()) {
    // Only a letter of the caller's own subscription: read it (the one letter after its
    // predecessor id) and check the owner; someone else's answers as a missing one does.
    absl::Status owned =
        absl::NotFoundError(absl::StrCat("no dead letter with id '", request->id(), "'"));
    auto letters = deliveries_.ListDeadLetters("", PreviousStreamId(request->id()), 1);
    if (!letters.ok()) {
      return Reply(absl::StatusOr<v1::ReplayDeadLetterResponse>(letters.status()), response,
                   "ReplayDeadLetter");
    }
    if (!letters->empty() && (*letters)[0].id() == request->id()) {
      auto sub = GetOwned(caller, (*letters)[0].alert().subscription_id());
      if (sub.ok()) {
        owned = absl::OkStatus();
      } else if (sub.status().code() != absl::StatusCode::kNotFound) {
        owned = sub.status();
      }
    }
    if (!owned.ok()) {
      return Reply(absl::StatusOr<v1::ReplayDeadLetterResponse>(owned), response,
                   "ReplayDeadLetter");
    }
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
      [this, context] { return Caller(context, "TestQuery"); },
      [this](const Identity&, const v1::TestQueryRequest& r, v1::TestQueryResponse* out) {
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
      [this, context] { return Caller(context, "CreateSubscription"); },
      [this](const Identity& caller, const v1::CreateSubscriptionRequest& r,
             v1::Subscription* out) { return DoCreate(caller, r, out); });
}

grpc::Status NotifierService::DoCreate(const Identity& caller,
                                       const v1::CreateSubscriptionRequest& request,
                                       v1::Subscription* response) {
  // The owner is the caller's; an admin may create for the owner the request names.
  auto created = owned_.Create(caller, request.subscription());
  if (created.ok()) {
    log::Info("subscription.created", {{"subscription_id", created->id()},
                                       {"query", created->query()},
                                       {"owner", created->owner()}});
  }
  return Reply(std::move(created), response, "CreateSubscription");
}

grpc::Status NotifierService::DoGet(const Identity& caller,
                                    const v1::GetSubscriptionRequest* request,
                                    v1::Subscription* response) {
  return Reply(owned_.Get(caller, request->id()), response, "GetSubscription");
}

grpc::Status NotifierService::DoList(const Identity& caller,
                                     const v1::ListSubscriptionsRequest* request,
                                     v1::ListSubscriptionsResponse* response) {
  return Reply(owned_.List(caller, *request), response, "ListSubscriptions");
}

grpc::ServerUnaryReactor* NotifierService::UpdateSubscription(grpc::CallbackServerContext* context,
                                                              const grpc::ByteBuffer* request,
                                                              grpc::ByteBuffer* response) {
  return ServeRaw<v1::UpdateSubscriptionRequest, v1::Subscription>(
      unary_, context, "UpdateSubscription", request, response,
      [this, context] { return Caller(context, "UpdateSubscription"); },
      [this](const Identity& caller, const v1::UpdateSubscriptionRequest& r,
             v1::Subscription* out) { return DoUpdate(caller, r, out); });
}

grpc::Status NotifierService::DoUpdate(const Identity& caller,
                                       const v1::UpdateSubscriptionRequest& request,
                                       v1::Subscription* response) {
  // Only the caller's own (an admin's: any); the owner stays the caller's, and an admin who
  // names no owner keeps the stored one.
  return Reply(owned_.Update(caller, request.subscription()), response, "UpdateSubscription");
}

grpc::Status NotifierService::DoDelete(const Identity& caller,
                                       const v1::DeleteSubscriptionRequest* request) {
  absl::Status s = owned_.Delete(caller, request->id());
  if (!s.ok()) {
    if (s.code() != absl::StatusCode::kNotFound) {
      log::Error("rpc.failed", {{"method", "DeleteSubscription"}, {"error", s}});
    }
    return ToGrpcStatus(s);
  }
  log::Info("subscription.deleted", {{"subscription_id", request->id()}});
  return grpc::Status::OK;
}

grpc::ServerWriteReactor<v1::Alert>* NotifierService::Subscribe(
    grpc::CallbackServerContext* context, const v1::SubscribeRequest* request) {
  SubscribeSession::Deps deps{subscriptions_, alerts_, hub_, work_};
  if (auth_.enabled()) {
    // The credentials (token, client certificate) are taken from the context here and verified
    // on the stream's first fetch (a Redis read, so on the work queue), before the subscription
    // is even looked up.
    auth::CallCredentials credentials = auth::CredentialsOf(*context);
    // Captures what outlives the service (the app's authenticator and store), not `this`: a
    // fetch may still run while the server shuts down.
    deps.authorize = [auth = &auth_, subscriptions = &subscriptions_,
                      credentials = std::move(credentials),
                      id = request->subscription_id()]() -> absl::Status {
      absl::StatusOr<Identity> caller = auth->Authorize(credentials, auth::kSubscribe, "Subscribe");
      if (!caller.ok()) return caller.status();
      return OwnedSubscriptions(*subscriptions).GetUnredacted(*caller, id).status();
    };
  }
  return SubscribeSession::Create(std::move(deps), *request);
}

}  // namespace sa::notifier
