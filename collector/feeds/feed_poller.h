// Polls the feeds of a FeedStore over HTTP(S) and ingests their new entries.
//
// Each due feed is fetched by one replica at a time (a lease in Redis), at most one request at
// a time per host from this replica and no closer together than `host_delay` (politeness),
// with a conditional GET (ETag / If-Modified-Since), gzip/deflate, at most 5 redirects, a
// timeout and a size limit. An entry is marked seen only after its event is in the stream (or
// was already, as a duplicate), or when it failed for good (no valid article, extraction
// failed: counted in items_rejected, the last one with its reason in the feed's status, never
// retried); only Redis trouble leaves an entry unseen. The validators are saved only when every
// entry was handled, so a crash or a Redis outage mid-poll loses nothing: the next poll reads the
// feed again and the collector's dedupe absorbs what was published before.
//
// Scheduling: the next fetch is `interval` later (the feed's own, else the default, never below
// `min_interval`), later still if the feed's <ttl> or Cache-Control max-age say so; after a
// failure it backs off exponentially (with jitter) up to `max_backoff`; a 429/503 Retry-After is
// honoured.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "collector/feeds/feed_store.h"
#include "collector/ingest/ingester.h"
#include "common/clock.h"
#include "common/concurrency/work_queue.h"
#include "common/http/http_client.h"

namespace sa::feeds {

struct FeedPollerOptions {
  absl::Duration default_interval = absl::Minutes(10);
  absl::Duration min_interval = absl::Minutes(1);
  absl::Duration max_interval = absl::Hours(24);  // caps ttl / max-age / Retry-After
  absl::Duration max_backoff = absl::Hours(6);
  absl::Duration fetch_timeout = absl::Seconds(30);
  size_t max_feed_bytes = 8 * 1024 * 1024;
  int workers = 4;
  absl::Duration host_delay = absl::Seconds(2);
  absl::Duration tick = absl::Seconds(1);  // how often due feeds are looked for
  bool allow_private_networks = false;
  std::string holder = "collector";  // this replica's name in feed leases
};

// The outcome of one poll, for logs and tests.
struct PollResult {
  int http_status = 0;
  bool not_modified = false;
  int entries = 0;    // in the document
  int new_items = 0;  // not seen before
  int published = 0;  // new events
  int duplicates = 0;
  int rejected = 0;
};

class FeedPoller {
 public:
  FeedPoller(FeedStore& store, collector::Ingester& ingester, FeedPollerOptions options,
             const Clock& clock = Clock::Real());
  ~FeedPoller();  // Stop()s

  // Starts the scheduling thread.
  void Start();
  // Stops scheduling and waits for the polls in progress.
  void Stop();

  // Polls `feed` now, in the caller's thread, regardless of its schedule (but under its lease:
  // FailedPrecondition when another replica holds it). The feed's state is updated as by a
  // scheduled poll. An error status means the poll failed (it is recorded in the state too).
  absl::StatusOr<PollResult> PollNow(const summit_alerts::v1::Feed& feed);

 private:
  void SchedulerLoop();
  void ScheduleDue();
  absl::StatusOr<PollResult> PollLeased(const summit_alerts::v1::Feed& feed);
  absl::StatusOr<PollResult> Fetch(const summit_alerts::v1::Feed& feed, const FeedState& state,
                                   PollRecord& record);
  absl::Duration Interval(const summit_alerts::v1::Feed& feed) const;
  absl::Duration Backoff(const summit_alerts::v1::Feed& feed, uint32_t failures) const;
  // Politeness: claims `host` for a request now; false while another request to it is in
  // flight or the last one was less than host_delay ago.
  bool ClaimHost(const std::string& host);
  void ReleaseHost(const std::string& host);

  FeedStore& store_;
  collector::Ingester& ingester_;
  const FeedPollerOptions options_;
  const Clock& clock_;
  http::HttpClient http_;

  absl::Mutex mu_;
  absl::flat_hash_set<std::string> in_flight_ ABSL_GUARDED_BY(mu_);  // feed ids
  absl::flat_hash_map<std::string, absl::Time> host_last_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> host_busy_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;

  std::unique_ptr<WorkQueue> workers_;
  std::thread scheduler_;
};

// The host of an http(s) URL, lower-cased, without credentials or port.
std::string UrlHost(const std::string& url);

}  // namespace sa::feeds
