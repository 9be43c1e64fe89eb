// The input rate limit: the token bucket itself, then what it does to a connection in core —
// excess lines wait, in order, while the shell is told to stop reading.

#include "core/rate_limit.h"

#include <gtest/gtest.h>

#include "tests/limits/limits_helpers.h"

namespace teaparty::limits_test {
namespace {

using core::LineAllowance;
using core::LineRateLimit;

constexpr Instant kStart{std::chrono::seconds(1000)};

TEST(LineRateLimit, AllowsTheBurstAtOnceThenOneLinePerInterval) {
  const LineRateLimit limit(10, 20);
  LineAllowance allowance;
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(limit.allows(allowance, kStart)) << "line " << i;
    limit.take(allowance, kStart);
  }
  EXPECT_FALSE(limit.allows(allowance, kStart));
  EXPECT_EQ(limit.next_line_at(allowance), kStart + 100ms);
  EXPECT_FALSE(limit.allows(allowance, kStart + (100ms - 1ns)));
  EXPECT_TRUE(limit.allows(allowance, kStart + 100ms));
}

TEST(LineRateLimit, RefillsUpToTheBurstAndNoFurther) {
  const LineRateLimit limit(10, 20);
  LineAllowance allowance;
  for (int i = 0; i < 20; ++i)
    limit.take(allowance, kStart);
  const Instant later = kStart + 1h;  // far more than the burst's worth of refill
  int allowed = 0;
  while (limit.allows(allowance, later) && allowed < 1000) {
    limit.take(allowance, later);
    ++allowed;
  }
  EXPECT_EQ(allowed, 20);
}

TEST(LineRateLimit, ASteadyPaceAtTheRateNeverRunsOut) {
  const LineRateLimit limit(10, 1);
  LineAllowance allowance;
  for (int i = 0; i < 1000; ++i) {
    const Instant t = kStart + i * 100ms;
    ASSERT_TRUE(limit.allows(allowance, t)) << "line " << i;
    limit.take(allowance, t);
  }
}

TEST(LineRateLimit, FractionalRates) {
  const LineRateLimit limit(0.5, 1);
  EXPECT_EQ(limit.interval(), 2s);
  LineAllowance allowance;
  limit.take(allowance, kStart);
  EXPECT_FALSE(limit.allows(allowance, kStart + (2s - 1ns)));
  EXPECT_TRUE(limit.allows(allowance, kStart + 2s));
}

TEST(LineRateLimit, ZeroRateOrZeroBurstIsNoLimit) {
  for (const LineRateLimit& limit : {LineRateLimit(), LineRateLimit(0, 20), LineRateLimit(10, 0)}) {
    EXPECT_FALSE(limit.limited());
    LineAllowance allowance;
    for (int i = 0; i < 10'000; ++i) {
      ASSERT_TRUE(limit.allows(allowance, kStart));
      limit.take(allowance, kStart);
    }
  }
}

core::Config rate_limited(double rate = 10, std::size_t burst = 20) {
  core::Config config;
  config.line_rate = rate;
  config.line_burst = burst;
  return config;
}

// Alice and Bob in the room, Alice's bucket full again after her login.
struct Room {
  explicit Room(core::Config config, std::size_t read_size = 64 * 1024)
      : shell(std::move(config), read_size) {
    alice = log_in(shell, "alice");
    bob = log_in(shell, "bob");
    shell.advance(10s);
    shell.take_output(alice);
    shell.take_output(bob);
  }
  VirtualShell shell;
  ConnId alice;
  ConnId bob;
};

TEST(InputRate, TypingNeverNoticesIt) {
  Room room(rate_limited());
  for (int i = 0; i < 200; ++i) {
    room.shell.send(room.alice, "say typed " + std::to_string(i) + "\r\n");
    ASSERT_EQ(room.shell.take_output(room.bob), "alice: typed " + std::to_string(i) + "\r\n");
    room.shell.advance(500ms);
  }
  EXPECT_EQ(room.shell.pauses(room.alice), 0);
}

TEST(InputRate, APastedBlockArrivesWholeInOrderAtTheRate) {
  Room room(rate_limited());
  const Instant pasted = room.shell.now();
  room.shell.send(room.alice, numbered_says("line ", 0, 50));

  EXPECT_EQ(room.shell.take_output(room.bob), numbered_heard("alice", "line ", 0, 20));
  EXPECT_TRUE(room.shell.paused(room.alice));
  EXPECT_EQ(room.shell.server().next_deadline(), pasted + 100ms);

  room.shell.run_until(pasted + 100ms);
  EXPECT_EQ(room.shell.take_output(room.bob), numbered_heard("alice", "line ", 20, 21));
  room.shell.run_until(pasted + 2900ms);
  EXPECT_EQ(room.shell.take_output(room.bob), numbered_heard("alice", "line ", 21, 49));
  EXPECT_TRUE(room.shell.paused(room.alice));
  room.shell.run_until(pasted + 3s);
  EXPECT_EQ(room.shell.take_output(room.bob), numbered_heard("alice", "line ", 49, 50));
  EXPECT_FALSE(room.shell.paused(room.alice));
  EXPECT_EQ(room.shell.pauses(room.alice), 1);
}

TEST(InputRate, AFloodIsHeldToOneReadAndTheRestStaysInTheSocket) {
  constexpr std::size_t kReadSize = 4096;
  Room room(rate_limited(), kReadSize);
  std::string flood;
  while (flood.size() < (1u << 20))
    flood += "say flood\r\n";
  room.shell.send(room.alice, flood);

  const std::size_t held_bound = kReadSize + core::input_buffer_bound(room.shell.server().config());
  EXPECT_LE(room.shell.most_held(room.alice), held_bound);
  EXPECT_GE(room.shell.unread(room.alice), flood.size() - 2 * kReadSize);
  room.shell.take_output(room.bob);

  room.shell.advance(1s);  // ten more lines' worth of allowance, and no more
  std::string ten;
  for (int i = 0; i < 10; ++i)
    ten += "alice: flood\r\n";
  EXPECT_EQ(room.shell.take_output(room.bob), ten);
  EXPECT_LE(room.shell.most_held(room.alice), held_bound);
  EXPECT_GE(room.shell.unread(room.alice), flood.size() - 3 * kReadSize);
}

TEST(InputRate, LinesBehindAFloodStillComeInOrder) {
  Room room(rate_limited(), 256);
  room.shell.send(room.alice, numbered_says("n", 0, 100) + "say END\r\n");
  room.shell.advance(20s);
  EXPECT_EQ(room.shell.take_output(room.bob),
            numbered_heard("alice", "n", 0, 100) + "alice: END\r\n");
  EXPECT_FALSE(room.shell.paused(room.alice));
  EXPECT_GE(room.shell.pauses(room.alice), 1);
}

TEST(InputRate, TheEndOfStreamWaitsForTheHeldLines) {
  Room room(rate_limited());
  room.shell.send(room.alice, numbered_says("last ", 0, 30));
  room.shell.close_input(room.alice);
  EXPECT_FALSE(room.shell.closed(room.alice));
  room.shell.advance(2s);
  EXPECT_EQ(room.shell.take_output(room.bob),
            numbered_heard("alice", "last ", 0, 30) + "alice has left the room.\r\n");
  EXPECT_EQ(room.shell.close_reason(room.alice), CloseReason::PeerClosed);
}

TEST(InputRate, ALogoutAmongHeldLinesClosesAndDropsWhatFollows) {
  Room room(rate_limited());
  room.shell.send(room.alice, numbered_says("a", 0, 25) + "logout\r\n" + numbered_says("b", 0, 5));
  room.shell.advance(5s);
  EXPECT_EQ(room.shell.take_output(room.bob),
            numbered_heard("alice", "a", 0, 25) + "alice has left the room.\r\n");
  EXPECT_EQ(room.shell.close_reason(room.alice), CloseReason::Logout);
}

TEST(InputRate, AResetWhileHeldClosesAtOnceAndForgetsTheDeadline) {
  Room room(rate_limited());
  room.shell.send(room.alice, numbered_says("x", 0, 40));
  ASSERT_TRUE(room.shell.paused(room.alice));
  room.shell.reset(room.alice);
  EXPECT_EQ(room.shell.close_reason(room.alice), CloseReason::PeerReset);
  EXPECT_EQ(room.shell.server().next_deadline(), std::nullopt);
}

TEST(InputRate, ZeroTurnsItOff) {
  Room room(rate_limited(0, 20));
  room.shell.send(room.alice, numbered_says("x", 0, 1000));
  EXPECT_EQ(room.shell.take_output(room.bob), numbered_heard("alice", "x", 0, 1000));
  EXPECT_EQ(room.shell.pauses(room.alice), 0);
}

TEST(InputRate, TelnetNegotiationDoesNotSpendTheAllowance) {
  Room room(rate_limited(1, 2));
  std::string storm;
  for (int i = 0; i < 100; ++i)
    storm += "\xff\xfd\x01";  // IAC DO ECHO, refused every time
  room.shell.send(room.alice, storm + "say one\r\nsay two\r\n");
  EXPECT_EQ(room.shell.take_output(room.bob), "alice: one\r\nalice: two\r\n");
  EXPECT_EQ(room.shell.pauses(room.alice), 0);
}

// Input that ends no line pays too: one allowance per two longest lines' worth of bytes.
core::Config short_lines_rate_limited() {
  core::Config config = rate_limited(10, 2);
  config.max_line = 100;  // so an allowance pays for 200 bytes that end no line
  return config;
}

TEST(InputRate, AnEndlessLineIsHeldToTheRateToo) {
  Room room(short_lines_rate_limited(), 4096);
  const std::string endless(100'000, 'e');
  room.shell.send(room.alice, endless + "\r\nsay after it\r\n");
  EXPECT_TRUE(room.shell.paused(room.alice));
  // Two allowances in hand pay for 400 bytes; the rest of the first read is held, and the
  // other reads stay in the socket.
  EXPECT_GE(room.shell.unread(room.alice), endless.size() - 4096);
  room.shell.advance(1s);  // ten allowances: 2000 bytes more
  EXPECT_GE(room.shell.unread(room.alice), endless.size() - 2 * 4096);
  EXPECT_EQ(room.shell.take_output(room.alice),
            "Line too long (limit 100 bytes); it was dropped.\r\n");
  room.shell.advance(60s);  // 100 kB at 2 kB a second
  EXPECT_EQ(room.shell.take_output(room.bob), "alice: after it\r\n");
  EXPECT_FALSE(room.shell.paused(room.alice));
}

TEST(InputRate, ATelnetStormIsHeldToTheRateToo) {
  Room room(short_lines_rate_limited(), 4096);
  std::string storm;
  for (int i = 0; i < 10'000; ++i)
    storm += "\xff\xf1";  // IAC NOP: no line, no reply, just bytes
  room.shell.send(room.alice, storm + "say after the storm\r\n");
  EXPECT_TRUE(room.shell.paused(room.alice));
  EXPECT_EQ(room.shell.take_output(room.bob), "");
  room.shell.advance(20s);  // 20 kB at 2 kB a second
  EXPECT_EQ(room.shell.take_output(room.bob), "alice: after the storm\r\n");
}

TEST(InputRate, LinesOfAnyLengthUpToTheLimitCostOneAllowanceEach) {
  Room room(short_lines_rate_limited());
  std::string lines;
  for (int i = 0; i < 2; ++i)
    lines += "say " + std::string(96, 'a' + i) + "\r\n";  // 100 bytes: the longest there is
  room.shell.send(room.alice, lines);
  EXPECT_EQ(room.shell.take_output(room.bob),
            "alice: " + std::string(96, 'a') + "\r\nalice: " + std::string(96, 'b') + "\r\n");
  EXPECT_EQ(room.shell.pauses(room.alice), 0);
}

TEST(InputRate, TheFirstPauseIsLoggedAtInfoAndLaterOnesAtDebug) {
  Room room(rate_limited(10, 2), 16);
  room.shell.send(room.alice, numbered_says("x", 0, 20));
  room.shell.advance(5s);
  int info = 0;
  int debug = 0;
  for (const core::LogRecord& record : room.shell.logs()) {
    if (record.text.find("over the line rate limit") == std::string::npos) continue;
    EXPECT_EQ(record.conn, room.alice);
    (record.level == core::LogLevel::Info ? info : debug) += 1;
  }
  EXPECT_EQ(info, 1);
  EXPECT_GE(debug, 1);
}

}  // namespace
}  // namespace teaparty::limits_test
