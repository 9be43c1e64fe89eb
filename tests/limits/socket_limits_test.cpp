// The limits on the wire, against the real binary on 127.0.0.1: the flags, TCP back-pressure
// on a flooder, a slow consumer cut off, refusals, timeouts, descriptor exhaustion, resets,
// half-closes and write errors in the middle of a broadcast.
//
// Waits are bounded and generous (seconds); a test only ever waits for bytes or log lines to
// be present, never asserts on how fast they came.

#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "tests/limits/live_server.h"

namespace teaparty::limits_test {
namespace {

// Logs in as `name` and waits for the login to have been handled (a `who` reply).
std::unique_ptr<LiveClient> logged_in(const LiveServer& server, const std::string& name,
                                      std::optional<int> receive_buffer = std::nullopt) {
  auto client = std::make_unique<LiveClient>(server.port(), receive_buffer);
  EXPECT_TRUE(client->connected());
  EXPECT_TRUE(client->wait_for("Welcome to TestChat\r\n"));
  client->send("login " + name + "\r\nwho\r\n");
  EXPECT_TRUE(client->wait_for("The following are logged in:\r\n"));
  client->take();
  return client;
}

std::string numbered(std::string_view prefix, int from, int to) {
  std::string lines;
  for (int i = from; i < to; ++i)
    lines += std::string(prefix) + std::to_string(i) + "\r\n";
  return lines;
}

// The help text's line for `flag`.
std::string help_line(const std::string& help, const std::string& flag) {
  const std::size_t at = help.find("  " + flag + " ");
  if (at == std::string::npos) return {};
  return help.substr(at, help.find('\n', at) - at);
}

TEST(Flags, HelpShowsEveryLimitWithItsDefault) {
  const Finished help = run_to_exit({"--help"});
  ASSERT_EQ(help.status, 0);
  EXPECT_NE(help_line(help.out, "--line-rate").find("=10"), std::string::npos) << help.out;
  EXPECT_NE(help_line(help.out, "--line-burst").find("=20"), std::string::npos);
  EXPECT_NE(help_line(help.out, "--max-output").find("=1M"), std::string::npos);
  EXPECT_NE(help_line(help.out, "--max-per-address").find("=20"), std::string::npos);
  EXPECT_NE(help_line(help.out, "--login-timeout").find("=60"), std::string::npos);
  EXPECT_NE(help_line(help.out, "--idle-timeout").find("=0"), std::string::npos);
  EXPECT_NE(help_line(help.out, "--max-connections"), "");
}

TEST(Flags, TheConnectionCapFollowsTheRaisedDescriptorLimit) {
  // The soft limit is raised to the hard one; the cap is that less the reserve of 32.
  const std::string raised =
      help_line(run_to_exit({"--help"}, DescriptorLimit{64, 300}).out, "--max-connections");
  EXPECT_NE(raised.find("=268"), std::string::npos) << raised;
  const std::string fixed =
      help_line(run_to_exit({"--help"}, DescriptorLimit{200, 200}).out, "--max-connections");
  EXPECT_NE(fixed.find("=168"), std::string::npos) << fixed;
}

TEST(Flags, BadValuesAreRefused) {
  for (const std::vector<std::string>& bad : {std::vector<std::string>{"--line-rate", "-1"},
                                              {"--line-burst", "lots"},
                                              {"--max-output", "huge"},
                                              {"--max-output", "-1"},
                                              {"--login-timeout", "-5"},
                                              {"--idle-timeout", "soon"},
                                              {"--max-per-address", "-1"},
                                              {"--max-connections", "-3"}}) {
    // Should a bad value be taken after all, the server it starts stays on loopback.
    std::vector<std::string> args{"--host", "127.0.0.1", "--port", "0"};
    args.insert(args.end(), bad.begin(), bad.end());
    const Finished run = run_to_exit(args);
    EXPECT_NE(run.status, 0) << bad[0] << " " << bad[1];
    EXPECT_NE(run.err, "") << bad[0];
  }
}

TEST(LineRate, APastedBlockArrivesWholeAndInOrder) {
  LiveServer server({"--line-rate", "50", "--line-burst", "5"});
  ASSERT_TRUE(server.ready());
  auto alice = logged_in(server, "alice");
  auto bob = logged_in(server, "bob");
  alice->take();
  std::string paste;
  for (int i = 0; i < 100; ++i)
    paste += "say pasted " + std::to_string(i) + "\r\n";
  ASSERT_TRUE(alice->send(paste));
  ASSERT_TRUE(bob->wait_for("alice: pasted 99\r\n", 30s));
  EXPECT_EQ(bob->take(), numbered("alice: pasted ", 0, 100));
  EXPECT_TRUE(server.wait_for_log("over the line rate limit"));
}

TEST(LineRate, TcpPushesBackOnAFlooderWhileOthersChat) {
  LiveServer server({"--line-rate", "1", "--line-burst", "1"});
  ASSERT_TRUE(server.ready());
  auto flooder = logged_in(server, "flooder");
  auto alice = logged_in(server, "alice");
  auto bob = logged_in(server, "bob");

  // Without back-pressure the server would read as fast as we write, for ever. With it, the
  // socket fills and refuses more once the kernel buffers on both sides are full.
  const std::string lines = [] {
    std::string many;
    while (many.size() < 64 * 1024)
      many += "say flood\r\n";
    return many;
  }();
  std::size_t written = 0;
  bool refused = false;
  const auto give_up = std::chrono::steady_clock::now() + 30s;
  while (written < (std::size_t{256} << 20) && std::chrono::steady_clock::now() < give_up) {
    const std::size_t n = flooder->send_some(lines);
    written += n;
    if (n == 0) {
      // Full: but make sure it stays full (the server is not just slow to read).
      std::this_thread::sleep_for(200ms);
      if (flooder->send_some(lines) == 0) {
        refused = true;
        break;
      }
    }
  }
  EXPECT_TRUE(refused) << written << " bytes went in without the socket ever filling";
  EXPECT_LT(written, std::size_t{64} << 20);

  alice->take();
  bob->take();
  alice->send("say still talking\r\n");
  EXPECT_TRUE(bob->wait_for("alice: still talking\r\n"));
  EXPECT_TRUE(server.alive());
}

// The poller watches a connection only for what the shell can do about it: not for input while
// core has paused its reading (input waits in the socket), not for room to write once its
// output is all written. Both pollers are level-triggered, so either mistake would report the
// same socket at every wait and the server would spin instead of sleep.
TEST(LineRate, APausedFlooderAndAnIdleReaderLetTheServerSleep) {
  LiveServer server({"--line-rate", "1", "--line-burst", "1"});
  ASSERT_TRUE(server.ready());
  auto flooder = logged_in(server, "flooder");
  auto alice = logged_in(server, "alice");
  // More than one read takes, so input is left in the socket once core pauses the flooder:
  // fill it until it refuses more (the server holds back, see TcpPushesBackOnAFlooder...).
  std::string lines;
  for (int i = 0; lines.size() < 64 * 1024; ++i)
    lines += "say flood " + std::to_string(i) + "\r\n";
  const auto give_up = std::chrono::steady_clock::now() + 10s;
  while (flooder->send_some(lines) > 0 && std::chrono::steady_clock::now() < give_up) {
  }
  ASSERT_TRUE(alice->wait_for("flooder: flood 0\r\n"));
  ASSERT_TRUE(server.wait_for_log("over the line rate limit"));

  // One line a second still arrives; between them it sleeps far more than it runs.
  const auto before = server.cpu_time();
  std::this_thread::sleep_for(1s);
  EXPECT_LT((server.cpu_time() - before).count(), 0.5);
  EXPECT_TRUE(server.alive());
}

TEST(SlowConsumer, ANonReaderIsClosedAndTheOthersGetEverything) {
  LiveServer server({"--line-rate", "0", "--max-output", "64K"});
  ASSERT_TRUE(server.ready());
  auto alice = logged_in(server, "alice");
  auto carol = logged_in(server, "carol", 4096);  // then never reads again
  auto bob = logged_in(server, "bob");
  alice->take();

  // Talk until the server gives up on Carol (the kernel buffers in between hold an unknown
  // amount first), then once more.
  const std::string filler(200, 'x');
  int said = 0;
  while (said < 100'000 && server.log().find("slow consumer") == std::string::npos) {
    std::string batch;
    for (int i = 0; i < 100; ++i, ++said)
      batch += "say " + filler + std::to_string(said) + "\r\n";
    ASSERT_TRUE(alice->send(batch));
    bob->wait_for(filler + std::to_string(said - 1) + "\r\n", 10s);  // keep Bob's pace
  }
  ASSERT_TRUE(server.wait_for_log("slow consumer"));
  EXPECT_TRUE(server.wait_for_log("closed: slow consumer"));
  alice->send("say END\r\n");
  ASSERT_TRUE(bob->wait_for("alice: END\r\n", 30s));

  std::string heard = bob->take();
  const std::string left = "carol has left the room.\r\n";
  const std::size_t at = heard.find(left);
  ASSERT_NE(at, std::string::npos);
  heard.erase(at, left.size());
  std::string expected;
  for (int i = 0; i < said; ++i)
    expected += "alice: " + filler + std::to_string(i) + "\r\n";
  EXPECT_EQ(heard, expected + "alice: END\r\n");
}

// A lagging reader's outbox ring grows with the burst it missed and is freed once it catches
// up; the server then gives the freed heap back to the system (io/heap_trim.h), and only then:
// ordinary chat never grows a ring past what a connection keeps.
TEST(SlowConsumer, TheHeapIsTrimmedOnceALaggingReaderCaughtUpAndNotBefore) {
  LiveServer server({"--line-rate", "0", "--max-output", "0", "--log-level", "debug"});
  ASSERT_TRUE(server.ready());
  auto alice = logged_in(server, "alice");
  auto carol = logged_in(server, "carol", 4096);  // reads nothing until the end
  const std::string filler(80, 'x');
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(alice->send("say hello " + std::to_string(i) + "\r\n"));
    ASSERT_TRUE(alice->wait_for("alice: hello " + std::to_string(i) + "\r\n"));
  }
  ASSERT_TRUE(carol->wait_for("alice: hello 99\r\n"));
  EXPECT_EQ(server.log().find("heap trimmed"), std::string::npos) << server.log();

  // 25 000 lines of about 95 bytes: the kernel buffers between the server and Carol hold some
  // 100 kB (her window is small, so the server's send buffer does not grow), so her ring holds
  // over 16 384 lines (256 KiB of ring) when she starts reading. Alice reads her echoes 50
  // lines at a time: within what a ring keeps, nothing freed.
  constexpr int kLines = 25'000;
  for (int sent = 0; sent < kLines; sent += 50) {
    std::string batch;
    for (int i = sent; i < sent + 50; ++i)
      batch += "say " + filler + std::to_string(i) + "\r\n";
    ASSERT_TRUE(alice->send(batch));
    ASSERT_TRUE(alice->wait_for(filler + std::to_string(sent + 49) + "\r\n"));
    alice->take();
  }
  EXPECT_EQ(server.log().find("heap trimmed"), std::string::npos) << "Carol has not read yet";
  ASSERT_TRUE(carol->wait_for(filler + std::to_string(kLines - 1) + "\r\n", 60s));
  EXPECT_TRUE(server.wait_for_log("heap trimmed after a burst (1 so far)")) << server.log();
}

TEST(ConnectionCaps, AFullServerSaysSoAndCloses) {
  LiveServer server({"--max-connections", "2"});
  ASSERT_TRUE(server.ready());
  LiveClient first(server.port());
  LiveClient second(server.port());
  ASSERT_TRUE(first.wait_for("Welcome"));
  ASSERT_TRUE(second.wait_for("Welcome"));
  LiveClient third(server.port());
  EXPECT_TRUE(third.wait_for_close());
  EXPECT_EQ(third.take(), "Server is full\r\n");
  EXPECT_TRUE(server.wait_for_log("server full"));
}

TEST(ConnectionCaps, TooManyFromOneAddress) {
  LiveServer server({"--max-per-address", "2"});
  ASSERT_TRUE(server.ready());
  LiveClient first(server.port());
  LiveClient second(server.port());
  ASSERT_TRUE(first.wait_for("Welcome"));
  ASSERT_TRUE(second.wait_for("Welcome"));
  LiveClient third(server.port());
  EXPECT_TRUE(third.wait_for_close());
  EXPECT_EQ(third.take(), "Too many connections from your address\r\n");
  EXPECT_TRUE(server.wait_for_log("connections from 127.0.0.1 already"));
}

TEST(Timeouts, NotLoggingInInTimeIsToldAndClosed) {
  LiveServer server({"--login-timeout", "0.5"});
  ASSERT_TRUE(server.ready());
  LiveClient client(server.port());
  EXPECT_TRUE(client.wait_for_close());
  EXPECT_EQ(client.take(), "Welcome to TestChat\r\nLogin timed out\r\n");
}

TEST(Timeouts, AnIdleUserIsToldAndClosed) {
  LiveServer server({"--idle-timeout", "0.5"});
  ASSERT_TRUE(server.ready());
  auto alice = logged_in(server, "alice");
  EXPECT_TRUE(alice->wait_for_close());
  EXPECT_EQ(alice->take(), "Idle too long; disconnected\r\n");
  EXPECT_TRUE(server.wait_for_log("idle for 0.5 s: closing"));
}

TEST(Descriptors, ExhaustionPausesAcceptingWithoutSpinningAndResumesWhenOneFrees) {
  // 48 descriptors, and a connection cap far above them, so accept itself runs out.
  LiveServer server({"--max-connections", "1000", "--max-per-address", "0"},
                    DescriptorLimit{48, 48});
  ASSERT_TRUE(server.ready());
  std::vector<LiveClient> clients;
  for (int i = 0; i < 60; ++i)
    clients.emplace_back(server.port());
  ASSERT_TRUE(server.wait_for_log("pausing accepts"));
  std::size_t welcomed = 0;
  for (LiveClient& client : clients)
    welcomed += client.wait_for("Welcome", 200ms) ? 1 : 0;
  EXPECT_GT(welcomed, 0u);
  EXPECT_LT(welcomed, clients.size());

  // Backing off, not spinning: over a second it sleeps far more than it runs.
  const auto before = server.cpu_time();
  std::this_thread::sleep_for(1s);
  EXPECT_LT((server.cpu_time() - before).count(), 0.5);

  // The clients it has still chat.
  std::size_t first = 0;
  while (!clients[first].received().starts_with("Welcome"))
    ++first;
  clients[first].take();
  clients[first].send("login alice\r\nsay still here\r\n");
  EXPECT_TRUE(clients[first].wait_for("alice: still here\r\n"));

  // Freeing descriptors lets the waiting ones in.
  std::size_t freed = 0;
  for (LiveClient& client : clients) {
    if (freed < 10 && &client != &clients[first] && client.received().starts_with("Welcome")) {
      client.reset();
      ++freed;
    }
  }
  bool another_welcomed = false;
  for (int round = 0; round < 100 && !another_welcomed; ++round) {
    for (LiveClient& client : clients) {
      if (client.connected() && client.received().empty() && client.wait_for("Welcome", 10ms))
        another_welcomed = true;
    }
  }
  EXPECT_TRUE(another_welcomed);
  EXPECT_TRUE(server.alive());
}

TEST(Faults, AResetInTheMiddleOfAWriteHurtsNobody) {
  LiveServer server({"--line-rate", "0"});
  ASSERT_TRUE(server.ready());
  auto alice = logged_in(server, "alice");
  auto victim = logged_in(server, "victim", 4096);
  auto bob = logged_in(server, "bob");
  alice->take();
  // Enough output that the server is still writing to the victim when it resets.
  std::string batch;
  for (int i = 0; i < 2000; ++i)
    batch += "say " + std::string(100, 'r') + std::to_string(i) + "\r\n";
  ASSERT_TRUE(alice->send(batch));
  ASSERT_TRUE(bob->wait_for(std::string(100, 'r') + "1999\r\n", 30s));
  victim->reset();
  alice->send("say after the reset\r\n");
  EXPECT_TRUE(bob->wait_for("victim has left the room.\r\n"));
  EXPECT_TRUE(bob->wait_for("alice: after the reset\r\n"));
  EXPECT_TRUE(alice->wait_for("alice: after the reset\r\n"));
  EXPECT_TRUE(server.alive());
}

TEST(Faults, AHalfClosedClientGetsItsRepliesThenTheClose) {
  LiveServer server({});
  ASSERT_TRUE(server.ready());
  auto alice = logged_in(server, "alice");
  auto bob = logged_in(server, "bob");
  alice->take();
  bob->send("who\r\n");
  bob->shutdown_write();
  EXPECT_TRUE(bob->wait_for_close());
  EXPECT_EQ(bob->take(), "The following are logged in:\r\nalice\r\nbob\r\n");
  EXPECT_TRUE(alice->wait_for("bob has left the room.\r\n"));
}

TEST(Faults, WriteErrorsWhileBroadcastingToManyMissNobodyElse) {
  LiveServer server({"--max-per-address", "0", "--line-rate", "0"});
  ASSERT_TRUE(server.ready());
  auto speaker = logged_in(server, "speaker");
  std::vector<std::unique_ptr<LiveClient>> room;
  for (int i = 0; i < 30; ++i)
    room.push_back(logged_in(server, "member" + std::to_string(i)));
  // Every other member resets at once, and the speaker talks into the wreckage.
  for (std::size_t i = 0; i < room.size(); i += 2)
    room[i]->reset();
  speaker->send("say to whoever is left\r\n");
  for (std::size_t i = 1; i < room.size(); i += 2)
    EXPECT_TRUE(room[i]->wait_for("speaker: to whoever is left\r\n")) << "member" << i;
  EXPECT_TRUE(speaker->wait_for("speaker: to whoever is left\r\n"));
  EXPECT_TRUE(server.alive());
}

TEST(Logging, SaysWhoConnectedFromWhere) {
  LiveServer server({});
  ASSERT_TRUE(server.ready());
  LiveClient client(server.port());
  ASSERT_TRUE(client.wait_for("Welcome"));
  EXPECT_TRUE(server.wait_for_log("connected from 127.0.0.1:"));
}

}  // namespace
}  // namespace teaparty::limits_test
