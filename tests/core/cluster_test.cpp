// Several nodes, one chat (core/cluster.h): two or three cores, each behind a FakeShell, joined
// by a fake store with core/bus.h's semantics (claims granted when free or ours, with a time to
// live; every message published reaches every linked node in one order). The tests read the
// exact bytes each client gets, as tests/core/classic_dialect_test.cpp does for one node.

#include "core/cluster.h"

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/cluster_message.h"
#include "tests/core/fake_shell.h"
#include "tests/core/fake_store.h"

namespace teaparty::core::testing {
namespace {

using namespace std::chrono_literals;

constexpr Duration kNodeTimeout = 3s;

Config node_config(std::string name, std::uint64_t boot = 1) {
  Config config;
  config.cluster = ClusterConfig{std::move(name), kNodeTimeout, boot};
  return config;
}

// Two nodes, linked, with helpers for the usual moves.
class TwoNodes : public ::testing::Test {
 protected:
  TwoNodes() {
    store.link(a);
    store.link(b);
  }
  ConnId log_in(FakeShell& node, std::string_view name) {
    const ConnId id = node.connect();
    node.type(id, "login " + std::string(name) + "\r\n");
    store.settle();
    return id;
  }
  void type(FakeShell& node, ConnId id, std::string_view line) {
    node.type(id, line);
    store.settle();
  }
  void advance(Duration by) {
    store.advance(by);
    for (FakeShell* node : {&a, &b}) {
      if (!dead.contains(node)) node->advance(by);
    }
    store.settle();
  }
  FakeShell a{node_config("a")};
  FakeShell b{node_config("b")};
  FakeStore store;
  std::set<FakeShell*> dead;
};

TEST_F(TwoNodes, ALineSaidOnOneNodeReachesEveryoneOnBoth) {
  const ConnId alice = log_in(a, "alice");
  const ConnId bob = log_in(b, "bob");
  a.take_output(alice);
  b.take_output(bob);
  type(a, alice, "say hello, bob\r\n");
  EXPECT_EQ(a.take_output(alice), "alice: hello, bob\r\n");
  EXPECT_EQ(b.take_output(bob), "alice: hello, bob\r\n");
}

TEST_F(TwoNodes, ALineIsDeliveredWhenItComesBackFromTheStoreNotBefore) {
  const ConnId alice = log_in(a, "alice");
  a.take_output(alice);
  a.type(alice, "say one\r\n");  // the store has not carried it yet
  EXPECT_EQ(a.take_output(alice), "");
  store.settle();
  EXPECT_EQ(a.take_output(alice), "alice: one\r\n");
}

TEST_F(TwoNodes, ArrivalsAndDeparturesAreAnnouncedOnEveryNodeButNotToTheOneArriving) {
  const ConnId alice = log_in(a, "alice");
  EXPECT_EQ(a.take_output(alice), "Welcome to TestChat\r\n");
  const ConnId bob = log_in(b, "bob");
  EXPECT_EQ(a.take_output(alice), "bob has entered the room.\r\n");
  EXPECT_EQ(b.take_output(bob), "Welcome to TestChat\r\n");
  type(b, bob, "logout\r\n");
  EXPECT_EQ(a.take_output(alice), "bob has left the room.\r\n");
  EXPECT_TRUE(b.closed(bob));
}

TEST_F(TwoNodes, ANameHeldOnOneNodeIsTakenOnTheOther) {
  log_in(a, "alice");
  const ConnId other = log_in(b, "alice");
  EXPECT_EQ(b.take_output(other),
            "Welcome to TestChat\r\nThe name \"alice\" is taken.\r\nPlease try again.\r\n");
  EXPECT_EQ(store.owner("teaparty:name:alice"), "a");
}

TEST_F(TwoNodes, TwoLoginsRacingForOneNameOnTwoNodesGetItOnce) {
  const ConnId first = a.connect();
  const ConnId second = b.connect();
  a.take_output(first);
  b.take_output(second);
  a.type(first, "login carol\r\n");  // both claims are out before either is answered
  b.type(second, "login carol\r\n");
  store.settle();
  const std::string to_first = a.take_output(first);
  const std::string to_second = b.take_output(second);
  const std::string taken = "The name \"carol\" is taken.\r\nPlease try again.\r\n";
  EXPECT_NE(to_first == taken, to_second == taken) << to_first << "|" << to_second;
}

TEST_F(TwoNodes, LookAndWhoListEveryNodesMembersInTheSameOrderEverywhere) {
  const ConnId alice = log_in(a, "alice");
  const ConnId bob = log_in(b, "bob");
  log_in(a, "carol");
  a.take_output(alice);
  b.take_output(bob);
  type(a, alice, "look\r\n");
  type(b, bob, "who\r\n");
  EXPECT_EQ(a.take_output(alice), "The following are in this room:\r\nalice\r\nbob\r\ncarol\r\n");
  EXPECT_EQ(b.take_output(bob), "The following are logged in:\r\nalice\r\nbob\r\ncarol\r\n");
}

TEST_F(TwoNodes, InputAfterALoginWaitsForTheClaim) {
  const ConnId alice = a.connect();
  a.take_output(alice);
  a.type(alice, "login alice\r\nsay first words\r\n");
  EXPECT_TRUE(a.reading_paused(alice));
  store.settle();
  EXPECT_FALSE(a.reading_paused(alice));
  EXPECT_EQ(a.take_output(alice), "alice: first words\r\n");
}

TEST_F(TwoNodes, AClientGoneWhileItsClaimWasOutFreesTheName) {
  const ConnId alice = a.connect();
  a.type(alice, "login alice\r\n");
  a.hang_up(alice, PeerGone::Broken);
  store.settle();
  EXPECT_EQ(store.owner("teaparty:name:alice"), std::nullopt);
  const ConnId again = log_in(b, "alice");
  EXPECT_EQ(b.take_output(again), "Welcome to TestChat\r\n");
}

TEST_F(TwoNodes, ConcurrentSendersOnBothNodesAreHeardInOneOrderByAll) {
  const ConnId alice = log_in(a, "alice");
  const ConnId bob = log_in(b, "bob");
  const ConnId carol = log_in(a, "carol");
  const ConnId dave = log_in(b, "dave");
  for (ConnId id : {alice, carol})
    a.take_output(id);
  for (ConnId id : {bob, dave})
    b.take_output(id);
  for (int i = 0; i < 20; ++i) {  // interleaved without settling: the store picks the order
    a.type(alice, "say a" + std::to_string(i) + "\r\n");
    b.type(bob, "say b" + std::to_string(i) + "\r\n");
    if (i % 3 == 0) store.settle();
  }
  store.settle();
  const std::string heard = a.take_output(alice);
  EXPECT_EQ(heard.size(), 20u * std::string("alice: a0\r\n").size() +
                              20u * std::string("bob: b0\r\n").size() + 20u);
  EXPECT_EQ(a.take_output(carol), heard);
  EXPECT_EQ(b.take_output(bob), heard);
  EXPECT_EQ(b.take_output(dave), heard);
}

TEST_F(TwoNodes, ADeadNodesUsersAreAnnouncedAsLeftWithinTheNodeTimeout) {
  const ConnId alice = log_in(a, "alice");
  log_in(b, "bob");
  a.take_output(alice);
  store.kill(b);
  dead.insert(&b);
  advance(kNodeTimeout);
  EXPECT_EQ(a.take_output(alice), "");  // not yet: silence up to the timeout is allowed
  advance(kNodeTimeout / 3 + 1ms);
  advance(kNodeTimeout / 3);
  EXPECT_EQ(a.take_output(alice), "bob has left the room.\r\n");
  type(a, alice, "who\r\n");
  EXPECT_EQ(a.take_output(alice), "The following are logged in:\r\nalice\r\n");
  // Its names are free again once their time to live ran out.
  EXPECT_EQ(store.owner("teaparty:name:bob"), std::nullopt);
  const ConnId bob_again = log_in(a, "bob");
  EXPECT_EQ(a.take_output(bob_again), "Welcome to TestChat\r\n");
}

TEST_F(TwoNodes, HeartbeatsKeepASilentButLiveNodeAndItsNames) {
  const ConnId alice = log_in(a, "alice");
  log_in(b, "bob");
  a.take_output(alice);
  for (int i = 0; i < 10; ++i)
    advance(kNodeTimeout / 2);
  EXPECT_EQ(a.take_output(alice), "");
  EXPECT_EQ(store.owner("teaparty:name:bob"), "b");
  EXPECT_EQ(store.owner("teaparty:name:alice"), "a");
}

TEST_F(TwoNodes, ANodeCutOffTellsItsUsersAndGoesOnServingThemLocally) {
  const ConnId alice = log_in(a, "alice");
  const ConnId carol = log_in(a, "carol");
  const ConnId bob = log_in(b, "bob");
  a.take_output(alice);
  a.take_output(carol);
  b.take_output(bob);
  store.cut(a);
  EXPECT_EQ(a.take_output(alice),
            "Lost contact with the other servers; you can go on talking with those on this "
            "one.\r\nbob has left the room.\r\n");
  a.take_output(carol);
  type(a, alice, "say still here\r\n");
  EXPECT_EQ(a.take_output(alice), "alice: still here\r\n");
  EXPECT_EQ(a.take_output(carol), "alice: still here\r\n");
  EXPECT_EQ(b.take_output(bob), "");
  type(a, alice, "who\r\n");
  EXPECT_EQ(a.take_output(alice), "The following are logged in:\r\nalice\r\ncarol\r\n");

  store.link(a);
  EXPECT_EQ(a.take_output(alice),
            "In contact with the other servers again.\r\nbob has entered the room.\r\n");
  type(b, bob, "say welcome back\r\n");
  EXPECT_EQ(a.take_output(alice), "bob: welcome back\r\n");
  type(b, bob, "who\r\n");
  EXPECT_EQ(b.take_output(bob),
            "bob: welcome back\r\nThe following are logged in:\r\nalice\r\ncarol\r\nbob\r\n");
}

TEST_F(TwoNodes, LinesInFlightWhenTheLinkBreaksReachTheSendersOwnNode) {
  const ConnId alice = log_in(a, "alice");
  const ConnId carol = log_in(a, "carol");
  a.take_output(alice);
  a.take_output(carol);
  a.type(alice, "say last words\r\n");  // published, never heard back
  store.cut(a);
  EXPECT_NE(a.take_output(carol).find("alice: last words\r\n"), std::string::npos);
}

TEST_F(TwoNodes, ANameTakenElsewhereWhileCutOffIsLostOnReturn) {
  const ConnId alice = log_in(a, "alice");
  a.take_output(alice);
  store.cut(a);
  // a's claim lapses; someone on b takes the name.
  for (int i = 0; i < 4; ++i)
    advance(kNodeTimeout / 2);
  const ConnId impostor = log_in(b, "alice");
  EXPECT_EQ(b.take_output(impostor), "Welcome to TestChat\r\n");
  a.take_output(alice);
  store.link(a);
  // The store answers a's claims before b hears a is back: alice is out of the chat before
  // b's roster tells a of the other alice.
  EXPECT_EQ(a.take_output(alice),
            "In contact with the other servers again.\r\n"
            "Someone on another server took the name \"alice\" while this one was cut off.\r\n"
            "Please log in again under another name.\r\n");
  EXPECT_EQ(store.owner("teaparty:name:alice"), "b");
  type(a, alice, "login alicia\r\n");
  type(a, alice, "who\r\n");
  EXPECT_EQ(a.take_output(alice), "The following are logged in:\r\nalice\r\nalicia\r\n");
}

// Found by the cluster simulation (seed 2, 3 nodes): a node back from an outage listed a user
// whose name another node had claimed meanwhile, before its own claim was answered; the other
// node announced her arrival and, once the name was lost, her departure, while its own holder
// of the name chatted on. The roster now waits for the claims and lists only names granted.
TEST_F(TwoNodes, ANodeBackFromAnOutageNeverListsANameAnotherNodeHolds) {
  const ConnId alice = log_in(a, "alice");
  const ConnId fay = log_in(b, "fay");
  store.cut(a);
  const ConnId local_fay = log_in(a, "fay");  // cut off: a cannot know of b's fay
  EXPECT_EQ(a.take_output(local_fay), "Welcome to TestChat\r\n");
  b.take_output(fay);
  store.link(a);
  EXPECT_EQ(b.take_output(fay), "");  // no arrival of a second fay, and no departure after
  EXPECT_EQ(a.take_output(local_fay),
            "In contact with the other servers again.\r\n"
            "Someone on another server took the name \"fay\" while this one was cut off.\r\n"
            "Please log in again under another name.\r\n");  // out of the room: no more news
  type(b, fay, "who\r\n");
  EXPECT_EQ(b.take_output(fay), "The following are logged in:\r\nalice\r\nfay\r\n");
  a.take_output(alice);
  type(a, alice, "who\r\n");
  EXPECT_EQ(a.take_output(alice), "The following are logged in:\r\nalice\r\nfay\r\n");
  EXPECT_EQ(store.owner("teaparty:name:fay"), "b");
}

TEST_F(TwoNodes, TheStoreRestartingEmptyLosesNoNameAndNoOneForGood) {
  const ConnId alice = log_in(a, "alice");
  const ConnId bob = log_in(b, "bob");
  store.restart_empty();
  store.link(a);
  store.link(b);
  a.take_output(alice);
  b.take_output(bob);
  EXPECT_EQ(store.owner("teaparty:name:alice"), "a");
  EXPECT_EQ(store.owner("teaparty:name:bob"), "b");
  type(a, alice, "say back\r\n");
  EXPECT_EQ(b.take_output(bob), "alice: back\r\n");
  // Each node lists the others' users in the order their rosters came back: b heard a's
  // after its own, a its own before b's (docs/cluster.md says so).
  type(b, bob, "look\r\n");
  EXPECT_EQ(b.take_output(bob), "The following are in this room:\r\nbob\r\nalice\r\n");
  type(a, alice, "look\r\n");
  EXPECT_EQ(a.take_output(alice),
            "alice: back\r\nThe following are in this room:\r\nalice\r\nbob\r\n");
}

// Its claim outlived the link: the node lets go of it as soon as it is back, rather than
// leaving the name taken till the claim expires.
TEST_F(TwoNodes, ANameGivenUpWhileCutOffIsReleasedOnReturn) {
  const ConnId alice = log_in(a, "alice");
  log_in(a, "carol");
  store.cut(a);
  type(a, alice, "logout\r\n");
  EXPECT_EQ(store.owner("teaparty:name:alice"), "a");
  store.link(a);
  EXPECT_EQ(store.owner("teaparty:name:alice"), std::nullopt);
  EXPECT_EQ(store.owner("teaparty:name:carol"), "a");
}

// The line went out just before the link broke, so a told its own users at once; the store
// got it late, after a was back: the others hear it, a's users do not hear it again.
TEST_F(TwoNodes, AnOwnLineTheStoreCarriesAfterTheLinkCameBackIsNotToldTwice) {
  const ConnId alice = log_in(a, "alice");
  const ConnId bob = log_in(b, "bob");
  a.type(alice, "say late\r\n");
  auto flying = store.in_flight(a);
  store.cut(a);
  EXPECT_NE(a.take_output(alice).find("alice: late\r\n"), std::string::npos);
  store.link(a);
  a.take_output(alice);
  b.take_output(bob);
  store.carry_late(a, std::move(flying));
  EXPECT_EQ(b.take_output(bob), "alice: late\r\n");
  EXPECT_EQ(a.take_output(alice), "");
}

TEST_F(TwoNodes, AStoppingNodeTellsTheOthersItsUsersAreGone) {
  const ConnId alice = log_in(a, "alice");
  log_in(b, "bob");
  a.take_output(alice);
  b.begin_shutdown();
  store.settle();
  EXPECT_EQ(a.take_output(alice), "bob has left the room.\r\n");
  EXPECT_EQ(store.owner("teaparty:name:bob"), std::nullopt);
}

TEST_F(TwoNodes, ANodeThatJoinsLaterLearnsWhoIsThere) {
  const ConnId alice = log_in(a, "alice");
  log_in(b, "bob");
  FakeShell c(node_config("c"));
  store.link(c);
  const ConnId carol = log_in(c, "carol");
  EXPECT_EQ(c.take_output(carol), "Welcome to TestChat\r\n");
  c.type(carol, "who\r\n");
  EXPECT_EQ(c.take_output(carol), "The following are logged in:\r\nalice\r\nbob\r\ncarol\r\n");
  EXPECT_EQ(a.take_output(alice),
            "Welcome to TestChat\r\nbob has entered the room.\r\n"
            "carol has entered the room.\r\n");
  store.kill(c);
}

TEST_F(TwoNodes, WhatIsNotANodesMessageIsDroppedAndChangesNothing) {
  const ConnId alice = log_in(a, "alice");
  a.take_output(alice);
  for (std::string junk : {std::string(), std::string("L"), std::string("L1:a1:x1:1"),
                           std::string("Z1:a1:11:1"), std::string("L5:a1:11:12:hi"),
                           std::string("G1:b1:11:11:c1:x1:1"), std::string("\xff\x00", 2)}) {
    store.publish_raw("teaparty:room:main", junk);
  }
  EXPECT_EQ(a.take_output(alice), "");
  type(a, alice, "who\r\n");
  EXPECT_EQ(a.take_output(alice), "The following are logged in:\r\nalice\r\n");
}

// --- the wire form ---

TEST(ClusterMessage, EveryKindSurvivesTheRoundTripByteForByte) {
  const std::string binary("\x00\r\n\xff:5,", 7);
  for (const ClusterMessage& message : {
           ClusterMessage{ClusterKind::Line, {"node-1", 7, 3}, {binary}},
           ClusterMessage{ClusterKind::Enter, {"n", 0, 0}, {"alice"}},
           ClusterMessage{ClusterKind::Leave, {"n", 1, 2}, {binary}},
           ClusterMessage{ClusterKind::Hello, {"n", 1, 2}, {}},
           ClusterMessage{ClusterKind::Roster, {"n", 1, 2}, {"a", "", binary}},
           ClusterMessage{ClusterKind::Roster, {"n", 1, 2}, {}},
           ClusterMessage{ClusterKind::Alive, {"n", 18446744073709551615u, 2}, {}},
           ClusterMessage{ClusterKind::Gone, {"n", 1, 2}, {"m", "5", "6"}},
       }) {
    const auto decoded = decode_cluster_message(encode(message));
    ASSERT_TRUE(decoded.has_value()) << encode(message);
    EXPECT_EQ(decoded->kind, message.kind);
    EXPECT_EQ(decoded->from, message.from);
    EXPECT_EQ(decoded->fields, message.fields);
  }
}

TEST(ClusterMessage, AnythingMalformedIsRejected) {
  for (std::string_view wire :
       {"", "L", "Q1:n1:11:1", "L1:n1:1", "L1:n1:11:1", "L1:n1:11:12:x", "L0:1:11:11:x",
        "L1:nx:11:11:x", "L1:n1:1-1:11:x", "L1:n1:11:11:x1:y", "H1:n1:11:11:x", "G1:n1:11:1",
        "L99999999999999999999:n", "L1:n1:11:11"}) {
    EXPECT_FALSE(decode_cluster_message(wire).has_value()) << wire;
  }
}

}  // namespace
}  // namespace teaparty::core::testing
