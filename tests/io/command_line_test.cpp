// The binary's flags and its first line: what an operator (or a script starting it) sees.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstdlib>
#include <string>
#include <vector>

#include "tests/io/chat_steps.h"
#include "tests/io/server_process.h"

namespace teaparty::io_test {
namespace {

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// A listening socket the test owns, so the port it holds is certainly in use.
class HeldPort {
 public:
  HeldPort() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    auto* generic = reinterpret_cast<sockaddr*>(&address);
    if (fd_ >= 0 && ::bind(fd_, generic, length) == 0 && ::listen(fd_, 1) == 0 &&
        ::getsockname(fd_, generic, &length) == 0) {
      port_ = ntohs(address.sin_port);
    }
  }
  HeldPort(const HeldPort&) = delete;
  HeldPort& operator=(const HeldPort&) = delete;
  ~HeldPort() {
    if (fd_ >= 0) ::close(fd_);
  }
  std::uint16_t port() const { return port_; }

 private:
  int fd_;
  std::uint16_t port_ = 0;
};

bool can_bind_ipv6_loopback() {
  const int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_addr = in6addr_loopback;
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return bound;
}

TEST(CommandLine, PrintsExactlyOneListeningLineAndAccepts) {
  auto server = ServerProcess::on_loopback(kClassic);
  ASSERT_TRUE(server->listening()) << server->stdout_text() << server->stderr_text();
  EXPECT_EQ(server->host(), "127.0.0.1");
  auto client = connect_to(*server);  // the printed port is the one that accepts

  server->send_signal(SIGTERM);
  const auto status = server->wait_for_exit();
  ASSERT_TRUE(status) << "the server did not exit after SIGTERM";
  EXPECT_TRUE(status->exited_with(0)) << describe(*status);
  // Checked once the process is gone, so no later line can still be on its way.
  EXPECT_EQ(server->stdout_text(),
            "listening on 127.0.0.1:" + std::to_string(server->port()) + "\n");
}

TEST(CommandLine, ListensOnIpv6Loopback) {
  if (!can_bind_ipv6_loopback()) {
    GTEST_SKIP() << "this machine has no IPv6 loopback (binding ::1 failed), so --host ::1 "
                    "cannot be tested here";
  }
  auto server = ServerProcess::on_loopback(kClassic, "::1");
  ASSERT_TRUE(server->listening()) << server->stdout_text() << server->stderr_text();
  EXPECT_EQ(server->host(), "::1");
  EXPECT_EQ(server->stdout_text(), "listening on [::1]:" + std::to_string(server->port()) + "\n");
  auto alice = log_in(*server, "alice");
  ASSERT_TRUE(alice->send("say over six\r\n"));
  EXPECT_TRUE(next_is(*alice, said("alice", "over six")));
}

TEST(CommandLine, PortInUseExitsWithAMessage) {
  HeldPort held;
  ASSERT_NE(held.port(), 0) << "could not hold a port for the test";
  const auto run = run_to_exit({"--host", "127.0.0.1", "--port", std::to_string(held.port())});
  ASSERT_TRUE(run.status) << "the server kept running on a port that is in use";
  EXPECT_TRUE(run.status->exited && run.status->code != 0) << describe(*run.status);
  EXPECT_NE(lowercase(run.err).find("address already in use"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find(std::to_string(held.port())), std::string::npos) << run.err;
  EXPECT_EQ(run.out, "");
}

TEST(CommandLine, BadFlagsExitWithAClearMessage) {
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> mentions;  // what the message must name for the user
  };
  const std::vector<Case> cases{
      {{"--port", "70000"}, {"--port", "70000"}},
      {{"--dialect", "nope"}, {"--dialect", "nope"}},
      {{"--bogus"}, {"--bogus"}},
      // The cluster (issue 8): no transcripts yet, a usable address.
      {{"--redis", "127.0.0.1:6379", "--dialect", "classic", "--record", "never-written"},
       {"--record", "--redis"}},
      {{"--redis", "localhost", "--dialect", "classic"}, {"--redis", "HOST:PORT"}},
      // Either dialect runs clustered: a modern node gets as far as the address.
      {{"--redis", "localhost", "--dialect", "modern"}, {"--redis", "HOST:PORT"}},
      {{"--redis", "localhost"}, {"--redis", "HOST:PORT"}},
      {{"--redis", "127.0.0.1:99999", "--dialect", "classic"}, {"--redis", "99999"}},
      {{"--redis", "no-such-host.invalid:6379", "--dialect", "classic"},
       {"--redis", "no-such-host.invalid"}},
      {{"--node-name", "a"}, {"--node-name", "--redis"}},
      {{"--node-timeout", "0"}, {"--node-timeout"}},
      {{"--poller", "select"}, {"--poller", "select"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args.front());
    const auto run = run_to_exit(c.args);
    ASSERT_TRUE(run.status) << "the server did not exit";
    EXPECT_TRUE(run.status->exited && run.status->code != 0) << describe(*run.status);
    for (const std::string& word : c.mentions)
      EXPECT_NE(run.err.find(word), std::string::npos) << "stderr: " << run.err;
    EXPECT_EQ(run.out.find("listening on"), std::string::npos) << run.out;
  }
}

TEST(CommandLine, HelpListsEveryFlag) {
  const auto run = run_to_exit({"--help"});
  ASSERT_TRUE(run.status);
  EXPECT_TRUE(run.status->exited_with(0)) << describe(*run.status);
  for (const char* flag :
       {"--help", "--version", "--host", "--port", "--name", "--dialect", "--max-line",
        "--log-level", "--poller", "--redis", "--node-name", "--node-timeout"}) {
    EXPECT_NE(run.out.find(flag), std::string::npos) << flag << " missing from:\n" << run.out;
  }
}

// The backend this run of the suite asks for (tests/CMakeLists.txt runs it once per backend).
std::string poller_of_this_run() {
  const char* chosen = std::getenv("TEAPARTY_POLLER");
#if defined(__linux__)
  return chosen ? chosen : "epoll";
#else
  return chosen ? chosen : "poll";
#endif
}

// Every other test in the suite relies on this: the servers it starts really run on the
// backend the run names, so a bug in either backend fails some test.
TEST(CommandLine, ServesWithThePollerTheEnvironmentNames) {
  auto server = ServerProcess::on_loopback({"--log-level", "debug", "--dialect", "classic"});
  ASSERT_TRUE(server->listening()) << server->stderr_text();
  EXPECT_TRUE(server->wait_for_stderr("waiting for events with " + poller_of_this_run() + "\n"))
      << server->stderr_text();
  EXPECT_NE(log_in(*server, "ann"), nullptr);
}

TEST(CommandLine, PollerFlagOverridesTheEnvironment) {
#if defined(__linux__)
  const std::string other = poller_of_this_run() == "poll" ? "epoll" : "poll";
#else
  const std::string other = "poll";
#endif
  auto server = ServerProcess::on_loopback({"--log-level", "debug", "--poller", other});
  ASSERT_TRUE(server->listening()) << server->stderr_text();
  EXPECT_TRUE(server->wait_for_stderr("waiting for events with " + other + "\n"))
      << server->stderr_text();
}

TEST(CommandLine, VersionMatchesTheProject) {
  const auto run = run_to_exit({"--version"});
  ASSERT_TRUE(run.status);
  EXPECT_TRUE(run.status->exited_with(0)) << describe(*run.status);
  EXPECT_EQ(run.out, "teaparty " TEAPARTY_VERSION "\n");
}

TEST(CommandLine, NameChangesTheWelcome) {
  auto server = ServerProcess::on_loopback({"--dialect", "classic", "--name", "Foo"});
  ASSERT_TRUE(server->listening()) << server->stderr_text();
  ChatClient client(server->host(), server->port());
  ASSERT_TRUE(client.connected());
  EXPECT_TRUE(next_is(client, "Welcome to Foo\r\n"));
}

}  // namespace
}  // namespace teaparty::io_test
