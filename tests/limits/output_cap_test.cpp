// The output cap: a client that stops reading while others talk is closed once its queue
// passes --max-output, and nobody else notices anything but its departure.

#include <gtest/gtest.h>

#include "tests/limits/limits_helpers.h"

namespace teaparty::limits_test {
namespace {

core::Config capped(std::size_t max_output) {
  core::Config config;
  config.max_output = max_output;
  return config;
}

// Alice talks, Carol has stopped reading, Bob listens; Carol joined between them, so Bob comes
// after her in every broadcast.
struct Room {
  explicit Room(core::Config config) : shell(std::move(config)) {
    alice = log_in(shell, "alice");
    carol = log_in(shell, "carol");
    bob = log_in(shell, "bob");
    shell.take_output(alice);
    shell.take_output(carol);
    shell.stall(carol);
  }
  VirtualShell shell;
  ConnId alice;
  ConnId carol;
  ConnId bob;
};

TEST(OutputCap, ASilentReaderIsClosedAtTheCapAndTheOthersGetEverything) {
  constexpr std::size_t kCap = 4096;
  Room room(capped(kCap));
  std::string said;
  for (int i = 0; i < 200; ++i) {
    room.shell.send(room.alice, "say " + std::string(40, 'x') + std::to_string(i) + "\r\n");
    said += "alice: " + std::string(40, 'x') + std::to_string(i) + "\r\n";
  }
  EXPECT_EQ(room.shell.close_reason(room.carol), CloseReason::SlowConsumer);
  EXPECT_LE(room.shell.most_queued(room.carol), kCap);
  EXPECT_TRUE(room.shell.logged(core::LogLevel::Warning, "slow consumer"));

  // Everyone else got every line, in order, and heard Carol leave exactly once, at the point
  // where the line that overflowed her had been said.
  const std::string bob_heard = room.shell.take_output(room.bob);
  const std::size_t left = bob_heard.find("carol has left the room.\r\n");
  ASSERT_NE(left, std::string::npos);
  std::string without_leave = bob_heard;
  without_leave.erase(left, std::string("carol has left the room.\r\n").size());
  EXPECT_EQ(without_leave, said);
  EXPECT_EQ(bob_heard.find("carol has left", left + 1), std::string::npos);
  EXPECT_EQ(room.shell.take_output(room.alice), bob_heard);
}

TEST(OutputCap, AReaderThatCatchesUpInTimeStays) {
  constexpr std::size_t kCap = 4096;
  Room room(capped(kCap));
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 10; ++i)  // about 2.5 KiB: under the cap
      room.shell.send(room.alice, "say " + std::string(200, 'y') + "\r\n");
    room.shell.unstall(room.carol);
    room.shell.stall(room.carol);
  }
  EXPECT_FALSE(room.shell.closed(room.carol));
  EXPECT_EQ(room.shell.take_output(room.carol).size(), room.shell.take_output(room.bob).size());
}

TEST(OutputCap, ZeroIsNoCap) {
  Room room(capped(0));
  for (int i = 0; i < 3000; ++i)
    room.shell.send(room.alice, "say " + std::string(500, 'z') + "\r\n");
  EXPECT_FALSE(room.shell.closed(room.carol));
  EXPECT_GT(room.shell.server().queued_bytes(room.carol), std::size_t{1} << 20);
}

TEST(OutputCap, AnIacStormFromANonReaderEndsAtTheCap) {
  constexpr std::size_t kCap = 1024;
  VirtualShell shell(capped(kCap));
  const ConnId storm = shell.connect();
  shell.stall(storm);
  std::string requests;
  for (int i = 0; i < 10'000; ++i)
    requests += "\xff\xfd\x18";  // IAC DO TTYPE: each refused, each answer queued unread
  shell.send(storm, requests);
  EXPECT_EQ(shell.close_reason(storm), CloseReason::SlowConsumer);
  EXPECT_LE(shell.most_queued(storm), kCap);
}

TEST(OutputCap, TheSlowConsumerIsNotAnnouncedTwiceWhenItAlsoLeaves) {
  Room room(capped(2048));
  for (int i = 0; i < 50; ++i)
    room.shell.send(room.alice, "say " + std::string(100, 'w') + "\r\n");
  ASSERT_TRUE(room.shell.closed(room.carol));
  room.shell.reset(room.carol);  // the socket error that may follow is about a closed session
  const std::string heard = room.shell.take_output(room.bob);
  const std::size_t first = heard.find("carol has left");
  ASSERT_NE(first, std::string::npos);
  EXPECT_EQ(heard.find("carol has left", first + 1), std::string::npos);
}

}  // namespace
}  // namespace teaparty::limits_test
