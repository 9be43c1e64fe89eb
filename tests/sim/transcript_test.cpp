// The transcript format (core/transcript.h): every event and config field survives a round
// trip, bytes are escaped readably, and a malformed file gets a message with its line number.

#include "core/transcript.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <variant>

namespace teaparty::core::transcript {
namespace {

using namespace std::chrono_literals;

Transcript parsed(std::string_view text) {
  auto result = parse(text);
  if (auto* error = std::get_if<ParseError>(&result)) {
    ADD_FAILURE() << "line " << error->line << ": " << error->message;
    return {};
  }
  return std::get<Transcript>(std::move(result));
}

ParseError parse_error(std::string_view text) {
  auto result = parse(text);
  if (auto* error = std::get_if<ParseError>(&result)) return *error;
  ADD_FAILURE() << "parsed, but should not have:\n" << text;
  return {};
}

std::string with_header(std::string_view events) {
  return std::string(kFirstLine) + "\n" + std::string(events);
}

TEST(TranscriptEscape, PrintableAsciiStaysAsItIs) {
  EXPECT_EQ(escape("say hello, \"world\" ~!"), "say hello, \"world\" ~!");
}

TEST(TranscriptEscape, LineEndsBackslashAndOtherBytesAreEscaped) {
  EXPECT_EQ(escape("a\r\nb\\c"), "a\\r\\nb\\\\c");
  EXPECT_EQ(escape(std::string("\0\t\x7f\xff", 4)), "\\x00\\x09\\x7f\\xff");
  EXPECT_EQ(escape("caf\xc3\xa9"), "caf\\xc3\\xa9");
}

TEST(TranscriptEscape, ASpaceThatWouldEndTheLineIsEscaped) {
  EXPECT_EQ(escape("Welcome to "), "Welcome to\\x20");
  EXPECT_EQ(escape(" "), "\\x20");
  EXPECT_EQ(escape(" a b"), " a b");
}

TEST(TranscriptEscape, EveryByteRoundTrips) {
  std::string all;
  for (int byte = 0; byte < 256; ++byte)
    all += static_cast<char>(byte);
  const std::string escaped = escape(all);
  EXPECT_EQ(escaped.find('\n'), std::string::npos);
  EXPECT_EQ(escaped.find('\r'), std::string::npos);
  EXPECT_EQ(unescape(escaped), all);
}

TEST(TranscriptEscape, UnescapeAcceptsUppercaseHexAndRejectsBrokenEscapes) {
  EXPECT_EQ(unescape("\\xFF\\x0A"), std::string("\xff\n"));
  EXPECT_FALSE(unescape("\\"));
  EXPECT_FALSE(unescape("\\x4"));
  EXPECT_FALSE(unescape("\\xg0"));
  EXPECT_FALSE(unescape("\\t"));
}

TEST(TranscriptTime, IsSecondsWithNineDecimals) {
  EXPECT_EQ(format_time(Instant{}), "0.000000000");
  EXPECT_EQ(format_time(Instant{1500ms}), "1.500000000");
  EXPECT_EQ(format_time(Instant{123456789012ns}), "123.456789012");
}

TEST(TranscriptFormat, EveryKindOfEventRoundTrips) {
  const std::vector<Event> events = {
      {Instant{0ns}, ConnId{1}, Connected{"192.0.2.1:40000"}},
      {Instant{1ns}, ConnId{1}, Sent{"Welcome to TestChat\r\n"}},
      {Instant{1ns}, ConnId{1}, Wrote{21}},
      {Instant{2s}, ConnId{1}, Received{std::string("login \xff\xff\0x\r\n", 11)}},
      {Instant{3s}, ConnId{}, Ticked{}},
      {Instant{3s}, ConnId{1}, PeerWentAway{PeerGone::EndOfStream}},
      {Instant{3s}, ConnId{1}, PeerWentAway{PeerGone::Broken}},
      {Instant{4s}, ConnId{1}, Closed{}},
      {Instant{4s}, ConnId{2}, Closed{CloseReason::SlowConsumer}},
      {Instant{5s}, ConnId{}, ShutdownBegun{}},
  };
  Transcript original;
  original.events = events;
  const std::string text = format(original);
  const Transcript back = parsed(text);
  ASSERT_EQ(back.events.size(), events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(back.events[i].at, events[i].at) << i;
    EXPECT_EQ(back.events[i].conn, events[i].conn) << i;
    EXPECT_EQ(format_event(back.events[i]), format_event(events[i])) << i;
    EXPECT_EQ(back.events[i].what.index(), events[i].what.index()) << i;
  }
  EXPECT_EQ(format(back), text);
}

TEST(TranscriptFormat, EventLinesReadLikeTheSession) {
  EXPECT_EQ(format_event({Instant{250ms}, ConnId{3}, Received{"say hi\r\n"}}),
            "0.250000000 3 in say hi\\r\\n\n");
  EXPECT_EQ(format_event({Instant{3s}, ConnId{}, Ticked{}}), "3.000000000 - tick\n");
  EXPECT_EQ(format_event({Instant{3s}, ConnId{3}, Wrote{42}}), "3.000000000 3 wrote 42\n");
  EXPECT_EQ(format_event({Instant{3s}, ConnId{3}, Closed{CloseReason::Logout}}),
            "3.000000000 3 close logout\n");
  EXPECT_EQ(format_event({Instant{3s}, ConnId{3}, PeerWentAway{PeerGone::Broken}}),
            "3.000000000 3 gone broken\n");
}

TEST(TranscriptFormat, EveryConfigFieldRoundTrips) {
  Config config;
  config.server_name = "Tea \"Party\"\\ \xc3\xa9 ";
  config.dialect = DialectKind::Modern;
  config.max_line = 123;
  config.telnet = false;
  config.history_lines = 7;
  config.started_unix_time = 1700000000;
  config.shutdown_grace = 1234567891ns;
  config.line_rate = 0.1;
  config.line_burst = 3;
  config.max_output = 65536;
  config.max_connections = 9;
  config.max_per_address = 2;
  config.login_timeout = 30s;
  config.idle_timeout = 90s;
  config.close_grace = 1ns;
  const Transcript back = parsed(format_header(config));
  // Every field, compared through the header itself and one by one where it matters most.
  EXPECT_EQ(format_header(back.config), format_header(config));
  EXPECT_EQ(back.config.server_name, config.server_name);
  EXPECT_EQ(back.config.dialect, DialectKind::Modern);
  EXPECT_EQ(back.config.line_rate, 0.1);
  EXPECT_EQ(back.config.shutdown_grace, config.shutdown_grace);
  EXPECT_EQ(back.config.close_grace, 1ns);
  EXPECT_FALSE(back.config.telnet);
  EXPECT_EQ(back.config.max_output, 65536u);
}

TEST(TranscriptFormat, AConfigLineLeftOutKeepsItsDefault) {
  const Transcript back = parsed(with_header("config max_line 80\n"));
  EXPECT_EQ(back.config.max_line, 80u);
  EXPECT_EQ(back.config.server_name, Config{}.server_name);
  EXPECT_EQ(back.config.close_grace, Config{}.close_grace);
}

TEST(TranscriptParse, CommentsBlankLinesAndCrlfLineEndsAreFine) {
  const Transcript back = parsed("# a session\r\n" + std::string(kFirstLine) +
                                 "\r\n\r\n# alice logs in\r\n0.000000000 1 connect "
                                 "peer\r\n0.100000000 1 in login alice\\r\\n\r\n");
  ASSERT_EQ(back.events.size(), 2u);
  EXPECT_EQ(std::get<Received>(back.events[1].what).bytes, "login alice\r\n");
  EXPECT_EQ(back.events[1].line, 6u);
}

TEST(TranscriptParse, ArgumentsKeepTheirSpaces) {
  const Transcript back = parsed(with_header("0.000000000 1 in  say  two  spaces\n"));
  EXPECT_EQ(std::get<Received>(back.events[0].what).bytes, " say  two  spaces");
}

struct BadTranscript {
  std::string text;
  std::size_t line;
  std::string says;
};

class TranscriptParseErrors : public ::testing::TestWithParam<BadTranscript> {};

TEST_P(TranscriptParseErrors, NameTheLineAndTheProblem) {
  const ParseError error = parse_error(GetParam().text);
  EXPECT_EQ(error.line, GetParam().line);
  EXPECT_NE(error.message.find(GetParam().says), std::string::npos) << error.message;
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, TranscriptParseErrors,
    ::testing::Values(
        BadTranscript{"", 0, "teaparty-transcript"},
        BadTranscript{"hello\n", 1, "not a transcript"},
        BadTranscript{with_header("0.1 1 in x\n"), 2, "bad time"},
        BadTranscript{with_header("0.000000000 1 dance\n"), 2, "unknown event kind"},
        BadTranscript{with_header("0.000000000 x in a\n"), 2, "bad connection"},
        BadTranscript{with_header("0.000000000 0 in a\n"), 2, "bad connection"},
        BadTranscript{with_header("0.000000000 1 tick\n"), 2, "whole server"},
        BadTranscript{with_header("0.000000000 - tick now\n"), 2, "no argument"},
        BadTranscript{with_header("0.000000000 1 in a\\q\n"), 2, "bad escape"},
        BadTranscript{with_header("0.000000000 1 wrote many\n"), 2, "byte count"},
        BadTranscript{with_header("0.000000000 1 gone away\n"), 2, "eof or broken"},
        BadTranscript{with_header("0.000000000 1 close politely\n"), 2, "close reason"},
        BadTranscript{with_header("2.000000000 - tick\n1.000000000 - tick\n"), 3, "backwards"},
        BadTranscript{with_header("0.000000000 - tick\nconfig max_line 5\n"), 3, "config after"},
        BadTranscript{with_header("config colour blue\n"), 2, "unknown config key"},
        BadTranscript{with_header("config max_line 0\n"), 2, "max_line"},
        BadTranscript{with_header("config dialect posh\n"), 2, "dialect"},
        BadTranscript{with_header("0.000000000 1\n"), 2, "TIME CONN KIND"}),
    // Named for what the error says, so ctest lists a readable name rather than raw bytes.
    [](const ::testing::TestParamInfo<BadTranscript>& param_info) {
      std::string name = std::to_string(param_info.index) + "_";
      for (char c : param_info.param.says)
        name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      return name;
    });

}  // namespace
}  // namespace teaparty::core::transcript
