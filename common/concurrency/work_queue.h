// A fixed pool of threads running queued jobs in FIFO order. For blocking work (Redis calls)
// that must not run on gRPC reactor callbacks.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace sa {

class WorkQueue {
 public:
  // `threads` (at least 1) run the jobs. `max_queued` bounds the jobs waiting for a thread
  // (not those running) for TrySchedule; 0: no bound.
  explicit WorkQueue(int threads, size_t max_queued = 0);
  // Refuses new jobs, runs every job already queued, then joins the threads.
  ~WorkQueue();

  // Queues `job`. Jobs scheduled after shutdown began are dropped; ignores `max_queued`.
  void Schedule(std::function<void()> job);

  // Queues `job` unless `max_queued` jobs are already waiting (ResourceExhausted) or shutdown
  // began (Unavailable). A job that was accepted always runs, once; a refused one is destroyed
  // unrun, so the caller answers for it.
  absl::Status TrySchedule(std::function<void()> job);

  // Jobs waiting for a thread now.
  size_t queued() const;
  size_t max_queued() const { return max_queued_; }

 private:
  void Loop();

  const size_t max_queued_;
  mutable absl::Mutex mu_;
  std::deque<std::function<void()>> jobs_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace sa
