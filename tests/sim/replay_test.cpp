// Replay (sim/replay.h): a faithful transcript replays clean, and any change to what core did
// is named at the first event that shows it, with both sides.

#include "sim/replay.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>

namespace teaparty::sim {
namespace {

namespace transcript = core::transcript;

// Alice arrives, says hi and leaves, in the classic dialect. Line numbers matter below.
constexpr std::string_view kSession =
    "teaparty-transcript 1\n"                                       // 1
    "config dialect classic\n"                                      // 2
    "0.000000000 1 connect 192.0.2.1:40000\n"                       // 3
    "0.000000000 1 out Welcome to TestChat\\r\\n\n"                 // 4
    "0.000000000 1 wrote 21\n"                                      // 5
    "0.100000000 1 in login alice\\r\\nsay hi\\r\\nlogout\\r\\n\n"  // 6
    "0.100000000 1 out alice: hi\\r\\n\n"                           // 7
    "0.100000000 1 wrote 12\n"                                      // 8
    "0.100000000 1 close logout\n";                                 // 9

ReplayReport replay_text(std::string_view text) {
  auto parsed = transcript::parse(text);
  if (auto* error = std::get_if<transcript::ParseError>(&parsed)) {
    ADD_FAILURE() << "line " << error->line << ": " << error->message;
    return {};
  }
  return replay(std::get<transcript::Transcript>(parsed));
}

std::string replaced(std::string_view text, std::string_view from, std::string_view to) {
  std::string result(text);
  const std::size_t at = result.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) result.replace(at, from.size(), to);
  return result;
}

const Difference& difference_of(const ReplayReport& report) {
  static const Difference none;
  if (!report.finding || !std::holds_alternative<Difference>(*report.finding)) {
    ADD_FAILURE() << "expected a difference";
    return none;
  }
  return std::get<Difference>(*report.finding);
}

TEST(Replay, AFaithfulTranscriptReplaysClean) {
  const ReplayReport report = replay_text(kSession);
  EXPECT_FALSE(report.finding);
  EXPECT_EQ(report.events_replayed, 7u);
}

TEST(Replay, OutputMayBeWrittenInAnyPiecesAndCountedInAnyWrites) {
  const ReplayReport report = replay_text(
      replaced(kSession, "0.000000000 1 out Welcome to TestChat\\r\\n\n0.000000000 1 wrote 21\n",
               "0.000000000 1 out Wel\n0.000000000 1 out come to\\x20\n"
               "0.000000000 1 wrote 11\n0.050000000 1 out TestChat\\r\\n\n"
               "0.050000000 1 wrote 10\n"));
  EXPECT_FALSE(report.finding);
}

TEST(Replay, ADifferentByteIsNamedWithBothSides) {
  const ReplayReport report =
      replay_text(replaced(kSession, "out alice: hi\\r\\n", "out alice: hI\\r\\n"));
  ASSERT_TRUE(report.at);
  EXPECT_EQ(report.at->line, 7u);
  EXPECT_EQ(report.events_replayed, 4u);
  const Difference& difference = difference_of(report);
  EXPECT_EQ(difference.expected, "alice: hI\\r\\n (first difference at byte 8)");
  EXPECT_EQ(difference.actual, "alice: hi\\r\\n");
}

TEST(Replay, OutputCoreNeverQueuedIsADifference) {
  const ReplayReport report =
      replay_text(replaced(kSession, "0.100000000 1 wrote 12\n",
                           "0.100000000 1 out more\\r\\n\n0.100000000 1 wrote 18\n"));
  ASSERT_TRUE(report.at);
  EXPECT_EQ(report.at->line, 8u);
  EXPECT_EQ(difference_of(report).actual, "(nothing)");
}

TEST(Replay, ACloseCoreDidNotMakeIsADifference) {
  const ReplayReport report =
      replay_text(replaced(kSession, "say hi\\r\\nlogout\\r\\n", "say hi\\r\\nlook\\r\\n"));
  ASSERT_TRUE(report.at);
  EXPECT_EQ(report.at->line, 9u);
  EXPECT_EQ(difference_of(report).actual, "core did not close it");
}

TEST(Replay, ACloseWithAnotherReasonIsADifference) {
  const ReplayReport report = replay_text(replaced(kSession, "close logout", "close peer-closed"));
  ASSERT_TRUE(report.at);
  EXPECT_EQ(report.at->line, 9u);
  EXPECT_NE(difference_of(report).actual.find("(logout)"), std::string::npos);
}

TEST(Replay, ACloseTheTranscriptLeftOutIsADifferenceAtTheEnd) {
  const ReplayReport report = replay_text(replaced(kSession, "0.100000000 1 close logout\n", ""));
  EXPECT_FALSE(report.at);
  EXPECT_EQ(report.events_replayed, 6u);
  EXPECT_EQ(difference_of(report).expected, "the end of the transcript");
}

TEST(Replay, AConnectionIdCoreWouldNotIssueIsADifference) {
  const ReplayReport report =
      replay_text(std::string(kSession) + "0.200000000 3 connect 192.0.2.2:40000\n");
  ASSERT_TRUE(report.at);
  EXPECT_EQ(difference_of(report).actual, "core issued connection 2");
}

TEST(Replay, InputForAConnectionNeverIssuedIsADifferenceNotACrash) {
  const ReplayReport report = replay_text(std::string(kSession) + "0.200000000 7 in hello\n");
  ASSERT_TRUE(report.at);
  EXPECT_EQ(difference_of(report).actual, "core never issued connection 7");
}

TEST(Replay, InputAfterCoreClosedTheConnectionIsIgnoredAsCoreIgnoresIt) {
  const ReplayReport report = replay_text(std::string(kSession) + "0.200000000 1 in say late\n" +
                                          "0.200000000 1 gone eof\n");
  EXPECT_FALSE(report.finding);
}

}  // namespace
}  // namespace teaparty::sim
