// The gRPC server's keepalive: a client that stops answering (its process hangs, or the
// network drops it without a FIN) is detected by the server's pings and disconnected, so a
// dead Subscribe client does not hold its stream forever. The "client" here is a raw TCP
// socket that speaks just enough HTTP/2 to be accepted, then never answers a PING.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "absl/time/clock.h"
#include "common/grpc/grpc_server.h"

namespace sa {
namespace {

// Connects to 127.0.0.1:port and sends the HTTP/2 connection preface, an empty SETTINGS
// frame and the ACK of the server's SETTINGS (sent blind: acknowledging before receiving is
// allowed and keeps the server from timing out on SETTINGS).
int ConnectSilentHttp2Client(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) return -1;
  std::string hello = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  const char settings[9] = {0, 0, 0, 4, 0, 0, 0, 0, 0};
  const char settings_ack[9] = {0, 0, 0, 4, 1, 0, 0, 0, 0};
  hello.append(settings, 9);
  hello.append(settings_ack, 9);
  if (send(fd, hello.data(), hello.size(), 0) != static_cast<ssize_t>(hello.size())) return -1;
  return fd;
}

// Reads (and ignores) what the server sends until it closes the connection or `timeout`
// passes; true when it closed.
bool ServerClosesWithin(int fd, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  char buffer[4096];
  while (absl::Now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) return true;
  }
  return false;
}

TEST(GrpcKeepalive, AClientThatStopsAnsweringPingsIsDisconnected) {
  auto server = GrpcServer::Start({.address = "127.0.0.1:0",
                                   .port_file = "",
                                   .max_threads = 8,
                                   .max_receive_message_bytes = 1 << 20,
                                   .keepalive_time = absl::Milliseconds(500),
                                   .keepalive_timeout = absl::Milliseconds(500)},
                                  {});
  ASSERT_TRUE(server.ok()) << server.status();
  int port = std::stoi((*server)->address().substr((*server)->address().rfind(':') + 1));
  int fd = ConnectSilentHttp2Client(port);
  ASSERT_GE(fd, 0);
  EXPECT_TRUE(ServerClosesWithin(fd, absl::Seconds(10)))
      << "with 0.5 s keepalive pings and timeout, a silent client must be dropped";
  close(fd);
  (*server)->Shutdown(absl::Seconds(1));
}

TEST(GrpcKeepalive, AClientThatDoesNotAnswerIsKeptWhileKeepaliveIsLong) {
  // The control: the same client stays connected when the first ping is minutes away, so the
  // test above measures keepalive, not some other timeout.
  auto server = GrpcServer::Start({.address = "127.0.0.1:0",
                                   .port_file = "",
                                   .max_threads = 8,
                                   .max_receive_message_bytes = 1 << 20,
                                   .keepalive_time = absl::Minutes(5),
                                   .keepalive_timeout = absl::Seconds(10)},
                                  {});
  ASSERT_TRUE(server.ok()) << server.status();
  int port = std::stoi((*server)->address().substr((*server)->address().rfind(':') + 1));
  int fd = ConnectSilentHttp2Client(port);
  ASSERT_GE(fd, 0);
  EXPECT_FALSE(ServerClosesWithin(fd, absl::Seconds(3)));
  close(fd);
  (*server)->Shutdown(absl::Seconds(1));
}

}  // namespace
}  // namespace sa
