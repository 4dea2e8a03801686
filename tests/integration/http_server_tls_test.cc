// HTTPS on http::HttpServer (the chat-ops / JSON API server), over real sockets on loopback with
// certificates made by `openssl` for each test: libcurl and an OpenSSL client that trust the CA
// are answered; one that trusts another CA fails; a plaintext request on the TLS port is refused
// and serving goes on; a stalled handshake is dropped at the request deadline while others are
// served; rotated certificate files reach new connections, a broken new pair is refused and the
// old one kept; the limits of plain HTTP hold over TLS. Then the notifier's chat-ops JSON API
// over HTTPS against a real redis-server.
#include <arpa/inet.h>
#include <curl/curl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/http/http_server.h"
#include "nlohmann/json.hpp"
#include "notifier/chatops/chatops_server.h"
#include "tests/support/eventually.h"
#include "tests/support/shared_redis_test.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_certificates.h"

namespace sa::http {
namespace {

using ::sa::testing::Eventually;
using ::sa::testing::IsOk;
using ::sa::testing::StatusIs;
using ::sa::testing::TestCertificate;
using ::sa::testing::TestCertificates;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// Every blocking socket call of the clients below gives up after this (a hung test fails
// instead of hanging); nothing is expected to take more than a fraction of it.
constexpr int kSocketTimeoutSeconds = 30;

int PortOf(const std::string& address) {
  int port = 0;
  EXPECT_TRUE(absl::SimpleAtoi(address.substr(address.rfind(':') + 1), &port)) << address;
  return port;
}

// A blocking TCP socket connected to the server at `address` (on 127.0.0.1), or -1.
int Connect(const std::string& address) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval timeout = {kSocketTimeoutSeconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  sockaddr_in remote = {};
  remote.sin_family = AF_INET;
  remote.sin_port = htons(static_cast<uint16_t>(PortOf(address)));
  inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof(remote)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Everything the peer sends on `fd` until it closes (or resets) the connection; "<timeout>"
// appended when it did neither within kSocketTimeoutSeconds.
std::string ReadUntilClosed(int fd) {
  std::string all;
  char buffer[4096];
  while (true) {
    ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n > 0) {
      all.append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) all += "<timeout>";
    return all;
  }
}

// Whether the server closed `fd` (EOF or reset) within kSocketTimeoutSeconds, reading and
// dropping what it sent before.
bool ClosedByServer(int fd) {
  std::string rest = ReadUntilClosed(fd);
  return rest.find("<timeout>") == std::string::npos;
}

struct TlsReply {
  std::string response;  // all the server sent after the handshake, until it closed
  std::string peer_cn;   // the CN of the certificate the server presented
};

struct SslCtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct SslDeleter {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};

// A TLS client made with OpenSSL directly, to see the certificate the server presents: trusts
// only `ca_file`, checks that the certificate names 127.0.0.1, sends `request` and reads until
// the server closes. `max_version` (e.g. TLS1_1_VERSION) caps what the client offers. With
// `before_close` it instead calls that after sending and then closes the socket, reading
// nothing (a client that hangs up before its answer).
// Unavailable with OpenSSL's reason when the connection or the handshake fails.
absl::StatusOr<TlsReply> ExchangeOverTls(const std::string& address, const std::string& ca_file,
                                         const std::string& request, int max_version = 0,
                                         const std::function<void()>& before_close = nullptr) {
  std::unique_ptr<SSL_CTX, SslCtxDeleter> ctx(SSL_CTX_new(TLS_client_method()));
  if (SSL_CTX_load_verify_locations(ctx.get(), ca_file.c_str(), nullptr) != 1) {
    return absl::InternalError("cannot load the CA file");
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  if (max_version != 0) {
    SSL_CTX_set_security_level(ctx.get(), 0);  // let OpenSSL 3 offer what the server must refuse
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_VERSION);
    SSL_CTX_set_max_proto_version(ctx.get(), max_version);
  }
  int fd = Connect(address);
  if (fd < 0) return absl::UnavailableError("connect failed");
  std::unique_ptr<SSL, SslDeleter> ssl(SSL_new(ctx.get()));
  SSL_set_fd(ssl.get(), fd);
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), "127.0.0.1");
  TlsReply reply;
  absl::Status status;
  if (SSL_connect(ssl.get()) != 1) {
    char reason[256] = "handshake failed";
    if (unsigned long error = ERR_get_error()) ERR_error_string_n(error, reason, sizeof(reason));
    status = absl::UnavailableError(reason);
  } else {
    if (X509* cert = SSL_get1_peer_certificate(ssl.get())) {
      char cn[256] = {};
      X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof(cn));
      reply.peer_cn = cn;
      X509_free(cert);
    }
    if (!request.empty() &&
        SSL_write(ssl.get(), request.data(), static_cast<int>(request.size())) <= 0) {
      status = absl::UnavailableError("write failed");
    }
    if (before_close) before_close();
    char buffer[4096];
    int n = 0;
    while (status.ok() && !before_close && (n = SSL_read(ssl.get(), buffer, sizeof(buffer))) > 0) {
      reply.response.append(buffer, static_cast<size_t>(n));
    }
  }
  ERR_clear_error();
  ssl.reset();
  close(fd);
  if (!status.ok()) return status;
  return reply;
}

struct CurlReply {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
};

size_t AppendBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// One request with libcurl to https://<address><path> (a POST of `body` when not empty),
// trusting only `ca_file`.
CurlReply Curl(const std::string& address, const std::string& path, const std::string& ca_file,
               const std::string& body = "") {
  CurlReply reply;
  CURL* curl = curl_easy_init();
  std::string url = absl::StrCat("https://", address, path);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_CAPATH, nullptr);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(kSocketTimeoutSeconds));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  if (!body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  reply.code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  curl_easy_cleanup(curl);
  return reply;
}

void CopyFile(const std::string& from, const std::string& to) {
  // Written beside, then renamed over: the server never reads a half-written file.
  std::filesystem::copy_file(from, to + ".new", std::filesystem::copy_options::overwrite_existing);
  std::filesystem::rename(to + ".new", to);
}

class HttpServerTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(ca_ = certs_.MakeCa("server-ca"));
    ASSERT_NO_FATAL_FAILURE(server_one_ = certs_.MakeLeaf("server-one", ca_));
    // The files the server is given, replaced by the rotation tests.
    cert_file_ = certs_.dir() + "/tls.crt";
    key_file_ = certs_.dir() + "/tls.key";
    CopyFile(server_one_.cert_file, cert_file_);
    CopyFile(server_one_.key_file, key_file_);
  }

  HttpServerOptions TlsOptions() const {
    HttpServerOptions options;
    options.address = "127.0.0.1:0";
    options.tls = {.cert_file = cert_file_, .key_file = key_file_};
    return options;
  }

  // A server answering "<method> <path> <body>" to every request.
  std::unique_ptr<HttpServer> Start(HttpServerOptions options) {
    auto server = HttpServer::Start(
        std::move(options), [](const ServerRequest& request, ServerResponse& response) {
          response.SetContent(absl::StrCat(request.method, " ", request.path, " ", request.body),
                              "text/plain");
        });
    EXPECT_THAT(server.status(), IsOk());
    return server.ok() ? std::move(*server) : nullptr;
  }

  // The CN of the certificate a new connection to `server` is shown ("" when it failed).
  std::string PresentedCn(const HttpServer& server) {
    auto reply =
        ExchangeOverTls(server.address(), ca_.cert_file, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_THAT(reply.status(), IsOk());
    if (reply.ok()) {
      EXPECT_THAT(reply->response, StartsWith("HTTP/1.1 200 OK"));
    }
    return reply.ok() ? reply->peer_cn : "";
  }

  TestCertificates certs_;
  TestCertificate ca_;
  TestCertificate server_one_;
  std::string cert_file_;
  std::string key_file_;
};

TEST_F(HttpServerTlsTest, CurlTrustingTheCaIsAnsweredOverHttps) {
  auto server = Start(TlsOptions());
  ASSERT_NE(server, nullptr);
  CurlReply get = Curl(server->address(), "/hello?x=1", ca_.cert_file);
  ASSERT_EQ(get.code, CURLE_OK) << curl_easy_strerror(get.code);
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.body, "GET /hello ");
  CurlReply post = Curl(server->address(), "/v1/test", ca_.cert_file, R"({"query":"Putin"})");
  ASSERT_EQ(post.code, CURLE_OK) << curl_easy_strerror(post.code);
  EXPECT_EQ(post.body, R"(POST /v1/test {"query":"Putin"})");
  HttpServerStats stats = server->stats();
  EXPECT_EQ(stats.handled, 2);
  EXPECT_EQ(stats.tls_failed, 0);
}

TEST_F(HttpServerTlsTest, AClientThatDoesNotTrustTheCaFailsAndServingGoesOn) {
  TestCertificate other_ca;
  ASSERT_NO_FATAL_FAILURE(other_ca = certs_.MakeCa("other-ca"));
  auto server = Start(TlsOptions());
  ASSERT_NE(server, nullptr);
  CurlReply refused = Curl(server->address(), "/", other_ca.cert_file);
  EXPECT_EQ(refused.code, CURLE_PEER_FAILED_VERIFICATION) << curl_easy_strerror(refused.code);
  EXPECT_THAT(
      ExchangeOverTls(server->address(), other_ca.cert_file, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
      StatusIs(absl::StatusCode::kUnavailable, HasSubstr("certificate verify failed")));
  CurlReply trusted = Curl(server->address(), "/", ca_.cert_file);
  EXPECT_EQ(trusted.code, CURLE_OK) << curl_easy_strerror(trusted.code);
  EXPECT_EQ(server->stats().handled, 1);
}

TEST_F(HttpServerTlsTest, APlaintextRequestOnTheTlsPortIsRefusedAndServingGoesOn) {
  auto server = Start(TlsOptions());
  ASSERT_NE(server, nullptr);
  int plain = Connect(server->address());
  ASSERT_GE(plain, 0);
  ASSERT_GT(send(plain, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27, MSG_NOSIGNAL), 0);
  std::string answer = ReadUntilClosed(plain);
  close(plain);
  EXPECT_THAT(answer, StartsWith("HTTP/1.1 400 "));
  EXPECT_THAT(answer, HasSubstr("this port speaks HTTPS"));
  // Bytes that are neither TLS nor HTTP: closed without an answer.
  int garbage = Connect(server->address());
  ASSERT_GE(garbage, 0);
  ASSERT_GT(send(garbage, "\x01\x02\x03\x04\x05\x06\x07\x08 hello", 14, MSG_NOSIGNAL), 0);
  EXPECT_EQ(ReadUntilClosed(garbage), "");
  close(garbage);

  CurlReply trusted = Curl(server->address(), "/after", ca_.cert_file);
  EXPECT_EQ(trusted.code, CURLE_OK) << curl_easy_strerror(trusted.code);
  EXPECT_EQ(trusted.body, "GET /after ");
  HttpServerStats stats = server->stats();
  EXPECT_EQ(stats.handled, 1);
  EXPECT_EQ(stats.tls_failed, 2);
  EXPECT_TRUE(Eventually([&] { return server->stats().open_connections == 0; }, absl::Seconds(30)));
}

TEST_F(HttpServerTlsTest, AStalledHandshakeDoesNotHoldUpOthers) {
  HttpServerOptions options = TlsOptions();
  options.request_timeout = absl::Seconds(60);  // far beyond this test: they stay open
  auto server = Start(options);
  ASSERT_NE(server, nullptr);
  int silent = Connect(server->address());  // connects and sends nothing
  int partial = Connect(server->address());
  ASSERT_GE(silent, 0);
  ASSERT_GE(partial, 0);
  // The first 5 bytes of a ClientHello record (handshake, TLS 1.0 record version, 512 bytes)
  // and nothing more.
  ASSERT_EQ(send(partial, "\x16\x03\x01\x02\x00", 5, MSG_NOSIGNAL), 5);
  for (int i = 0; i < 3; ++i) {
    CurlReply reply = Curl(server->address(), absl::StrCat("/", i), ca_.cert_file);
    EXPECT_EQ(reply.code, CURLE_OK) << curl_easy_strerror(reply.code);
  }
  EXPECT_EQ(server->stats().handled, 3);
  // The answered ones close; the stalled ones are still waiting.
  EXPECT_TRUE(Eventually([&] { return server->stats().open_connections == 2; }, absl::Seconds(30)));
  EXPECT_EQ(server->stats().timed_out, 0);
  close(silent);
  close(partial);
}

TEST_F(HttpServerTlsTest, AStalledHandshakeIsDroppedAtTheRequestDeadline) {
  HttpServerOptions options = TlsOptions();
  options.request_timeout = absl::Milliseconds(500);
  auto server = Start(options);
  ASSERT_NE(server, nullptr);
  int silent = Connect(server->address());
  int partial = Connect(server->address());
  ASSERT_GE(silent, 0);
  ASSERT_GE(partial, 0);
  ASSERT_EQ(send(partial, "\x16\x03\x01\x02\x00", 5, MSG_NOSIGNAL), 5);
  EXPECT_TRUE(ClosedByServer(silent));
  EXPECT_TRUE(ClosedByServer(partial));
  close(silent);
  close(partial);
  EXPECT_EQ(server->stats().timed_out, 2);
  EXPECT_EQ(server->stats().tls_failed, 0);
  EXPECT_TRUE(Eventually([&] { return server->stats().open_connections == 0; }, absl::Seconds(30)));
  EXPECT_EQ(Curl(server->address(), "/", ca_.cert_file).code, CURLE_OK);
}

TEST_F(HttpServerTlsTest, RotatedFilesReachNewConnections) {
  TestCertificate server_two;
  ASSERT_NO_FATAL_FAILURE(server_two = certs_.MakeLeaf("server-two", ca_));
  HttpServerOptions options = TlsOptions();
  options.tls.reload_interval = absl::Milliseconds(50);
  auto server = Start(options);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(PresentedCn(*server), "server-one");

  CopyFile(server_two.key_file, key_file_);
  CopyFile(server_two.cert_file, cert_file_);
  ASSERT_TRUE(Eventually([&] { return server->stats().tls_reloaded >= 1; }, absl::Seconds(30)));
  EXPECT_EQ(PresentedCn(*server), "server-two");
}

TEST_F(HttpServerTlsTest, ABrokenNewPairIsRefusedAndTheOldOneKept) {
  TestCertificate server_two;
  ASSERT_NO_FATAL_FAILURE(server_two = certs_.MakeLeaf("server-two", ca_));
  HttpServerOptions options = TlsOptions();
  options.tls.reload_interval = absl::Milliseconds(50);
  auto server = Start(options);
  ASSERT_NE(server, nullptr);

  // The new certificate arrives before its key: the pair does not match.
  CopyFile(server_two.cert_file, cert_file_);
  ASSERT_TRUE(
      Eventually([&] { return server->stats().tls_reload_failed >= 1; }, absl::Seconds(30)));
  EXPECT_EQ(PresentedCn(*server), "server-one");
  EXPECT_EQ(server->stats().tls_reloaded, 0);
  // Garbage is refused too (a new content: reported again).
  { std::ofstream(cert_file_) << "not a certificate"; }
  ASSERT_TRUE(
      Eventually([&] { return server->stats().tls_reload_failed >= 2; }, absl::Seconds(30)));
  EXPECT_EQ(PresentedCn(*server), "server-one");

  // The key follows: the new pair is taken.
  CopyFile(server_two.cert_file, cert_file_);
  CopyFile(server_two.key_file, key_file_);
  ASSERT_TRUE(Eventually([&] { return server->stats().tls_reloaded >= 1; }, absl::Seconds(30)));
  EXPECT_EQ(PresentedCn(*server), "server-two");
}

// The answer meets a closed socket: the first write draws the client's RST, and the next one
// EPIPE, whose SIGPIPE would end the whole process were it not blocked on the I/O thread.
TEST_F(HttpServerTlsTest, AClientThatHangsUpBeforeItsAnswerCostsOnlyItsConnection) {
  absl::Notification entered, release;
  auto started =
      HttpServer::Start(TlsOptions(), [&](const ServerRequest& request, ServerResponse& response) {
        if (request.path == "/slow") {
          entered.Notify();
          release.WaitForNotification();
        }
        response.SetContent(std::string(4 << 20, 'x'), "text/plain");  // more than one write
      });
  ASSERT_THAT(started.status(), IsOk());
  HttpServer& server = **started;
  struct ReleaseOnExit {  // a failed assertion must not leave the handler (and Stop) waiting
    absl::Notification& release;
    ~ReleaseOnExit() {
      if (!release.HasBeenNotified()) release.Notify();
    }
  } release_on_exit{release};
  bool handling = false;
  ASSERT_THAT(
      ExchangeOverTls(server.address(), ca_.cert_file, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n", 0,
                      [&] { handling = entered.WaitForNotificationWithTimeout(absl::Seconds(30)); })
          .status(),
      IsOk());
  ASSERT_TRUE(handling);
  release.Notify();  // the answer is written to a connection the client closed
  ASSERT_TRUE(Eventually([&] { return server.stats().open_connections == 0; }, absl::Seconds(30)));
  CurlReply after = Curl(server.address(), "/", ca_.cert_file);
  EXPECT_EQ(after.code, CURLE_OK) << curl_easy_strerror(after.code);
  EXPECT_EQ(after.body.size(), size_t{4} << 20);
}

TEST_F(HttpServerTlsTest, StartRefusesMissingOrMismatchedFiles) {
  TestCertificate server_two;
  ASSERT_NO_FATAL_FAILURE(server_two = certs_.MakeLeaf("server-two", ca_));
  auto with = [&](const std::string& cert, const std::string& key) {
    HttpServerOptions options;
    options.address = "127.0.0.1:0";
    options.tls = {.cert_file = cert, .key_file = key};
    return HttpServer::Start(options, [](const ServerRequest&, ServerResponse&) {}).status();
  };
  EXPECT_THAT(with(certs_.dir() + "/missing.crt", key_file_),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("missing.crt")));
  EXPECT_THAT(with(cert_file_, server_two.key_file),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("does not belong")));
  EXPECT_THAT(with(key_file_, key_file_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no PEM certificate")));
  EXPECT_THAT(with(cert_file_, ""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(with(cert_file_, key_file_), IsOk());
}

TEST_F(HttpServerTlsTest, LimitsHoldOverTls) {
  HttpServerOptions options = TlsOptions();
  options.limits.max_header_bytes = 1024;
  options.max_connections_per_address = 2;
  auto server = Start(options);
  ASSERT_NE(server, nullptr);

  auto big = ExchangeOverTls(
      server->address(), ca_.cert_file,
      absl::StrCat("GET / HTTP/1.1\r\nHost: x\r\nX-Big: ", std::string(2000, 'a'), "\r\n\r\n"));
  ASSERT_THAT(big.status(), IsOk());
  EXPECT_THAT(big->response, StartsWith("HTTP/1.1 431 "));

  // TLS 1.1 is refused at the handshake, for its version (the server's protocol_version alert).
  EXPECT_THAT(ExchangeOverTls(server->address(), ca_.cert_file, "", TLS1_1_VERSION).status(),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("protocol version")));
  // Counted once the server's handshake call returns, which may be after the client read the
  // alert.
  EXPECT_TRUE(Eventually([&] { return server->stats().tls_failed == 1; }, absl::Seconds(30)));

  // Two connections from 127.0.0.1 hold its cap: a third is closed without a handshake.
  int first = Connect(server->address());
  int second = Connect(server->address());
  ASSERT_GE(first, 0);
  ASSERT_GE(second, 0);
  ASSERT_TRUE(Eventually([&] { return server->stats().open_connections == 2; }, absl::Seconds(30)));
  EXPECT_NE(Curl(server->address(), "/", ca_.cert_file).code, CURLE_OK);
  EXPECT_EQ(server->stats().refused_per_address, 1);
  close(first);
  close(second);
  ASSERT_TRUE(Eventually([&] { return server->stats().open_connections == 0; }, absl::Seconds(30)));
  EXPECT_EQ(Curl(server->address(), "/", ca_.cert_file).code, CURLE_OK);
}

}  // namespace
}  // namespace sa::http

namespace sa::notifier {
namespace {

using nlohmann::json;
using ::sa::testing::IsOk;
using ::sa::testing::TestCertificate;
using ::sa::testing::TestCertificates;

// The chat-ops JSON API served over HTTPS, as the notifier does when it has a certificate.
class ChatOpsHttpsTest : public testing::SharedRedisTest {};

TEST_F(ChatOpsHttpsTest, TheJsonApiAnswersOverHttps) {
  TestCertificates certs;
  TestCertificate ca, server_cert;
  ASSERT_NO_FATAL_FAILURE(ca = certs.MakeCa("ca"));
  ASSERT_NO_FATAL_FAILURE(server_cert = certs.MakeLeaf("chatops", ca));
  std::string prefix = testing::UniquePrefix();
  SubscriptionStore subs(client(), prefix);
  QueryTester tester(client(), prefix + "events", nullptr);
  RedisReplayGuard replays(client(), prefix);
  auto server = ChatOpsServer::Start(
      {.address = "127.0.0.1:0",
       .api_token = "api-token",
       .tls = {.cert_file = server_cert.cert_file, .key_file = server_cert.key_file}},
      subs, tester, replays);
  ASSERT_THAT(server.status(), IsOk());

  CURL* curl = curl_easy_init();
  std::string url = absl::StrCat("https://", (*server)->address(), "/v1/subscriptions");
  std::string body = R"({"query": "\"arms control\" Putin", "owner": "bot"})";
  std::string answer;
  curl_slist* headers = curl_slist_append(nullptr, "Authorization: Bearer api-token");
  headers = curl_slist_append(headers, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CAINFO, ca.cert_file.c_str());
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, http::AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
  CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  ASSERT_EQ(code, CURLE_OK) << curl_easy_strerror(code);
  ASSERT_EQ(status, 201) << answer;
  std::string id = json::parse(answer)["id"];
  auto stored = subs.Get(id);
  ASSERT_THAT(stored.status(), IsOk());
  EXPECT_EQ(stored->owner(), "bot");
  EXPECT_EQ(stored->query(), "\"arms control\" Putin");
  (*server)->Stop();
}

}  // namespace
}  // namespace sa::notifier
