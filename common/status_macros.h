// Status propagation macros (Abseil 20220623 ships none).
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define SA_CONCAT_INNER_(a, b) a##b
#define SA_CONCAT_(a, b) SA_CONCAT_INNER_(a, b)

// Returns from the current function with `expr`'s status when it is not OK.
#define SA_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::absl::Status sa_status_ = (expr);      \
    if (!sa_status_.ok()) return sa_status_; \
  } while (0)

// `SA_ASSIGN_OR_RETURN(auto x, StatusOrExpr());` declares/assigns x or returns the error.
#define SA_ASSIGN_OR_RETURN(lhs, expr) \
  SA_ASSIGN_OR_RETURN_IMPL_(SA_CONCAT_(sa_statusor_, __LINE__), lhs, expr)
#define SA_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
