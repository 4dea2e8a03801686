// The gRPC face of the collector: maps requests onto the Ingester and Status onto gRPC codes.
#pragma once

#include "collector/feeds/feed_store.h"
#include "collector/ingest/ingester.h"
#include "summit_alerts/v1/collector.grpc.pb.h"

namespace sa::collector {

class CollectorService final : public summit_alerts::v1::Collector::Service {
 public:
  // `feeds` may be null: the feed RPCs then answer UNIMPLEMENTED.
  explicit CollectorService(Ingester& ingester, feeds::FeedStore* feeds = nullptr,
                            const Clock& clock = Clock::Real())
      : ingester_(ingester), feeds_(feeds), clock_(clock) {}

  grpc::Status Ingest(grpc::ServerContext* context,
                      const summit_alerts::v1::IngestRequest* request,
                      summit_alerts::v1::IngestResponse* response) override;

  grpc::Status IngestStream(grpc::ServerContext* context,
                            grpc::ServerReader<summit_alerts::v1::IngestRequest>* reader,
                            summit_alerts::v1::IngestSummary* summary) override;

  grpc::Status AddFeed(grpc::ServerContext* context,
                       const summit_alerts::v1::AddFeedRequest* request,
                       summit_alerts::v1::Feed* response) override;
  grpc::Status ListFeeds(grpc::ServerContext* context,
                         const summit_alerts::v1::ListFeedsRequest* request,
                         summit_alerts::v1::ListFeedsResponse* response) override;
  grpc::Status RemoveFeed(grpc::ServerContext* context,
                          const summit_alerts::v1::RemoveFeedRequest* request,
                          summit_alerts::v1::RemoveFeedResponse* response) override;

 private:
  Ingester& ingester_;
  feeds::FeedStore* feeds_;
  const Clock& clock_;
};

}  // namespace sa::collector
