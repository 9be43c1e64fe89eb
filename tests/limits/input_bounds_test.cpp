// Input that tries to make core hold memory: the line length limit under every split of the
// input, IAC storms and endless subnegotiations.

#include <gtest/gtest.h>

#include "tests/limits/limits_helpers.h"

namespace teaparty::limits_test {
namespace {

constexpr std::size_t kMaxLine = 24;

core::Config short_lines() {
  core::Config config;
  config.max_line = kMaxLine;
  return config;
}

struct Speaker {
  Speaker() {
    alice = log_in(shell, "alice");
    bob = log_in(shell, "bob");
    shell.take_output(alice);
  }
  // Sends `bytes` cut at the given offsets (ascending), one read per piece.
  void send_cut(std::string_view bytes, std::initializer_list<std::size_t> cuts) {
    std::size_t from = 0;
    for (std::size_t cut : cuts) {
      shell.send(alice, bytes.substr(from, cut - from));
      from = cut;
    }
    shell.send(alice, bytes.substr(from));
  }
  VirtualShell shell{short_lines()};
  ConnId alice;
  ConnId bob;
};

const std::string kFits = "say " + std::string(kMaxLine - 4, 'f');     // exactly the limit
const std::string kTooLong = "say " + std::string(kMaxLine - 3, 't');  // one byte over
const std::string kRejected = "Line too long (limit 24 bytes); it was dropped.\r\n";

TEST(LineLength, HoldsUnderEverySplitIntoTwoOrThreeReads) {
  const std::string input = kFits + "\r\n" + kTooLong + "\r\nsay after\r\n";
  const std::string heard = "alice: " + kFits.substr(4) + "\r\nalice: after\r\n";
  Speaker speaker;
  for (std::size_t i = 0; i <= input.size(); ++i) {
    for (std::size_t j = i; j <= input.size(); ++j) {
      speaker.send_cut(input, {i, j});
      ASSERT_EQ(speaker.shell.take_output(speaker.bob), heard) << "cut at " << i << ", " << j;
      ASSERT_EQ(speaker.shell.take_output(speaker.alice),
                heard.substr(0, heard.find('\n') + 1) + kRejected + "alice: after\r\n")
          << "cut at " << i << ", " << j;
    }
  }
}

TEST(LineLength, HoldsByteByByte) {
  Speaker speaker;
  const std::string input = kTooLong + "\r\n" + kFits + "\r\n";
  for (char c : input)
    speaker.shell.send(speaker.alice, std::string(1, c));
  EXPECT_EQ(speaker.shell.take_output(speaker.alice),
            kRejected + "alice: " + kFits.substr(4) + "\r\n");
}

TEST(LineLength, AnEndlessLineCostsNoMoreThanTheLimit) {
  Speaker speaker;
  for (int i = 0; i < 1000; ++i)
    speaker.shell.send(speaker.alice, std::string(1000, 'x'));
  EXPECT_LE(speaker.shell.most_held(speaker.alice),
            core::input_buffer_bound(speaker.shell.server().config()));
  speaker.shell.send(speaker.alice, "\r\nsay ok\r\n");
  EXPECT_EQ(speaker.shell.take_output(speaker.alice), kRejected + "alice: ok\r\n");
}

TEST(TelnetStorm, IacCommandsCostNothingButTheBytes) {
  Speaker speaker;
  std::string storm;
  for (int i = 0; i < 100'000; ++i)
    storm += i % 2 ? "\xff\xf1" : "\xff\xf9";  // IAC NOP, IAC GA
  speaker.shell.send(speaker.alice, storm + "say still fine\r\n");
  EXPECT_EQ(speaker.shell.take_output(speaker.bob), "alice: still fine\r\n");
  EXPECT_EQ(speaker.shell.take_output(speaker.alice), "alice: still fine\r\n");
  EXPECT_LE(speaker.shell.most_held(speaker.alice),
            core::input_buffer_bound(speaker.shell.server().config()));
}

TEST(TelnetStorm, AnEndlessSubnegotiationIsBounded) {
  Speaker speaker;
  speaker.shell.send(speaker.alice, "\xff\xfa\x18");  // IAC SB TTYPE, and no end in sight
  for (int i = 0; i < 1000; ++i)
    speaker.shell.send(speaker.alice, std::string(1000, 'q'));
  EXPECT_LE(speaker.shell.most_held(speaker.alice),
            core::input_buffer_bound(speaker.shell.server().config()));
  speaker.shell.send(speaker.alice, "\xff\xf0say back\r\n");  // IAC SE
  EXPECT_EQ(speaker.shell.take_output(speaker.bob), "alice: back\r\n");
}

}  // namespace
}  // namespace teaparty::limits_test
