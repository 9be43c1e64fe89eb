// InputDecoder: line framing, line editing and telnet commands, byte for byte, and the
// promise that none of it depends on how the bytes were split into reads.

#include "core/input_decoder.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "bytes.h"

namespace teaparty::core {
namespace {

using namespace std::string_literals;
using namespace std::string_view_literals;
using telnet::Verb;
using testing::escaped;
using testing::iac;

// Events are described as strings: they own their bytes (an event's views die with the next
// call) and a mismatch prints readably.
using Events = std::vector<std::string>;

std::string line(std::string_view text) {
  return "line \"" + escaped(text) + "\"";
}
std::string too_long(std::size_t limit) {
  return "line too long, limit " + std::to_string(limit);
}
std::string end_of_transmission() {
  return "end of transmission";
}
std::string negotiation(Verb verb, std::uint8_t option) {
  const char* name = verb == Verb::Will   ? "WILL"
                     : verb == Verb::Wont ? "WONT"
                     : verb == Verb::Do   ? "DO"
                                          : "DONT";
  return std::string(name) + " " + std::to_string(option);
}
std::string subnegotiation(std::uint8_t option, std::string_view data, bool truncated = false) {
  return "SB " + std::to_string(option) + " \"" + escaped(data) + "\"" +
         (truncated ? " truncated" : "");
}

struct Describe {
  std::string operator()(const LineReceived& e) const { return line(e.text); }
  std::string operator()(const LineTooLong& e) const { return too_long(e.limit); }
  std::string operator()(const EndOfTransmission&) const { return end_of_transmission(); }
  std::string operator()(const TelnetNegotiation& e) const { return negotiation(e.verb, e.option); }
  std::string operator()(const TelnetSubnegotiation& e) const {
    return subnegotiation(e.option, e.data, e.truncated);
  }
};

constexpr std::size_t kMaxLine = 16;

// One read: every event the decoder finds in `input`, which it must use up.
void feed(InputDecoder& decoder, std::string_view input, Events& events) {
  ByteView bytes = as_bytes(input);
  while (auto event = decoder.next(bytes))
    events.push_back(std::visit(Describe{}, *event));
  EXPECT_TRUE(bytes.empty()) << "next() gave up with " << bytes.size() << " bytes left";
}

Events decode(std::string_view input, std::size_t max_line = kMaxLine) {
  InputDecoder decoder(max_line);
  Events events;
  feed(decoder, input, events);
  return events;
}

Events decode_reads(const std::vector<std::string_view>& reads, std::size_t max_line = kMaxLine) {
  InputDecoder decoder(max_line);
  Events events;
  for (std::string_view read : reads)
    feed(decoder, read, events);
  return events;
}

// `input` in reads of `size` bytes (the last one shorter).
Events decode_in_pieces(std::string_view input, std::size_t size) {
  std::vector<std::string_view> reads;
  for (std::size_t at = 0; at < input.size(); at += size)
    reads.push_back(input.substr(at, size));
  return decode_reads(reads);
}

// --- line ends ---

TEST(InputDecoderLineEnds, CrLfEndsALine) {
  EXPECT_EQ(decode("say hi\r\n"), Events{line("say hi")});
}

TEST(InputDecoderLineEnds, LfAloneEndsALine) {
  EXPECT_EQ(decode("say hi\n"), Events{line("say hi")});
}

TEST(InputDecoderLineEnds, CrNulEndsALine) {
  EXPECT_EQ(decode("say hi\r\0"sv), Events{line("say hi")});
}

TEST(InputDecoderLineEnds, LoneCrEndsALineAtOnce) {
  EXPECT_EQ(decode("say hi\r"), Events{line("say hi")});
  EXPECT_EQ(decode("one\rtwo\r"), (Events{line("one"), line("two")}));
}

TEST(InputDecoderLineEnds, EveryLineEndAfterAnotherMakesOneEmptyLineEach) {
  EXPECT_EQ(decode("\r\n\n\r\0\r\r\n"sv), Events(5, line("")));
  EXPECT_EQ(decode("\n\n"), Events(2, line("")));
  EXPECT_EQ(decode("\r\r"), Events(2, line("")));
}

TEST(InputDecoderLineEnds, CrAndItsLfInDifferentReadsEndOneLine) {
  EXPECT_EQ(decode_reads({"abc\r", "\ndef\n"}), (Events{line("abc"), line("def")}));
  EXPECT_EQ(decode_reads({"abc\r", "\n", "\n"}), (Events{line("abc"), line("")}));
}

TEST(InputDecoderLineEnds, CrAndItsNulInDifferentReadsEndOneLine) {
  EXPECT_EQ(decode_reads({"abc\r", "\0def\r\0"sv}), (Events{line("abc"), line("def")}));
}

TEST(InputDecoderLineEnds, NulNotAfterCrIsAnOrdinaryByte) {
  EXPECT_EQ(decode("a\0b\n"sv), Events{line("a\0b"sv)});
}

TEST(InputDecoderLineEnds, ManyLinesInOneReadComeOutInOrder) {
  EXPECT_EQ(
      decode("one\r\ntwo\nthree\r\0four\rfive\r\nsix\n"sv),
      (Events{line("one"), line("two"), line("three"), line("four"), line("five"), line("six")}));
}

TEST(InputDecoderLineEnds, PartialLineWaitsForItsEnd) {
  InputDecoder decoder(kMaxLine);
  Events events;
  feed(decoder, "say hel", events);
  EXPECT_TRUE(events.empty());
  EXPECT_EQ(decoder.buffered_bytes(), 7u);
  feed(decoder, "lo\r\n", events);
  EXPECT_EQ(events, Events{line("say hello")});
}

TEST(InputDecoderLineEnds, BytesAreKeptVerbatim) {
  const std::string text = "caf\xc3\xa9 \x1b[31m \x80\xfe \x01\x1f";
  EXPECT_EQ(decode(text + "\n", 64), Events{line(text)});
}

// --- segmentation ---

// Inputs that exercise every state of the decoder; a split anywhere must not change a thing.
std::vector<std::string> segmentation_samples() {
  using namespace telnet;
  return {
      "login alice\r\nsay hi\r\n",
      "one\ntwo\r\nthree\r\0four\rfive\n\n\r\n\r\r\0six\n"s,
      "caf\xc3\xa9\b\b!\x7f\x04\r\n\x04x\b\x04\n\xe2\x82\xac\x7f\xf0\x9f\x98\x80\bok\r\n",
      iac(kDO, kOptEcho) + "say " + iac(kIAC) + iac(kNOP) + "x" + iac(kSB, kOptNAWS) + "\0P"s +
          iac(kIAC) + "\0\x18"s + iac(kSE) + "y\r\n" + iac(kWILL, kOptTTYPE) + iac(kWONT, kOptSGA) +
          iac(kDONT, kOptLinemode),
      "say xyz" + iac(kIP) + iac(kDO, kOptTimingMark) + "say ok\r\nabc" + iac(kEL) + "de" +
          iac(kEC) + "f\r\n" + iac(kAYT) + iac(kGA) + iac(kDM) + iac(kBRK) + iac(kAO) + "\n",
      "0123456789abcdefXYZ\r\nshort\r\n0123456789abcdef\n" + std::string(40, 'z') + "\x04" +
          iac(kDO, kOptEcho) + "\b\r" + "\nafter\n",
      iac(kSB, kOptTTYPE) + "ab" + iac(kDO, kOptEcho) + "line\n",
      iac(kSB, kOptGMCP) + std::string(1100, 'g') + iac(kIAC) + iac(kSE) + "tail\n",
  };
}

TEST(InputDecoderSegmentation, ByteByByteGivesTheSameEventsAsWhole) {
  for (const std::string& input : segmentation_samples()) {
    SCOPED_TRACE(escaped(input.substr(0, 80)));
    EXPECT_EQ(decode_in_pieces(input, 1), decode(input));
  }
}

TEST(InputDecoderSegmentation, EverySplitPointGivesTheSameEventsAsWhole) {
  for (const std::string& input : segmentation_samples()) {
    const Events whole = decode(input);
    for (std::size_t at = 0; at <= input.size(); ++at) {
      SCOPED_TRACE("split at " + std::to_string(at) + " of " + escaped(input.substr(0, 80)));
      const std::string_view view(input);
      ASSERT_EQ(decode_reads({view.substr(0, at), view.substr(at)}), whole);
    }
  }
}

TEST(InputDecoderSegmentation, EveryReadSizeGivesTheSameEventsAsWhole) {
  for (const std::string& input : segmentation_samples()) {
    const Events whole = decode(input);
    for (std::size_t size = 1; size <= std::min<std::size_t>(input.size(), 64); ++size) {
      SCOPED_TRACE("reads of " + std::to_string(size) + " in " + escaped(input.substr(0, 80)));
      ASSERT_EQ(decode_in_pieces(input, size), whole);
    }
  }
}

TEST(InputDecoderSegmentation, EmptyReadsChangeNothing) {
  EXPECT_EQ(decode_reads({"", "ab", "", "\r", "", "\n", ""}), Events{line("ab")});
}

// --- line editing ---

TEST(InputDecoderEditing, BackspaceErasesThePreviousCharacter) {
  EXPECT_EQ(decode("abc\bd\n"), Events{line("abd")});
}

TEST(InputDecoderEditing, DelErasesThePreviousCharacter) {
  EXPECT_EQ(decode("abc\x7f\x7f\n"), Events{line("a")});
}

TEST(InputDecoderEditing, ErasesATwoByteUtf8CharacterWhole) {
  EXPECT_EQ(decode("caf\xc3\xa9\b\n"), Events{line("caf")});
}

TEST(InputDecoderEditing, ErasesAThreeByteUtf8CharacterWhole) {
  EXPECT_EQ(decode("x\xe2\x82\xac\x7f\n"), Events{line("x")});
}

TEST(InputDecoderEditing, ErasesAFourByteUtf8CharacterWhole) {
  EXPECT_EQ(decode("x\xf0\x9f\x98\x80\b\n"), Events{line("x")});
}

TEST(InputDecoderEditing, ErasesOneCharacterAtATimeAcrossUtf8) {
  EXPECT_EQ(decode("a\xc3\xa9\xe2\x82\xac\b\n"), Events{line("a\xc3\xa9")});
  EXPECT_EQ(decode("a\xc3\xa9\xe2\x82\xac\b\b\n"), Events{line("a")});
}

TEST(InputDecoderEditing, AStrayContinuationByteIsErasedAlone) {
  EXPECT_EQ(decode("a\x80\b\n"), Events{line("a")});
  EXPECT_EQ(decode("a\x80\x80\x80\x80\x80\b\n"), Events{line("a\x80\x80\x80\x80")});
}

TEST(InputDecoderEditing, ErasingAnEmptyLineDoesNothing) {
  EXPECT_EQ(decode("\b\x7f\b\n"), Events{line("")});
  EXPECT_EQ(decode("a\b\b\bb\n"), Events{line("b")});
}

TEST(InputDecoderEditing, ErasureDoesNotReachIntoThePreviousLine) {
  EXPECT_EQ(decode("ab\n\bc\n"), (Events{line("ab"), line("c")}));
}

TEST(InputDecoderEditing, CtrlDOnAnEmptyLineIsEndOfTransmission) {
  EXPECT_EQ(decode("\x04"), Events{end_of_transmission()});
  EXPECT_EQ(decode("say hi\n\x04"), (Events{line("say hi"), end_of_transmission()}));
}

TEST(InputDecoderEditing, CtrlDInsideALineIsDropped) {
  EXPECT_EQ(decode("say \x04hi\x04\n"), Events{line("say hi")});
}

TEST(InputDecoderEditing, CtrlDOnALineErasedToNothingIsEndOfTransmission) {
  EXPECT_EQ(decode("ab\b\b\x04"), Events{end_of_transmission()});
}

// --- telnet commands ---

TEST(InputDecoderTelnet, IacIacIsTheDataByte255) {
  EXPECT_EQ(decode("a" + iac(telnet::kIAC) + "b\n"), Events{line("a\xff"s + "b")});
}

TEST(InputDecoderTelnet, EachNegotiationVerbIsReported) {
  using namespace telnet;
  EXPECT_EQ(decode(iac(kWILL, kOptNAWS) + iac(kWONT, kOptEcho) + iac(kDO, kOptSGA) +
                   iac(kDONT, kOptLinemode) + iac(kDO, 255) + iac(kWILL, 0)),
            (Events{negotiation(Verb::Will, kOptNAWS), negotiation(Verb::Wont, kOptEcho),
                    negotiation(Verb::Do, kOptSGA), negotiation(Verb::Dont, kOptLinemode),
                    negotiation(Verb::Do, 255), negotiation(Verb::Will, 0)}));
}

TEST(InputDecoderTelnet, NegotiationInsideALineLeavesTheLineWhole) {
  EXPECT_EQ(decode("ab" + iac(telnet::kDO, telnet::kOptEcho) + "cd\n"),
            (Events{negotiation(Verb::Do, telnet::kOptEcho), line("abcd")}));
}

TEST(InputDecoderTelnet, SubnegotiationIsReportedWithItsData) {
  using namespace telnet;
  EXPECT_EQ(decode(iac(kSB, kOptNAWS) + "\0P\0\x18"s + iac(kSE)),
            Events{subnegotiation(kOptNAWS, "\0P\0\x18"sv)});
}

TEST(InputDecoderTelnet, IacIacInsideASubnegotiationIsOneDataByte) {
  using namespace telnet;
  EXPECT_EQ(decode(iac(kSB, kOptNAWS) + "\0"s + iac(kIAC) + "\0\x18"s + iac(kSE)),
            Events{subnegotiation(kOptNAWS, "\0\xff\0\x18"sv)});
}

TEST(InputDecoderTelnet, EmptySubnegotiation) {
  using namespace telnet;
  EXPECT_EQ(decode(iac(kSB, kOptTTYPE) + iac(kSE)), Events{subnegotiation(kOptTTYPE, "")});
}

TEST(InputDecoderTelnet, SubnegotiationBytesAreNotText) {
  using namespace telnet;
  EXPECT_EQ(decode("ab" + iac(kSB, kOptTTYPE) + "\0x\r\n"s + iac(kSE) + "cd\n"),
            (Events{subnegotiation(kOptTTYPE, "\0x\r\n"sv), line("abcd")}));
}

TEST(InputDecoderTelnet, ASubnegotiationCutShortByAnotherCommandEndsThereAndTheCommandCounts) {
  using namespace telnet;
  EXPECT_EQ(
      decode(iac(kSB, kOptTTYPE) + "ab" + iac(kDO, kOptEcho) + "line\n"),
      (Events{subnegotiation(kOptTTYPE, "ab"), negotiation(Verb::Do, kOptEcho), line("line")}));
}

TEST(InputDecoderTelnet, LongSubnegotiationIsTruncatedAndFlagged) {
  using namespace telnet;
  constexpr std::size_t kMax = InputDecoder::kMaxSubnegotiation;
  const std::string data = std::string(kMax, 'a') + std::string(5000, 'b');
  EXPECT_EQ(decode(iac(kSB, kOptGMCP) + data + iac(kSE) + "next\n"),
            (Events{subnegotiation(kOptGMCP, std::string(kMax, 'a'), true), line("next")}));
}

TEST(InputDecoderTelnet, SubnegotiationOfExactlyTheLimitIsNotTruncated) {
  using namespace telnet;
  const std::string data(InputDecoder::kMaxSubnegotiation, 'a');
  EXPECT_EQ(decode(iac(kSB, kOptGMCP) + data + iac(kSE)),
            Events{subnegotiation(kOptGMCP, data, false)});
}

TEST(InputDecoderTelnet, LongSubnegotiationKeepsMemoryBounded) {
  using namespace telnet;
  InputDecoder decoder(kMaxLine);
  Events events;
  feed(decoder, iac(kSB, kOptGMCP), events);
  const std::string chunk(4096, 'x');
  for (int i = 0; i < 256; ++i) {  // a megabyte of subnegotiation
    feed(decoder, chunk, events);
    ASSERT_LE(decoder.buffered_bytes(), InputDecoder::kMaxSubnegotiation);
  }
  feed(decoder, iac(kSE) + "ok\n", events);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1], line("ok"));
  EXPECT_LE(decoder.buffered_bytes(), InputDecoder::kMaxSubnegotiation);
}

TEST(InputDecoderTelnet, InterruptProcessDropsThePartialLine) {
  // What telnet sends for Ctrl-C in line mode: IAC IP, IAC DO TIMING-MARK.
  using namespace telnet;
  EXPECT_EQ(decode("say xyz" + iac(kIP) + iac(kDO, kOptTimingMark) + "say ok\r\n"),
            (Events{negotiation(Verb::Do, kOptTimingMark), line("say ok")}));
}

TEST(InputDecoderTelnet, EraseLineDropsThePartialLine) {
  EXPECT_EQ(decode("abc" + iac(telnet::kEL) + "def\n"), Events{line("def")});
}

TEST(InputDecoderTelnet, EraseCharacterErasesOneCharacter) {
  EXPECT_EQ(decode("abc" + iac(telnet::kEC) + "\n"), Events{line("ab")});
  EXPECT_EQ(decode("x\xe2\x82\xac" + iac(telnet::kEC) + "\n"), Events{line("x")});
  EXPECT_EQ(decode(iac(telnet::kEC) + "a\n"), Events{line("a")});
}

TEST(InputDecoderTelnet, CommandsWithoutMeaningForAChatAreNotText) {
  using namespace telnet;
  EXPECT_EQ(decode("a" + iac(kNOP) + "b" + iac(kGA) + "c" + iac(kAYT) + "d" + iac(kDM) + "e" +
                   iac(kBRK) + "f" + iac(kAO) + "g" + iac(kSE) + "h\n"),
            Events{line("abcdefgh")});
}

TEST(InputDecoderTelnet, TelnetStateSurvivesASplitAtEveryByte) {
  using namespace telnet;
  const std::string input = "a" + iac(kIAC) + iac(kDO, kOptEcho) + iac(kSB, kOptNAWS) + "\0"s +
                            iac(kIAC) + "P" + iac(kSE) + "b" + iac(kEC) + "c" + iac(kNOP) + "\r\n";
  const Events expected{negotiation(Verb::Do, kOptEcho), subnegotiation(kOptNAWS, "\0\xffP"sv),
                        line("a\xff"s + "c")};
  ASSERT_EQ(decode(input), expected);
  for (std::size_t at = 0; at <= input.size(); ++at) {
    const std::string_view view(input);
    EXPECT_EQ(decode_reads({view.substr(0, at), view.substr(at)}), expected) << "split at " << at;
  }
  EXPECT_EQ(decode_in_pieces(input, 1), expected);
}

// --- the line length limit ---

TEST(InputDecoderLimit, ALineOfExactlyTheLimitIsAccepted) {
  const std::string longest(kMaxLine, 'x');
  EXPECT_EQ(decode(longest + "\r\n"), Events{line(longest)});
}

TEST(InputDecoderLimit, ALineOverTheLimitGivesOneLineTooLongAndTheNextLineWorks) {
  EXPECT_EQ(decode(std::string(kMaxLine + 1, 'x') + "\r\nok\r\n"),
            (Events{too_long(kMaxLine), line("ok")}));
}

TEST(InputDecoderLimit, AHugeLineGivesExactlyOneLineTooLong) {
  InputDecoder decoder(kMaxLine);
  Events events;
  for (int i = 0; i < 100; ++i)
    feed(decoder, std::string(1000, 'x'), events);
  feed(decoder, "\nok\n", events);
  EXPECT_EQ(events, (Events{too_long(kMaxLine), line("ok")}));
}

TEST(InputDecoderLimit, TheRestOfATooLongLineIsSkippedUpToItsEnd) {
  // Erasures, Ctrl-D and text after the overflow belong to the dropped line; telnet commands
  // are still commands.
  using namespace telnet;
  const std::string input = std::string(kMaxLine + 4, 'x') + "\b\b\b\b\b\x04more" +
                            iac(kDO, kOptEcho) + "text" + iac(kEC) + "\r\nok\n";
  EXPECT_EQ(decode(input),
            (Events{too_long(kMaxLine), negotiation(Verb::Do, kOptEcho), line("ok")}));
}

TEST(InputDecoderLimit, TheLimitCountsTheLineAfterErasures) {
  const std::string input = std::string(kMaxLine, 'x') + "\b\by\n";
  EXPECT_EQ(decode(input), Events{line(std::string(kMaxLine - 2, 'x') + "y")});
}

TEST(InputDecoderLimit, EveryLineEndEndsATooLongLine) {
  for (std::string_view end : {"\r\n"sv, "\n"sv, "\r\0"sv, "\r"sv}) {
    SCOPED_TRACE(escaped(end));
    EXPECT_EQ(decode(std::string(kMaxLine + 1, 'x') + std::string(end) + "ok\n"),
              (Events{too_long(kMaxLine), line("ok")}));
  }
}

TEST(InputDecoderLimit, ATooLongLineBuffersAtMostTheLimit) {
  InputDecoder decoder(kMaxLine);
  Events events;
  for (int i = 0; i < 1000; ++i) {
    feed(decoder, "0123456789", events);
    ASSERT_LE(decoder.buffered_bytes(), kMaxLine);
  }
  EXPECT_EQ(events, Events{too_long(kMaxLine)});
}

TEST(InputDecoderLimit, HostileInputNeverBuffersMoreThanBothLimits) {
  // Random bytes, heavy in the bytes that change state, in random-sized reads; the fixed seed
  // makes the run the same every time.
  using namespace telnet;
  const std::uint8_t interesting[] = {kIAC, kSB, kSE,  kWILL, kDO,  kEC,  kEL,  kIP, '\r',
                                      '\n', 0,   0x04, 0x08,  0x7f, 0xc3, 0xa9, 'a', 'b'};
  std::mt19937 random(20240601);
  const std::size_t bound = kMaxLine + InputDecoder::kMaxSubnegotiation;
  InputDecoder decoder(kMaxLine);
  std::size_t events = 0;
  for (int read = 0; read < 2000; ++read) {
    std::string bytes(random() % 300, '\0');
    for (char& b : bytes) {
      const auto pick = random() % 4;
      b = static_cast<char>(pick == 0   ? random() % 256
                            : pick == 1 ? 'x'
                                        : interesting[random() % std::size(interesting)]);
    }
    ByteView input = as_bytes(bytes);
    while (decoder.next(input)) {
      ++events;
      ASSERT_LE(decoder.buffered_bytes(), bound);
    }
    ASSERT_LE(decoder.buffered_bytes(), bound);
  }
  EXPECT_GT(events, 0u);
}

TEST(InputDecoderLimit, AFullLineAndAFullSubnegotiationAtOnceStayWithinBothLimits) {
  using namespace telnet;
  InputDecoder decoder(kMaxLine);
  Events events;
  feed(decoder, std::string(kMaxLine, 'x') + iac(kSB, kOptGMCP) + std::string(3000, 'g'), events);
  EXPECT_TRUE(events.empty());
  EXPECT_EQ(decoder.buffered_bytes(), kMaxLine + InputDecoder::kMaxSubnegotiation);
  feed(decoder, iac(kSE) + "\n", events);
  EXPECT_EQ(events, (Events{subnegotiation(kOptGMCP, std::string(1024, 'g'), true),
                            line(std::string(kMaxLine, 'x'))}));
}

}  // namespace
}  // namespace teaparty::core
