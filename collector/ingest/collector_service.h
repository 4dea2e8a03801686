// The gRPC face of the collector: maps requests onto the Ingester and Status onto gRPC codes.
// The unary RPCs (Ingest and the feed calls) use gRPC's callback API and run on the service's
// UnaryExecutor (common/grpc/unary_executor.h): a burst waits in its bounded queue, and only a
// full queue is refused (RESOURCE_EXHAUSTED with retry advice). IngestStream stays on the
// synchronous API (one thread per stream, back-pressure through flow control).
//
// Authentication (docs/SECURITY.md): with an enabled Authenticator every call needs a bearer
// token with scope `ingest` (or `admin`), checked before any work: UNAUTHENTICATED without a
// valid one, PERMISSION_DENIED with one that lacks the scope.
#pragma once

#include "collector/feeds/feed_store.h"
#include "collector/ingest/ingester.h"
#include "common/auth/authenticator.h"
#include "common/grpc/unary_executor.h"
#include "summit_alerts/v1/collector.grpc.pb.h"

namespace sa::collector {

namespace internal {
namespace v1g = summit_alerts::v1;
using CollectorServiceBase = v1g::Collector::WithCallbackMethod_Ingest<
    v1g::Collector::WithCallbackMethod_AddFeed<v1g::Collector::WithCallbackMethod_ListFeeds<
        v1g::Collector::WithCallbackMethod_RemoveFeed<v1g::Collector::Service>>>>;
}  // namespace internal

class CollectorService final : public internal::CollectorServiceBase {
 public:
  // `feeds` may be null: the feed RPCs then answer UNIMPLEMENTED. `unary` sizes the service's
  // workers and queue for unary calls. Shut the gRPC server down before destroying the service
  // (its Shutdown waits for the unary calls in flight). `auth` null: no authentication.
  explicit CollectorService(Ingester& ingester, feeds::FeedStore* feeds = nullptr,
                            const Clock& clock = Clock::Real(),
                            const UnaryExecutorOptions& unary = {},
                            const auth::Authenticator* auth = nullptr)
      : ingester_(ingester),
        feeds_(feeds),
        clock_(clock),
        auth_(auth != nullptr ? *auth : auth_off_),
        unary_("collector", unary) {}

  // Unary calls refused so far because the queue was full.
  int64_t refused_calls() const { return unary_.refused(); }

  grpc::ServerUnaryReactor* Ingest(grpc::CallbackServerContext* context,
                                   const summit_alerts::v1::IngestRequest* request,
                                   summit_alerts::v1::IngestResponse* response) override;

  grpc::Status IngestStream(grpc::ServerContext* context,
                            grpc::ServerReader<summit_alerts::v1::IngestRequest>* reader,
                            summit_alerts::v1::IngestSummary* summary) override;

  grpc::ServerUnaryReactor* AddFeed(grpc::CallbackServerContext* context,
                                    const summit_alerts::v1::AddFeedRequest* request,
                                    summit_alerts::v1::Feed* response) override;
  grpc::ServerUnaryReactor* ListFeeds(grpc::CallbackServerContext* context,
                                      const summit_alerts::v1::ListFeedsRequest* request,
                                      summit_alerts::v1::ListFeedsResponse* response) override;
  grpc::ServerUnaryReactor* RemoveFeed(grpc::CallbackServerContext* context,
                                       const summit_alerts::v1::RemoveFeedRequest* request,
                                       summit_alerts::v1::RemoveFeedResponse* response) override;

 private:
  // Serves a unary call on unary_: the caller must hold `ingest`, then `work()` runs.
  grpc::ServerUnaryReactor* ServeAuthorized(grpc::CallbackServerContext* context,
                                            absl::string_view method,
                                            std::function<grpc::Status()> work);
  // OK, or the status refusing the caller of `metadata` (no `ingest` scope).
  grpc::Status Authorize(const grpc::ServerContextBase& context, absl::string_view method) const;

  // The calls' work, on a worker of unary_. `peer` names the client in log lines.
  grpc::Status DoIngest(const summit_alerts::v1::IngestRequest& request,
                        summit_alerts::v1::IngestResponse* response, const std::string& peer);
  grpc::Status DoAddFeed(const summit_alerts::v1::AddFeedRequest& request,
                         summit_alerts::v1::Feed* response, const std::string& peer);
  grpc::Status DoListFeeds(const summit_alerts::v1::ListFeedsRequest& request,
                           summit_alerts::v1::ListFeedsResponse* response);
  grpc::Status DoRemoveFeed(const summit_alerts::v1::RemoveFeedRequest& request,
                            const std::string& peer);

  Ingester& ingester_;
  feeds::FeedStore* feeds_;
  const Clock& clock_;
  const auth::Authenticator auth_off_{nullptr};
  const auth::Authenticator& auth_;  // the one given, else auth_off_
  UnaryExecutor unary_;              // last: drained before the members its calls use are destroyed
};

}  // namespace sa::collector
