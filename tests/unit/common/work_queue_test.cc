// WorkQueue: FIFO jobs on a fixed pool, the bound on waiting jobs, and shutdown that runs every
// accepted job exactly once.
#include "common/concurrency/work_queue.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "tests/support/status_matchers.h"

namespace sa {
namespace {

using ::sa::testing::IsOk;
using ::sa::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Occupies one worker of `queue` until Release().
class Blocker {
 public:
  explicit Blocker(WorkQueue& queue) {
    queue.Schedule([this] {
      started_.Notify();
      release_.WaitForNotification();
    });
    started_.WaitForNotification();
  }
  void Release() { release_.Notify(); }

 private:
  absl::Notification started_, release_;
};

TEST(WorkQueueTest, RunsJobsInOrderOnOneThread) {
  absl::Mutex mu;
  std::vector<int> order;
  {
    WorkQueue queue(1);
    for (int i = 0; i < 5; ++i) {
      queue.Schedule([&, i] {
        absl::MutexLock lock(&mu);
        order.push_back(i);
      });
    }
  }  // the destructor runs what is queued
  EXPECT_THAT(order, ElementsAre(0, 1, 2, 3, 4));
}

TEST(WorkQueueTest, TryScheduleRefusesOnceTheBoundIsReached) {
  std::atomic<int> ran{0};
  {
    WorkQueue queue(1, /*max_queued=*/3);
    Blocker blocker(queue);
    for (int i = 0; i < 3; ++i) EXPECT_THAT(queue.TrySchedule([&] { ++ran; }), IsOk());
    EXPECT_EQ(queue.queued(), 3u);
    EXPECT_THAT(queue.TrySchedule([&] { ran += 100; }),
                StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("3 jobs already wait")));
    // Schedule is for callers that must not be refused: it ignores the bound.
    queue.Schedule([&] { ++ran; });
    blocker.Release();
  }
  EXPECT_EQ(ran.load(), 4);  // every accepted job once, the refused one never
}

TEST(WorkQueueTest, UnboundedWhenMaxQueuedIsZero) {
  std::atomic<int> ran{0};
  {
    WorkQueue queue(2);
    Blocker first(queue), second(queue);
    for (int i = 0; i < 5000; ++i) ASSERT_THAT(queue.TrySchedule([&] { ++ran; }), IsOk());
    first.Release();
    second.Release();
  }
  EXPECT_EQ(ran.load(), 5000);
}

TEST(WorkQueueTest, AJobQueuedFromAJobDuringShutdownIsRefusedNotLost) {
  std::atomic<int> ran{0};
  absl::Status late;
  absl::Notification checked;
  {
    auto queue = std::make_unique<WorkQueue>(1);
    WorkQueue* q = queue.get();
    Blocker blocker(*queue);
    ASSERT_THAT(queue->TrySchedule([&, q] {
      ++ran;
      // Shutdown began (the destructor waits for this job): a new job is refused, so the
      // caller can answer for it rather than wait for a job that never runs.
      late = q->TrySchedule([&] { ran += 100; });
      checked.Notify();
    }),
                IsOk());
    std::thread destroy([&] { queue.reset(); });
    // The destructor marks the queue stopping before it joins; let the blocked worker go only
    // once that happened.
    while (q->TrySchedule([] {}).ok()) {
    }
    blocker.Release();
    destroy.join();
  }
  ASSERT_TRUE(checked.HasBeenNotified());
  EXPECT_THAT(late, StatusIs(absl::StatusCode::kUnavailable, HasSubstr("shutting down")));
  EXPECT_EQ(ran.load(), 1);
}

}  // namespace
}  // namespace sa
