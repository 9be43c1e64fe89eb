// The login timeout, the idle timeout and the close grace, on the virtual clock: each fires
// exactly at its deadline, not a nanosecond before, and only for the connections it is about.

#include "core/deadlines.h"

#include <gtest/gtest.h>

#include "tests/limits/limits_helpers.h"

namespace teaparty::limits_test {
namespace {

using core::DeadlineKind;
using core::Deadlines;

constexpr Instant kT0{std::chrono::seconds(1000)};

TEST(Deadlines, PopsInOrderOfTimeAndReplacesPerKind) {
  Deadlines deadlines;
  deadlines.set(ConnId{1}, DeadlineKind::LoginTimeout, kT0 + 5s);
  deadlines.set(ConnId{2}, DeadlineKind::LoginTimeout, kT0 + 3s);
  deadlines.set(ConnId{1}, DeadlineKind::IdleTimeout, kT0 + 4s);
  deadlines.set(ConnId{2}, DeadlineKind::LoginTimeout, kT0 + 6s);  // replaces kT0 + 3s
  EXPECT_EQ(deadlines.size(), 3u);
  EXPECT_EQ(deadlines.earliest(), kT0 + 4s);
  EXPECT_EQ(deadlines.pop_due(kT0 + (4s - 1ns)), std::nullopt);
  const auto first = deadlines.pop_due(kT0 + 10s);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->conn, ConnId{1});
  EXPECT_EQ(first->kind, DeadlineKind::IdleTimeout);
  EXPECT_EQ(deadlines.pop_due(kT0 + 10s)->at, kT0 + 5s);
  EXPECT_EQ(deadlines.pop_due(kT0 + 10s)->conn, ConnId{2});
  EXPECT_EQ(deadlines.pop_due(kT0 + 10s), std::nullopt);
}

TEST(Deadlines, CancelForgetsOneKindOrAll) {
  Deadlines deadlines;
  for (auto kind : {DeadlineKind::LoginTimeout, DeadlineKind::IdleTimeout, DeadlineKind::LineRefill,
                    DeadlineKind::CloseGrace})
    deadlines.set(ConnId{7}, kind, kT0 + 1s);
  deadlines.set(ConnId{8}, DeadlineKind::LineRefill, kT0 + 2s);
  deadlines.cancel(ConnId{7}, DeadlineKind::IdleTimeout);
  EXPECT_EQ(deadlines.find(ConnId{7}, DeadlineKind::IdleTimeout), std::nullopt);
  EXPECT_EQ(deadlines.size(), 4u);
  deadlines.cancel_all(ConnId{7});
  EXPECT_EQ(deadlines.size(), 1u);
  EXPECT_EQ(deadlines.earliest(), kT0 + 2s);
}

core::Config timeouts(Duration login, Duration idle) {
  core::Config config;
  config.login_timeout = login;
  config.idle_timeout = idle;
  return config;
}

TEST(LoginTimeout, AConnectionThatDoesNotLogInIsToldAndClosedAtTheDeadline) {
  VirtualShell shell(timeouts(60s, 0s));
  const Instant connected = shell.now();
  const ConnId id = shell.connect();
  EXPECT_EQ(shell.server().next_deadline(), connected + 60s);
  shell.take_output(id);
  shell.send(id, "look\r\n");  // anything but a login changes nothing
  shell.run_until(connected + (60s - 1ns));
  EXPECT_FALSE(shell.closed(id));
  shell.take_output(id);
  shell.run_until(connected + 60s);
  EXPECT_EQ(shell.take_output(id), "Login timed out\r\n");
  EXPECT_EQ(shell.close_reason(id), CloseReason::LoginTimeout);
  EXPECT_TRUE(shell.logged(core::LogLevel::Info, "not logged in after 60 s"));
}

TEST(LoginTimeout, ALoggedInUserIsNotTouched) {
  VirtualShell shell(timeouts(60s, 0s));
  const ConnId alice = log_in(shell, "alice");
  shell.advance(1h);
  EXPECT_FALSE(shell.closed(alice));
  EXPECT_EQ(shell.take_output(alice), "");
}

TEST(LoginTimeout, ZeroIsOff) {
  VirtualShell shell(timeouts(0s, 0s));
  const ConnId id = shell.connect();
  EXPECT_EQ(shell.server().next_deadline(), std::nullopt);
  shell.advance(24h);
  EXPECT_FALSE(shell.closed(id));
}

TEST(IdleTimeout, ASilentUserIsToldAndLeavesAndTheOthersHearIt) {
  VirtualShell shell(timeouts(0s, 300s));
  const ConnId alice = log_in(shell, "alice");
  const Instant alice_last = shell.now();
  shell.advance(100s);
  const ConnId bob = log_in(shell, "bob");
  shell.take_output(alice);
  shell.advance(100s);
  shell.send(bob, "say still here\r\n");
  const Instant bob_last = shell.now();
  shell.take_output(alice);
  shell.take_output(bob);

  shell.run_until(alice_last + (300s - 1ns));
  EXPECT_FALSE(shell.closed(alice));
  shell.run_until(alice_last + 300s);
  EXPECT_EQ(shell.take_output(alice), "Idle too long; disconnected\r\n");
  EXPECT_EQ(shell.close_reason(alice), CloseReason::IdleTimeout);
  EXPECT_EQ(shell.take_output(bob), "alice has left the room.\r\n");
  EXPECT_TRUE(shell.logged(core::LogLevel::Info, "idle for 300 s"));

  shell.run_until(bob_last + (300s - 1ns));
  EXPECT_FALSE(shell.closed(bob));
  shell.run_until(bob_last + 300s);
  EXPECT_EQ(shell.close_reason(bob), CloseReason::IdleTimeout);
}

TEST(IdleTimeout, EveryLineCountsAsActivity) {
  VirtualShell shell(timeouts(0s, 300s));
  const ConnId alice = log_in(shell, "alice");
  for (int i = 0; i < 20; ++i) {
    shell.advance(299s);
    shell.send(alice, i % 2 ? "look\r\n" : "\r\n");  // a blank line is a sign of life too
  }
  EXPECT_FALSE(shell.closed(alice));
}

TEST(IdleTimeout, ItIsForLoggedInUsersOnly) {
  VirtualShell shell(timeouts(0s, 300s));
  const ConnId id = shell.connect();
  shell.advance(1h);
  EXPECT_FALSE(shell.closed(id));
}

TEST(CloseGrace, AClosingClientThatNeverReadsIsClosedAfterTheGrace) {
  core::Config config;
  config.close_grace = 10s;
  VirtualShell shell(config);
  const ConnId alice = log_in(shell, "alice");
  shell.stall(alice);
  shell.send(alice, "who\r\nlogout\r\n");  // the who reply stays queued: alice reads nothing
  const Instant logged_out = shell.now();
  shell.run_until(logged_out + (10s - 1ns));
  EXPECT_FALSE(shell.closed(alice));
  shell.run_until(logged_out + 10s);
  EXPECT_EQ(shell.close_reason(alice), CloseReason::Logout);
  EXPECT_TRUE(shell.logged(core::LogLevel::Info, "bytes unread"));
}

TEST(CloseGrace, AClientThatReadsItsLastOutputIsClosedAtOnce) {
  core::Config config;
  config.close_grace = 10s;
  VirtualShell shell(config);
  const ConnId alice = log_in(shell, "alice");
  shell.send(alice, "who\r\nlogout\r\n");
  EXPECT_EQ(shell.close_reason(alice), CloseReason::Logout);
  EXPECT_EQ(shell.server().next_deadline(), std::nullopt);
}

}  // namespace
}  // namespace teaparty::limits_test
