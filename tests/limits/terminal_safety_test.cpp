// Terminal safety: the escaping rules, a property over random bytes, and the classic dialect
// applying them to names and relayed text while staying byte-exact on printable text.

#include "core/terminal_safety.h"

#include <gtest/gtest.h>

#include <random>

#include "core/utf8.h"
#include "tests/limits/limits_helpers.h"

namespace teaparty::limits_test {
namespace {

using core::is_terminal_safe;
using core::terminal_safe;

TEST(TerminalSafety, PrintableTextAndUtf8AreKeptByteForByte) {
  for (std::string_view text :
       {"hello, world", "tab\there", "caf\xc3\xa9 \xe2\x82\xac \xe6\x97\xa5",
        "\xf0\x9f\x98\x80 emoji", "\xc2\xa0 no-break space", ""}) {
    EXPECT_TRUE(is_terminal_safe(text)) << text;
    EXPECT_EQ(terminal_safe(text), text);
  }
}

TEST(TerminalSafety, C0ControlsAndDelAreShownInCaretNotation) {
  for (int c = 0; c < 0x20; ++c) {
    if (c == '\t') continue;
    const std::string control(1, static_cast<char>(c));
    EXPECT_EQ(terminal_safe("a" + control + "b"),
              "a^" + std::string(1, static_cast<char>(c + 0x40)) + "b");
  }
  EXPECT_EQ(terminal_safe("\x7f"), "^?");
  EXPECT_EQ(terminal_safe("\x1b[2J\x1b]52;c;aGk=\x07"), "^[[2J^[]52;c;aGk=^G");
}

TEST(TerminalSafety, C1ControlsAreShownAsCatVShowsThem) {
  EXPECT_EQ(terminal_safe("\xc2\x80"), "M-^@");
  EXPECT_EQ(terminal_safe("\xc2\x9b"
                          "31m"),
            "M-^[31m");  // U+009B: the one-character CSI
  EXPECT_EQ(terminal_safe("\xc2\x9f"), "M-^_");
  EXPECT_EQ(terminal_safe("\xc2\xa0"), "\xc2\xa0");  // U+00A0 is printable
}

TEST(TerminalSafety, BytesOutsideWellFormedUtf8AreShownInHex) {
  EXPECT_EQ(terminal_safe("\x9b"), "\\x9B");  // a raw 8-bit CSI
  EXPECT_EQ(terminal_safe("\xff"), "\\xFF");
  EXPECT_EQ(terminal_safe("\xc0\xaf"), "\\xC0\\xAF");                    // overlong '/'
  EXPECT_EQ(terminal_safe("\xed\xa0\x80"), "\\xED\\xA0\\x80");           // a surrogate
  EXPECT_EQ(terminal_safe("\xf4\x90\x80\x80"), "\\xF4\\x90\\x80\\x80");  // past U+10FFFF
  EXPECT_EQ(terminal_safe("ok\xe2\x82"), "ok\\xE2\\x82");                // cut short at the end
  EXPECT_EQ(terminal_safe("\xe2\x82"
                          "A"),
            "\\xE2\\x82"
            "A");
}

// Whatever the input, the output is well-formed UTF-8 with no control character but TAB, and
// a text is left alone exactly when is_terminal_safe says so.
TEST(TerminalSafety, AnyBytesComeOutPrintable) {
  std::mt19937 random(20240611);  // fixed: the same cases every run
  std::uniform_int_distribution<int> length(0, 24);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int round = 0; round < 20'000; ++round) {
    std::string input(static_cast<std::size_t>(length(random)), '\0');
    for (char& c : input)
      c = static_cast<char>(byte(random));
    const std::string output = terminal_safe(input);
    ASSERT_TRUE(core::utf8::is_valid(output)) << "round " << round;
    for (std::size_t i = 0; i < output.size(); ++i) {
      const auto b = static_cast<unsigned char>(output[i]);
      ASSERT_FALSE((b < 0x20 && b != '\t') || b == 0x7f) << "round " << round;
      ASSERT_FALSE(b == 0xc2 && i + 1 < output.size() &&
                   static_cast<unsigned char>(output[i + 1]) <= 0x9f)
          << "round " << round;
    }
    ASSERT_TRUE(is_terminal_safe(output));
    ASSERT_EQ(is_terminal_safe(input), output == input) << "round " << round;
  }
}

// is_terminal_safe checks printable ASCII eight bytes at a time: a single unsafe byte must be
// seen wherever it falls in such a word, and the bytes around 0x20 and 0x7F must not be
// mistaken for each other (random bytes above almost never make eight printable in a row).
TEST(TerminalSafety, OneUnsafeByteIsFoundAtAnyPositionInPrintableText) {
  for (std::size_t length = 1; length <= 24; ++length) {
    for (std::size_t at = 0; at < length; ++at) {
      for (int b = 0; b < 256; ++b) {
        std::string text(length, 'a');
        text[at] = static_cast<char>(b);
        const bool printable = (b >= 0x20 && b < 0x7f) || b == '\t';
        ASSERT_EQ(is_terminal_safe(text), printable)
            << "length " << length << " at " << at << " byte " << b;
      }
    }
  }
}

TEST(TerminalSafety, SafeTextOnlyCopiesWhenItMust) {
  const std::string clean = "plain text";
  const core::SafeText kept(clean);
  EXPECT_EQ(kept.view().data(), clean.data());
  const core::SafeText escaped("bell\x07");
  EXPECT_EQ(escaped.view(), "bell^G");
}

TEST(ClassicTerminalSafety, RelayedTextAndNamesAreEscapedForEveryone) {
  VirtualShell shell(core::Config{});
  const ConnId mallory = log_in(shell, "mal\x1b[8mlory");
  const ConnId bob = log_in(shell, "bob");
  EXPECT_EQ(shell.take_output(mallory), "bob has entered the room.\r\n");
  shell.send(mallory, "say \x1b[2J\x1b[Hgotcha\x07\r\n");
  EXPECT_EQ(shell.take_output(bob), "mal^[[8mlory: ^[[2J^[[Hgotcha^G\r\n");
  shell.send(bob, "look\r\n");
  EXPECT_EQ(shell.take_output(bob), "The following are in this room:\r\nmal^[[8mlory\r\nbob\r\n");
  shell.send(bob, "who\r\n");
  EXPECT_EQ(shell.take_output(bob), "The following are logged in:\r\nmal^[[8mlory\r\nbob\r\n");
  shell.send(mallory, "logout\r\n");
  EXPECT_EQ(shell.take_output(bob), "mal^[[8mlory has left the room.\r\n");
}

TEST(ClassicTerminalSafety, TheNewcomerAnnouncementAndTheTakenNameAreEscaped) {
  VirtualShell shell(core::Config{});
  const ConnId alice = log_in(shell, "alice");
  const ConnId eve = shell.connect();
  shell.take_output(eve);
  shell.send(eve, "login e\x9bve\r\n");
  EXPECT_EQ(shell.take_output(alice), "e\\x9Bve has entered the room.\r\n");
  const ConnId other = shell.connect();
  shell.take_output(other);
  shell.send(other, "login e\x9bve\r\n");
  EXPECT_EQ(shell.take_output(other), "The name \"e\\x9Bve\" is taken.\r\nPlease try again.\r\n");
}

TEST(ClassicTerminalSafety, TheBooksStrippingComesFirst) {
  VirtualShell shell(core::Config{});
  const ConnId alice = log_in(shell, "alice");
  // VT and FF at the ends are the book's whitespace and go; inside the text they are shown.
  shell.send(alice, "say \x0b\x0chi\x0bthere\x0c \r\n");
  EXPECT_EQ(shell.take_output(alice), "alice: hi^Kthere\r\n");
  shell.send(alice, "d\x1bnce\r\n");  // the echo of an unknown command word, too
  EXPECT_EQ(shell.take_output(alice), "Unknown command: d^[nce\r\n");
}

TEST(ClassicTerminalSafety, PrintableTextIsExactlyTheBooks) {
  VirtualShell shell(core::Config{});
  const ConnId zoe = log_in(shell, "Zo\xc3\xab");
  shell.send(zoe, "say  caf\xc3\xa9 cr\xc3\xa8me \xe2\x82\xac 5 \t \"quoted\" : ok  \r\n");
  EXPECT_EQ(shell.take_output(zoe),
            "Zo\xc3\xab: caf\xc3\xa9 cr\xc3\xa8me \xe2\x82\xac 5 \t \"quoted\" : ok\r\n");
}

}  // namespace
}  // namespace teaparty::limits_test
