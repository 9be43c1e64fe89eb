// Telnet negotiation over a real socket: the classic dialect refuses every option, answers
// TIMING-MARK (or telnet goes deaf after Ctrl-C), and never lets a negotiation disturb a line.

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

#include "tests/io/chat_steps.h"
#include "tests/io/server_process.h"

namespace teaparty::io_test {
namespace {

// Telnet bytes by number: a literal such as "\xff\xfb\x06" is easy to misread (and "\x06a"
// would even be a single byte).
std::string bytes(std::initializer_list<unsigned char> values) {
  return std::string(values.begin(), values.end());
}

constexpr unsigned char kIac = 0xff;
constexpr unsigned char kDont = 0xfe;
constexpr unsigned char kDo = 0xfd;
constexpr unsigned char kWont = 0xfc;
constexpr unsigned char kWill = 0xfb;
constexpr unsigned char kInterruptProcess = 0xf4;
constexpr unsigned char kTimingMark = 0x06;
constexpr unsigned char kTerminalType = 0x18;
constexpr unsigned char kWindowSize = 0x1f;

class Telnet : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = ServerProcess::on_loopback(kClassic);
    ASSERT_TRUE(server_->listening()) << server_->stderr_text();
    client_ = log_in(*server_, "tn");
  }
  // Sends `request` followed by a `say`, and expects exactly `reply` before the echo: the
  // reply is all there is, and the line after it is untouched.
  void expect_reply(const std::string& request, const std::string& reply) {
    ASSERT_TRUE(client_->send(request + "say still here\r\n"));
    EXPECT_TRUE(next_is(*client_, reply + said("tn", "still here")));
  }

  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<ChatClient> client_;
};

TEST_F(Telnet, DoTimingMarkIsAnsweredWill) {
  expect_reply(bytes({kIac, kDo, kTimingMark}), bytes({kIac, kWill, kTimingMark}));
}

TEST_F(Telnet, DoAnyOtherOptionIsRefusedWithWont) {
  expect_reply(bytes({kIac, kDo, kTerminalType}), bytes({kIac, kWont, kTerminalType}));
}

TEST_F(Telnet, WillNawsIsRefusedWithDont) {
  expect_reply(bytes({kIac, kWill, kWindowSize}), bytes({kIac, kDont, kWindowSize}));
}

TEST_F(Telnet, WontForAnOptionAlreadyOffIsNotAnswered) {
  // RFC 1143: acknowledging what is already so would let two peers answer each other forever.
  expect_reply(bytes({kIac, kWill, kWindowSize}), bytes({kIac, kDont, kWindowSize}));
  expect_reply(bytes({kIac, kWont, kWindowSize}), "");
}

TEST_F(Telnet, CtrlCThenNextLineIsDelivered) {
  // What telnet sends for Ctrl-C in line mode: the unfinished line is not sent at all, only
  // IAC IP and IAC DO TIMING-MARK; telnet then shows nothing until the mark is answered.
  ASSERT_TRUE(client_->send(bytes({kIac, kInterruptProcess, kIac, kDo, kTimingMark})));
  ASSERT_TRUE(client_->send("say after\r\n"));
  EXPECT_TRUE(next_is(*client_, bytes({kIac, kWill, kTimingMark}) + said("tn", "after")));
}

TEST_F(Telnet, NegotiationSplitAcrossWrites) {
  ASSERT_TRUE(client_->send_bytewise(bytes({kIac, kDo, kTerminalType}) + "say split\r\n"));
  EXPECT_TRUE(next_is(*client_, bytes({kIac, kWont, kTerminalType}) + said("tn", "split")));
}

}  // namespace
}  // namespace teaparty::io_test
