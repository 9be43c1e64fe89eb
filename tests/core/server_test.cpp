// Server's lifecycle as the shell sees it: when it asks for writes, when it closes, how a
// shutdown drains and then stops waiting, which deadline it wants, and what it logs. These
// tests drive Server directly, without FakeShell, so every action is seen in order.

#include "core/server.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace teaparty::core {
namespace {

using std::chrono::nanoseconds;
using std::chrono::seconds;

const Instant kStart{seconds(100)};
const std::string kShuttingDown = "\r\nShutting down...\r\n";

// Actions as strings, so a sequence compares and prints in one go.
struct DescribeAction {
  std::string operator()(const WantWrite& a) const { return "WantWrite " + id(a.conn); }
  std::string operator()(const CloseConnection& a) const {
    return "Close " + id(a.conn) + " " + std::string(describe(a.reason));
  }
  std::string operator()(const StopAccepting&) const { return "StopAccepting"; }
  std::string operator()(const PauseReading& a) const { return "PauseReading " + id(a.conn); }
  std::string operator()(const ResumeReading& a) const { return "ResumeReading " + id(a.conn); }
  static std::string id(ConnId conn) { return std::to_string(conn.value); }
};
std::string describe_action(const Action& action) {
  return std::visit(DescribeAction{}, action);
}
using Actions = std::vector<std::string>;

std::string want_write(ConnId id) {
  return describe_action(WantWrite{id});
}
std::string close(ConnId id, CloseReason reason) {
  return describe_action(CloseConnection{id, reason});
}

class ServerTest : public ::testing::Test {
 protected:
  Actions take_actions() {
    Actions taken;
    while (auto action = server_.poll_action())
      taken.push_back(describe_action(*action));
    return taken;
  }
  std::vector<LogRecord> take_logs() {
    std::vector<LogRecord> taken;
    while (auto record = server_.poll_log())
      taken.push_back(std::move(*record));
    return taken;
  }
  void type(ConnId conn, std::string_view bytes) { server_.receive(now_, conn, as_bytes(bytes)); }
  // What is queued for the connection, without writing it.
  std::string queued(ConnId conn) {
    std::array<ByteView, 64> views;
    const std::size_t count = server_.gather_output(conn, views);
    std::string text;
    for (std::size_t i = 0; i < count; ++i)
      text += as_text(views[i]);
    return text;
  }
  // The shell writes `count` bytes (all of it by default) and reports it.
  std::string write(ConnId conn, std::size_t count = SIZE_MAX) {
    const std::string text = queued(conn).substr(0, count);
    server_.wrote(now_, conn, text.size());
    return text;
  }
  ConnId connect_and_drain(std::string_view peer = "192.0.2.7:1234") {
    const ConnId id = server_.connect(now_, peer);
    write(id);
    return id;
  }
  ConnId log_in(std::string_view name) {
    const ConnId id = connect_and_drain();
    type(id, "login " + std::string(name) + "\r\n");
    return id;
  }

  Config config_;
  Server server_{config_};
  Instant now_ = kStart;
};

// --- writing ---

TEST_F(ServerTest, ConnectAsksOnceToWriteTheWelcome) {
  const ConnId id = server_.connect(now_, "peer");
  EXPECT_EQ(take_actions(), Actions{want_write(id)});
  EXPECT_EQ(queued(id), "Welcome to TestChat\r\n");
  EXPECT_EQ(server_.queued_bytes(id), 21u);
}

TEST_F(ServerTest, WantWriteOnlyWhenTheOutboxGoesFromEmptyToNonEmpty) {
  const ConnId id = server_.connect(now_, "peer");
  take_actions();
  type(id, "hello\r\nhello\r\n");
  EXPECT_EQ(take_actions(), Actions{}) << "output was already waiting to be written";
  write(id, 5);
  EXPECT_EQ(take_actions(), Actions{}) << "a partial write is not a new beginning";
  write(id);
  EXPECT_EQ(server_.queued_bytes(id), 0u);
  EXPECT_EQ(take_actions(), Actions{});
  type(id, "hello\r\n");
  EXPECT_EQ(take_actions(), Actions{want_write(id)});
  type(id, "hello\r\n");
  EXPECT_EQ(take_actions(), Actions{});
}

TEST_F(ServerTest, OneBroadcastAsksEachIdleMemberToWriteOnce) {
  const ConnId alice = log_in("alice");
  const ConnId bob = log_in("bob");
  write(alice);
  take_actions();
  type(alice, "say hi\r\n");
  EXPECT_EQ(take_actions(), (Actions{want_write(alice), want_write(bob)}));
}

TEST_F(ServerTest, IdsCountUpFromOneAndAreNeverReused) {
  const ConnId first = server_.connect(now_, "a");
  const ConnId second = server_.connect(now_, "b");
  EXPECT_EQ(first.value, 1u);
  EXPECT_EQ(second.value, 2u);
  server_.peer_gone(now_, second, PeerGone::Broken);
  EXPECT_EQ(server_.connect(now_, "c").value, 3u);
}

TEST_F(ServerTest, OnlyAWrittenOutBurstReportsTheRingItFreed) {
  const ConnId alice = log_in("alice");
  const ConnId bob = log_in("bob");
  while (server_.queued_bytes(alice) > 0)
    write(alice);
  // Lines written as they come: the small ring a connection keeps, nothing given back.
  for (int i = 0; i < 10; ++i) {
    type(alice, "say small talk\r\n");
    write(alice);
    write(bob);
  }
  EXPECT_EQ(server_.outbox_bytes_released(), 0u);

  // A burst bob's socket has not taken yet: his ring grows to hold 1000 lines.
  for (int i = 0; i < 1000; ++i)
    type(alice, "say burst\r\n");
  while (server_.queued_bytes(alice) > 0)
    write(alice);
  const std::size_t after_alice = server_.outbox_bytes_released();
  EXPECT_GE(after_alice, 1000 * sizeof(Payload)) << "alice's echoes grew her ring too";
  write(bob, 5);
  EXPECT_EQ(server_.outbox_bytes_released(), after_alice) << "still queued: nothing freed";
  while (server_.queued_bytes(bob) > 0)
    write(bob);
  EXPECT_GE(server_.outbox_bytes_released() - after_alice, 1000 * sizeof(Payload));
}

// --- closing ---

TEST_F(ServerTest, LogoutClosesOnlyOnceTheOutboxHasDrained) {
  const ConnId id = server_.connect(now_, "peer");
  type(id, "login alice\r\nsay hi\r\nlogout\r\n");
  take_actions();
  EXPECT_EQ(queued(id), "Welcome to TestChat\r\nalice: hi\r\n");
  write(id, 10);
  EXPECT_EQ(take_actions(), Actions{});
  write(id, 21);
  EXPECT_EQ(take_actions(), Actions{}) << "one byte still queued";
  EXPECT_EQ(write(id), "\n");
  EXPECT_EQ(take_actions(), Actions{close(id, CloseReason::Logout)});
  EXPECT_EQ(server_.queued_bytes(id), 0u);
}

TEST_F(ServerTest, LogoutWithNothingQueuedClosesAtOnce) {
  const ConnId id = connect_and_drain();
  take_actions();
  type(id, "logout\r\n");
  EXPECT_EQ(take_actions(), Actions{close(id, CloseReason::Logout)});
}

TEST_F(ServerTest, EndOfStreamClosesOnceTheOutboxHasDrained) {
  // A half-closed client may still be reading: what it was sent still goes out.
  const ConnId id = server_.connect(now_, "peer");
  take_actions();
  server_.peer_gone(now_, id, PeerGone::EndOfStream);
  EXPECT_EQ(take_actions(), Actions{});
  EXPECT_EQ(write(id), "Welcome to TestChat\r\n");
  EXPECT_EQ(take_actions(), Actions{close(id, CloseReason::PeerClosed)});
}

TEST_F(ServerTest, BrokenClosesAtOnceAndDropsTheOutput) {
  const ConnId id = server_.connect(now_, "peer");
  take_actions();
  server_.peer_gone(now_, id, PeerGone::Broken);
  EXPECT_EQ(take_actions(), Actions{close(id, CloseReason::PeerReset)});
  EXPECT_EQ(server_.queued_bytes(id), 0u);
  EXPECT_EQ(queued(id), "");
}

TEST_F(ServerTest, BrokenWhileClosingGracefullyClosesAtOnce) {
  const ConnId id = server_.connect(now_, "peer");
  type(id, "logout\r\n");
  take_actions();
  server_.peer_gone(now_, id, PeerGone::Broken);
  EXPECT_EQ(take_actions(), Actions{close(id, CloseReason::PeerReset)});
}

TEST_F(ServerTest, EverythingForAClosedIdIsIgnored) {
  const ConnId alice = log_in("alice");
  const ConnId gone = log_in("bob");
  server_.peer_gone(now_, gone, PeerGone::Broken);
  write(alice);
  take_actions();
  take_logs();
  type(gone, "login bob\r\nsay boo\r\nlogout\r\n");
  server_.peer_gone(now_, gone, PeerGone::EndOfStream);
  server_.peer_gone(now_, gone, PeerGone::Broken);
  server_.wrote(now_, gone, 10);
  EXPECT_EQ(take_actions(), Actions{});
  EXPECT_TRUE(take_logs().empty());
  EXPECT_EQ(queued(gone), "");
  EXPECT_EQ(queued(alice), "");
  EXPECT_EQ(server_.world().session_count(), 1u);
}

TEST_F(ServerTest, AnIdNeverIssuedIsABrokenShell) {
  EXPECT_DEATH(server_.receive(now_, ConnId{42}, as_bytes("hi\r\n")), "");
  EXPECT_DEATH(server_.peer_gone(now_, ConnId{0}, PeerGone::Broken), "");
}

// --- shutdown ---

TEST_F(ServerTest, ShutdownTellsEveryoneDrainsAndStopsAccepting) {
  const ConnId alice = log_in("alice");
  const ConnId bob = log_in("bob");
  const ConnId outside = connect_and_drain();
  write(alice);
  take_actions();
  server_.begin_shutdown(now_);
  EXPECT_EQ(take_actions(),
            (Actions{"StopAccepting", want_write(alice), want_write(bob), want_write(outside)}));
  EXPECT_FALSE(server_.finished());
  // Nobody is told that the others leave: everyone is leaving.
  EXPECT_EQ(write(alice), kShuttingDown);
  EXPECT_EQ(take_actions(), Actions{close(alice, CloseReason::Shutdown)});
  EXPECT_EQ(write(outside), kShuttingDown);
  EXPECT_EQ(write(bob, 3), kShuttingDown.substr(0, 3));
  EXPECT_EQ(take_actions(), Actions{close(outside, CloseReason::Shutdown)});
  EXPECT_FALSE(server_.finished());
  EXPECT_EQ(write(bob), kShuttingDown.substr(3));
  EXPECT_EQ(take_actions(), Actions{close(bob, CloseReason::Shutdown)});
  EXPECT_TRUE(server_.finished());
  EXPECT_EQ(server_.next_deadline(), std::nullopt);
}

TEST_F(ServerTest, ShutdownClosesWhoeverDidNotDrainAtTheGraceDeadline) {
  const ConnId reader = connect_and_drain();
  const ConnId stuck = server_.connect(now_, "stuck");  // never reads its welcome
  take_actions();
  server_.begin_shutdown(now_);
  EXPECT_EQ(take_actions(), (Actions{"StopAccepting", want_write(reader)}));
  EXPECT_EQ(queued(stuck), "Welcome to TestChat\r\n" + kShuttingDown);
  write(reader);
  EXPECT_EQ(take_actions(), Actions{close(reader, CloseReason::Shutdown)});

  const Instant deadline = kStart + config_.shutdown_grace;
  EXPECT_EQ(server_.next_deadline(), deadline);
  server_.tick(kStart + (config_.shutdown_grace - nanoseconds(1)));
  EXPECT_EQ(take_actions(), Actions{});
  EXPECT_FALSE(server_.finished());
  EXPECT_EQ(server_.next_deadline(), deadline);
  server_.tick(deadline);
  EXPECT_EQ(take_actions(), Actions{close(stuck, CloseReason::Shutdown)});
  EXPECT_TRUE(server_.finished());
  EXPECT_EQ(server_.next_deadline(), std::nullopt);
}

TEST_F(ServerTest, TheGraceComesFromTheConfig) {
  Config config;
  config.shutdown_grace = seconds(30);
  config.close_grace = seconds(60);  // a closing connection's own grace must not come first
  Server server(config);
  server.connect(kStart, "peer");
  server.begin_shutdown(kStart);
  EXPECT_EQ(server.next_deadline(), kStart + seconds(30));
}

TEST_F(ServerTest, ALateTickStillClosesEveryone) {
  server_.connect(now_, "a");
  server_.connect(now_, "b");
  server_.begin_shutdown(now_);
  take_actions();
  server_.tick(kStart + seconds(3600));
  EXPECT_EQ(take_actions().size(), 2u);
  EXPECT_TRUE(server_.finished());
  EXPECT_EQ(server_.next_deadline(), std::nullopt);
}

TEST_F(ServerTest, ALeaverStillFlushingKeepsItsLastWordsAndReasonAtShutdown) {
  const ConnId alice = connect_and_drain();
  type(alice, "login alice\r\nsay bye\r\nlogout\r\n");  // nothing written yet
  take_actions();
  server_.begin_shutdown(now_);
  EXPECT_EQ(queued(alice), "alice: bye\r\n");
  write(alice);
  EXPECT_EQ(take_actions(), (Actions{"StopAccepting", close(alice, CloseReason::Logout)}));
  EXPECT_TRUE(server_.finished());
}

TEST_F(ServerTest, ShutdownWithNoConnectionsIsFinishedAtOnce) {
  server_.begin_shutdown(now_);
  EXPECT_EQ(take_actions(), Actions{"StopAccepting"});
  EXPECT_TRUE(server_.finished());
  EXPECT_EQ(server_.next_deadline(), std::nullopt);
}

TEST_F(ServerTest, ASecondShutdownChangesNothing) {
  const ConnId id = connect_and_drain();
  take_actions();
  server_.begin_shutdown(now_);
  server_.begin_shutdown(now_ + seconds(1));
  EXPECT_EQ(take_actions(), (Actions{"StopAccepting", want_write(id)}));
  EXPECT_EQ(queued(id), kShuttingDown);
  EXPECT_EQ(server_.next_deadline(), kStart + config_.shutdown_grace);
}

TEST_F(ServerTest, InputDuringShutdownIsIgnored) {
  const ConnId alice = log_in("alice");
  const ConnId bob = log_in("bob");
  write(alice);
  server_.begin_shutdown(now_);
  type(bob, "say still here?\r\n");
  EXPECT_EQ(queued(alice), kShuttingDown);
  EXPECT_EQ(queued(bob), kShuttingDown);
}

// --- deadlines ---

TEST_F(ServerTest, NoDeadlineWhileServing) {
  const ConnId alice = log_in("alice");
  type(alice, "say hi\r\n");
  take_actions();
  EXPECT_EQ(server_.next_deadline(), std::nullopt);
  server_.tick(kStart + seconds(1000));
  EXPECT_EQ(take_actions(), Actions{}) << "a tick with nothing due does nothing";
  EXPECT_EQ(queued(alice), "alice: hi\r\n");
  EXPECT_EQ(server_.next_deadline(), std::nullopt);
}

TEST_F(ServerTest, TheDeadlineIsNeverInThePastAfterATick) {
  server_.connect(now_, "stuck");
  server_.begin_shutdown(now_);
  for (Instant t = kStart; t < kStart + seconds(5); t = t + std::chrono::milliseconds(250)) {
    server_.tick(t);
    const auto deadline = server_.next_deadline();
    if (deadline) {
      EXPECT_GT(*deadline, t) << "at " << t.since_origin.count() << " ns";
    }
  }
  EXPECT_TRUE(server_.finished());
}

// --- logs ---

TEST_F(ServerTest, ConnectLoginLogoutAndCloseAreLogged) {
  const ConnId id = server_.connect(now_, "192.0.2.7:1234");
  now_ = kStart + seconds(1);
  type(id, "login alice\r\n");
  now_ = kStart + seconds(2);
  type(id, "logout\r\n");
  write(id);
  const std::vector<LogRecord> logs = take_logs();
  ASSERT_EQ(logs.size(), 4u);
  const std::vector<std::string> texts = {"connected from 192.0.2.7:1234", "logged in as \"alice\"",
                                          "logged out \"alice\"",
                                          "closed: logout (192.0.2.7:1234)"};
  const std::vector<Instant> times = {kStart, kStart + seconds(1), kStart + seconds(2),
                                      kStart + seconds(2)};
  for (std::size_t i = 0; i < logs.size(); ++i) {
    EXPECT_EQ(logs[i].text, texts[i]);
    EXPECT_EQ(logs[i].at, times[i]) << texts[i];
    EXPECT_EQ(logs[i].conn, id) << texts[i];
    EXPECT_EQ(logs[i].level, LogLevel::Info) << texts[i];
  }
}

TEST_F(ServerTest, EveryCloseReasonIsLogged) {
  const ConnId closed = connect_and_drain("10.0.0.1:1");
  const ConnId broken = connect_and_drain("10.0.0.2:2");
  const ConnId stuck = server_.connect(now_, "10.0.0.3:3");
  take_logs();
  server_.peer_gone(now_, closed, PeerGone::EndOfStream);
  server_.peer_gone(now_, broken, PeerGone::Broken);
  server_.begin_shutdown(now_);
  server_.tick(kStart + config_.shutdown_grace);
  std::vector<std::string> texts;
  for (const LogRecord& record : take_logs())
    texts.push_back(record.text);
  EXPECT_EQ(texts,
            (std::vector<std::string>{
                "closed: closed by client (10.0.0.1:1)", "closed: connection broken (10.0.0.2:2)",
                "shutting down: 1 connections", "closed: server shutdown (10.0.0.3:3)"}));
  EXPECT_EQ(server_.queued_bytes(stuck), 0u);
}

TEST_F(ServerTest, ALineTooLongIsAWarning) {
  Config config;
  config.max_line = 8;
  Server server(config);
  const ConnId id = server.connect(kStart, "peer");
  server.receive(kStart, id, as_bytes("0123456789\r\n"));
  std::vector<LogRecord> logs;
  while (auto record = server.poll_log())
    logs.push_back(*record);
  ASSERT_EQ(logs.size(), 2u);
  EXPECT_EQ(logs[1].level, LogLevel::Warning);
  EXPECT_EQ(logs[1].text, "line over 8 bytes dropped");
  EXPECT_EQ(logs[1].conn, id);
}

TEST(Describe, NamesEveryLevelAndReason) {
  EXPECT_EQ(describe(LogLevel::Debug), "debug");
  EXPECT_EQ(describe(LogLevel::Info), "info");
  EXPECT_EQ(describe(LogLevel::Warning), "warning");
  EXPECT_EQ(describe(LogLevel::Error), "error");
  EXPECT_EQ(describe(CloseReason::Logout), "logout");
  EXPECT_EQ(describe(CloseReason::PeerClosed), "closed by client");
  EXPECT_EQ(describe(CloseReason::PeerReset), "connection broken");
  EXPECT_EQ(describe(CloseReason::Shutdown), "server shutdown");
}

}  // namespace
}  // namespace teaparty::core
