// The gRPC face of the collector: maps requests onto the Ingester and Status onto gRPC codes.
#pragma once

#include "collector/ingest/ingester.h"
#include "summit_alerts/v1/collector.grpc.pb.h"

namespace sa::collector {

class CollectorService final : public summit_alerts::v1::Collector::Service {
 public:
  explicit CollectorService(Ingester& ingester) : ingester_(ingester) {}

  grpc::Status Ingest(grpc::ServerContext* context,
                      const summit_alerts::v1::IngestRequest* request,
                      summit_alerts::v1::IngestResponse* response) override;

  grpc::Status IngestStream(grpc::ServerContext* context,
                            grpc::ServerReader<summit_alerts::v1::IngestRequest>* reader,
                            summit_alerts::v1::IngestSummary* summary) override;

 private:
  Ingester& ingester_;
};

}  // namespace sa::collector
