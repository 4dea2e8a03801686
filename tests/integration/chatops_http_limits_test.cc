// The chat-ops HTTP server under slow and hostile clients (issue 19 item 4), over real sockets
// on loopback against a real redis-server: 100 sockets trickling a request byte by byte do not
// starve a good client; a request not whole within the deadline is closed although it keeps
// sending; oversized headers and bodies are refused (431/413); connections over the
// per-address and total caps are refused while other clients are served.
//
// Client sockets bind to distinct loopback addresses (127.0.1.x, 127.0.2.x: all of 127/8 is
// the loopback interface) to play distinct peers; the good client is 127.0.0.1.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/http/http_client.h"
#include "nlohmann/json.hpp"
#include "notifier/chatops/chatops_server.h"
#include "tests/support/eventually.h"
#include "tests/support/shared_redis_test.h"
#include "tests/support/status_matchers.h"

namespace sa::notifier {
namespace {

using nlohmann::json;
using ::sa::testing::Eventually;
using ::sa::testing::IsOk;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// A connected TCP socket from `from` (a loopback address) to the server, or -1.
int Connect(const std::string& server_address, const std::string& from) {
  int port = 0;
  if (!absl::SimpleAtoi(server_address.substr(server_address.rfind(':') + 1), &port)) return -1;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in local = {};
  local.sin_family = AF_INET;
  inet_pton(AF_INET, from.c_str(), &local.sin_addr);
  sockaddr_in remote = {};
  remote.sin_family = AF_INET;
  remote.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0 ||
      connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof(remote)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool SendAll(int fd, const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

// Everything the server sends until it closes the connection (EOF or reset), or until
// `timeout` passes; `closed` says which.
std::string ReadUntilClosed(int fd, absl::Duration timeout, bool* closed) {
  std::string out;
  absl::Time deadline = absl::Now() + timeout;
  *closed = false;
  while (absl::Now() < deadline) {
    pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    char buffer[4096];
    ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) {
      *closed = true;
      break;
    }
    out.append(buffer, static_cast<size_t>(n));
  }
  return out;
}

class ChatOpsHttpLimitsTest : public testing::SharedRedisTest {
 protected:
  void SetUp() override {
    prefix_ = testing::UniquePrefix();
    subs_ = std::make_unique<SubscriptionStore>(client(), prefix_);
    tester_ = std::make_unique<QueryTester>(client(), prefix_ + "events", nullptr);
    replays_ = std::make_unique<RedisReplayGuard>(client(), prefix_);
  }

  // Starts the server with the default limits, then `adjust`.
  void StartServer(const std::function<void(ChatOpsOptions&)>& adjust = nullptr) {
    ChatOpsOptions options{.address = "127.0.0.1:0",
                           .telegram_bot_token = "123:tg",
                           .telegram_secret_token = "tg-secret",
                           .api_token = "api-token"};
    if (adjust) adjust(options);
    auto server = ChatOpsServer::Start(options, *subs_, *tester_, *replays_);
    ASSERT_THAT(server.status(), IsOk());
    server_ = std::move(*server);
  }

  http::HttpResponse Call(const std::string& method, const std::string& path,
                          const std::string& body = "") {
    http::HttpClient http({.allow_private_addresses = true});
    auto response = http.Send(
        {.method = method,
         .url = "http://" + server_->address() + path,
         .headers = {{"Authorization", "Bearer api-token"}, {"Content-Type", "application/json"}},
         .body = body});
    EXPECT_THAT(response.status(), IsOk());
    return response.ok() ? *response : http::HttpResponse{};
  }

  // One round of what a chat bot does: create, list, read, test, a Telegram command, delete.
  void GoodClientRound(int round) {
    http::HttpResponse created =
        Call("POST", "/v1/subscriptions",
             absl::StrCat(R"({"query": "Putin", "owner": "good)", round, R"("})"));
    ASSERT_EQ(created.status, 201) << created.body;
    std::string id = json::parse(created.body)["id"];
    http::HttpResponse listed = Call("GET", absl::StrCat("/v1/subscriptions?owner=good", round));
    ASSERT_EQ(listed.status, 200) << listed.body;
    EXPECT_EQ(json::parse(listed.body)["subscriptions"][0]["id"], id);
    EXPECT_EQ(Call("GET", "/v1/subscriptions/" + id).status, 200);
    EXPECT_EQ(Call("POST", "/v1/test", R"({"query": "Putin", "last_events": 5})").status, 200);
    http::HttpClient http({.allow_private_addresses = true});
    json update = {{"update_id", round}, {"message", {{"chat", {{"id", 42}}}, {"text", "/list"}}}};
    auto telegram = http.Send({.url = "http://" + server_->address() + "/telegram/webhook",
                               .headers = {{"X-Telegram-Bot-Api-Secret-Token", "tg-secret"}},
                               .body = update.dump()});
    ASSERT_THAT(telegram.status(), IsOk());
    EXPECT_EQ(telegram->status, 200);
    EXPECT_EQ(json::parse(telegram->body)["method"], "sendMessage");
    EXPECT_EQ(Call("DELETE", "/v1/subscriptions/" + id).status, 204);
  }

  std::string prefix_;
  std::unique_ptr<SubscriptionStore> subs_;
  std::unique_ptr<QueryTester> tester_;
  std::unique_ptr<RedisReplayGuard> replays_;
  std::unique_ptr<ChatOpsServer> server_;
};

TEST_F(ChatOpsHttpLimitsTest, AHundredTricklingSocketsDoNotStarveAGoodClient) {
  StartServer();  // the defaults: 10 s per request, 8 connections per address
  constexpr int kSlow = 100;
  std::vector<int> slow;
  for (int i = 0; i < kSlow; ++i) {
    // 100 peers: 127.0.1.1 … 127.0.1.100, each within the per-address cap.
    int fd = Connect(server_->address(), absl::StrCat("127.0.1.", i + 1));
    ASSERT_GE(fd, 0) << "socket " << i;
    ASSERT_TRUE(SendAll(fd, "POST /v1/subscriptions HTTP/1.1\r\nX-Slow: "));
    slow.push_back(fd);
  }
  ASSERT_TRUE(
      Eventually([&] { return server_->stats().open_connections >= kSlow; }, absl::Seconds(10)))
      << "every trickling socket is held open, none refused: " << server_->stats().open_connections;
  // Each socket sends one more header byte every 250 ms while the good client works.
  std::atomic<bool> stop{false};
  std::atomic<int64_t> trickled{0};
  std::thread trickle([&] {
    while (!stop.load()) {
      for (int fd : slow) {
        if (send(fd, "a", 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1) trickled.fetch_add(1);
      }
      absl::SleepFor(absl::Milliseconds(250));
    }
  });
  ASSERT_TRUE(Eventually([&] { return trickled.load() >= 2 * kSlow; }, absl::Seconds(10)));
  for (int round = 0; round < 5; ++round) GoodClientRound(round);
  stop = true;
  trickle.join();

  http::HttpServerStats stats = server_->stats();
  EXPECT_GE(stats.open_connections, kSlow) << "the slow requests were still being read";
  EXPECT_EQ(stats.refused_per_address + stats.refused_total + stats.overloaded, 0);
  EXPECT_EQ(stats.handled, 5 * 6) << "every good request was answered by the handler";
  for (int fd : slow) close(fd);
}

TEST_F(ChatOpsHttpLimitsTest, ARequestNotWholeByTheDeadlineIsClosedThoughItKeepsSending) {
  StartServer([](ChatOpsOptions& o) { o.request_timeout = absl::Seconds(1); });
  // Headers trickled, then (second socket) a body trickled after complete headers.
  for (const std::string& start :
       {std::string("GET /v1/subscriptions HTTP/1.1\r\nX-Slow: "),
        std::string("POST /v1/subscriptions HTTP/1.1\r\nContent-Length: 1000\r\n\r\n{")}) {
    int fd = Connect(server_->address(), "127.0.0.1");
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(SendAll(fd, start));
    // A byte every 100 ms for up to 10 s (ten times the deadline), until the server ends it.
    std::string answer;
    bool closed = false;
    for (int i = 0; i < 100 && !closed; ++i) {
      (void)send(fd, "a", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      answer += ReadUntilClosed(fd, absl::Milliseconds(100), &closed);
    }
    EXPECT_TRUE(closed) << start;
    EXPECT_THAT(answer, StartsWith("HTTP/1.1 408 Request Timeout\r\n")) << start;
    EXPECT_THAT(answer, HasSubstr("DEADLINE_EXCEEDED"));
    close(fd);
  }
  EXPECT_EQ(server_->stats().timed_out, 2);
  EXPECT_EQ(server_->stats().handled, 0);
  EXPECT_EQ(Call("GET", "/v1/subscriptions").status, 200) << "others are still served";
}

TEST_F(ChatOpsHttpLimitsTest, OversizedHeadersAndBodiesAreRefused) {
  StartServer([](ChatOpsOptions& o) {
    o.max_header_bytes = 4096;
    o.max_body_bytes = 8192;
  });
  auto answer_to = [&](const std::string& request) {
    int fd = Connect(server_->address(), "127.0.0.1");
    EXPECT_GE(fd, 0);
    SendAll(fd, request);
    bool closed = false;
    std::string answer = ReadUntilClosed(fd, absl::Seconds(10), &closed);
    EXPECT_TRUE(closed);
    close(fd);
    return answer;
  };
  EXPECT_THAT(
      answer_to("GET /v1/subscriptions HTTP/1.1\r\nX-Big: " + std::string(5000, 'a') + "\r\n\r\n"),
      StartsWith("HTTP/1.1 431 "));
  // Refused on the declared length, before any of the body is sent.
  EXPECT_THAT(answer_to("POST /v1/subscriptions HTTP/1.1\r\nContent-Length: 9000\r\n\r\n"),
              StartsWith("HTTP/1.1 413 "));
  EXPECT_THAT(answer_to("POST /v1/subscriptions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"),
              StartsWith("HTTP/1.1 411 "));
  EXPECT_THAT(answer_to("NOT HTTP\r\n\r\n"), StartsWith("HTTP/1.1 400 "));
  // Through a real client (libcurl), body sent.
  http::HttpResponse big = Call("POST", "/v1/subscriptions", std::string(9000, ' ') + "{}");
  EXPECT_EQ(big.status, 413);
  EXPECT_THAT(big.body, HasSubstr("larger than 8192 bytes"));
  EXPECT_EQ(server_->stats().rejected, 5);
  EXPECT_EQ(
      Call("POST", "/v1/subscriptions", std::string(8000, ' ') + R"({"query": "Putin"})").status,
      201)
      << "a body within the limit is served";
}

TEST_F(ChatOpsHttpLimitsTest, ThePerAddressCapRefusesExtraConnectionsWhileOthersWork) {
  StartServer([](ChatOpsOptions& o) { o.max_connections_per_address = 4; });
  std::vector<int> held;
  for (int i = 0; i < 4; ++i) {
    int fd = Connect(server_->address(), "127.0.2.1");
    ASSERT_GE(fd, 0);
    held.push_back(fd);
  }
  ASSERT_TRUE(
      Eventually([&] { return server_->stats().open_connections == 4; }, absl::Seconds(10)));
  int extra = Connect(server_->address(), "127.0.2.1");
  ASSERT_GE(extra, 0);
  bool closed = false;
  std::string refused = ReadUntilClosed(extra, absl::Seconds(10), &closed);
  close(extra);
  EXPECT_TRUE(closed);
  EXPECT_THAT(refused, StartsWith("HTTP/1.1 429 "));
  EXPECT_THAT(refused, HasSubstr("more than 4 open connections from one address"));
  EXPECT_EQ(server_->stats().refused_per_address, 1);

  // Another address is served meanwhile.
  EXPECT_EQ(Call("GET", "/v1/subscriptions").status, 200);
  // A slot freed is a slot usable again by that address.
  close(held.back());
  held.pop_back();
  ASSERT_TRUE(
      Eventually([&] { return server_->stats().open_connections == 3; }, absl::Seconds(10)));
  int again = Connect(server_->address(), "127.0.2.1");
  ASSERT_GE(again, 0);
  ASSERT_TRUE(
      SendAll(again, "GET /v1/subscriptions HTTP/1.1\r\nAuthorization: Bearer api-token\r\n\r\n"));
  std::string answer = ReadUntilClosed(again, absl::Seconds(10), &closed);
  close(again);
  EXPECT_THAT(answer, StartsWith("HTTP/1.1 200 OK\r\n"));
  for (int fd : held) close(fd);
}

TEST_F(ChatOpsHttpLimitsTest, TheTotalConnectionCapRefusesWithServiceUnavailable) {
  StartServer([](ChatOpsOptions& o) { o.max_connections = 3; });
  std::vector<int> held;
  for (int i = 0; i < 3; ++i) {
    int fd = Connect(server_->address(), absl::StrCat("127.0.3.", i + 1));
    ASSERT_GE(fd, 0);
    held.push_back(fd);
  }
  ASSERT_TRUE(
      Eventually([&] { return server_->stats().open_connections == 3; }, absl::Seconds(10)));
  int extra = Connect(server_->address(), "127.0.3.9");
  ASSERT_GE(extra, 0);
  bool closed = false;
  EXPECT_THAT(ReadUntilClosed(extra, absl::Seconds(10), &closed), StartsWith("HTTP/1.1 503 "));
  close(extra);
  for (int fd : held) close(fd);
  ASSERT_TRUE(
      Eventually([&] { return server_->stats().open_connections == 0; }, absl::Seconds(10)));
  EXPECT_EQ(Call("GET", "/v1/subscriptions").status, 200);
}

TEST_F(ChatOpsHttpLimitsTest, UnknownRoutesAndMethodsAreAnsweredClearly) {
  StartServer();
  http::HttpResponse missing = Call("GET", "/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(json::parse(missing.body)["code"], "NOT_FOUND");
  http::HttpResponse wrong = Call("PUT", "/v1/subscriptions");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.Header("allow"), "GET, POST");
  EXPECT_EQ(Call("GET", "/v1/subscriptions/bad-id!").status, 404);
}

}  // namespace
}  // namespace sa::notifier
