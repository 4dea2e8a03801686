// The alert hub and the Subscribe streams it wakes, against a real redis-server and without gRPC:
// AlertHub is driven by listeners that read like a Subscribe stream does, and SubscribeFlow (the
// thread-sensitive part of SubscribeSession) by a stand-in for gRPC's reactor whose write
// completions and end-of-call arrive on other threads, as gRPC's do. With no gRPC in the process
// these tests carry the `concurrency` label: ThreadSanitizer checks the hub's and the streams'
// own threading (Debian's gRPC is not instrumented; tests/CMakeLists.txt).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/concurrency/work_queue.h"
#include "notifier/api/alert_hub.h"
#include "notifier/api/subscribe_session.h"
#include "notifier/store/alert_store.h"
#include "notifier/store/subscription_store.h"
#include "tests/support/eventually.h"
#include "tests/support/redis_server.h"
#include "tests/support/shared_redis_test.h"

namespace sa::notifier {
namespace {

using ::sa::testing::Eventually;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
namespace v1 = summit_alerts::v1;

// Long enough that the hub's periodic wake of every listener never comes during a test: every
// wake after the first is the tail thread's answer to an appended alert.
constexpr absl::Duration kNoPeriodicWake = absl::Minutes(10);
constexpr absl::Duration kPatience = absl::Seconds(20);

// A listener that reads its subscription's alerts the way a Subscribe stream does: a wake (under
// the hub's lock) only schedules a read on a WorkQueue, and the read follows a cursor, again
// while wakes came during it.
class ReadingListener final : public AlertListener,
                              public std::enable_shared_from_this<ReadingListener> {
 public:
  ReadingListener(AlertStore& alerts, WorkQueue& work, std::string subscription_id)
      : alerts_(alerts), work_(work), subscription_id_(std::move(subscription_id)) {}

  void Wake() override {
    absl::MutexLock lock(&mu_);
    ++wakes_;
    if (reading_) {
      again_ = true;
      return;
    }
    reading_ = true;
    work_.Schedule([self = shared_from_this()] { self->Read(); });
  }
  void Shutdown() override {
    absl::MutexLock lock(&mu_);
    ++shutdowns_;
  }

  const std::string& subscription_id() const { return subscription_id_; }
  std::vector<std::string> seen() const {
    absl::MutexLock lock(&mu_);
    return seen_;
  }
  std::vector<std::string> errors() const {
    absl::MutexLock lock(&mu_);
    return errors_;
  }
  int wakes() const {
    absl::MutexLock lock(&mu_);
    return wakes_;
  }
  int shutdowns() const {
    absl::MutexLock lock(&mu_);
    return shutdowns_;
  }

 private:
  static constexpr int kBatch = 16;

  void Read() {
    for (;;) {
      std::string cursor;
      {
        absl::MutexLock lock(&mu_);
        cursor = cursor_;
        again_ = false;
      }
      auto read = alerts_.ReadAfter(subscription_id_, cursor, kBatch);
      absl::MutexLock lock(&mu_);
      if (!read.ok()) {
        errors_.push_back(read.status().ToString());
        reading_ = false;
        return;
      }
      for (const v1::Alert& alert : *read) {
        seen_.push_back(alert.id());
        cursor_ = alert.id();
      }
      if (static_cast<int>(read->size()) < kBatch && !again_) {
        reading_ = false;
        return;
      }
    }
  }

  AlertStore& alerts_;
  WorkQueue& work_;
  const std::string subscription_id_;
  mutable absl::Mutex mu_;
  std::string cursor_ ABSL_GUARDED_BY(mu_) = "0";
  bool reading_ ABSL_GUARDED_BY(mu_) = false;
  bool again_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::string> seen_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> errors_ ABSL_GUARDED_BY(mu_);
  int wakes_ ABSL_GUARDED_BY(mu_) = 0;
  int shutdowns_ ABSL_GUARDED_BY(mu_) = 0;
};

// A listener that only counts, and unregisters when shut down (as a stream that ends does).
class CountingListener final : public AlertListener {
 public:
  CountingListener(AlertHub& hub, std::string subscription_id)
      : hub_(hub), subscription_id_(std::move(subscription_id)) {}
  void Wake() override { ++wakes_; }
  void Shutdown() override {
    ++shutdowns_;
    hub_.Unregister(subscription_id_, this);
  }
  const std::string& subscription_id() const { return subscription_id_; }
  int shutdowns() const { return shutdowns_; }

 private:
  AlertHub& hub_;
  const std::string subscription_id_;
  std::atomic<int> wakes_{0};
  std::atomic<int> shutdowns_{0};
};

class AlertHubTestBase : public testing::SharedRedisTest {
 protected:
  void SetUp() override {
    prefix_ = testing::UniquePrefix();
    alerts_ = std::make_unique<AlertStore>(client(), AlertStoreOptions{.key_prefix = prefix_});
    work_ = std::make_unique<WorkQueue>(3);
    hub_ = std::make_unique<AlertHub>(client(), *alerts_, kNoPeriodicWake);
  }
  void TearDown() override { hub_->Stop(); }

  // Appends an alert for `event_id` to `subscription_id`; returns its id.
  std::string Append(const std::string& subscription_id, const std::string& event_id) {
    v1::Alert alert;
    alert.set_subscription_id(subscription_id);
    alert.mutable_event()->set_id(event_id);
    alert.mutable_event()->set_title(absl::StrCat("Summit talks ", event_id));
    auto id = alerts_->Append(alert);
    EXPECT_TRUE(id.ok()) << id.status();
    EXPECT_TRUE(id.ok() && id->has_value()) << "a new event must make a new alert";
    return id.ok() && id->has_value() ? **id : "";
  }

  std::string prefix_;
  std::unique_ptr<AlertStore> alerts_;
  std::unique_ptr<WorkQueue> work_;  // after alerts_: drained before the store goes
  std::unique_ptr<AlertHub> hub_;    // stopped first
};

using AlertHubTest = AlertHubTestBase;

TEST_F(AlertHubTest, EveryListenerReadsEveryAlertOfItsSubscriptionOnceInOrderDespiteChurn) {
  constexpr int kSubs = 4;
  constexpr int kListenersPerSub = 3;
  constexpr int kAlerts = 40;  // per subscription, appended while listeners come and go
  constexpr int kChurnPerThread = 150;
  auto sub = [](int s) { return absl::StrCat("sub_", s); };
  hub_->Start();

  std::vector<std::shared_ptr<ReadingListener>> listeners;
  for (int i = 0; i < kSubs * kListenersPerSub; ++i) {
    listeners.push_back(std::make_shared<ReadingListener>(*alerts_, *work_, sub(i % kSubs)));
  }
  std::vector<std::vector<std::string>> appended(kSubs);
  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    for (int i = 0; i < kAlerts; ++i) {
      for (int s = 0; s < kSubs; ++s) appended[s].push_back(Append(sub(s), absl::StrCat("e", i)));
    }
  });
  // The listeners register from three threads while alerts are appended; each reads once
  // after registering (a stream's first fetch), then only when woken.
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = t; i < listeners.size(); i += 3) {
        auto& l = listeners[i];
        EXPECT_TRUE(hub_->Register(l->subscription_id(), l, l.get()));
        l->Wake();
      }
    });
  }
  // Meanwhile short-lived listeners register and go, some destroyed before they unregister
  // (the hub then holds an expired weak_ptr for a moment).
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kChurnPerThread; ++i) {
        auto l = std::make_shared<ReadingListener>(*alerts_, *work_, sub(i % kSubs));
        const AlertListener* key = l.get();
        EXPECT_TRUE(hub_->Register(l->subscription_id(), l, key));
        if ((i + t) % 2 == 0) {
          hub_->Unregister(sub(i % kSubs), key);
          l.reset();
        } else {
          l.reset();
          hub_->Unregister(sub(i % kSubs), key);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(hub_->listener_count(), listeners.size()) << "every short-lived listener is gone";

  // One more alert per subscription, appended once everybody is registered: only the tail
  // thread's wake can bring it (no periodic wake comes during this test).
  for (int s = 0; s < kSubs; ++s) appended[s].push_back(Append(sub(s), "last"));
  for (const auto& l : listeners) {
    const std::vector<std::string>& want = appended[std::stoi(l->subscription_id().substr(4))];
    EXPECT_TRUE(Eventually([&] { return l->seen().size() >= want.size(); }, kPatience))
        << l->subscription_id() << " read " << l->seen().size() << " of " << want.size();
    EXPECT_EQ(l->seen(), want) << l->subscription_id();
    EXPECT_THAT(l->errors(), IsEmpty());
    EXPECT_GE(l->wakes(), 2) << "the first read's wake, then the tail's";
    EXPECT_EQ(l->shutdowns(), 0);
  }

  hub_->Stop();
  for (const auto& l : listeners) EXPECT_EQ(l->shutdowns(), 1);
}

TEST_F(AlertHubTest, StopWhileListenersRegisterShutsDownEachAcceptedOneOnceAndRefusesTheRest) {
  hub_->Start();
  constexpr int kThreads = 4;
  // Each thread registers until it is refused; one that gets this far first (a starved main
  // thread) waits for Stop to begin, then is refused.
  constexpr int kMaxPerThread = 2000;
  std::vector<std::vector<std::shared_ptr<CountingListener>>> accepted(kThreads);
  std::vector<std::shared_ptr<CountingListener>> refused(kThreads);
  std::atomic<int> registered{0};
  std::atomic<bool> stopped{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0;; ++i) {
        if (i == kMaxPerThread) {
          EXPECT_TRUE(
              Eventually([&] { return hub_->draining(); }, kPatience, absl::Milliseconds(1)));
        }
        auto l = std::make_shared<CountingListener>(*hub_, absl::StrCat("sub_", i % 3));
        if (!hub_->Register(l->subscription_id(), l, l.get())) {
          refused[t] = std::move(l);
          return;
        }
        accepted[t].push_back(std::move(l));
        ++registered;
        if (i > kMaxPerThread) return;  // Stop never began: the EXPECT above failed
      }
    });
  }
  // Alerts keep coming, so the tail thread is waking listeners while the hub stops.
  threads.emplace_back([&] {
    for (int i = 0; !stopped; ++i) Append(absl::StrCat("sub_", i % 3), absl::StrCat("e", i));
  });
  EXPECT_TRUE(Eventually([&] { return registered >= 200; }, kPatience));
  hub_->Stop();
  stopped = true;
  for (auto& t : threads) t.join();

  EXPECT_TRUE(hub_->draining());
  EXPECT_EQ(hub_->listener_count(), 0u) << "each listener unregistered on its Shutdown";
  int total = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (const auto& l : accepted[t]) {
      EXPECT_EQ(l->shutdowns(), 1) << "an accepted listener is shut down once";
    }
    total += static_cast<int>(accepted[t].size());
    ASSERT_NE(refused[t], nullptr);
    EXPECT_EQ(refused[t]->shutdowns(), 0) << "a refused listener is not the hub's";
  }
  EXPECT_GE(total, 200);
  auto late = std::make_shared<CountingListener>(*hub_, "sub_0");
  EXPECT_FALSE(hub_->Register("sub_0", late, late.get()));
}

// A Subscribe stream whose transport stands in for gRPC's reactor: each write completes on
// `completions` (gRPC's threads), and the end of the call (OnDone) follows Finish there too. It
// checks the reactor's rules: at most one write outstanding, Finish once and never while a write
// is outstanding, no write after Finish.
class FakeStream final : public SubscribeFlow {
 public:
  // `client_gone`: every write completes with ok=false.
  static std::shared_ptr<FakeStream> Open(Deps deps, WorkQueue& completions,
                                          std::string subscription_id, std::string after,
                                          bool client_gone = false) {
    std::shared_ptr<FakeStream> stream(new FakeStream(deps, completions, std::move(subscription_id),
                                                      std::move(after), client_gone));
    stream->Begin();
    return stream;
  }

  // gRPC's OnCancel, from the calling thread.
  void Cancel() { Cancelled(); }

  std::vector<std::string> ids() const {
    absl::MutexLock lock(&mu_);
    return ids_;
  }
  std::optional<grpc::Status> status() const {
    absl::MutexLock lock(&mu_);
    return status_;
  }
  bool done() const {
    absl::MutexLock lock(&mu_);
    return done_;
  }
  std::vector<std::string> violations() const {
    absl::MutexLock lock(&mu_);
    return violations_;
  }

 private:
  FakeStream(Deps deps, WorkQueue& completions, std::string subscription_id, std::string after,
             bool client_gone)
      : SubscribeFlow(deps, subscription_id, std::move(after)),
        completions_(completions),
        subscription_id_(std::move(subscription_id)),
        client_gone_(client_gone) {}

  std::shared_ptr<FakeStream> Self() {
    return std::static_pointer_cast<FakeStream>(shared_from_this());
  }

  void StartAlertWrite(const v1::Alert* alert) override {
    absl::MutexLock lock(&mu_);
    if (writing_) violations_.push_back("a write while one is outstanding");
    if (status_.has_value()) violations_.push_back("a write after Finish");
    if (alert->subscription_id() != subscription_id_) {
      violations_.push_back(absl::StrCat("an alert of ", alert->subscription_id()));
    }
    writing_ = true;
    ids_.push_back(alert->id());
    completions_.Schedule([self = Self()] {
      {
        absl::MutexLock lock(&self->mu_);
        self->writing_ = false;
      }
      self->WriteDone(!self->client_gone_);
    });
  }

  void FinishStream(const grpc::Status& status) override {
    absl::MutexLock lock(&mu_);
    if (status_.has_value()) violations_.push_back("Finish twice");
    if (writing_) violations_.push_back("Finish while a write is outstanding");
    status_ = status;
    completions_.Schedule([self = Self()] {
      self->Done();
      absl::MutexLock lock(&self->mu_);
      self->done_ = true;
    });
  }

  WorkQueue& completions_;
  const std::string subscription_id_;
  const bool client_gone_;
  mutable absl::Mutex mu_;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::string> ids_ ABSL_GUARDED_BY(mu_);
  std::optional<grpc::Status> status_ ABSL_GUARDED_BY(mu_);
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::string> violations_ ABSL_GUARDED_BY(mu_);
};

class SubscribeFlowTest : public AlertHubTestBase {
 protected:
  void SetUp() override {
    AlertHubTestBase::SetUp();
    subs_ = std::make_unique<SubscriptionStore>(client(), prefix_);
    completions_ = std::make_unique<WorkQueue>(2);
    hub_->Start();
  }
  // Every stream must have ended (the hub's Stop ends those still open), or its self-reference
  // would outlive the test.
  void TearDown() override {
    hub_->Stop();
    EXPECT_TRUE(AllDone());
    work_.reset();  // its fetches may still start writes
    completions_.reset();
  }

  std::string NewSubscription() {
    v1::Subscription sub;
    sub.set_query("Putin");
    auto created = subs_->Create(sub);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? created->id() : "";
  }

  std::shared_ptr<FakeStream> Open(const std::string& subscription_id, const std::string& after,
                                   bool client_gone = false) {
    auto stream = FakeStream::Open({*subs_, *alerts_, *hub_, *work_}, *completions_,
                                   subscription_id, after, client_gone);
    absl::MutexLock lock(&mu_);
    streams_.push_back(stream);
    return stream;
  }

  std::vector<std::shared_ptr<FakeStream>> streams() {
    absl::MutexLock lock(&mu_);
    return streams_;
  }

  // Waits until every stream has ended; false if one has not.
  bool AllDone() {
    for (const auto& s : streams()) {
      if (!Eventually([&] { return s->done(); }, kPatience)) return false;
    }
    return true;
  }

  std::unique_ptr<SubscriptionStore> subs_;
  std::unique_ptr<WorkQueue> completions_;  // after work_: drained first
  absl::Mutex mu_;
  std::vector<std::shared_ptr<FakeStream>> streams_ ABSL_GUARDED_BY(mu_);
};

TEST_F(SubscribeFlowTest, EveryStreamSendsEveryAlertOnceInOrderWhileAlertsArrive) {
  constexpr int kSubs = 3;
  constexpr int kBefore = 70;  // more than one batch (64) to replay
  constexpr int kDuring = 40;
  std::vector<std::string> subs;
  std::vector<std::vector<std::string>> appended(kSubs);
  for (int s = 0; s < kSubs; ++s) {
    subs.push_back(NewSubscription());
    for (int i = 0; i < kBefore; ++i) appended[s].push_back(Append(subs[s], absl::StrCat("b", i)));
  }

  // Per subscription, streams open from three threads while alerts arrive: two replay
  // everything ("0"), one resumes after the 10th alert, one starts from now ("").
  struct Opened {
    int sub;
    std::string after;
    std::shared_ptr<FakeStream> stream;
  };
  std::vector<Opened> opened;
  for (int s = 0; s < kSubs; ++s) {
    for (const std::string& after :
         {std::string("0"), std::string("0"), appended[s][9], std::string()}) {
      opened.push_back({s, after, nullptr});
    }
  }
  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    for (int i = 0; i < kDuring; ++i) {
      for (int s = 0; s < kSubs; ++s) appended[s].push_back(Append(subs[s], absl::StrCat("d", i)));
    }
  });
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = t; i < opened.size(); i += 3) {
        opened[i].stream = Open(subs[opened[i].sub], opened[i].after);
      }
    });
  }
  for (auto& t : threads) t.join();
  // A stream from now starts at the end its first fetch reads, whenever that runs: nudge with
  // alerts until it has sent one; from then on it must send every alert.
  for (const Opened& o : opened) {
    if (!o.after.empty()) continue;
    for (int n = 0; o.stream->ids().empty() && n < 100; ++n) {
      appended[o.sub].push_back(Append(subs[o.sub], absl::StrCat("nudge", n)));
      Eventually([&] { return !o.stream->ids().empty(); }, absl::Milliseconds(200));
    }
  }
  for (int s = 0; s < kSubs; ++s) appended[s].push_back(Append(subs[s], "last"));

  for (const Opened& o : opened) {
    const std::vector<std::string>& all = appended[o.sub];
    const std::string& last = all.back();
    ASSERT_TRUE(Eventually(
        [&] {
          auto ids = o.stream->ids();
          return !ids.empty() && ids.back() == last;
        },
        kPatience))
        << "after '" << o.after << "': sent " << o.stream->ids().size();
    std::vector<std::string> ids = o.stream->ids();
    if (o.after == "0") {
      EXPECT_EQ(ids, all);
    } else if (!o.after.empty()) {
      EXPECT_EQ(ids, std::vector<std::string>(all.begin() + 10, all.end()));
    } else {
      // From now: the alerts after the end its first fetch read, with no gap.
      ASSERT_LE(ids.size(), all.size());
      EXPECT_EQ(ids, std::vector<std::string>(all.end() - ids.size(), all.end()));
    }
    EXPECT_THAT(o.stream->violations(), IsEmpty());
    EXPECT_FALSE(o.stream->status().has_value()) << o.stream->status()->error_message();
  }

  hub_->Stop();
  ASSERT_TRUE(AllDone());
  for (const Opened& o : opened) {
    ASSERT_TRUE(o.stream->status().has_value());
    EXPECT_EQ(o.stream->status()->error_code(), grpc::StatusCode::UNAVAILABLE);
    EXPECT_THAT(o.stream->status()->error_message(), HasSubstr("shutting down"));
    EXPECT_THAT(o.stream->violations(), IsEmpty());
  }
  EXPECT_EQ(hub_->listener_count(), 0u) << "every stream unregistered when it was done";
}

TEST_F(SubscribeFlowTest, CancelsAndAShutdownRacingWritesEndEachStreamOnce) {
  constexpr int kStreams = 8;
  const std::string sub = NewSubscription();
  std::vector<std::string> appended;
  for (int i = 0; i < 200; ++i) appended.push_back(Append(sub, absl::StrCat("b", i)));
  std::vector<std::shared_ptr<FakeStream>> opened;
  for (int i = 0; i < kStreams; ++i) opened.push_back(Open(sub, "0"));

  std::atomic<bool> stop_appending{false};
  std::vector<std::string> during;
  std::thread producer([&] {
    for (int i = 0; i < 100 && !stop_appending; ++i) {
      during.push_back(Append(sub, absl::StrCat("d", i)));
    }
  });
  // Half are cancelled by their clients, each at a different point of its replay, while writes
  // are in flight; the hub stops meanwhile.
  std::thread canceller([&] {
    for (int i = 0; i < kStreams / 2; ++i) {
      const size_t sent = 1 + 30 * i;
      EXPECT_TRUE(Eventually([&] { return opened[i]->ids().size() >= sent; }, kPatience,
                             absl::Milliseconds(1)));
      opened[i]->Cancel();
    }
  });
  EXPECT_TRUE(Eventually([&] { return opened.back()->ids().size() >= 100; }, kPatience,
                         absl::Milliseconds(1)));
  hub_->Stop();
  canceller.join();
  stop_appending = true;
  producer.join();
  appended.insert(appended.end(), during.begin(), during.end());

  ASSERT_TRUE(AllDone());
  for (int i = 0; i < kStreams; ++i) {
    const auto& s = opened[i];
    EXPECT_THAT(s->violations(), IsEmpty()) << i;
    std::vector<std::string> ids = s->ids();
    ASSERT_LE(ids.size(), appended.size());
    EXPECT_EQ(ids, std::vector<std::string>(appended.begin(), appended.begin() + ids.size()))
        << "stream " << i << " sent the alerts in order, each once";
    ASSERT_TRUE(s->status().has_value());
    const grpc::StatusCode code = s->status()->error_code();
    if (i < kStreams / 2) {
      // CANCELLED, or UNAVAILABLE when the cancel came once the hub was draining.
      EXPECT_TRUE(code == grpc::StatusCode::CANCELLED || code == grpc::StatusCode::UNAVAILABLE)
          << i << ": " << s->status()->error_message();
    } else {
      EXPECT_EQ(code, grpc::StatusCode::UNAVAILABLE) << i;
    }
  }
  EXPECT_EQ(hub_->listener_count(), 0u);
}

TEST_F(SubscribeFlowTest, StreamsThatCannotGoOnEndWithTheirReason) {
  const std::string sub = NewSubscription();
  const std::string first = Append(sub, "e1");

  auto empty_id = Open("", "0");
  auto bad_cursor = Open(sub, "yesterday");
  auto unknown = Open("sub_00000000000000ff", "0");
  auto client_gone = Open(sub, "0", /*client_gone=*/true);
  ASSERT_TRUE(AllDone());
  EXPECT_EQ(empty_id->status()->error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(empty_id->status()->error_message(), HasSubstr("subscription_id is empty"));
  EXPECT_EQ(bad_cursor->status()->error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad_cursor->status()->error_message(), HasSubstr("'yesterday' is not an alert id"));
  EXPECT_EQ(unknown->status()->error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(client_gone->status()->error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(client_gone->status()->error_message(), HasSubstr("client gone"));
  EXPECT_EQ(client_gone->ids(), std::vector<std::string>{first}) << "one write, then the end";

  hub_->Stop();
  auto refused = Open(sub, "0");
  ASSERT_TRUE(AllDone());
  EXPECT_EQ(refused->status()->error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(refused->status()->error_message(), HasSubstr("shutting down"));
  for (const auto& s : streams()) {
    EXPECT_THAT(s->violations(), IsEmpty());
    if (s != client_gone) {
      EXPECT_THAT(s->ids(), IsEmpty());
    }
  }
  EXPECT_EQ(hub_->listener_count(), 0u);
}

}  // namespace
}  // namespace sa::notifier
