#include "collector/feeds/feed_store.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/status_macros.h"
#include "extract/article_validator.h"
#include "extract/event_time.h"

namespace sa::feeds {
namespace {

namespace v1 = summit_alerts::v1;

int64_t Millis(absl::Time t) {
  if (t == absl::InfinitePast()) return 0;
  return absl::ToUnixMillis(t);
}

absl::Time FromMillis(const std::string& s) {
  int64_t ms = 0;
  if (!absl::SimpleAtoi(s, &ms) || ms <= 0) return absl::InfinitePast();
  return absl::FromUnixMillis(ms);
}

// Checked: a corrupt state value (a time no Timestamp can hold) is left out, never a CHECK.
void SetTimestamp(absl::Time t, google::protobuf::Timestamp* out) {
  if (t == absl::InfinitePast()) return;
  if (auto ts = extract::ToTimestamp(absl::FromUnixMillis(absl::ToUnixMillis(t)))) *out = *ts;
}

// Compare-and-delete, so a replica never releases a lease another one took after it expired.
const redis::RedisScript& ReleaseScript() {
  static const auto* script = new redis::RedisScript(R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0)lua");
  return *script;
}

}  // namespace

FeedStore::FeedStore(redis::RedisClient& redis, std::string key_prefix)
    : redis_(redis), prefix_(std::move(key_prefix)) {}

std::string FeedStore::FeedId(const std::string& url) {
  return absl::StrCat("feed_", Sha256Hex(url, 8));
}

std::string FeedStore::Key(const std::string& id, const char* what) const {
  return absl::StrCat(prefix_, "feed:", id, ":", what);
}

absl::StatusOr<v1::Feed> FeedStore::Add(const v1::AddFeedRequest& request, absl::Time now) {
  if (request.url().size() > 2048) {
    return absl::InvalidArgumentError("feed url is longer than 2048 bytes");
  }
  SA_RETURN_IF_ERROR(extract::CheckHttpUrl(request.url(), "feed url"));
  if (request.name().size() > 200) {
    return absl::InvalidArgumentError("feed name is longer than 200 bytes");
  }
  v1::Feed feed;
  feed.set_id(FeedId(request.url()));
  feed.set_url(request.url());
  feed.set_name(request.name());
  feed.set_interval_seconds(request.interval_seconds());
  // Keep the first added_at when the feed is only updated.
  SA_ASSIGN_OR_RETURN(auto existing, redis_.Command({"HGET", prefix_ + "feeds", feed.id()}));
  v1::Feed old;
  if (existing.is_string() && old.ParseFromString(existing.str) && old.has_added_at()) {
    *feed.mutable_added_at() = old.added_at();
  } else {
    SetTimestamp(now, feed.mutable_added_at());
  }
  SA_RETURN_IF_ERROR(
      redis_.Command({"HSET", prefix_ + "feeds", feed.id(), feed.SerializeAsString()}).status());
  // A new feed is due at once; an updated one keeps its schedule.
  SA_RETURN_IF_ERROR(
      redis_.Command({"ZADD", prefix_ + "feeds:schedule", "NX", "0", feed.id()}).status());
  return feed;
}

absl::StatusOr<std::vector<v1::Feed>> FeedStore::List(bool with_status) {
  SA_ASSIGN_OR_RETURN(auto reply, redis_.Command({"HVALS", prefix_ + "feeds"}));
  std::vector<v1::Feed> feeds;
  for (const auto& value : reply.elements) {
    v1::Feed feed;
    if (value.is_string() && feed.ParseFromString(value.str)) feeds.push_back(std::move(feed));
  }
  std::sort(feeds.begin(), feeds.end(),
            [](const v1::Feed& a, const v1::Feed& b) { return a.url() < b.url(); });
  if (with_status) {
    for (v1::Feed& feed : feeds) SA_RETURN_IF_ERROR(FillStatus(feed));
  }
  return feeds;
}

absl::Status FeedStore::FillStatus(v1::Feed& feed) {
  SA_ASSIGN_OR_RETURN(FeedState state, State(feed.id()));
  v1::FeedStatus* s = feed.mutable_status();
  SetTimestamp(state.last_fetch, s->mutable_last_fetch());
  SetTimestamp(state.last_success, s->mutable_last_success());
  SetTimestamp(state.next_fetch, s->mutable_next_fetch());
  s->set_http_status(state.http_status);
  s->set_error(state.error);
  s->set_items_seen(state.items_seen);
  s->set_items_published(state.items_published);
  s->set_items_rejected(state.items_rejected);
  s->set_consecutive_failures(state.consecutive_failures);
  s->set_last_rejected_entry(state.last_rejected_entry);
  s->set_last_rejected_error(state.last_rejected_error);
  SetTimestamp(state.last_rejected_at, s->mutable_last_rejected_at());
  return absl::OkStatus();
}

absl::StatusOr<FeedPage> FeedStore::ListPage(const std::string& page_token, int page_size) {
  if (!page_token.empty()) {
    bool ok = absl::StartsWith(page_token, "feed_") && page_token.size() <= 64;
    for (char c : page_token)
      ok = ok && (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_');
    if (!ok) return absl::InvalidArgumentError("page_token is not a next_page_token of ListFeeds");
  }
  page_size = std::clamp(page_size, 1, kMaxPageSize);
  SA_ASSIGN_OR_RETURN(auto reply, redis_.Command({"HKEYS", prefix_ + "feeds"}));
  std::vector<std::string> ids;
  for (const auto& id : reply.elements) {
    if (id.is_string() && id.str > page_token) ids.push_back(id.str);
  }
  FeedPage page;
  if (ids.empty()) return page;
  const size_t n = std::min(ids.size(), static_cast<size_t>(page_size));
  std::partial_sort(ids.begin(), ids.begin() + n, ids.end());
  std::vector<std::string> hmget = {"HMGET", prefix_ + "feeds"};
  hmget.insert(hmget.end(), ids.begin(), ids.begin() + n);
  SA_ASSIGN_OR_RETURN(auto values, redis_.Command(hmget));
  for (const auto& value : values.elements) {
    v1::Feed feed;
    // A feed removed since HKEYS is simply not listed.
    if (!value.is_string() || !feed.ParseFromString(value.str)) continue;
    SA_RETURN_IF_ERROR(FillStatus(feed));
    page.feeds.push_back(std::move(feed));
  }
  if (ids.size() > n) page.next_page_token = ids[n - 1];
  return page;
}

absl::Status FeedStore::Remove(const std::string& id_or_url) {
  std::string id = absl::StartsWith(id_or_url, "feed_") ? id_or_url : FeedId(id_or_url);
  SA_ASSIGN_OR_RETURN(auto removed, redis_.Command({"HDEL", prefix_ + "feeds", id}));
  if (removed.integer == 0) {
    return absl::NotFoundError(absl::StrCat("no feed ", id_or_url));
  }
  SA_RETURN_IF_ERROR(redis_.Command({"ZREM", prefix_ + "feeds:schedule", id}).status());
  return redis_.Command({"DEL", Key(id, "state"), Key(id, "seen"), Key(id, "lease")}).status();
}

absl::StatusOr<std::vector<v1::Feed>> FeedStore::Due(absl::Time now, int limit) {
  SA_ASSIGN_OR_RETURN(auto ids, redis_.Command({"ZRANGEBYSCORE", prefix_ + "feeds:schedule", "-inf",
                                                absl::StrCat(absl::ToUnixMillis(now)), "LIMIT", "0",
                                                absl::StrCat(limit)}));
  std::vector<v1::Feed> feeds;
  if (ids.elements.empty()) return feeds;
  std::vector<std::string> hmget = {"HMGET", prefix_ + "feeds"};
  for (const auto& id : ids.elements) hmget.push_back(id.str);
  SA_ASSIGN_OR_RETURN(auto values, redis_.Command(hmget));
  for (size_t i = 0; i < values.elements.size(); ++i) {
    v1::Feed feed;
    if (values.elements[i].is_string() && feed.ParseFromString(values.elements[i].str)) {
      feeds.push_back(std::move(feed));
    } else if (i < ids.elements.size()) {
      // Removed meanwhile (or never fully added): drop it from the schedule.
      (void)redis_.Command({"ZREM", prefix_ + "feeds:schedule", ids.elements[i].str});
    }
  }
  return feeds;
}

absl::StatusOr<FeedState> FeedStore::State(const std::string& id) {
  SA_ASSIGN_OR_RETURN(auto reply, redis_.Command({"HGETALL", Key(id, "state")}));
  FeedState state;
  for (size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    const std::string& field = reply.elements[i].str;
    const std::string& value = reply.elements[i + 1].str;
    if (field == "etag")
      state.etag = value;
    else if (field == "last_modified")
      state.last_modified = value;
    else if (field == "next_fetch_ms")
      state.next_fetch = FromMillis(value);
    else if (field == "last_fetch_ms")
      state.last_fetch = FromMillis(value);
    else if (field == "last_success_ms")
      state.last_success = FromMillis(value);
    else if (field == "http_status")
      (void)absl::SimpleAtoi(value, &state.http_status);
    else if (field == "error")
      state.error = value;
    else if (field == "failures")
      (void)absl::SimpleAtoi(value, &state.consecutive_failures);
    else if (field == "items_seen")
      (void)absl::SimpleAtoi(value, &state.items_seen);
    else if (field == "items_published")
      (void)absl::SimpleAtoi(value, &state.items_published);
    else if (field == "items_rejected")
      (void)absl::SimpleAtoi(value, &state.items_rejected);
    else if (field == "last_rejected_entry")
      state.last_rejected_entry = value;
    else if (field == "last_rejected_error")
      state.last_rejected_error = value;
    else if (field == "last_rejected_ms")
      state.last_rejected_at = FromMillis(value);
  }
  return state;
}

absl::Status FeedStore::RecordPoll(const std::string& id, const PollRecord& r) {
  const std::string key = Key(id, "state");
  std::vector<std::string> hset = {"HSET",          key,
                                   "last_fetch_ms", absl::StrCat(Millis(r.fetched_at)),
                                   "next_fetch_ms", absl::StrCat(Millis(r.next_fetch)),
                                   "http_status",   absl::StrCat(r.http_status),
                                   "error",         r.error};
  if (r.error.empty()) {
    hset.insert(hset.end(),
                {"last_success_ms", absl::StrCat(Millis(r.fetched_at)), "failures", "0"});
  }
  if (r.update_validators) {
    hset.insert(hset.end(), {"etag", r.etag, "last_modified", r.last_modified});
  }
  if (!r.rejected_entry.empty()) {
    hset.insert(hset.end(),
                {"last_rejected_entry", r.rejected_entry, "last_rejected_error", r.rejected_error,
                 "last_rejected_ms", absl::StrCat(Millis(r.fetched_at))});
  }
  SA_RETURN_IF_ERROR(redis_.Command(hset).status());
  // XX: a feed removed while it was being polled stays removed.
  SA_RETURN_IF_ERROR(redis_
                         .Command({"ZADD", prefix_ + "feeds:schedule", "XX",
                                   absl::StrCat(Millis(r.next_fetch)), id})
                         .status());
  if (!r.error.empty())
    SA_RETURN_IF_ERROR(redis_.Command({"HINCRBY", key, "failures", "1"}).status());
  for (const auto& [field, n] : {std::pair<const char*, uint64_t>{"items_seen", r.new_items_seen},
                                 {"items_published", r.new_items_published},
                                 {"items_rejected", r.new_items_rejected}}) {
    if (n > 0) {
      SA_RETURN_IF_ERROR(redis_.Command({"HINCRBY", key, field, absl::StrCat(n)}).status());
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<bool>> FeedStore::Seen(const std::string& id,
                                                  const std::vector<std::string>& entry_keys) {
  std::vector<bool> seen(entry_keys.size(), false);
  if (entry_keys.empty()) return seen;
  std::vector<std::string> args = {"ZMSCORE", Key(id, "seen")};
  args.insert(args.end(), entry_keys.begin(), entry_keys.end());
  SA_ASSIGN_OR_RETURN(auto reply, redis_.Command(args));
  for (size_t i = 0; i < reply.elements.size() && i < seen.size(); ++i) {
    seen[i] = !reply.elements[i].is_nil();
  }
  return seen;
}

absl::Status FeedStore::MarkSeen(const std::string& id, const std::string& entry_key,
                                 absl::Time now) {
  const std::string key = Key(id, "seen");
  SA_RETURN_IF_ERROR(
      redis_.Command({"ZADD", key, absl::StrCat(absl::ToUnixMillis(now)), entry_key}).status());
  return redis_.Command({"ZREMRANGEBYRANK", key, "0", absl::StrCat(-kMaxSeen - 1)}).status();
}

absl::StatusOr<bool> FeedStore::AcquireLease(const std::string& id, const std::string& holder,
                                             absl::Duration ttl) {
  SA_ASSIGN_OR_RETURN(
      auto reply,
      redis_.Command({"SET", Key(id, "lease"), holder, "NX", "PX",
                      absl::StrCat(std::max<int64_t>(1, absl::ToInt64Milliseconds(ttl)))}));
  return !reply.is_nil();
}

absl::Status FeedStore::ReleaseLease(const std::string& id, const std::string& holder) {
  return ReleaseScript().Run(redis_, {Key(id, "lease")}, {holder}).status();
}

}  // namespace sa::feeds
