// alertctl: the command-line client of summit-alerts, for people and scripts.
#include <grpcpp/grpcpp.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli/alert_format.h"
#include "cli/feed_json.h"
#include "common/auth/token_store.h"
#include "common/config/env_flags.h"
#include "common/grpc/client_channel.h"
#include "extract/article_validator.h"
#include "extract/event_extractor.h"
#include "formats/article_files.h"
#include "formats/feed_parser.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "summit_alerts/v1/collector.grpc.pb.h"
#include "summit_alerts/v1/notifier.grpc.pb.h"

ABSL_FLAG(std::string, collector, "127.0.0.1:50051", "collector address (env COLLECTOR)");
ABSL_FLAG(std::string, notifier, "127.0.0.1:50052", "notifier address (env NOTIFIER)");
ABSL_FLAG(std::string, output, "text", "text or json (one JSON object per line) (env OUTPUT)");
ABSL_FLAG(std::string, token, "",
          "bearer token sent as 'authorization: Bearer …' on every call (env SA_TOKEN); see "
          "docs/SECURITY.md");
ABSL_FLAG(std::string, redis_url, "redis://127.0.0.1:6379/0",
          "token: the services' Redis, where tokens are kept (env REDIS_URL)");
ABSL_FLAG(std::string, key_prefix, "sa:", "token: the services' --key_prefix (env KEY_PREFIX)");
ABSL_FLAG(std::string, scope, "", "token create: scopes, e.g. subscribe,ingest (or admin)");
ABSL_FLAG(absl::Duration, expires_in, absl::ZeroDuration(),
          "token create: the token expires this long from now (e.g. 720h); 0: never");
ABSL_FLAG(std::string, label, "", "token create: a note shown by token list (e.g. a host name)");
ABSL_FLAG(std::string, tls_ca, "",
          "PEM CA bundle the services' certificate must chain to; set (or --tls): speak TLS "
          "(env TLS_CA)");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM client certificate, for services with --tls_client_ca (mTLS); no environment "
          "variable: TLS_CERT is the services' own certificate in their containers");
ABSL_FLAG(std::string, tls_key, "", "PEM key of --tls_cert");
ABSL_FLAG(bool, tls, false,
          "speak TLS trusting the system's CAs; implied by --tls_ca/--tls_cert. Without any, "
          "plaintext (loopback, the demo) (env TLS)");
ABSL_FLAG(absl::Duration, rpc_timeout, absl::Seconds(10), "deadline of each unary call");
ABSL_FLAG(std::string, title, "", "ingest: use this title instead of the file's");
ABSL_FLAG(std::string, url, "", "ingest: the article's URL");
ABSL_FLAG(std::string, source, "", "ingest: the article's source (outlet) name");
ABSL_FLAG(std::string, language, "", "ingest: the article's language tag");
ABSL_FLAG(std::string, owner, "",
          "subscribe/subs: the owner of the subscription(s) (with authentication, only an admin "
          "token may name another owner); token create: the token's owner");
ABSL_FLAG(std::string, name, "",
          "subscribe/feed-add: a name for the subscription, or the feed's source name");
ABSL_FLAG(absl::Duration, interval, absl::ZeroDuration(),
          "feed-add: poll the feed at most this often (0: the collector's default)");
ABSL_FLAG(double, min_relevance, 0, "subscribe/test: only events at least this relevant (0..1)");
ABSL_FLAG(std::vector<std::string>, topics, {},
          "subscribe/test: comma-separated topics, one of which the event must have");
ABSL_FLAG(std::string, file, "", "test: evaluate against the articles in this file");
ABSL_FLAG(int32_t, last, 20, "test: evaluate against the newest N events of the stream");
ABSL_FLAG(std::string, after, "",
          "tail: resume after this alert id (\"0\" = every retained alert; empty = new only)");
ABSL_FLAG(std::vector<std::string>, slack, {}, "subscribe: Slack incoming-webhook URL(s)");
ABSL_FLAG(std::vector<std::string>, discord, {}, "subscribe: Discord webhook URL(s)");
ABSL_FLAG(std::vector<std::string>, mattermost, {},
          "subscribe: Mattermost incoming-webhook URL(s)");
ABSL_FLAG(std::vector<std::string>, teams, {},
          "subscribe: Microsoft Teams Workflows webhook URL(s)");
ABSL_FLAG(std::vector<std::string>, telegram, {},
          "subscribe: Telegram BOT_TOKEN@CHAT_ID target(s), e.g. 123456:ABC@-1001234567890");
ABSL_FLAG(std::vector<std::string>, webhook, {}, "subscribe: generic signed-JSON webhook URL(s)");
ABSL_FLAG(std::string, secret, "", "subscribe: HMAC-SHA256 key for the --webhook channels");
ABSL_FLAG(std::string, template, "",
          "subscribe: message template for the chat channels, e.g. '{{title}} {{url}}' "
          "(fields: docs/WEBHOOKS.md)");
ABSL_FLAG(int32_t, digest_minutes, 0,
          "subscribe: send the chat channels one digest every N minutes instead of each alert");
ABSL_FLAG(std::string, digest_daily_at, "", "subscribe: one digest per day at HH:MM (UTC)");
ABSL_FLAG(
    int32_t, max_per_hour, 0,
    "subscribe: at most N chat messages per channel per hour; the rest arrive as an hourly digest");
ABSL_FLAG(std::string, subscription, "", "dead-letters: only this subscription's");
ABSL_FLAG(std::string, base_url, "",
          "parse: resolve the feeds' relative links against this URL (as if fetched from it)");
ABSL_FLAG(std::string, gazetteer_dir, "",
          "extract: the gazetteer directory (empty: ./data/gazetteer, then the installed copy)");
ABSL_FLAG(bool, world_places, true,
          "extract: also load the packaged world places (iso-codes, GeoNames), as the services "
          "do by default; false: only --gazetteer_dir's own places, a quicker start");
ABSL_FLAG(std::string, charset, "",
          "parse: decode the feeds as this charset, as an HTTP Content-Type charset would");
ABSL_FLAG(int32_t, max_alerts, 0, "tail: exit after this many alerts (0 = never)");
ABSL_FLAG(absl::Duration, idle_timeout, absl::ZeroDuration(),
          "tail: exit when no alert arrives for this long (0 = never)");

namespace {

namespace v1 = summit_alerts::v1;

constexpr char kUsage[] = R"(the command-line client of summit-alerts.

usage: alertctl [flags] COMMAND [ARGS]

commands:
  ingest FILE...          send articles to the collector (.txt, .json Article, .jsonl, a feed
                          file .xml/.rss/.atom/.rdf: one article per entry; - = stdin)
  feeds                   the collector's feeds with their last fetch, status and counts
  feed-add URL            poll an RSS/Atom/JSON feed (--name = source name, --interval=15m)
  feed-rm ID|URL          stop polling a feed
  extract FILE...         extract events offline, as the collector would, and print each as
                          JSON (articles from .txt/.json/.jsonl/feed files; --gazetteer_dir)
  parse FILE...           parse feed files offline and print each as one JSON object (title,
                          links, entries with text, dates, authors...; --base_url, --charset); a file
                          that is no feed prints {"file":..., "error":...} and exit is 1
  subscribe QUERY...      create a subscription, e.g. alertctl subscribe '"arms control" Putin'
  subs                    list subscriptions (--owner to filter)
  get ID                  show one subscription
  unsubscribe ID          delete a subscription
  tail ID                 stream a subscription's alerts (--after to resume, --max_alerts)
  test QUERY...           try a rule without saving it: against the newest events (--last N)
                          or the articles of a file (--file F); says why each (did not) match
  dead-letters            webhook deliveries that failed for good (--subscription to filter)
  replay ID               queue a dead letter's delivery again
  token create --owner=O --scope=S[,S] [--expires_in=720h] [--label=L]
                          make a bearer token (scopes subscribe, ingest, admin) and print it
                          once; only its SHA-256 is kept (talks to Redis: --redis_url,
                          --key_prefix)
  token list              the tokens (id, owner, scopes, created, expires, label; no secrets)
  token revoke ID         refuse a token from now on (ID as token list shows it)
  token generate          print a new random token without storing it (for --admin_token_file)
  health HOST:PORT [SERVICE]
                          the gRPC health check: prints SERVING (exit 0) or NOT_SERVING (exit 1);
                          exit 3 when unreachable (for container healthchecks). SERVICE
                          "liveness" stays SERVING while Redis is down (for liveness probes)

subscribe sends alerts to chat too with --slack, --discord, --mattermost, --teams URL,
--telegram BOT_TOKEN@CHAT_ID or --webhook URL --secret KEY, as they happen or as digests
(--digest_minutes=N, --digest_daily_at=HH:MM, --max_per_hour=N; see docs/WEBHOOKS.md).

With authentication on (docs/SECURITY.md) every call needs --token (or env SA_TOKEN).

--output=json prints one JSON object per line for scripts.)";

bool Json() { return absl::GetFlag(FLAGS_output) == "json"; }

int FailStatus(const absl::Status& status, const std::string& what) {
  std::fprintf(stderr, "alertctl: %s: %s\n", what.c_str(), std::string(status.message()).c_str());
  return status.code() == absl::StatusCode::kUnavailable ? 3 : 1;
}

int Fail(const grpc::Status& status, const std::string& what) {
  std::fprintf(stderr, "alertctl: %s: %s (%d)\n", what.c_str(), status.error_message().c_str(),
               static_cast<int>(status.error_code()));
  return status.error_code() == grpc::StatusCode::UNAVAILABLE ? 3 : 1;
}

// TLS when --tls, --tls_ca or --tls_cert is given, else plaintext. A bad TLS file: message,
// exit 2.
std::shared_ptr<grpc::Channel> Connect(const std::string& address) {
  sa::ClientTransportOptions transport{.ca_file = absl::GetFlag(FLAGS_tls_ca),
                                       .cert_file = absl::GetFlag(FLAGS_tls_cert),
                                       .key_file = absl::GetFlag(FLAGS_tls_key)};
  transport.insecure = !absl::GetFlag(FLAGS_tls) && transport.ca_file.empty() &&
                       transport.cert_file.empty() && transport.key_file.empty();
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      sa::MakeClientChannel(address, transport);
  if (!channel.ok()) {
    std::fprintf(stderr, "alertctl: %s\n", std::string(channel.status().message()).c_str());
    std::exit(2);
  }
  return *std::move(channel);
}

// The bearer token of every call: --token, else the environment's SA_TOKEN; none when empty.
void AddToken(grpc::ClientContext& context) {
  std::string token = absl::GetFlag(FLAGS_token);
  if (token.empty()) {
    const char* env = std::getenv("SA_TOKEN");
    if (env != nullptr) token = env;
  }
  if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
}

void SetDeadline(grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() +
                       absl::ToChronoMilliseconds(absl::GetFlag(FLAGS_rpc_timeout)));
}

int Ingest(const std::vector<std::string>& files) {
  if (files.empty()) {
    std::fprintf(stderr, "alertctl ingest: name at least one file\n");
    return 2;
  }
  auto stub = v1::Collector::NewStub(Connect(absl::GetFlag(FLAGS_collector)));
  int failures = 0;
  for (const std::string& file : files) {
    auto articles = sa::formats::LoadArticles(file);
    if (!articles.ok()) {
      std::fprintf(stderr, "alertctl ingest: %s\n",
                   std::string(articles.status().message()).c_str());
      ++failures;
      continue;
    }
    for (v1::Article& article : *articles) {
      if (!absl::GetFlag(FLAGS_title).empty()) article.set_title(absl::GetFlag(FLAGS_title));
      if (!absl::GetFlag(FLAGS_url).empty()) article.set_url(absl::GetFlag(FLAGS_url));
      if (!absl::GetFlag(FLAGS_source).empty()) article.set_source(absl::GetFlag(FLAGS_source));
      if (!absl::GetFlag(FLAGS_language).empty())
        article.set_language(absl::GetFlag(FLAGS_language));
      v1::IngestRequest request;
      *request.mutable_article() = article;
      v1::IngestResponse response;
      grpc::ClientContext context;
      AddToken(context);
      SetDeadline(context);
      grpc::Status status = stub->Ingest(&context, request, &response);
      if (!status.ok()) {
        Fail(status, "ingest " + file);
        ++failures;
        continue;
      }
      if (Json()) {
        response.mutable_event()->clear_body();  // the caller has it; keep lines short
        std::cout << sa::cli::ToJson(response) << std::endl;
      } else {
        std::cout << (response.duplicate() ? "duplicate " : "published ") << response.event_id()
                  << "  type: " << response.event().type()
                  << "  relevance: " << response.event().relevance() << "  (" << file << ")"
                  << std::endl;
      }
    }
  }
  return failures == 0 ? 0 : 1;
}

int Subscribe(const std::vector<std::string>& words) {
  if (words.empty()) {
    std::fprintf(stderr, "alertctl subscribe: give a query, e.g. '\"arms control\" Putin'\n");
    return 2;
  }
  auto stub = v1::Notifier::NewStub(Connect(absl::GetFlag(FLAGS_notifier)));
  v1::CreateSubscriptionRequest request;
  auto* sub = request.mutable_subscription();
  sub->set_query(absl::StrJoin(words, " "));
  sub->set_owner(absl::GetFlag(FLAGS_owner));
  sub->set_name(absl::GetFlag(FLAGS_name));
  sub->set_min_relevance(absl::GetFlag(FLAGS_min_relevance));
  for (const std::string& topic : absl::GetFlag(FLAGS_topics)) sub->add_topics(topic);
  auto channels = sa::cli::ChannelsFromFlags({.slack = absl::GetFlag(FLAGS_slack),
                                              .discord = absl::GetFlag(FLAGS_discord),
                                              .mattermost = absl::GetFlag(FLAGS_mattermost),
                                              .teams = absl::GetFlag(FLAGS_teams),
                                              .telegram = absl::GetFlag(FLAGS_telegram),
                                              .webhook = absl::GetFlag(FLAGS_webhook),
                                              .secret = absl::GetFlag(FLAGS_secret),
                                              .template_ = absl::GetFlag(FLAGS_template)});
  if (!channels.ok()) {
    std::fprintf(stderr, "alertctl subscribe: %s\n",
                 std::string(channels.status().message()).c_str());
    return 2;
  }
  for (auto& channel : *channels) *sub->add_channels() = std::move(channel);
  sub->mutable_delivery()->set_digest_minutes(absl::GetFlag(FLAGS_digest_minutes));
  sub->mutable_delivery()->set_digest_daily_at(absl::GetFlag(FLAGS_digest_daily_at));
  sub->mutable_delivery()->set_max_per_hour(absl::GetFlag(FLAGS_max_per_hour));
  v1::Subscription created;
  grpc::ClientContext context;
  AddToken(context);
  SetDeadline(context);
  if (auto status = stub->CreateSubscription(&context, request, &created); !status.ok()) {
    return Fail(status, "subscribe");
  }
  std::cout << (Json() ? sa::cli::ToJson(created) : sa::cli::FormatSubscription(created))
            << std::endl;
  return 0;
}

int TestQuery(const std::vector<std::string>& words) {
  auto stub = v1::Notifier::NewStub(Connect(absl::GetFlag(FLAGS_notifier)));
  v1::TestQueryRequest request;
  request.set_query(absl::StrJoin(words, " "));
  request.set_min_relevance(absl::GetFlag(FLAGS_min_relevance));
  for (const std::string& topic : absl::GetFlag(FLAGS_topics)) request.add_topics(topic);
  std::vector<v1::TestQueryRequest> requests;
  if (const std::string file = absl::GetFlag(FLAGS_file); !file.empty()) {
    auto articles = sa::formats::LoadArticles(file);
    if (!articles.ok()) {
      std::fprintf(stderr, "alertctl test: %s\n", std::string(articles.status().message()).c_str());
      return 1;
    }
    for (v1::Article& article : *articles) {
      *request.mutable_article() = std::move(article);
      requests.push_back(request);
    }
  } else {
    request.set_last_events(absl::GetFlag(FLAGS_last));
    requests.push_back(request);
  }
  int matched = 0;
  for (const v1::TestQueryRequest& one : requests) {
    v1::TestQueryResponse response;
    grpc::ClientContext context;
    AddToken(context);
    SetDeadline(context);
    if (auto status = stub->TestQuery(&context, one, &response); !status.ok())
      return Fail(status, "test");
    matched += response.matched_count();
    for (v1::TestQueryResult& result : *response.mutable_results()) {
      if (Json()) {
        result.mutable_event()->clear_body();
        std::cout << sa::cli::ToJson(result) << std::endl;
      } else {
        std::cout << sa::cli::FormatTestResult(result);
      }
    }
    if (!response.notice().empty()) std::cerr << "note: " << response.notice() << std::endl;
  }
  if (!Json()) std::cout << matched << " matched" << std::endl;
  return 0;
}

int ListSubs() {
  auto stub = v1::Notifier::NewStub(Connect(absl::GetFlag(FLAGS_notifier)));
  v1::ListSubscriptionsRequest request;
  request.set_owner(absl::GetFlag(FLAGS_owner));
  request.set_page_size(500);  // the server's maximum; pages through all
  do {
    v1::ListSubscriptionsResponse response;
    grpc::ClientContext context;
    AddToken(context);
    SetDeadline(context);
    if (auto status = stub->ListSubscriptions(&context, request, &response); !status.ok()) {
      return Fail(status, "subs");
    }
    for (const auto& s : response.subscriptions()) {
      std::cout << (Json() ? sa::cli::ToJson(s) : sa::cli::FormatSubscription(s)) << std::endl;
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return 0;
}

int GetSub(const std::string& id) {
  auto stub = v1::Notifier::NewStub(Connect(absl::GetFlag(FLAGS_notifier)));
  v1::GetSubscriptionRequest request;
  request.set_id(id);
  v1::Subscription sub;
  grpc::ClientContext context;
  AddToken(context);
  SetDeadline(context);
  if (auto status = stub->GetSubscription(&context, request, &sub); !status.ok()) {
    return Fail(status, "get " + id);
  }
  std::cout << (Json() ? sa::cli::ToJson(sub) : sa::cli::FormatSubscription(sub)) << std::endl;
  return 0;
}

int Unsubscribe(const std::string& id) {
  auto stub = v1::Notifier::NewStub(Connect(absl::GetFlag(FLAGS_notifier)));
  v1::DeleteSubscriptionRequest request;
  request.set_id(id);
  v1::DeleteSubscriptionResponse response;
  grpc::ClientContext context;
  AddToken(context);
  SetDeadline(context);
  if (auto status = stub->DeleteSubscription(&context, request, &response); !status.ok()) {
    return Fail(status, "unsubscribe " + id);
  }
  if (!Json()) std::cout << "deleted " << id << std::endl;
  return 0;
}

int DeadLetters() {
  auto stub = v1::Notifier::NewStub(Connect(absl::GetFlag(FLAGS_notifier)));
  v1::ListDeadLettersRequest request;
  request.set_subscription_id(absl::GetFlag(FLAGS_subscription));
  request.set_page_size(500);  // the server's maximum; pages through all
  int shown = 0;
  do {
    v1::ListDeadLettersResponse response;
    grpc::ClientContext context;
    AddToken(context);
    SetDeadline(context);
    if (auto status = stub->ListDeadLetters(&context, request, &response); !status.ok()) {
      return Fail(status, "dead-letters");
    }
    for (v1::DeadLetter& dead : *response.mutable_dead_letters()) {
      ++shown;
      if (Json()) {
        dead.mutable_alert()->mutable_event()->clear_body();
        std::cout << sa::cli::ToJson(dead) << std::endl;
      } else {
        std::cout << sa::cli::FormatDeadLetter(dead);
      }
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  if (!Json()) std::cout << shown << " dead letter(s)" << std::endl;
  return 0;
}

// The standard gRPC health check, for container healthchecks: exit 0 when SERVING.
int Health(const std::string& address, const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(Connect(address));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  grpc::ClientContext context;
  AddToken(context);
  SetDeadline(context);
  if (auto status = stub->Check(&context, request, &response); !status.ok()) {
    return Fail(status, "health " + address);
  }
  std::string state = grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status());
  std::cout << (Json() ? sa::cli::ToJson(response) : address + " " + state) << std::endl;
  return response.status() == grpc::health::v1::HealthCheckResponse::SERVING ? 0 : 1;
}

int Replay(const std::string& id) {
  auto stub = v1::Notifier::NewStub(Connect(absl::GetFlag(FLAGS_notifier)));
  v1::ReplayDeadLetterRequest request;
  request.set_id(id);
  v1::ReplayDeadLetterResponse response;
  grpc::ClientContext context;
  AddToken(context);
  SetDeadline(context);
  if (auto status = stub->ReplayDeadLetter(&context, request, &response); !status.ok()) {
    return Fail(status, "replay " + id);
  }
  std::cout << (Json() ? sa::cli::ToJson(response) : "queued again as " + response.delivery_id())
            << std::endl;
  return 0;
}

// How `tail` treats the end of a Subscribe stream (the client guidance of docs/ARCHITECTURE.md,
// "Subscribe clients"): final ends stop it; every other end is retried with jittered backoff,
// resuming after the last alert id printed.
enum class TailEnd { kFinal, kRetry, kRetrySlowly };

TailEnd ClassifyTailEnd(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::NOT_FOUND:  // no such subscription
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::INVALID_ARGUMENT:  // a bad resume point
    case grpc::StatusCode::OUT_OF_RANGE:      // alerts after the resume point were trimmed
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::UNIMPLEMENTED:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::DATA_LOSS:
      return TailEnd::kFinal;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:  // an overloaded server: give it time
      return TailEnd::kRetrySlowly;
    default:  // UNAVAILABLE, CANCELLED and DEADLINE_EXCEEDED not of our making, ABORTED,
              // INTERNAL/UNKNOWN (a connection broken mid-stream), OK (a stream must not end)
      return TailEnd::kRetry;
  }
}

// Ends a tail that has seen no alert for `idle` (measured across reconnects) by cancelling the
// stream in progress, or cutting short the wait before the next attempt.
class IdleWatch {
 public:
  explicit IdleWatch(absl::Duration idle) : idle_(idle), last_activity_(absl::Now()) {
    if (idle_ > absl::ZeroDuration()) thread_ = std::thread([this] { Run(); });
  }
  ~IdleWatch() {
    {
      absl::MutexLock lock(&mu_);
      done_ = true;
    }
    if (thread_.joinable()) thread_.join();
  }
  // The stream in progress (nullptr between streams). False when already expired.
  bool SetContext(grpc::ClientContext* context) {
    absl::MutexLock lock(&mu_);
    context_ = context;
    return !expired_;
  }
  void Activity() {
    absl::MutexLock lock(&mu_);
    last_activity_ = absl::Now();
  }
  bool expired() {
    absl::MutexLock lock(&mu_);
    return expired_;
  }
  // Sleeps for `delay` or until the idle timeout expires; false if it expired.
  bool Sleep(absl::Duration delay) {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&expired_), delay);
    return !expired_;
  }

 private:
  void Run() {
    absl::MutexLock lock(&mu_);
    while (!done_) {
      absl::Time deadline = last_activity_ + idle_;
      if (absl::Now() >= deadline) {
        expired_ = true;
        if (context_ != nullptr) context_->TryCancel();
        return;
      }
      mu_.AwaitWithDeadline(absl::Condition(&done_), deadline);
    }
  }

  const absl::Duration idle_;
  absl::Mutex mu_;
  absl::Time last_activity_ ABSL_GUARDED_BY(mu_);
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool expired_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// Streams alerts, printing each once: reconnects after the last id printed whenever the stream
// ends in a way that is not final (a notifier restart, rollout, overload, broken connection).
int Tail(const std::string& id) {
  // gRPC's own reconnect backoff grows to 120 s by default; ours paces the retries.
  grpc::ChannelArguments channel_args;
  channel_args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5000);
  auto stub = v1::Notifier::NewStub(grpc::CreateCustomChannel(
      absl::GetFlag(FLAGS_notifier), grpc::InsecureChannelCredentials(), channel_args));
  std::string after = absl::GetFlag(FLAGS_after);
  const int max_alerts = absl::GetFlag(FLAGS_max_alerts);
  const absl::Duration idle = absl::GetFlag(FLAGS_idle_timeout);
  constexpr absl::Duration kFirstDelay = absl::Milliseconds(250);
  constexpr absl::Duration kMaxDelay = absl::Seconds(10);
  std::mt19937_64 random(std::random_device{}());
  absl::Duration delay = kFirstDelay;
  int received = 0;
  IdleWatch watch(idle);
  while (true) {
    grpc::ClientContext context;
    AddToken(context);
    if (!watch.SetContext(&context)) break;
    v1::SubscribeRequest request;
    request.set_subscription_id(id);
    request.set_after_alert_id(after);
    auto reader = stub->Subscribe(&context, request);
    v1::Alert alert;
    bool progressed = false;
    while (reader->Read(&alert)) {
      watch.Activity();
      progressed = true;
      ++received;
      after = alert.id();
      std::cout << (Json() ? sa::cli::ToJson(alert) + "\n" : sa::cli::FormatAlert(alert))
                << std::flush;
      if (max_alerts > 0 && received >= max_alerts) {
        context.TryCancel();
        reader->Finish();
        watch.SetContext(nullptr);
        return 0;
      }
    }
    grpc::Status status = reader->Finish();
    if (!watch.SetContext(nullptr)) break;  // our own cancel: the idle timeout
    const TailEnd end = ClassifyTailEnd(status.error_code());
    if (end == TailEnd::kFinal) {
      if (status.error_code() == grpc::StatusCode::OUT_OF_RANGE) {
        std::fprintf(stderr,
                     "alertctl tail: alerts were trimmed before they could be read; rerun with "
                     "--after=0 to take every alert still retained\n");
      }
      return Fail(status, "tail " + id);
    }
    if (progressed) delay = kFirstDelay;
    if (end == TailEnd::kRetrySlowly) delay = std::max(delay, absl::Seconds(2));
    // Full jitter in [delay/2, delay]: clients cut off together do not return together.
    absl::Duration wait = delay / 2 + absl::Nanoseconds(std::uniform_int_distribution<int64_t>(
                                          0, absl::ToInt64Nanoseconds(delay / 2))(random));
    std::fprintf(stderr, "alertctl tail: %s (%d); reconnecting in %s after %s\n",
                 status.error_message().c_str(), static_cast<int>(status.error_code()),
                 absl::FormatDuration(absl::Milliseconds(absl::ToInt64Milliseconds(wait))).c_str(),
                 after.empty() ? "(now)" : after.c_str());
    if (after.empty()) after = "0";  // nothing seen yet: take everything retained, miss nothing
    delay = std::min(delay * 2, kMaxDelay);
    if (!watch.Sleep(wait)) break;
  }
  // The idle timeout: no alert for that long.
  return max_alerts > 0 && received < max_alerts ? 4 : 0;
}

}  // namespace

std::string FormatTimestamp(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::FromUnixSeconds(t.seconds()),
                          absl::UTCTimeZone());
}

// Every feed, page by page (the collector sends at most 500 per call).
int ListFeeds() {
  auto stub = v1::Collector::NewStub(Connect(absl::GetFlag(FLAGS_collector)));
  v1::ListFeedsRequest request;
  request.set_page_size(500);
  for (bool more = true; more;) {
    v1::ListFeedsResponse response;
    grpc::ClientContext context;
    AddToken(context);
    SetDeadline(context);
    if (auto status = stub->ListFeeds(&context, request, &response); !status.ok()) {
      return Fail(status, "feeds");
    }
    // A token that does not advance would loop forever: stop.
    more =
        !response.next_page_token().empty() && response.next_page_token() != request.page_token();
    request.set_page_token(response.next_page_token());
    for (const v1::Feed& feed : response.feeds()) {
      if (Json()) {
        std::cout << sa::cli::ToJson(feed) << std::endl;
        continue;
      }
      const v1::FeedStatus& st = feed.status();
      std::cout << feed.id() << "  " << feed.url()
                << (feed.name().empty() ? "" : "  (" + feed.name() + ")") << "\n  last fetch "
                << FormatTimestamp(st.last_fetch()) << "  HTTP " << st.http_status() << "  next "
                << FormatTimestamp(st.next_fetch()) << "  items " << st.items_seen() << " seen, "
                << st.items_published() << " published, " << st.items_rejected() << " rejected"
                << (st.error().empty() ? "" : "\n  error: " + st.error())
                << (st.last_rejected_error().empty()
                        ? ""
                        : "\n  last rejected " + FormatTimestamp(st.last_rejected_at()) + " " +
                              st.last_rejected_entry() + ": " + st.last_rejected_error())
                << std::endl;
    }
  }
  return 0;
}

int AddFeed(const std::string& url) {
  auto stub = v1::Collector::NewStub(Connect(absl::GetFlag(FLAGS_collector)));
  v1::AddFeedRequest request;
  request.set_url(url);
  request.set_name(absl::GetFlag(FLAGS_name));
  request.set_interval_seconds(
      static_cast<uint32_t>(absl::ToInt64Seconds(absl::GetFlag(FLAGS_interval))));
  v1::Feed feed;
  grpc::ClientContext context;
  AddToken(context);
  SetDeadline(context);
  if (auto status = stub->AddFeed(&context, request, &feed); !status.ok())
    return Fail(status, "feed-add");
  if (Json()) {
    std::cout << sa::cli::ToJson(feed) << std::endl;
  } else {
    std::cout << feed.id() << std::endl;
  }
  return 0;
}

int RemoveFeed(const std::string& id) {
  auto stub = v1::Collector::NewStub(Connect(absl::GetFlag(FLAGS_collector)));
  v1::RemoveFeedRequest request;
  request.set_id(id);
  v1::RemoveFeedResponse response;
  grpc::ClientContext context;
  AddToken(context);
  SetDeadline(context);
  if (auto status = stub->RemoveFeed(&context, request, &response); !status.ok())
    return Fail(status, "feed-rm " + id);
  if (!Json()) std::cout << "removed " << id << std::endl;
  return 0;
}

// `alertctl extract`: the events the collector would publish for the files' articles.
int ExtractEvents(const std::vector<std::string>& files) {
  auto gazetteer = sa::extract::Gazetteer::LoadForService(
      absl::GetFlag(FLAGS_gazetteer_dir),
      sa::extract::Gazetteer::Options{.world_places = absl::GetFlag(FLAGS_world_places)});
  if (!gazetteer.ok()) {
    std::fprintf(stderr, "alertctl extract: %s\n",
                 std::string(gazetteer.status().message()).c_str());
    return 1;
  }
  sa::extract::EventExtractor extractor(*gazetteer);
  int rc = 0;
  for (const std::string& file : files) {
    auto articles = sa::formats::LoadArticles(file);
    if (!articles.ok()) {
      std::fprintf(stderr, "alertctl extract: %s\n",
                   std::string(articles.status().message()).c_str());
      rc = 1;
      continue;
    }
    for (const v1::Article& article : *articles) {
      if (auto invalid = sa::extract::ValidateArticle(article, {}); !invalid.ok()) {
        std::fprintf(stderr, "alertctl extract: %s: %s\n", file.c_str(),
                     std::string(invalid.message()).c_str());
        rc = 1;
        continue;
      }
      v1::Event event = extractor.Extract(article, absl::Now());  // a one-shot CLI: real time
      event.clear_body();  // the input has it; keep lines readable
      std::cout << sa::cli::ToJson(event) << std::endl;
    }
  }
  return rc;
}

// `alertctl parse`: what the collector's feed parser makes of each file, as JSON lines.
int ParseFeeds(const std::vector<std::string>& files) {
  int rc = 0;
  for (const std::string& path : files) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    sa::feeds::FeedParseOptions options;
    options.base_url = absl::GetFlag(FLAGS_base_url);
    options.http_charset = absl::GetFlag(FLAGS_charset);
    auto feed = in ? sa::feeds::ParseFeed(content.str(), options)
                   : absl::StatusOr<sa::feeds::ParsedFeed>(absl::NotFoundError("cannot open"));
    // One line per file, in order, so scripts can pair them up: the feed or the error.
    if (!feed.ok()) {
      std::string message(feed.status().message());
      std::fprintf(stderr, "alertctl parse: %s: %s\n", path.c_str(), message.c_str());
      std::printf("%s\n", sa::cli::ErrorToJson(path, message).c_str());
      rc = 1;
      continue;
    }
    std::printf("%s\n", sa::cli::FeedToJson(*feed, path).c_str());
  }
  return rc;
}

std::string FormatTokenTime(absl::Time t) {
  return t == absl::InfiniteFuture()
             ? "never"
             : absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

nlohmann::json TokenJson(const sa::auth::TokenInfo& info) {
  return {{"id", info.id},
          {"owner", info.owner},
          {"scopes", sa::auth::FormatScopes(info.scopes)},
          {"created", FormatTokenTime(info.created)},
          {"expires", FormatTokenTime(info.expires)},
          {"label", info.label}};
}

// `token create|list|revoke|generate`: straight to the services' Redis (an operator tool; there
// is no token RPC).
int TokenCommand(const std::vector<std::string>& args) {
  const std::string sub = args.empty() ? "" : args[0];
  if (sub == "generate") {
    auto token = sa::auth::GenerateToken();
    if (!token.ok()) return FailStatus(token.status(), "token generate");
    std::printf("%s\n", token->c_str());
    return 0;
  }
  if (sub != "create" && sub != "list" && sub != "revoke") {
    std::fprintf(stderr, "alertctl token: create, list, revoke ID or generate\n");
    return 2;
  }
  if (sub == "revoke" && args.size() != 2) {
    std::fprintf(stderr, "alertctl token revoke: needs exactly one token id\n");
    return 2;
  }
  auto endpoint = sa::redis::ParseRedisUrl(absl::GetFlag(FLAGS_redis_url));
  if (!endpoint.ok()) return FailStatus(endpoint.status(), "--redis_url");
  sa::redis::RedisClient redis(sa::redis::RedisOptions{.endpoint = *endpoint});
  sa::auth::TokenStore store(redis, absl::GetFlag(FLAGS_key_prefix));
  if (sub == "create") {
    auto scopes = sa::auth::ParseScopes(absl::GetFlag(FLAGS_scope));
    if (!scopes.ok()) return FailStatus(scopes.status(), "token create --scope");
    const absl::Duration expires_in = absl::GetFlag(FLAGS_expires_in);
    if (expires_in < absl::ZeroDuration()) {
      std::fprintf(stderr, "alertctl token create: --expires_in must not be negative\n");
      return 2;
    }
    auto made =
        store.Create(absl::GetFlag(FLAGS_owner), *scopes,
                     expires_in == absl::ZeroDuration() ? absl::InfiniteDuration() : expires_in,
                     absl::GetFlag(FLAGS_label), absl::Now());
    if (!made.ok()) return FailStatus(made.status(), "token create");
    if (Json()) {
      nlohmann::json out = TokenJson(made->info);
      out["token"] = made->token;
      std::printf("%s\n", out.dump().c_str());
    } else {
      std::printf("%s\n", made->token.c_str());
      std::fprintf(stderr,
                   "token %s for %s (%s), expires %s. It is shown only this once: keep it now.\n",
                   made->info.id.c_str(), made->info.owner.c_str(),
                   sa::auth::FormatScopes(made->info.scopes).c_str(),
                   FormatTokenTime(made->info.expires).c_str());
    }
    return 0;
  }
  if (sub == "list") {
    auto tokens = store.List(absl::Now());
    if (!tokens.ok()) return FailStatus(tokens.status(), "token list");
    if (!Json())
      std::printf("%-12s  %-20s  %-24s  %-20s  %-20s  %s\n", "ID", "OWNER", "SCOPES", "CREATED",
                  "EXPIRES", "LABEL");
    for (const auto& info : *tokens) {
      if (Json()) {
        std::printf("%s\n", TokenJson(info).dump().c_str());
      } else {
        std::printf("%-12s  %-20s  %-24s  %-20s  %-20s  %s\n", info.id.c_str(), info.owner.c_str(),
                    sa::auth::FormatScopes(info.scopes).c_str(),
                    FormatTokenTime(info.created).c_str(), FormatTokenTime(info.expires).c_str(),
                    info.label.c_str());
      }
    }
    return 0;
  }
  auto revoked = store.Revoke(args[1]);
  if (!revoked.ok()) return FailStatus(revoked.status(), "token revoke");
  if (Json()) {
    std::printf("%s\n", TokenJson(*revoked).dump().c_str());
  } else {
    std::printf("revoked token %s (%s)\n", revoked->id.c_str(), revoked->owner.c_str());
  }
  return 0;
}

int main(int argc, char** argv) {
  std::vector<std::string> args = sa::config::ParseFlagsWithEnvironment(
      argc, argv, {"collector", "notifier", "output", "redis_url", "key_prefix", "tls_ca", "tls"},
      kUsage);
  if (args.empty()) {
    std::fprintf(stderr, "%s\n", kUsage);
    return 2;
  }
  if (absl::GetFlag(FLAGS_output) != "text" && !Json()) {
    std::fprintf(stderr, "alertctl: --output must be text or json\n");
    return 2;
  }
  const std::string command = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  auto need_one = [&](const char* what) {
    if (rest.size() == 1) return true;
    std::fprintf(stderr, "alertctl %s: needs exactly one %s\n", command.c_str(), what);
    return false;
  };
  if (command == "token") return TokenCommand(rest);
  if (command == "ingest") return Ingest(rest);
  if (command == "subscribe") return Subscribe(rest);
  if (command == "feeds") return ListFeeds();
  if (command == "feed-add") return need_one("feed URL") ? AddFeed(rest[0]) : 2;
  if (command == "feed-rm") return need_one("feed id or URL") ? RemoveFeed(rest[0]) : 2;
  if (command == "extract") {
    if (!rest.empty()) return ExtractEvents(rest);
    std::fprintf(stderr, "alertctl extract: give one or more article or feed files\n");
    return 2;
  }
  if (command == "parse") {
    if (!rest.empty()) return ParseFeeds(rest);
    std::fprintf(stderr, "alertctl parse: give one or more feed files\n");
    return 2;
  }
  if (command == "subs") return ListSubs();
  if (command == "test") {
    if (rest.empty() && absl::GetFlag(FLAGS_topics).empty()) {
      std::fprintf(stderr, "alertctl test: give a query, e.g. 'Putin OR Lavrov'\n");
      return 2;
    }
    return TestQuery(rest);
  }
  if (command == "get") return need_one("subscription id") ? GetSub(rest[0]) : 2;
  if (command == "unsubscribe") return need_one("subscription id") ? Unsubscribe(rest[0]) : 2;
  if (command == "tail") return need_one("subscription id") ? Tail(rest[0]) : 2;
  if (command == "dead-letters") return DeadLetters();
  if (command == "health") {
    if (rest.size() == 1 || rest.size() == 2)
      return Health(rest[0], rest.size() == 2 ? rest[1] : "");
    std::fprintf(stderr, "alertctl health: needs HOST:PORT and optionally a service name\n");
    return 2;
  }
  if (command == "replay") return need_one("dead-letter id") ? Replay(rest[0]) : 2;
  std::fprintf(stderr, "alertctl: unknown command '%s'\n\n%s\n", command.c_str(), kUsage);
  return 2;
}
