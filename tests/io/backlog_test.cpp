// Clients that do not keep up: their output piles up in core while the socket is full, and
// whatever happens next (they log out, half-close, read slowly or reset) nobody else suffers
// and no queued byte is lost or reordered.
//
// A backlog here is several hundred KiB against a receive buffer of a few KiB, so most of it
// sits in core's outbox and is written in many partial writes.

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <string>

#include "tests/io/chat_steps.h"
#include "tests/io/server_process.h"

namespace teaparty::io_test {
namespace {

constexpr std::size_t kFloodWidth = 150;
// Enough that the reader's socket and the server's send buffer are full and most of it waits
// in core, to be written in many partial writes (several MiB on loopback).
const int kFloodLines = overflowing_flood_lines(kFloodWidth);

const ClientOptions kSlowReader{kSmallReceiveBuffer};

class Backlog : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = ServerProcess::on_loopback(kClassicUnlimited);
    ASSERT_TRUE(server_->listening()) << server_->stderr_text();
  }
  std::unique_ptr<ServerProcess> server_;
};

// Whether `pid` ignores `signal`, from the SigIgn mask in /proc/PID/status.
bool ignores(pid_t pid, int signal) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (!line.starts_with("SigIgn:")) continue;
    const unsigned long long mask = std::stoull(line.substr(7), nullptr, 16);
    return (mask >> (signal - 1)) & 1;
  }
  return false;
}

TEST_F(Backlog, LogoutDeliversTheWholeBacklogBeforeClosing) {
  auto sleeper = log_in(*server_, "sleeper", kSlowReader);
  auto talker = log_in(*server_, "talker");
  const std::string backlog =
      entered("talker") + flood(*talker, "talker", "backlog", kFloodLines, kFloodWidth);

  ASSERT_TRUE(sleeper->send("logout\r\n"));
  // The talker hearing it proves the logout was handled while the backlog was still queued.
  EXPECT_TRUE(next_is(*talker, left("sleeper")));
  EXPECT_TRUE(rest_is(*sleeper, backlog));
}

TEST_F(Backlog, HalfCloseIsALeaveThatStillDeliversTheBacklog) {
  auto quitter = log_in(*server_, "quitter", kSlowReader);
  auto talker = log_in(*server_, "talker");
  const std::string backlog =
      entered("talker") + flood(*talker, "talker", "before half-close", kFloodLines, kFloodWidth);

  quitter->half_close();
  EXPECT_TRUE(next_is(*talker, left("quitter")));
  EXPECT_TRUE(rest_is(*quitter, backlog));
}

TEST_F(Backlog, SlowReaderGetsEverythingInOrderAndOthersAreNotHeldUp) {
  auto slow = log_in(*server_, "slow", kSlowReader);
  auto ann = log_in(*server_, "ann");
  auto ben = log_in(*server_, "ben");
  EXPECT_TRUE(next_is(*ann, entered("ben")));
  std::string chat = entered("ann") + entered("ben");

  // Ann and Ben take turns; each hears all of the other's lines while Slow reads nothing.
  constexpr int kRounds = 5;
  const int lines_per_turn = kFloodLines / (2 * kRounds) + 1;
  for (int round = 0; round < kRounds; ++round) {
    const std::string tag = " round " + std::to_string(round);
    const std::string from_ann = flood(*ann, "ann", "ann" + tag, lines_per_turn, kFloodWidth);
    EXPECT_TRUE(next_is(*ben, from_ann));
    const std::string from_ben = flood(*ben, "ben", "ben" + tag, lines_per_turn, kFloodWidth);
    EXPECT_TRUE(next_is(*ann, from_ben));
    chat += from_ann + from_ben;
  }

  // Now Slow reads, a few bytes at a time, and must see the same stream as everyone else.
  std::string got;
  while (got.size() < chat.size()) {
    const std::string piece = slow->read_some(97);
    if (piece.empty()) break;
    got += piece;
  }
  EXPECT_EQ(got.size(), chat.size());
  EXPECT_TRUE(got == chat) << "the slow reader's stream differs from what was said";

  // And it is still a full member of the room.
  ASSERT_TRUE(slow->send("say caught up\r\n"));
  for (ChatClient* member : {slow.get(), ann.get(), ben.get()})
    EXPECT_TRUE(next_is(*member, said("slow", "caught up")));
}

TEST_F(Backlog, ResetWhileBeingWrittenToDoesNotHurtTheOthers) {
  EXPECT_TRUE(ignores(server_->pid(), SIGPIPE))
      << "a write to a reset socket would kill the server";
  auto victim = log_in(*server_, "victim", kSlowReader);
  auto ann = log_in(*server_, "ann");
  auto ben = log_in(*server_, "ben");
  EXPECT_TRUE(next_is(*ann, entered("ben")));
  const std::string before = flood(*ann, "ann", "before reset", kFloodLines, kFloodWidth);
  EXPECT_TRUE(next_is(*ben, before));

  victim->reset();
  EXPECT_TRUE(next_is(*ann, left("victim")));
  EXPECT_TRUE(next_is(*ben, left("victim")));
  // The room goes on: more than a socket buffer's worth, so the server writes a lot after it.
  const std::string after = flood(*ann, "ann", "after reset", kFloodLines, kFloodWidth);
  EXPECT_TRUE(next_is(*ben, after));
  ASSERT_TRUE(ben->send("who\r\n"));
  EXPECT_TRUE(next_is(*ben, "The following are logged in:\r\nann\r\nben\r\n"));
  EXPECT_TRUE(server_->running());
}

}  // namespace
}  // namespace teaparty::io_test
