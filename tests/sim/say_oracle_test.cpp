// The say oracle (sim/say_oracle.h) against a real core: it accepts a correct session and names
// each kind of wrong one. Core itself does not go wrong on demand, so the wrong sessions are
// made by showing the oracle bytes a client did not get, or two states of core that no single
// input connects.

#include "sim/say_oracle.h"

#include <gtest/gtest.h>

#include <string>

#include "sim/queued_output.h"

namespace teaparty::sim {
namespace {

using core::ConnId;

// A classic server with some people in it, driven by hand.
class Chat {
 public:
  ConnId arrive() { return server.connect(now, "192.0.2.1:40000"); }
  ConnId log_in(std::string_view name) {
    const ConnId id = arrive();
    type(id, "login " + std::string(name) + "\r\n");
    return id;
  }
  void type(ConnId id, std::string_view text) {
    server.receive(now, id, core::as_bytes(text));
    while (server.poll_action()) {
    }
  }
  // Types with the oracle watching.
  SayOracle::Violation type_watched(SayOracle& oracle, ConnId id, std::string_view text) {
    oracle.before_input(server);
    type(id, text);
    return oracle.after_input(server);
  }
  // The shell writes everything queued for `id`, and the oracle reads it as the client would.
  SayOracle::Violation write_all(SayOracle& oracle, ConnId id) {
    const std::string bytes = queued_output(server, id);
    server.wrote(now, id, bytes.size());
    if (auto violation = oracle.on_written(id, bytes)) return violation;
    return oracle.after_writing_everything(id);
  }

  core::Server server{core::Config{}};
  core::Instant now{};
};

TEST(SayOracle, AcceptsEverySayReachingEveryMemberOnce) {
  Chat chat;
  SayOracle oracle;
  const ConnId alice = chat.log_in("alice");
  const ConnId bob = chat.log_in("bob");
  const ConnId carol = chat.arrive();  // not logged in: hears no says
  EXPECT_EQ(chat.type_watched(oracle, alice, "say hello [m1]\r\nsay again [m2]\n"), std::nullopt);
  EXPECT_EQ(chat.type_watched(oracle, bob, "say hi " + SayOracle::marker(3) + "\r\n"),
            std::nullopt);
  EXPECT_EQ(chat.write_all(oracle, alice), std::nullopt);
  EXPECT_EQ(chat.write_all(oracle, bob), std::nullopt);
  EXPECT_EQ(chat.write_all(oracle, carol), std::nullopt);
  EXPECT_EQ(oracle.says_seen(), 3u);
  EXPECT_EQ(oracle.deliveries_checked(), 6u);
}

TEST(SayOracle, TheMarkerIsTheSaysNumberInBrackets) {
  EXPECT_EQ(SayOracle::marker(17), "[m17]");
}

TEST(SayOracle, AListedNameThatEndsLikeASayIsNotASay) {
  Chat chat;
  SayOracle oracle;
  // Bytes that ran a login and a say together make a name that ends with a marker.
  const ConnId odd = chat.log_in("say hi [m9]");
  EXPECT_EQ(chat.type_watched(oracle, odd, "look\r\nwho\r\n"), std::nullopt);
  EXPECT_EQ(chat.write_all(oracle, odd), std::nullopt);
  EXPECT_EQ(oracle.says_seen(), 0u);
  EXPECT_EQ(oracle.deliveries_checked(), 0u);
}

TEST(SayOracle, ASayReceivedBeforeAnEarlierOneIsOutOfOrder) {
  Chat chat;
  SayOracle oracle;
  const ConnId alice = chat.log_in("alice");
  ASSERT_EQ(chat.type_watched(oracle, alice, "say one [m1]\r\nsay two [m2]\r\n"), std::nullopt);
  const auto violation = oracle.on_written(alice, "alice: two [m2]\r\n");
  ASSERT_TRUE(violation);
  EXPECT_NE(violation->find("received say [m2] where it was owed [m1]"), std::string::npos)
      << *violation;
}

TEST(SayOracle, ASayReceivedTwiceIsCaught) {
  Chat chat;
  SayOracle oracle;
  const ConnId alice = chat.log_in("alice");
  ASSERT_EQ(chat.type_watched(oracle, alice, "say one [m1]\r\n"), std::nullopt);
  ASSERT_EQ(oracle.on_written(alice, "alice: one [m1]\r\n"), std::nullopt);
  const auto violation = oracle.on_written(alice, "alice: one [m1]\r\n");
  ASSERT_TRUE(violation);
  EXPECT_NE(violation->find("where it was owed nothing"), std::string::npos) << *violation;
}

TEST(SayOracle, ASayThatNeverArrivesIsCaughtOnceEverythingIsWritten) {
  Chat chat;
  SayOracle oracle;
  const ConnId alice = chat.log_in("alice");
  ASSERT_EQ(chat.type_watched(oracle, alice, "say one [m1]\r\nsay two [m2]\r\n"), std::nullopt);
  ASSERT_EQ(oracle.on_written(alice, "alice: one [m1]\r\n"), std::nullopt);
  const auto violation = oracle.after_writing_everything(alice);
  ASSERT_TRUE(violation);
  EXPECT_NE(violation->find("never received say [m2]"), std::string::npos) << *violation;
}

TEST(SayOracle, ASayAfterATelnetAnswerWithoutLineEndStillCounts) {
  Chat chat;
  SayOracle oracle;
  const ConnId alice = chat.log_in("alice");
  // DO NAWS is refused with WONT NAWS, three bytes without a line end, before the say.
  ASSERT_EQ(chat.type_watched(oracle, alice, "\xff\xfd\x1fsay one [m1]\r\n"), std::nullopt);
  EXPECT_EQ(chat.write_all(oracle, alice), std::nullopt);
  EXPECT_EQ(oracle.deliveries_checked(), 1u);
}

TEST(SayOracle, ASayHandledAgainIsCaught) {
  Chat chat;
  SayOracle oracle;
  const ConnId alice = chat.log_in("alice");
  ASSERT_EQ(chat.type_watched(oracle, alice, "say one [m1]\r\n"), std::nullopt);
  const auto violation = chat.type_watched(oracle, alice, "say one [m1]\r\n");
  ASSERT_TRUE(violation);
  EXPECT_NE(violation->find("handled a second time"), std::string::npos) << *violation;
}

TEST(SayOracle, ASaySentTwiceInOneInputIsCaught) {
  Chat chat;
  SayOracle oracle;
  const ConnId alice = chat.log_in("alice");
  const auto violation = chat.type_watched(oracle, alice, "say one [m1]\r\nsay one [m1]\r\n");
  ASSERT_TRUE(violation);
  EXPECT_NE(violation->find("was sent say [m1] twice"), std::string::npos) << *violation;
}

// Bob was in the room before and after, but the oracle is shown a core where bob was sent
// nothing new: as if core had skipped him.
TEST(SayOracle, AMemberThroughoutWhoWasNotSentTheSayIsCaught) {
  Chat before;
  before.log_in("alice");
  const ConnId bob_before = before.log_in("bob");
  for (int i = 0; i < 5; ++i)
    before.type(bob_before, "look\r\n");  // bob had more queued than he will have
  Chat after;
  const ConnId alice = after.log_in("alice");
  const ConnId bob = after.log_in("bob");
  after.type(alice, "say hi [m1]\r\n");

  SayOracle oracle;
  oracle.before_input(before.server);
  const auto violation = oracle.after_input(after.server);
  ASSERT_TRUE(violation);
  EXPECT_NE(violation->find("connection " + std::to_string(bob.value) +
                            " was in the room throughout but was not sent say [m1]"),
            std::string::npos)
      << *violation;
}

// Carol had logged out before the input, yet the oracle is shown her sent a say during it.
TEST(SayOracle, ASaySentToSomeoneNotInTheRoomIsCaught) {
  Chat before;
  before.log_in("alice");
  const ConnId carol_before = before.log_in("carol");
  before.type(carol_before, "logout\r\n");
  Chat after;
  const ConnId alice = after.log_in("alice");
  const ConnId carol = after.log_in("carol");
  after.type(alice, "say hi [m1]\r\nlogout\r\n");
  after.type(carol, "logout\r\n");

  SayOracle oracle;
  oracle.before_input(before.server);
  const auto violation = oracle.after_input(after.server);
  ASSERT_TRUE(violation);
  EXPECT_NE(violation->find("connection " + std::to_string(carol.value) +
                            " was sent say [m1] but was not in the room"),
            std::string::npos)
      << *violation;
}

}  // namespace
}  // namespace teaparty::sim
