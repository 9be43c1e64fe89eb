// SIGTERM and SIGINT: every client is told, its output drains, and the process exits 0. The
// 10 s bound on the exit is a liveness bound (the grace period is 2 s), not a speed check.

#include <gtest/gtest.h>

#include <csignal>
#include <string>

#include "tests/io/chat_steps.h"
#include "tests/io/server_process.h"

namespace teaparty::io_test {
namespace {

class Shutdown : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    server_ = ServerProcess::on_loopback(kClassicUnlimited);
    ASSERT_TRUE(server_->listening()) << server_->stderr_text();
  }
  void expect_clean_exit() {
    const auto status = server_->wait_for_exit(10s);
    ASSERT_TRUE(status) << "the server was still running 10 s after the signal";
    EXPECT_TRUE(status->exited_with(0)) << describe(*status);
  }
  std::unique_ptr<ServerProcess> server_;
};

TEST_P(Shutdown, EveryClientIsToldThenClosedAndTheProcessExitsZero) {
  auto chatter = log_in(*server_, "chatter");
  auto other = log_in(*server_, "other");
  auto stranger = connect_to(*server_);  // still at the login prompt
  EXPECT_TRUE(next_is(*chatter, entered("other")));

  server_->send_signal(GetParam());
  // Nobody hears the others leave: the notice is the last thing anyone gets.
  for (ChatClient* client : {chatter.get(), other.get(), stranger.get()})
    EXPECT_TRUE(rest_is(*client, kShuttingDown));
  expect_clean_exit();
}

TEST_P(Shutdown, WithNoClientsTheProcessExitsZero) {
  // A connection that has come and gone proves the poll loop (and its handlers) are running.
  connect_to(*server_)->close();
  ASSERT_TRUE(server_->wait_for_stderr("closed"));
  server_->send_signal(GetParam());
  expect_clean_exit();
}

TEST_P(Shutdown, SignalRightAfterTheListeningLineIsAGracefulStop) {
  // A supervisor may wait for the listening line and stop the server at once: by then the
  // signal must already be handled, not kill the process.
  server_->send_signal(GetParam());
  expect_clean_exit();
}

TEST_P(Shutdown, ClientThatNeverReadsDoesNotKeepTheServerAlive) {
  auto sleeper = log_in(*server_, "sleeper", ClientOptions{kSmallReceiveBuffer});
  auto talker = log_in(*server_, "talker");
  // More than the kernel's buffers hold for a stalled reader, so the grace period must end it.
  constexpr std::size_t kWidth = 150;
  const std::string backlog = entered("talker") + flood(*talker, "talker", "unread",
                                                        overflowing_flood_lines(kWidth), kWidth);

  server_->send_signal(GetParam());
  EXPECT_TRUE(rest_is(*talker, kShuttingDown));
  expect_clean_exit();

  // What the sleeper gets in the end is a true prefix of its backlog: cut short, not garbled.
  const std::string got = sleeper->read_until_eof();
  EXPECT_LT(got.size(), backlog.size())
      << "the whole backlog fit in the kernel's buffers, so the grace period was not tested";
  EXPECT_TRUE(backlog.starts_with(got)) << "the sleeper's bytes are not a prefix of its backlog";
}

INSTANTIATE_TEST_SUITE_P(Signals, Shutdown, ::testing::Values(SIGTERM, SIGINT),
                         [](const ::testing::TestParamInfo<int>& param) {
                           return std::string(param.param == SIGTERM ? "SIGTERM" : "SIGINT");
                         });

}  // namespace
}  // namespace teaparty::io_test
