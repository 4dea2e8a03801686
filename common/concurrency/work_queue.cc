#include "common/concurrency/work_queue.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace sa {

WorkQueue::WorkQueue(int threads, size_t max_queued) : max_queued_(max_queued) {
  for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { Loop(); });
}

WorkQueue::~WorkQueue() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& t : threads_) t.join();
}

void WorkQueue::Schedule(std::function<void()> job) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return;
  jobs_.push_back(std::move(job));
}

absl::Status WorkQueue::TrySchedule(std::function<void()> job) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return absl::UnavailableError("the work queue is shutting down");
  if (max_queued_ > 0 && jobs_.size() >= max_queued_) {
    return absl::ResourceExhaustedError(
        absl::StrCat(jobs_.size(), " jobs already wait for ", threads_.size(), " threads"));
  }
  jobs_.push_back(std::move(job));
  return absl::OkStatus();
}

size_t WorkQueue::queued() const {
  absl::MutexLock lock(&mu_);
  return jobs_.size();
}

void WorkQueue::Loop() {
  while (true) {
    std::function<void()> job;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](WorkQueue* q)
               ABSL_NO_THREAD_SAFETY_ANALYSIS { return q->stopping_ || !q->jobs_.empty(); },
          this));
      if (jobs_.empty()) return;  // stopping and drained
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

}  // namespace sa
