// The one place where absl::Status becomes grpc::Status (handlers answer with it).
#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace sa {

inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

}  // namespace sa
