// The inbound HTTP request parser (common/http/http_request_parser.h) on well-formed,
// split, malformed and oversized input: every outcome is a request or an HTTP status.
#include "common/http/http_request_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/http/http_server.h"

namespace sa::http {
namespace {

using ::testing::HasSubstr;
using State = RequestParser::State;

RequestParser Parse(const std::string& bytes, RequestLimits limits = {}) {
  RequestParser parser(limits);
  parser.Feed(bytes);
  return parser;
}

TEST(RequestParser, ParsesRequestLineHeadersAndBody) {
  RequestParser p = Parse(
      "POST /slack/commands?x=1 HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\n"
      "X-Slack-Signature:  v0=ab \r\nContent-Length: 5\r\n\r\nhelloEXTRA");
  ASSERT_EQ(p.state(), State::kComplete) << p.error();
  const ServerRequest& r = p.request();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/slack/commands?x=1");
  EXPECT_EQ(r.path, "/slack/commands");
  EXPECT_EQ(r.query, "x=1");
  EXPECT_EQ(r.version, "HTTP/1.1");
  EXPECT_EQ(r.Header("x-slack-signature"), "v0=ab") << "trimmed, found in any case";
  EXPECT_EQ(r.Header("CONTENT-TYPE"), "text/plain");
  EXPECT_EQ(r.Header("missing"), "");
  EXPECT_EQ(r.body, "hello") << "bytes after the body (pipelining) are ignored";
}

TEST(RequestParser, AcceptsBareLineFeedsLeadingEmptyLinesAndHttp10) {
  RequestParser p = Parse("\r\n\nGET / HTTP/1.0\nA: b\n\n");
  ASSERT_EQ(p.state(), State::kComplete) << p.error();
  EXPECT_EQ(p.request().path, "/");
  EXPECT_EQ(p.request().Header("a"), "b");
  EXPECT_EQ(p.request().body, "");
}

TEST(RequestParser, GivenOneByteAtATimeGivesTheSameRequest) {
  const std::string bytes = "POST /v1/test HTTP/1.1\r\nContent-Length: 11\r\n\r\n{\"q\": \"x\"}\n";
  RequestParser p;
  for (size_t i = 0; i < bytes.size(); ++i) {
    State s = p.Feed(bytes.substr(i, 1));
    ASSERT_EQ(s, i + 1 == bytes.size() ? State::kComplete : State::kNeedMore) << "at byte " << i;
  }
  EXPECT_EQ(p.request().body, "{\"q\": \"x\"}\n");
  EXPECT_EQ(p.request().Header("content-length"), "11");
}

TEST(RequestParser, ReportsExpectContinueUntilTheBodyArrives) {
  RequestParser p;
  EXPECT_EQ(p.Feed("POST / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n"),
            State::kNeedMore);
  EXPECT_TRUE(p.headers_complete());
  EXPECT_TRUE(p.expects_continue());
  EXPECT_EQ(p.Feed("abc"), State::kComplete);
  EXPECT_FALSE(p.expects_continue());
}

struct Refusal {
  std::string input;
  int status;
  std::string why;
};

TEST(RequestParser, RefusesMalformedRequestsWithTheRightStatus) {
  const std::vector<Refusal> cases = {
      {"GET /\r\n\r\n", 400, "request line"},
      {"GET  / HTTP/1.1\r\n\r\n", 400, "request line"},
      {"G(T / HTTP/1.1\r\n\r\n", 400, "method"},
      {"GET http://evil/ HTTP/1.1\r\n\r\n", 400, "starting with '/'"},
      {"GET /a\x01 HTTP/1.1\r\n\r\n", 400, "target"},
      {"GET /\xff HTTP/1.1\r\n\r\n", 400, "target"},
      {"GET / HTTP/2.0\r\n\r\n", 505, "version"},
      {"GET / HTTQ/1.1\r\n\r\n", 400, "version"},
      {"GET / HTTP/1.1\r\nNoColon\r\n\r\n", 400, "no ':'"},
      {"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", 400, "header name"},
      {"GET / HTTP/1.1\r\n: x\r\n\r\n", 400, "header name"},
      {"GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", 400, "folded"},
      {std::string("GET / HTTP/1.1\r\nA: b\0c\r\n\r\n", 26), 400, "control character"},
      {"GET / HTTP/1.1\r\nA: b\rc\r\n\r\n", 400, "control character"},
      {"POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", 400, "Content-Length"},
      {"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400, "Content-Length"},
      {"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", 400, "Content-Length"},
      {"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400, "conflicting"},
      {"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
       "Transfer-Encoding"},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 411, "Content-Length"},
  };
  for (const Refusal& c : cases) {
    RequestParser p = Parse(c.input);
    EXPECT_EQ(p.state(), State::kError) << c.input;
    EXPECT_EQ(p.error_status(), c.status) << c.input;
    EXPECT_THAT(p.error(), HasSubstr(c.why)) << c.input;
  }
}

TEST(RequestParser, EnforcesTheSizeLimits) {
  RequestLimits limits{.max_header_bytes = 100, .max_headers = 3, .max_body_bytes = 10};
  // Headers over the limit: refused as soon as the limit is passed, even without an end.
  RequestParser head(limits);
  EXPECT_EQ(head.Feed("GET / HTTP/1.1\r\nX: " + std::string(200, 'a')), State::kError);
  EXPECT_EQ(head.error_status(), 431);
  // A trickle of header bytes with no end: refused once past the limit.
  RequestParser trickle(limits);
  State s = trickle.Feed("GET / HTTP/1.1\r\n");
  for (int i = 0; i < 200 && s == State::kNeedMore; ++i) s = trickle.Feed("a");
  EXPECT_EQ(s, State::kError);
  EXPECT_EQ(trickle.error_status(), 431);
  // Exactly at the limit is fine.
  std::string exact = "GET / HTTP/1.1\r\nX: ";
  exact += std::string(100 - exact.size() - 4, 'b') + "\r\n\r\n";
  ASSERT_EQ(exact.size(), 100u);
  EXPECT_EQ(Parse(exact, limits).state(), State::kComplete);
  EXPECT_EQ(Parse(exact.substr(0, 18) + "b" + exact.substr(18), limits).error_status(), 431);
  // Endless empty lines before a request count too.
  EXPECT_EQ(Parse(std::string(101, '\n'), limits).error_status(), 431);
  EXPECT_EQ(Parse("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", limits).error_status(),
            431);
  // A declared body over the limit is refused before it is read.
  RequestParser body(limits);
  EXPECT_EQ(body.Feed("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n"), State::kError);
  EXPECT_EQ(body.error_status(), 413);
  EXPECT_EQ(Parse("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789", limits).state(),
            State::kComplete);
}

TEST(RequestParser, IgnoresInputAfterAnOutcome) {
  RequestParser p = Parse("BAD\r\n\r\n");
  ASSERT_EQ(p.state(), State::kError);
  EXPECT_EQ(p.Feed("GET / HTTP/1.1\r\n\r\n"), State::kError);
}

TEST(FormDecoding, DecodesPlusPercentAndKeepsMalformedEscapes) {
  EXPECT_EQ(FormValue("team_id=T1&text=subscribe+%22arms+control%22+Putin", "text"),
            "subscribe \"arms control\" Putin");
  EXPECT_EQ(FormValue("a=1&a=2", "a"), "1");
  EXPECT_EQ(FormValue("a=%zz%4", "a"), "%zz%4");
  EXPECT_EQ(FormValue("a=%41%62", "a"), "Ab");
  EXPECT_EQ(FormValue("&&flag&b=", "flag"), "");
  EXPECT_EQ(FormValue("x=1", "missing"), "");
  auto pairs = ParseForm("k%20=v%3D&=e");
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0].first, "k ");
  EXPECT_EQ(pairs[0].second, "v=");
  EXPECT_EQ(pairs[1].first, "");
}

TEST(ResponseSerialization, WritesLengthAndCloseAndNoBodyFor204) {
  ServerResponse ok;
  ok.SetContent("{}", "application/json");
  ok.headers.emplace_back("X-Evil", "a\r\nInjected: 1");
  std::string bytes = SerializeResponse(ok);
  EXPECT_THAT(bytes, HasSubstr("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(bytes, HasSubstr("Content-Length: 2\r\n"));
  EXPECT_THAT(bytes, HasSubstr("Connection: close\r\n\r\n{}"));
  EXPECT_THAT(bytes, HasSubstr("X-Evil: a  Injected: 1\r\n")) << "no header injection";
  ServerResponse none;
  none.status = 204;
  none.body = "dropped";
  EXPECT_EQ(SerializeResponse(none), "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
}

}  // namespace
}  // namespace sa::http
