#include "collector/ingest/collector_service.h"

#include "absl/strings/str_cat.h"
#include "common/grpc/status_convert.h"
#include "common/log/log.h"

namespace sa::collector {

using summit_alerts::v1::IngestRequest;

grpc::Status CollectorService::Authorize(const grpc::ServerContextBase& context,
                                         absl::string_view method) const {
  absl::StatusOr<auth::Identity> caller = auth_.Authorize(context, auth::kIngest, method);
  if (caller.ok()) return grpc::Status::OK;
  if (caller.status().code() != absl::StatusCode::kUnauthenticated &&
      caller.status().code() != absl::StatusCode::kPermissionDenied) {
    log::Error("rpc.auth_failed", {{"method", method}, {"error", caller.status()}});
  }
  return ToGrpcStatus(caller.status());
}

grpc::ServerUnaryReactor* CollectorService::ServeAuthorized(grpc::CallbackServerContext* context,
                                                            absl::string_view method,
                                                            std::function<grpc::Status()> work) {
  // On the worker: verifying a token reads Redis.
  return unary_.Serve(context, method, [this, context, method, work = std::move(work)] {
    grpc::Status allowed = Authorize(*context, method);
    return allowed.ok() ? work() : allowed;
  });
}

grpc::ServerUnaryReactor* CollectorService::Ingest(grpc::CallbackServerContext* context,
                                                   const IngestRequest* request,
                                                   summit_alerts::v1::IngestResponse* response) {
  return ServeAuthorized(context, "Ingest", [this, context, request, response] {
    return DoIngest(*request, response, context->peer());
  });
}

grpc::ServerUnaryReactor* CollectorService::AddFeed(
    grpc::CallbackServerContext* context, const summit_alerts::v1::AddFeedRequest* request,
    summit_alerts::v1::Feed* response) {
  return ServeAuthorized(context, "AddFeed", [this, context, request, response] {
    return DoAddFeed(*request, response, context->peer());
  });
}

grpc::ServerUnaryReactor* CollectorService::ListFeeds(
    grpc::CallbackServerContext* context, const summit_alerts::v1::ListFeedsRequest* request,
    summit_alerts::v1::ListFeedsResponse* response) {
  return ServeAuthorized(context, "ListFeeds",
                         [this, request, response] { return DoListFeeds(*request, response); });
}

grpc::ServerUnaryReactor* CollectorService::RemoveFeed(
    grpc::CallbackServerContext* context, const summit_alerts::v1::RemoveFeedRequest* request,
    summit_alerts::v1::RemoveFeedResponse*) {
  return ServeAuthorized(context, "RemoveFeed", [this, context, request] {
    return DoRemoveFeed(*request, context->peer());
  });
}

grpc::Status CollectorService::DoIngest(const IngestRequest& request,
                                        summit_alerts::v1::IngestResponse* response,
                                        const std::string& peer) {
  if (!request.has_article()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "request.article is missing");
  }
  auto result = ingester_.Ingest(request.article());
  if (!result.ok()) {
    if (result.status().code() != absl::StatusCode::kInvalidArgument) {
      log::Error("ingest.failed", {{"error", result.status()}, {"peer", peer}});
    }
    return ToGrpcStatus(result.status());
  }
  *response = std::move(*result);
  return grpc::Status::OK;
}

grpc::Status CollectorService::IngestStream(grpc::ServerContext* context,
                                            grpc::ServerReader<IngestRequest>* reader,
                                            summit_alerts::v1::IngestSummary* summary) {
  if (grpc::Status allowed = Authorize(*context, "IngestStream"); !allowed.ok()) {
    return allowed;
  }
  IngestRequest request;
  uint32_t index = 0;
  // Reading one item at a time gives back-pressure through gRPC flow control.
  for (; reader->Read(&request); ++index) {
    summary->set_received(summary->received() + 1);
    auto* item = summary->add_results();
    item->set_index(index);
    absl::StatusOr<summit_alerts::v1::IngestResponse> result =
        request.has_article() ? ingester_.Ingest(request.article())
                              : absl::InvalidArgumentError("request.article is missing");
    if (!result.ok()) {
      item->set_code(static_cast<int32_t>(result.status().code()));
      item->set_error(std::string(result.status().message()));
      if (result.status().code() == absl::StatusCode::kInvalidArgument) {
        summary->set_rejected(summary->rejected() + 1);
        continue;
      }
      // Redis trouble: stop here. Ingest is idempotent, so the client can resend everything.
      log::Error("ingest_stream.aborted", {{"index", index}, {"error", result.status()}});
      return grpc::Status(
          static_cast<grpc::StatusCode>(result.status().code()),
          absl::StrCat("item ", index, ": ", result.status().message(), " (", summary->published(),
                       " published before; resending is "
                       "safe, duplicates are recognised)"));
    }
    item->set_event_id(result->event_id());
    item->set_duplicate(result->duplicate());
    if (result->duplicate()) {
      summary->set_duplicates(summary->duplicates() + 1);
    } else {
      summary->set_published(summary->published() + 1);
    }
  }
  return grpc::Status::OK;
}

namespace {
const grpc::Status kNoFeeds(grpc::StatusCode::UNIMPLEMENTED, "this collector does not poll feeds");
}  // namespace

grpc::Status CollectorService::DoAddFeed(const summit_alerts::v1::AddFeedRequest& request,
                                         summit_alerts::v1::Feed* response,
                                         const std::string& peer) {
  if (feeds_ == nullptr) return kNoFeeds;
  auto feed = feeds_->Add(request, clock_.Now());
  if (!feed.ok()) return ToGrpcStatus(feed.status());
  log::Info("feed.added", {{"feed", feed->id()}, {"url", feed->url()}, {"peer", peer}});
  *response = std::move(*feed);
  return grpc::Status::OK;
}

grpc::Status CollectorService::DoListFeeds(const summit_alerts::v1::ListFeedsRequest& request,
                                           summit_alerts::v1::ListFeedsResponse* response) {
  if (feeds_ == nullptr) return kNoFeeds;
  constexpr uint32_t kDefaultPageSize = 100;
  const uint32_t size = request.page_size() == 0 ? kDefaultPageSize : request.page_size();
  auto page =
      feeds_->ListPage(request.page_token(),
                       static_cast<int>(std::min<uint32_t>(size, feeds::FeedStore::kMaxPageSize)));
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (auto& feed : page->feeds) *response->add_feeds() = std::move(feed);
  response->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

grpc::Status CollectorService::DoRemoveFeed(const summit_alerts::v1::RemoveFeedRequest& request,
                                            const std::string& peer) {
  if (feeds_ == nullptr) return kNoFeeds;
  if (request.id().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "request.id (feed id or URL) is empty");
  }
  absl::Status removed = feeds_->Remove(request.id());
  if (removed.ok()) log::Info("feed.removed", {{"feed", request.id()}, {"peer", peer}});
  return ToGrpcStatus(removed);
}

}  // namespace sa::collector
