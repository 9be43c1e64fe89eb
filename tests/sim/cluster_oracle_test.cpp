// The cluster oracle (sim/cluster_oracle.h) alone: what it takes for a room line, and each
// rule it enforces, shown passing when kept and failing when broken.

#include "sim/cluster_oracle.h"

#include <gtest/gtest.h>

#include <string>

namespace teaparty::sim {
namespace {

constexpr std::size_t kNodeA = 0;
constexpr std::size_t kNodeB = 1;

std::string violation(const ClusterOracle& oracle) {
  return oracle.violation().value_or("");
}

TEST(ClusterOracle, TellsRoomLinesFromEverythingElse) {
  const auto say = classify_room_line("ann: hello from 3 [m17]");
  ASSERT_TRUE(say);
  EXPECT_EQ(say->kind, RoomLine::Kind::Say);
  EXPECT_EQ(say->name, "ann");
  EXPECT_EQ(say->marker, "[m17]");
  const auto entered = classify_room_line("bob has entered the room.");
  ASSERT_TRUE(entered);
  EXPECT_EQ(entered->kind, RoomLine::Kind::Entered);
  EXPECT_EQ(entered->name, "bob");
  const auto left = classify_room_line("bob has left the room.");
  ASSERT_TRUE(left);
  EXPECT_EQ(left->kind, RoomLine::Kind::Left);
  EXPECT_FALSE(classify_room_line("Unknown command: dance"));
  EXPECT_FALSE(classify_room_line("The following are in this room:"));
  EXPECT_FALSE(classify_room_line("bob"));
  EXPECT_FALSE(classify_room_line(
      "Lost contact with the other servers; you can go on talking with those on this one."));
  EXPECT_EQ(say_marker("x [m5]"), "[m5]");
  EXPECT_FALSE(say_marker("x [m5"));
  EXPECT_FALSE(say_marker("x [mx]"));
  EXPECT_FALSE(say_marker("x []"));
}

TEST(ClusterOracle, LinesBeforeASessionIsConfirmedAreNotChecked) {
  ClusterOracle oracle;
  oracle.heard(1, std::nullopt, "bob has entered the room.");
  oracle.heard(1, 5, "ann: hi [m1]");
  oracle.heard(1, 3, "ann: hi [m2]");
  EXPECT_FALSE(oracle.violation());
  EXPECT_EQ(oracle.stats().lines_checked, 0u);
}

TEST(ClusterOracle, ARoomLineFromALocalEventWhileCheckedIsAViolation) {
  ClusterOracle oracle;
  oracle.confirmed(1, kNodeA, 4);
  oracle.heard(1, std::nullopt, "The following are in this room:");  // not a room line
  EXPECT_FALSE(oracle.violation());
  oracle.heard(1, std::nullopt, "ann: hi [m1]");
  EXPECT_NE(violation(oracle).find("from a local event"), std::string::npos) << violation(oracle);
}

TEST(ClusterOracle, LinesFromEarlierMessagesAfterLaterOnesAreAViolation) {
  ClusterOracle oracle;
  oracle.confirmed(1, kNodeA, 4);
  oracle.heard(1, 6, "ann: one [m1]");
  oracle.heard(1, 6, "bob has entered the room.");  // one message may give several lines
  EXPECT_FALSE(oracle.violation());
  oracle.heard(1, 5, "ann: two [m2]");
  EXPECT_NE(violation(oracle).find("out of the global order"), std::string::npos);
}

TEST(ClusterOracle, HearingASayTwiceIsAViolationCheckedOrNot) {
  ClusterOracle oracle;
  oracle.heard(1, std::nullopt, "ann: one [m1]");
  EXPECT_FALSE(oracle.violation());
  oracle.heard(1, std::nullopt, "ann: one [m1]");
  EXPECT_NE(violation(oracle).find("twice"), std::string::npos);
}

TEST(ClusterOracle, ASayMissingForACheckedMemberIsAViolation) {
  ClusterOracle oracle;
  oracle.confirmed(1, kNodeA, 4);
  oracle.confirmed(2, kNodeA, 9);  // arrived after the say: not owed it
  oracle.confirmed(3, kNodeB, 2);  // on another node: checked when that node is handed it
  oracle.heard(1, 7, "ann: one [m1]");
  oracle.say_delivered(kNodeA, 7, "[m1]");
  EXPECT_FALSE(oracle.violation());
  EXPECT_EQ(oracle.stats().says_checked, 1u);
  oracle.say_delivered(kNodeA, 10, "[m2]");
  EXPECT_NE(violation(oracle).find("did not hear the say [m2]"), std::string::npos);
}

TEST(ClusterOracle, AnArrivalOrDepartureAnnouncedTwiceIsAViolation) {
  ClusterOracle entering;
  entering.confirmed(1, kNodeA, 1);
  entering.heard(1, 2, "bob has entered the room.");
  entering.heard(1, 3, "bob has left the room.");
  entering.heard(1, 4, "bob has entered the room.");
  EXPECT_FALSE(entering.violation());
  entering.heard(1, 5, "bob has entered the room.");
  EXPECT_NE(violation(entering).find("announced twice"), std::string::npos);

  ClusterOracle leaving;
  leaving.confirmed(1, kNodeA, 1);
  leaving.heard(1, 2, "cy has left the room.");  // arrived before this session: fine
  EXPECT_FALSE(leaving.violation());
  leaving.heard(1, 3, "cy has left the room.");
  EXPECT_NE(violation(leaving).find("announced twice"), std::string::npos);
}

TEST(ClusterOracle, TwoPeriodsMustHoldTheSameLinesOverThePlacesBothCover) {
  ClusterOracle same;
  same.confirmed(1, kNodeA, 1);
  same.confirmed(2, kNodeB, 3);
  same.heard(1, 2, "ann: before 2 arrived [m1]");  // before the common span
  for (SessionKey s : {1, 2}) {
    same.heard(s, 4, "bob has entered the room.");
    same.heard(s, 6, "bob: hi [m2]");
  }
  same.node_heard(kNodeA, 8);
  same.node_heard(kNodeB, 7);
  same.finish();
  EXPECT_FALSE(same.violation()) << violation(same);
  EXPECT_EQ(same.stats().windows_compared, 1u);

  ClusterOracle different;
  different.confirmed(1, kNodeA, 1);
  different.confirmed(2, kNodeB, 1);
  different.heard(1, 4, "bob has entered the room.");
  different.heard(2, 4, "bob has entered the room.");
  different.heard(1, 6, "bob: hi [m2]");  // node B never gave it to session 2
  different.node_heard(kNodeA, 8);
  different.node_heard(kNodeB, 8);
  different.finish();
  EXPECT_NE(violation(different).find("heard different room lines"), std::string::npos);
}

TEST(ClusterOracle, AKilledNodesUsersMustBeGoneByTheDeadlineForThoseCheckedThroughout) {
  ClusterOracle oracle;
  oracle.confirmed(1, kNodeA, 1);
  oracle.confirmed(2, kNodeA, 1);
  oracle.heard(1, 2, "dee has entered the room.");
  oracle.heard(2, 2, "dee has entered the room.");
  const std::size_t kill = oracle.node_killed({"dee"});
  oracle.unchecked(2);  // not checked throughout: not owed the news
  oracle.kill_deadline(kill, "node1 killed");
  EXPECT_NE(violation(oracle).find("still not told dee left, node1 killed"), std::string::npos);

  ClusterOracle told;
  told.confirmed(1, kNodeA, 1);
  told.heard(1, 2, "dee has entered the room.");
  const std::size_t killed = told.node_killed({"dee"});
  told.heard(1, 3, "dee has left the room.");
  told.kill_deadline(killed, "node1 killed");
  EXPECT_FALSE(told.violation());
  EXPECT_EQ(told.stats().kills_checked, 1u);
}

TEST(ClusterOracle, UncheckingIsForGoodAndListsTheNodesSessions) {
  ClusterOracle oracle;
  oracle.confirmed(1, kNodeA, 1);
  oracle.confirmed(2, kNodeB, 1);
  EXPECT_EQ(oracle.checked_on(kNodeA), std::vector<SessionKey>{1});
  oracle.unchecked(1);
  EXPECT_TRUE(oracle.checked_on(kNodeA).empty());
  oracle.heard(1, std::nullopt, "ann: local [m9]");  // served locally after its link broke
  EXPECT_FALSE(oracle.violation());
}

}  // namespace
}  // namespace teaparty::sim
