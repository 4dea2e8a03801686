#include "collector/feeds/feed_poller.h"

#include <algorithm>
#include <random>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/log/log.h"
#include "common/status_macros.h"
#include "formats/feed_articles.h"
#include "formats/feed_dates.h"
#include "formats/feed_parser.h"

namespace sa::feeds {
namespace {

namespace v1 = summit_alerts::v1;

// The value of `name=` in a header like "text/xml; charset=KOI8-R" or "max-age=300, public".
std::string HeaderParam(absl::string_view header, absl::string_view name) {
  for (absl::string_view part : absl::StrSplit(header, absl::ByAnyChar(";,"))) {
    part = absl::StripAsciiWhitespace(part);
    if (part.size() > name.size() && absl::StartsWithIgnoreCase(part, name) &&
        part[name.size()] == '=') {
      absl::string_view value = absl::StripAsciiWhitespace(part.substr(name.size() + 1));
      value = absl::StripPrefix(absl::StripSuffix(value, "\""), "\"");
      value = absl::StripPrefix(absl::StripSuffix(value, "'"), "'");
      return std::string(value);
    }
  }
  return "";
}

// Retry-After: delta-seconds or an HTTP date.
std::optional<absl::Duration> RetryAfter(const std::string& value, absl::Time now) {
  int64_t seconds = 0;
  if (absl::SimpleAtoi(value, &seconds) && seconds >= 0) return absl::Seconds(seconds);
  if (std::optional<absl::Time> at = ParseFeedDate(value))
    return std::max(absl::ZeroDuration(), *at - now);
  return std::nullopt;
}

// At most `max` bytes of `s`, never cutting a UTF-8 sequence: for the feed's state in Redis.
std::string Truncated(absl::string_view s, size_t max) {
  if (s.size() <= max) return std::string(s);
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return absl::StrCat(s.substr(0, cut), "…");
}

absl::Duration Jitter(absl::Duration d) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  return d * std::uniform_real_distribution<double>(0.9, 1.1)(rng);
}

}  // namespace

std::string UrlHost(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string host = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (size_t at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);
  if (size_t colon = host.rfind(':');
      colon != std::string::npos && host.find(']', colon) == std::string::npos) {
    host = host.substr(0, colon);
  }
  return absl::AsciiStrToLower(host);
}

FeedPoller::FeedPoller(FeedStore& store, collector::Ingester& ingester, FeedPollerOptions options,
                       const Clock& clock)
    : store_(store),
      ingester_(ingester),
      options_(std::move(options)),
      clock_(clock),
      http_(http::HttpClientOptions{
          .connect_timeout = std::min(absl::Seconds(10), options_.fetch_timeout),
          .total_timeout = options_.fetch_timeout,
          .max_response_bytes = options_.max_feed_bytes,
          .oversized_body_is_error = true,
          .max_redirects = 5,
          .allow_private_addresses = options_.allow_private_networks,
          .user_agent = "summit-alerts-collector/1 (feed poller)"}) {}

FeedPoller::~FeedPoller() { Stop(); }

void FeedPoller::Start() {
  workers_ = std::make_unique<WorkQueue>(std::max(1, options_.workers));
  scheduler_ = std::thread([this] { SchedulerLoop(); });
}

void FeedPoller::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  if (scheduler_.joinable()) scheduler_.join();
  workers_.reset();  // runs what was queued (each poll is bounded by fetch_timeout), then joins
}

void FeedPoller::SchedulerLoop() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      auto stopping = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_; };
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping), options_.tick)) return;
    }
    ScheduleDue();
  }
}

void FeedPoller::ScheduleDue() {
  const absl::Time now = clock_.Now();
  // More than the workers can take, so feeds on a busy host do not hold up the others.
  auto feeds = store_.Due(now, std::max(64, options_.workers * 16));
  if (!feeds.ok()) {
    log::Warning("feeds.schedule_unreadable", {{"error", feeds.status()}});
    return;
  }
  for (const v1::Feed& feed : *feeds) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_ || in_flight_.contains(feed.id())) continue;
    }
    const std::string host = UrlHost(feed.url());
    if (!ClaimHost(host)) continue;
    auto leased = store_.AcquireLease(feed.id(), options_.holder,
                                      options_.fetch_timeout * 2 + absl::Seconds(30));
    if (!leased.ok() || !*leased) {
      ReleaseHost(host);
      continue;
    }
    {
      absl::MutexLock lock(&mu_);
      in_flight_.insert(feed.id());
    }
    workers_->Schedule([this, feed, host] {
      // Another replica may have polled it between our state read and our lease.
      auto fresh = store_.State(feed.id());
      if (fresh.ok() && fresh->next_fetch <= clock_.Now()) {
        auto result = PollLeased(feed);
        if (!result.ok()) {
          log::Warning("feed.poll_failed",
                       {{"feed", feed.id()}, {"url", feed.url()}, {"error", result.status()}});
        }
      }
      (void)store_.ReleaseLease(feed.id(), options_.holder);
      ReleaseHost(host);
      absl::MutexLock lock(&mu_);
      in_flight_.erase(feed.id());
    });
  }
}

bool FeedPoller::ClaimHost(const std::string& host) {
  absl::MutexLock lock(&mu_);
  if (host_busy_.contains(host)) return false;
  auto last = host_last_.find(host);
  if (last != host_last_.end() && clock_.Now() - last->second < options_.host_delay) return false;
  host_busy_.insert(host);
  return true;
}

void FeedPoller::ReleaseHost(const std::string& host) {
  absl::MutexLock lock(&mu_);
  host_busy_.erase(host);
  host_last_[host] = clock_.Now();
}

absl::StatusOr<PollResult> FeedPoller::PollNow(const v1::Feed& feed) {
  SA_ASSIGN_OR_RETURN(bool leased,
                      store_.AcquireLease(feed.id(), options_.holder,
                                          options_.fetch_timeout * 2 + absl::Seconds(30)));
  if (!leased) {
    return absl::FailedPreconditionError(
        absl::StrCat("feed ", feed.id(), " is being polled by another collector"));
  }
  absl::StatusOr<PollResult> result = PollLeased(feed);
  (void)store_.ReleaseLease(feed.id(), options_.holder);
  return result;
}

absl::Duration FeedPoller::Interval(const v1::Feed& feed) const {
  absl::Duration interval = feed.interval_seconds() > 0 ? absl::Seconds(feed.interval_seconds())
                                                        : options_.default_interval;
  return std::clamp(interval, options_.min_interval, options_.max_interval);
}

absl::Duration FeedPoller::Backoff(const v1::Feed& feed, uint32_t failures) const {
  absl::Duration d = Interval(feed);
  for (uint32_t i = 1; i < failures && d < options_.max_backoff; ++i) d *= 2;
  return Jitter(std::min(d, options_.max_backoff));
}

absl::StatusOr<PollResult> FeedPoller::PollLeased(const v1::Feed& feed) {
  SA_ASSIGN_OR_RETURN(FeedState state, store_.State(feed.id()));
  PollRecord record;
  record.fetched_at = clock_.Now();
  absl::StatusOr<PollResult> result = Fetch(feed, state, record);
  if (!result.ok()) {
    record.error = std::string(result.status().message());
    if (record.next_fetch == absl::InfinitePast()) {
      record.next_fetch = record.fetched_at + Backoff(feed, state.consecutive_failures + 1);
    }
  }
  absl::Status saved = store_.RecordPoll(feed.id(), record);
  if (!saved.ok()) {
    log::Warning("feed.state_not_saved", {{"feed", feed.id()}, {"error", saved}});
    if (result.ok()) return saved;
  }
  if (result.ok()) {
    log::Info("feed.polled", {{"feed", feed.id()},
                              {"url", feed.url()},
                              {"http_status", result->http_status},
                              {"entries", result->entries},
                              {"new", result->new_items},
                              {"published", result->published},
                              {"duplicates", result->duplicates},
                              {"rejected", result->rejected}});
  }
  return result;
}

absl::StatusOr<PollResult> FeedPoller::Fetch(const v1::Feed& feed, const FeedState& state,
                                             PollRecord& record) {
  http::HttpRequest request{.method = "GET", .url = feed.url()};
  request.headers.emplace_back("Accept",
                               "application/rss+xml, application/atom+xml, application/feed+json, "
                               "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5");
  if (!state.etag.empty()) request.headers.emplace_back("If-None-Match", state.etag);
  if (!state.last_modified.empty())
    request.headers.emplace_back("If-Modified-Since", state.last_modified);

  const absl::Time started = absl::Now();  // real time: --feed_timeout bounds fetch and parse
  absl::StatusOr<http::HttpResponse> response = http_.Send(request);
  if (!response.ok()) return response.status();
  PollResult result;
  result.http_status = record.http_status = response->status;
  const absl::Time now = record.fetched_at;

  if (response->status == 429 || response->status == 503) {
    if (auto wait = RetryAfter(response->Header("retry-after"), now)) {
      record.next_fetch = now + std::clamp(*wait, options_.min_interval, options_.max_interval);
    }
    return absl::UnavailableError(
        absl::StrCat("HTTP ", response->status, " from ", UrlHost(feed.url())));
  }
  if (response->status == 304) {
    result.not_modified = true;
  } else if (response->status != 200) {
    return absl::UnavailableError(
        absl::StrCat("HTTP ", response->status, " from ", UrlHost(feed.url())));
  }

  // The next regular fetch: the interval, or later if the feed asks (ttl, max-age).
  absl::Duration wait = Interval(feed);
  int64_t max_age = 0;
  if (absl::SimpleAtoi(HeaderParam(response->Header("cache-control"), "max-age"), &max_age) &&
      max_age > 0) {
    wait = std::max(wait, absl::Seconds(max_age));
  }
  if (result.not_modified) {
    record.next_fetch = now + std::min(wait, options_.max_interval);
    return result;
  }

  FeedParseOptions parse;
  parse.base_url = response->effective_url.empty() ? feed.url() : response->effective_url;
  parse.http_charset = HeaderParam(response->Header("content-type"), "charset");
  parse.max_bytes = options_.max_feed_bytes;
  parse.deadline = started + options_.fetch_timeout;
  SA_ASSIGN_OR_RETURN(ParsedFeed parsed, ParseFeed(response->body, parse));
  if (parsed.bozo) {
    log::Warning("feed.ill_formed",
                 {{"feed", feed.id()}, {"url", feed.url()}, {"problem", parsed.bozo_message}});
  }
  if (parsed.ttl_minutes > 0) wait = std::max(wait, absl::Minutes(parsed.ttl_minutes));
  record.next_fetch = now + std::min(wait, options_.max_interval);
  result.entries = static_cast<int>(parsed.entries.size());

  // Oldest first (feeds list the newest first), so the stream is in publication order.
  std::vector<const FeedEntry*> entries;
  for (auto it = parsed.entries.rbegin(); it != parsed.entries.rend(); ++it)
    entries.push_back(&*it);
  std::vector<std::string> keys;
  for (const FeedEntry* e : entries) keys.push_back(EntryKey(*e));
  SA_ASSIGN_OR_RETURN(std::vector<bool> seen, store_.Seen(feed.id(), keys));

  for (size_t i = 0; i < entries.size(); ++i) {
    if (seen[i]) continue;
    // A feed may list the same entry twice; the second is not new.
    if (std::find(keys.begin(), keys.begin() + i, keys[i]) != keys.begin() + i) continue;
    ++result.new_items;
    std::optional<v1::Article> article = ArticleFromEntry(parsed, *entries[i], feed.name());
    absl::Status status =
        article ? absl::OkStatus() : absl::InvalidArgumentError("the entry has no title or text");
    absl::StatusOr<v1::IngestResponse> ingested =
        status.ok() ? ingester_.Ingest(*article) : absl::StatusOr<v1::IngestResponse>(status);
    if (!ingested.ok() && ingested.status().code() != absl::StatusCode::kInvalidArgument) {
      // Redis trouble: stop; what is not marked seen is read again next time.
      return absl::Status(
          ingested.status().code(),
          absl::StrCat("entry ", keys[i], " not published: ", ingested.status().message()));
    }
    if (!ingested.ok()) {
      // Failed for good (bad article, extraction failure): marked seen below with its reason,
      // so it is never retried and cannot hold up the entries after it.
      ++result.rejected;
      ++record.new_items_rejected;
      record.rejected_entry = Truncated(keys[i], 512);
      record.rejected_error = Truncated(ingested.status().message(), 512);
      log::Warning("feed.entry_rejected",
                   {{"feed", feed.id()}, {"entry", keys[i]}, {"error", ingested.status()}});
    } else if (ingested->duplicate()) {
      ++result.duplicates;
    } else {
      ++result.published;
      ++record.new_items_published;
    }
    ++record.new_items_seen;
    SA_RETURN_IF_ERROR(store_.MarkSeen(feed.id(), keys[i], now));
  }
  record.update_validators = true;
  record.etag = response->Header("etag");
  record.last_modified = response->Header("last-modified");
  return result;
}

}  // namespace sa::feeds
