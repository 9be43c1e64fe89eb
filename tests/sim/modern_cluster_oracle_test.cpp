// The cluster oracle in the modern dialect (sim/cluster_oracle.h): rooms, history, moves and
// renames, and the arrival rule; with what it reads (sim/room_lines.h) and the pieces the
// modern cluster simulation adds (sim/whisper_check.h, sim/own_arrivals.h), each rule shown
// passing when kept and failing when broken.

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

#include "sim/cluster_oracle.h"
#include "sim/own_arrivals.h"
#include "sim/room_lines.h"
#include "sim/whisper_check.h"

namespace teaparty::sim {
namespace {

constexpr std::size_t kNodeA = 0;
constexpr std::size_t kNodeB = 1;
constexpr auto kModern = core::DialectKind::Modern;

template <typename Checker>
std::string violation(const Checker& checker) {
  return checker.violation().value_or("");
}

bool found(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// An oracle with session 1 checked in `room` on node A since message `from`.
ClusterOracle checked_in(const std::string& room, Place from) {
  ClusterOracle oracle(kModern);
  oracle.confirmed(1, kNodeA, from, room);
  return oracle;
}

TEST(ModernRoomLines, TellsRoomLinesFromEverythingElse) {
  using Kind = RoomLine::Kind;
  struct Expected {
    const char* line;
    Kind kind;
    const char* name;
    const char* marker;
  };
  for (const Expected& expected : std::initializer_list<Expected>{
           {"ann: hello from 3 [m17]", Kind::Say, "ann", "[m17]"},
           {"* ann waves: hello from 3 [m18]", Kind::Say, "ann", "[m18]"},  // /me
           {"bob has joined the chat.", Kind::Entered, "bob", ""},
           {"bob has come in from Tea.", Kind::Entered, "bob", ""},
           {"bob has left the chat.", Kind::Left, "bob", ""},
           {"bob has gone to garden.", Kind::Left, "bob", ""},
           {"bob is now known as cy.", Kind::Renamed, "cy", ""}}) {
    const auto line = classify_modern_room_line(expected.line);
    ASSERT_TRUE(line) << expected.line;
    EXPECT_EQ(line->kind, expected.kind) << expected.line;
    EXPECT_EQ(line->name, expected.name) << expected.line;
    EXPECT_EQ(line->marker, expected.marker) << expected.line;
  }
  EXPECT_EQ(classify_modern_room_line("bob is now known as cy.")->old_name, "bob");
  for (const char* line :
       {"You are now known as cy.", "You are now in garden.", "In tea (2): ann, bob",
        "Logged in (2):", "  ann in tea", "bob whispers: psst [w1]", "You whisper to bob: x [w2]",
        "Hello, ann! You are in main. Type /help for the commands.",
        "Rooms:", "Unknown command /dance; type /help for the list.",
        "The name \"ann\" is taken; choose another."}) {
    EXPECT_FALSE(classify_modern_room_line(line)) << line;
  }
  EXPECT_TRUE(starts_history("--- the last lines said in Tea ---"));
  EXPECT_TRUE(ends_history("--- end of history ---"));
}

TEST(ModernRoomLines, ReadsWhispers) {
  const auto heard = classify_whisper("bob whispers: psst from 3 [w4]");
  ASSERT_TRUE(heard);
  EXPECT_FALSE(heard->echo);
  EXPECT_EQ(heard->number, 4u);
  EXPECT_EQ(heard->other, "bob");
  const auto echo = classify_whisper("You whisper to ann: psst from 3 [w4]");
  ASSERT_TRUE(echo);
  EXPECT_TRUE(echo->echo);
  EXPECT_EQ(echo->other, "ann");
  EXPECT_EQ(echo->text, "psst from 3 [w4]");
  EXPECT_FALSE(classify_whisper("ann: psst [w4]x"));
  EXPECT_FALSE(classify_whisper("ann: hello [m4]"));
}

TEST(ModernClusterOracle, HistoryIsNeitherCheckedNorHeardAgain) {
  ClusterOracle oracle = checked_in("tea", 4);
  oracle.node_heard(kNodeA, 4, "tea");
  for (const char* line :
       {"--- the last lines said in Tea ---", "ann: one [m1]", "--- end of history ---"}) {
    oracle.heard(1, 4, line);
  }
  oracle.heard(1, std::nullopt, "--- the last lines said in Tea ---");
  oracle.heard(1, std::nullopt, "ann: one [m1]");  // shown again: not heard twice
  oracle.heard(1, std::nullopt, "--- end of history ---");
  EXPECT_FALSE(oracle.violation()) << violation(oracle);
  EXPECT_EQ(oracle.stats().lines_checked, 0u);
}

TEST(ModernClusterOracle, HistoryShowsSaysOfItsRoomInTheGlobalOrder) {
  ClusterOracle oracle(kModern);
  oracle.say_delivered(kNodeA, 2, "[m1]", "tea");
  oracle.say_delivered(kNodeA, 3, "[m2]", "tea");
  oracle.say_delivered(kNodeA, 4, "[m3]", "garden");
  const auto shown = [&](SessionKey session, std::initializer_list<const char*> says) {
    oracle.heard(session, std::nullopt, "--- the last lines said in Tea ---");
    for (const char* say : says)
      oracle.heard(session, std::nullopt, say);
    oracle.heard(session, std::nullopt, "--- end of history ---");
  };
  shown(2, {"ann: one [m1]", "bob: said while cut off [m9]", "ann: two [m2]"});
  EXPECT_FALSE(oracle.violation()) << violation(oracle);
  shown(3, {"ann: two [m2]", "ann: one [m1]"});
  EXPECT_TRUE(found(violation(oracle), "HISTORY:")) << violation(oracle);
  EXPECT_TRUE(found(violation(oracle), "out of the global order")) << violation(oracle);

  ClusterOracle elsewhere(kModern);
  elsewhere.say_delivered(kNodeA, 4, "[m3]", "garden");
  elsewhere.heard(2, std::nullopt, "--- the last lines said in Tea ---");
  elsewhere.heard(2, std::nullopt, "cy: three [m3]");
  EXPECT_TRUE(found(violation(elsewhere), "but it was said in \"garden\"")) << violation(elsewhere);
}

TEST(ModernClusterOracle, ALineAboutAnotherRoomIsAViolation) {
  ClusterOracle oracle = checked_in("tea", 4);
  oracle.node_heard(kNodeA, 5, "tea");
  oracle.heard(1, 5, "ann: one [m1]");
  EXPECT_FALSE(oracle.violation());
  oracle.node_heard(kNodeA, 6, "garden");
  oracle.heard(1, 6, "bob: two [m2]");
  EXPECT_TRUE(found(violation(oracle), "about room \"garden\"")) << violation(oracle);
}

TEST(ModernClusterOracle, ASayIsOwedOnlyToThoseCheckedInItsRoom) {
  ClusterOracle oracle = checked_in("tea", 4);
  oracle.confirmed(2, kNodeA, 4, "garden");
  oracle.node_heard(kNodeA, 7, "tea");
  oracle.heard(1, 7, "ann: one [m1]");
  oracle.say_delivered(kNodeA, 7, "[m1]", "tea");
  EXPECT_FALSE(oracle.violation()) << violation(oracle);
  EXPECT_EQ(oracle.stats().says_checked, 1u);
  oracle.say_delivered(kNodeA, 8, "[m2]", "garden");
  EXPECT_TRUE(found(violation(oracle), "did not hear the say [m2]")) << violation(oracle);
}

// The arrival rule: its violation is named so that it is easy to find.
TEST(ModernClusterOracle, HearingTheRoomBeforeItsOwnArrivalIsAViolation) {
  ClusterOracle oracle(kModern);
  oracle.awaiting_arrival(1, kNodeA, "tea");
  oracle.heard(1, std::nullopt, "You are now in Tea.");
  oracle.heard(1, 6, "--- the last lines said in Tea ---");  // history comes with the arrival
  oracle.heard(1, 6, "ann: one [m1]");
  oracle.heard(1, 6, "--- end of history ---");
  oracle.confirmed(1, kNodeA, 6, "tea");
  EXPECT_FALSE(oracle.violation()) << violation(oracle);

  ClusterOracle early(kModern);
  early.awaiting_arrival(1, kNodeA, "tea");
  early.node_heard(kNodeA, 5, "tea");
  early.heard(1, 5, "ann: one [m1]");
  EXPECT_TRUE(found(violation(early), "BEFORE ITS OWN ARRIVAL")) << violation(early);
}

TEST(ModernClusterOracle, MovesAndRenamesFollowWhoIsThere) {
  ClusterOracle oracle = checked_in("tea", 1);
  oracle.heard(1, 2, "bob has come in from main.");
  oracle.heard(1, 3, "bob is now known as cy.");
  oracle.heard(1, 4, "cy has gone to garden.");
  oracle.heard(1, 5, "cy has come in from garden.");
  EXPECT_FALSE(oracle.violation()) << violation(oracle);
  oracle.heard(1, 6, "cy has joined the chat.");
  EXPECT_TRUE(found(violation(oracle), "announced twice")) << violation(oracle);
}

TEST(ModernClusterOracle, PeriodsAreComparedWithinOneRoomButForWhatOneIsNotTold) {
  ClusterOracle oracle(kModern);
  oracle.confirmed(1, kNodeA, 1, "tea");
  oracle.confirmed(2, kNodeB, 1, "tea");
  oracle.confirmed(3, kNodeB, 1, "garden");  // another room: nothing in common
  oracle.heard(1, 2, "bob: hi [m1]");
  oracle.heard(2, 2, "bob: hi [m1]");
  oracle.heard(1, 3, "cy is now known as dee.");  // session 2 is cy: not told its own rename
  oracle.not_told(2, 3);
  oracle.heard(3, 4, "eve: elsewhere [m2]");
  oracle.node_heard(kNodeA, 5);
  oracle.node_heard(kNodeB, 5);
  oracle.finish();
  EXPECT_FALSE(oracle.violation()) << violation(oracle);
  EXPECT_EQ(oracle.stats().windows_compared, 1u);

  ClusterOracle differ(kModern);
  differ.confirmed(1, kNodeA, 1, "tea");
  differ.confirmed(2, kNodeB, 1, "tea");
  differ.heard(1, 3, "cy is now known as dee.");
  differ.node_heard(kNodeA, 5);
  differ.node_heard(kNodeB, 5);
  differ.finish();
  EXPECT_TRUE(found(violation(differ), "heard different room lines")) << violation(differ);
}

TEST(ModernClusterOracle, AKillIsCheckedOnlyForPeriodsThatLastedFromIt) {
  ClusterOracle oracle = checked_in("tea", 1);
  oracle.heard(1, 2, "bob has come in from main.");
  const std::size_t kill = oracle.node_killed({"bob"});
  oracle.unchecked(1);  // moved away, and came back: a period that did not see the kill
  oracle.confirmed(1, kNodeA, 4, "tea");
  oracle.heard(1, 5, "bob has joined the chat.");
  oracle.kill_deadline(kill, "by now");
  EXPECT_FALSE(oracle.violation()) << violation(oracle);
}

TEST(WhisperCheck, AWhisperReachesItsAddresseeOnceAndNobodyElse) {
  WhisperCheck check;
  check.sent(1, 10, "bob");
  check.heard(10, "ann", "You whisper to bob: psst [w1]");
  check.heard(11, "bob", "ann whispers: psst [w1]");
  check.due(11, 1);
  EXPECT_FALSE(check.violation()) << violation(check);
  EXPECT_EQ(check.take_echoes().size(), 1u);
  check.heard(12, "bob", "ann whispers: psst [w1]");
  EXPECT_TRUE(found(violation(check), "reached session 11 and then session 12"))
      << violation(check);

  WhisperCheck stranger;
  stranger.sent(1, 10, "bob");
  stranger.heard(12, "cy", "ann whispers: psst [w1]");
  EXPECT_TRUE(found(violation(stranger), "called \"cy\"")) << violation(stranger);

  WhisperCheck echo;
  echo.sent(1, 10, "bob");
  echo.heard(12, "cy", "You whisper to bob: psst [w1]");
  EXPECT_TRUE(found(violation(echo), "sender's copy")) << violation(echo);

  WhisperCheck missed;
  missed.sent(1, 10, "bob");
  missed.due(11, 1);
  EXPECT_TRUE(found(violation(missed), "did not get whisper [w1]")) << violation(missed);
}

TEST(OwnArrivals, OnlyASessionsLatestEnterCounts) {
  OwnArrivals arrivals;
  arrivals.published(kNodeA, 1);  // into tea
  arrivals.published(kNodeA, 2);
  arrivals.published(kNodeA, 1);  // and on to garden before tea came back
  EXPECT_FALSE(arrivals.heard_back(kNodeA).latest);
  const auto second = arrivals.heard_back(kNodeA);
  EXPECT_EQ(second.session, SessionKey{2});
  EXPECT_TRUE(second.latest);
  EXPECT_TRUE(arrivals.heard_back(kNodeA).latest);
  arrivals.published(kNodeB, 3);
  arrivals.forget(kNodeB);  // its link broke: what it had on its way does not count
  arrivals.published(kNodeB, std::nullopt);
  EXPECT_FALSE(arrivals.heard_back(kNodeB).session);
}

}  // namespace
}  // namespace teaparty::sim
