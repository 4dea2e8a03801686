// A fixed pool of threads running queued jobs in FIFO order. For blocking work (Redis calls)
// that must not run on gRPC reactor callbacks.
#pragma once

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace sa {

class WorkQueue {
 public:
  explicit WorkQueue(int threads);
  // Runs the jobs already queued, then joins the threads.
  ~WorkQueue();

  // Queues `job`. Jobs scheduled after shutdown began are dropped.
  void Schedule(std::function<void()> job);

 private:
  void Loop();

  absl::Mutex mu_;
  std::deque<std::function<void()>> jobs_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace sa
