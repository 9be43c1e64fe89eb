// The modern dialect clustered (core/cluster.h, core/modern_dialect.h): two cores, each behind
// a FakeShell, joined by the fake store (tests/core/fake_store.h). Users spread over the two
// nodes must not be able to tell they are not on one server: the tests read the exact bytes
// each client gets on either node, as tests/modern/ does for one node.

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "core/cluster.h"
#include "core/cluster_message.h"
#include "core/gmcp.h"
#include "core/telnet.h"
#include "tests/core/fake_shell.h"
#include "tests/core/fake_store.h"

namespace teaparty::core::testing {
namespace {

using namespace std::chrono_literals;

constexpr Duration kNodeTimeout = 3s;

Config modern_node(std::string name) {
  Config config;
  config.dialect = DialectKind::Modern;
  config.telnet = false;  // the bytes of chat, not of negotiation (but see the GMCP test)
  config.cluster = ClusterConfig{std::move(name), kNodeTimeout, 1};
  return config;
}

class ModernNodes : public ::testing::Test {
 protected:
  ModernNodes() {
    store.link(a);
    store.link(b);
  }
  // Logs in and drops what the newcomer was told (welcome, hello, history).
  ConnId log_in(FakeShell& node, std::string_view name) {
    const ConnId id = node.connect();
    node.type(id, std::string(name) + "\r\n");
    store.settle();
    node.take_output(id);
    return id;
  }
  void type(FakeShell& node, ConnId id, std::string_view line) {
    node.type(id, line);
    store.settle();
  }
  std::string ask(FakeShell& node, ConnId id, std::string_view line) {
    node.take_output(id);
    type(node, id, line);
    return node.take_output(id);
  }
  void advance(Duration by) {
    store.advance(by);
    for (FakeShell* node : {&a, &b}) {
      if (!dead.contains(node)) node->advance(by);
    }
    store.settle();
  }
  // b dies without a word: by the time this returns, a has announced b's users as gone.
  void kill_b() {
    store.kill(b);
    dead.insert(&b);
    advance(kNodeTimeout);
    advance(kNodeTimeout / 3 + 1ms);
    advance(kNodeTimeout / 3);
  }
  // alice (on a) and carol (on b) in tea, bob (on b) in main; a is cut off and alice moves
  // to main, which b does not hear of. What b's users were told till then is dropped.
  struct Three {
    ConnId alice, bob, carol;
  };
  Three moved_unheard_from_tea_to_main() {
    const Three users{log_in(a, "alice"), log_in(b, "bob"), log_in(b, "carol")};
    type(a, users.alice, "/join tea\r\n");
    type(b, users.carol, "/join tea\r\n");
    store.cut(a);
    type(a, users.alice, "/join main\r\n");
    b.take_output(users.bob);
    b.take_output(users.carol);
    return users;
  }
  // The node's link returns and its user moves before its roster is out: the move comes
  // after its Hello and the claims of its return in the store's order, before their answer.
  void return_and_move_before_the_roster(FakeShell& node, ConnId mover, std::string_view room) {
    store.link_quietly(node);
    store.carry(node);
    node.type(mover, "/join " + std::string(room) + "\r\n");
    store.carry(node);
    store.settle();
  }
  // The mover's /join reaches the store by halves: the Leave on the old room's channel is
  // carried, the Enter on the new one's is lost (with the link, say).
  void move_losing_the_enter(FakeShell& node, ConnId mover, std::string_view room) {
    node.type(mover, "/join " + std::string(room) + "\r\n");
    auto flying = store.in_flight(node);
    flying.pop_back();
    store.carry_late(node, std::move(flying));
  }
  FakeShell a{modern_node("a")};
  FakeShell b{modern_node("b")};
  FakeStore store;
  std::set<FakeShell*> dead;
};

// --- names ---

TEST_F(ModernNodes, ALoginClaimsItsNameInTheStoreWithoutRegardToCase) {
  log_in(a, "alice");
  EXPECT_EQ(store.owner("teaparty:name:alice"), "a");
  const ConnId other = b.connect();
  b.take_output(other);
  type(b, other, "ALICE\r\n");
  EXPECT_EQ(b.take_output(other), "The name \"ALICE\" is taken; choose another.\r\nYour name: ");
}

TEST_F(ModernNodes, TwoLoginsRacingForOneNameGetItOnceAndTheLoserIsAskedAgain) {
  const ConnId first = a.connect();
  const ConnId second = b.connect();
  a.take_output(first);
  b.take_output(second);
  a.type(first, "carol\r\n");  // both claims are out before either is answered
  b.type(second, "carol\r\n");
  EXPECT_EQ(a.take_output(first), "");  // no prompt while the store decides
  store.settle();
  const std::string to_first = a.take_output(first);
  const std::string to_second = b.take_output(second);
  const std::string taken = "The name \"carol\" is taken; choose another.\r\nYour name: ";
  EXPECT_NE(to_first == taken, to_second == taken) << to_first << "|" << to_second;
}

// The first asker hung up before its claim was answered; the second asked for the same name
// meanwhile. Letting go of the first's grant must not free the name under the second.
TEST_F(ModernNodes, AGrantNobodyWantsIsNotReleasedUnderAnotherClaimForTheName) {
  const ConnId first = a.connect();
  const ConnId second = a.connect();
  a.type(first, "carol\r\n");
  a.type(second, "carol\r\n");
  a.hang_up(first, PeerGone::EndOfStream);
  store.settle();
  EXPECT_NE(a.take_output(second).find("Hello, carol!"), std::string::npos);
  EXPECT_EQ(store.owner("teaparty:name:carol"), "a");
  const ConnId other = b.connect();
  b.take_output(other);
  type(b, other, "carol\r\n");
  EXPECT_EQ(b.take_output(other), "The name \"carol\" is taken; choose another.\r\nYour name: ");
}

// --- arriving, talking, leaving ---

TEST_F(ModernNodes, ArrivalsAndDeparturesAreToldToTheRoomOnEveryNode) {
  const ConnId alice = log_in(a, "alice");
  const ConnId carol = log_in(a, "carol");
  a.take_output(alice);
  const ConnId bob = b.connect();
  b.take_output(bob);
  type(b, bob, "bob\r\n");
  EXPECT_EQ(b.take_output(bob), "Hello, bob! You are in main. Type /help for the commands.\r\n");
  EXPECT_EQ(a.take_output(alice), "bob has joined the chat.\r\n");
  EXPECT_EQ(a.take_output(carol), "bob has joined the chat.\r\n");
  type(b, bob, "/quit\r\n");
  EXPECT_EQ(a.take_output(alice), "bob has left the chat.\r\n");
  EXPECT_EQ(store.owner("teaparty:name:bob"), std::nullopt);
}

TEST_F(ModernNodes, ALineIsToldWhenItComesBackFromTheStoreToTheRoomOnBothNodes) {
  const ConnId alice = log_in(a, "alice");
  const ConnId bob = log_in(b, "bob");
  a.take_output(alice);
  a.type(alice, "hello, bob\r\n");
  EXPECT_EQ(a.take_output(alice), "");  // not before the store has carried it
  store.settle();
  EXPECT_EQ(a.take_output(alice), "alice: hello, bob\r\n");
  EXPECT_EQ(b.take_output(bob), "alice: hello, bob\r\n");
  type(b, bob, "/me waves\r\n");
  EXPECT_EQ(a.take_output(alice), "* bob waves\r\n");
  EXPECT_EQ(b.take_output(bob), "* bob waves\r\n");
}

TEST_F(ModernNodes, ALineSaidInARoomReachesOnlyThatRoomOnEveryNode) {
  const ConnId alice = log_in(a, "alice");
  const ConnId bob = log_in(b, "bob");
  const ConnId carol = log_in(b, "carol");
  type(a, alice, "/join tea\r\n");
  type(b, bob, "/join tea\r\n");
  for (ConnId id : {bob, carol})
    b.take_output(id);
  a.take_output(alice);
  type(a, alice, "only for tea\r\n");
  EXPECT_EQ(a.take_output(alice), "alice: only for tea\r\n");
  EXPECT_EQ(b.take_output(bob), "alice: only for tea\r\n");
  EXPECT_EQ(b.take_output(carol), "");
  type(b, carol, "only for main\r\n");
  EXPECT_EQ(a.take_output(alice), "");
  EXPECT_EQ(b.take_output(bob), "");
}

TEST_F(ModernNodes, EveryNodesHistoryHoldsTheSameLinesInTheStoresOrder) {
  const ConnId alice = log_in(a, "alice");
  const ConnId bob = log_in(b, "bob");
  a.take_output(alice);          // bob's arrival
  for (int i = 0; i < 4; ++i) {  // interleaved without settling: the store picks the order
    a.type(alice, "a" + std::to_string(i) + "\r\n");
    b.type(bob, "b" + std::to_string(i) + "\r\n");
  }
  store.settle();
  const std::string heard = a.take_output(alice);
  EXPECT_EQ(b.take_output(bob), heard);
  const ConnId dave = a.connect();
  const ConnId eve = b.connect();
  a.take_output(dave);
  b.take_output(eve);
  type(a, dave, "dave\r\n");
  type(b, eve, "eve\r\n");
  const std::string history =
      "--- the last lines said in main ---\r\n" + heard + "--- end of history ---\r\n";
  EXPECT_EQ(a.take_output(dave), "Hello, dave! You are in main. Type /help for the commands.\r\n" +
                                     history + "eve has joined the chat.\r\n");
  EXPECT_EQ(b.take_output(eve),
            "Hello, eve! You are in main. Type /help for the commands.\r\n" + history);
}

// A line on its way through the store before the newcomer's arrival is, in the store's order,
// said before they came: they get it in the history, as everyone else heard it, not live.
TEST_F(ModernNodes, ANewcomerHearsTheRoomFromItsOwnArrivalInTheStoresOrder) {
  const ConnId alice = log_in(a, "alice");
  const ConnId bob = log_in(b, "bob");
  a.take_output(alice);
  const ConnId carol = a.connect();
  a.take_output(carol);
  a.type(carol, "carol\r\n");
  store.carry(a);  // the claim is granted: carol is in here before her arrival is published
  b.type(bob, "before you came\r\n");
  store.carry(b);  // and bob's line is published before it, so it reaches a after her login
  store.settle();
  EXPECT_EQ(a.take_output(carol),
            "Hello, carol! You are in main. Type /help for the commands.\r\n"
            "--- the last lines said in main ---\r\nbob: before you came\r\n"
            "--- end of history ---\r\n");
  const std::string everyone_else = "bob: before you came\r\ncarol has joined the chat.\r\n";
  EXPECT_EQ(a.take_output(alice), everyone_else);
  EXPECT_EQ(b.take_output(bob), everyone_else);
}

TEST_F(ModernNodes, AMoverHearsTheNewRoomFromTheirOwnArrivalInTheStoresOrder) {
  const ConnId alice = log_in(a, "alice");
  const ConnId bob = log_in(b, "bob");
  type(b, bob, "/join tea\r\n");
  a.take_output(alice);
  b.take_output(bob);
  b.type(bob, "said before alice came\r\n");
  store.carry(b);
  a.type(alice, "/join tea\r\n");
  store.settle();
  EXPECT_EQ(a.take_output(alice),
            "You are now in tea.\r\n--- the last lines said in tea ---\r\n"
            "bob: said before alice came\r\n--- end of history ---\r\n");
  EXPECT_EQ(b.take_output(bob), "bob: said before alice came\r\nalice has come in from main.\r\n");
  EXPECT_EQ(ask(b, bob, "after\r\n"), "bob: after\r\n");
  EXPECT_EQ(a.take_output(alice), "bob: after\r\n");
}

// Every node keeps the history of every room anyone in the cluster is in: joining a room only
// another node has members in shows what was said there, as on one server.
TEST_F(ModernNodes, ARoomOnlyAnotherNodeHasMembersInKeepsItsHistoryHereToo) {
  const ConnId alice = log_in(a, "alice");
  const ConnId bob = log_in(b, "bob");
  type(b, bob, "/join tea\r\n");
  type(b, bob, "one\r\n");
  type(b, bob, "/me pours\r\n");
  a.take_output(alice);
  EXPECT_EQ(ask(a, alice, "/join tea\r\n"),
            "You are now in tea.\r\n--- the last lines said in tea ---\r\nbob: one\r\n"
            "* bob pours\r\n--- end of history ---\r\n");
}

// ...and forgets it when the room is empty on every node, as one server does.
TEST_F(ModernNodes, ARoomsHistoryIsGoneOnceNobodyOnAnyNodeIsInIt) {
  const ConnId alice = log_in(a, "alice");
  const ConnId bob = log_in(b, "bob");
  type(b, bob, "/join tea\r\n");
  type(b, bob, "forgotten\r\n");
  type(b, bob, "/leave\r\n");
  EXPECT_EQ(ask(a, alice, "/join tea\r\n"), "You are now in tea.\r\n");
}

// A room this node's last member leaves lives on here while another node's members are in it.
TEST_F(ModernNodes, ARoomLeftHereKeepsItsHistoryWhileAnotherNodeHasMembersInIt) {
  const ConnId alice = log_in(a, "alice");
  const ConnId bob = log_in(b, "bob");
  type(a, alice, "/join tea\r\n");
  type(b, bob, "/join tea\r\n");
  type(a, alice, "kept\r\n");
  type(a, alice, "/leave\r\n");
  EXPECT_EQ(ask(a, alice, "/join tea\r\n"),
            "You are now in tea.\r\n--- the last lines said in tea ---\r\nalice: kept\r\n"
            "--- end of history ---\r\n");
}

TEST_F(ModernNodes, ALineGoesToGmcpClientsOnTheOtherNodeAsChannelText) {
  FakeShell c{[] {
    Config config = modern_node("c");
    config.telnet = true;
    return config;
  }()};
  store.link(c);
  const ConnId alice = log_in(a, "alice");
  const ConnId mudlet = c.connect();
  const char do_gmcp[] = {static_cast<char>(telnet::kIAC), static_cast<char>(telnet::kDO),
                          static_cast<char>(telnet::kOptGMCP)};
  type(c, mudlet, std::string_view(do_gmcp, sizeof do_gmcp));
  type(c, mudlet, "bob\r\n");
  c.take_output(mudlet);
  type(a, alice, "hi\r\n");
  EXPECT_EQ(c.take_output(mudlet),
            "alice: hi\r\n" + std::string(gmcp::channel_text("main", "alice", "alice: hi").text()));
  store.kill(c);
}

// --- rooms ---

TEST_F(ModernNodes, AMoveIsToldInBothRoomsOnEveryNodeButNotToTheMover) {
  const ConnId alice = log_in(a, "alice");
  const ConnId bob = log_in(b, "bob");
  const ConnId carol = log_in(b, "carol");
  type(b, carol, "/join tea\r\n");
  a.take_output(alice);
  b.take_output(bob);
  b.take_output(carol);
  type(a, alice, "/join tea\r\n");
  EXPECT_EQ(a.take_output(alice), "You are now in tea.\r\n");
  EXPECT_EQ(b.take_output(bob), "alice has gone to tea.\r\n");
  EXPECT_EQ(b.take_output(carol), "alice has come in from main.\r\n");
  type(a, alice, "/leave\r\n");
  EXPECT_EQ(b.take_output(carol), "alice has gone to main.\r\n");
  EXPECT_EQ(b.take_output(bob), "alice has come in from tea.\r\n");
}

TEST_F(ModernNodes, AMoverBackBeforeTheEchoDoesNotHearThemselvesGo) {
  const ConnId alice = log_in(a, "alice");
  const ConnId bob = log_in(b, "bob");
  a.take_output(alice);
  a.type(alice, "/join tea\r\n/leave\r\n");
  store.settle();
  EXPECT_EQ(a.take_output(alice), "You are now in tea.\r\nYou are now in main.\r\n");
  EXPECT_EQ(b.take_output(bob), "alice has gone to tea.\r\nalice has come in from tea.\r\n");
}

// Moved on again before the first move came back: only the last arrival lets them hear.
TEST_F(ModernNodes, AMoverMovingOnBeforeTheEchoHearsOnlyTheRoomTheyAreIn) {
  const ConnId alice = log_in(a, "alice");
  const ConnId bob = log_in(b, "bob");
  type(b, bob, "/join coffee\r\n");
  a.take_output(alice);
  a.type(alice, "/join tea\r\n/join coffee\r\n");
  store.carry(a);
  b.type(bob, "in coffee\r\n");
  store.settle();
  EXPECT_EQ(a.take_output(alice),
            "You are now in tea.\r\nYou are now in coffee.\r\nbob: in coffee\r\n");
}

TEST_F(ModernNodes, ARoomOnlyAnotherNodeHasKeepsItsNameThere) {
  const ConnId alice = log_in(a, "alice");
  const ConnId bob = log_in(b, "bob");
  type(b, bob, "/join Tea\r\n");
  EXPECT_EQ(ask(a, alice, "/join tea\r\n"), "You are now in Tea.\r\n");
}

TEST_F(ModernNodes, LookWhoAndRoomsListEveryNodesMembersTheSameEverywhere) {
  const ConnId alice = log_in(a, "alice");
  const ConnId bob = log_in(b, "bob");
  const ConnId carol = log_in(a, "carol");
  const ConnId dave = log_in(b, "dave");
  type(b, dave, "/join tea\r\n");
  type(a, alice, "/join tea\r\n");
  for (auto [node, id] : {std::pair{&a, alice}, {&b, bob}, {&a, carol}, {&b, dave}}) {
    EXPECT_EQ(ask(*node, id, "/who\r\n"),
              "Logged in (4):\r\n  alice in tea\r\n  bob in main\r\n  carol in main\r\n"
              "  dave in tea\r\n");
    EXPECT_EQ(ask(*node, id, "/rooms\r\n"), "Rooms:\r\n  main (2)\r\n  tea (2)\r\n");
  }
  EXPECT_EQ(ask(a, carol, "/look\r\n"), "In main (2): bob, carol\r\n");
  EXPECT_EQ(ask(b, bob, "/look\r\n"), "In main (2): bob, carol\r\n");
  // In order of entry into the room: dave came first.
  EXPECT_EQ(ask(a, alice, "/look\r\n"), "In tea (2): dave, alice\r\n");
  EXPECT_EQ(ask(b, dave, "/look\r\n"), "In tea (2): dave, alice\r\n");
}

TEST_F(ModernNodes, AnAbsentUsersRoomIsEmptyOnEveryNode) {
  const ConnId alice = log_in(a, "alice");
  const ConnId bob = log_in(b, "bob");
  type(b, bob, "/join tea\r\n");
  type(b, bob, "/quit\r\n");
  EXPECT_EQ(ask(a, alice, "/rooms\r\n"), "Rooms:\r\n  main (1)\r\n");
}

// --- private messages ---

TEST_F(ModernNodes, AWhisperReachesItsAddresseeOnTheOtherNodeOnly) {
  const ConnId alice = log_in(a, "alice");
  const ConnId bob = log_in(b, "bob");
  const ConnId carol = log_in(b, "carol");
  a.take_output(alice);
  b.take_output(bob);
  EXPECT_EQ(ask(a, alice, "/msg BOB psst\r\n"), "You whisper to bob: psst\r\n");
  EXPECT_EQ(b.take_output(bob), "alice whispers: psst\r\n");
  EXPECT_EQ(b.take_output(carol), "");
  EXPECT_EQ(ask(a, alice, "/msg nobody psst\r\n"),
            "No one called \"nobody\" is here; /who lists everyone.\r\n");
}

// The addressee left while the whisper travelled: on one server the sender would have been
// told nobody of that name is here; clustered, they are told it was not delivered.
TEST_F(ModernNodes, AWhisperToSomeoneWhoLeftOnTheWayIsReportedUndelivered) {
  const ConnId alice = log_in(a, "alice");
  const ConnId bob = log_in(b, "bob");
  a.take_output(alice);
  a.type(alice, "/msg bob are you there?\r\n");
  b.type(bob, "/quit\r\n");  // bob is gone from b before the whisper gets there
  store.settle();
  EXPECT_EQ(a.take_output(alice),
            "You whisper to bob: are you there?\r\nbob has left the chat.\r\n"
            "Your whisper to bob was not delivered: they left before it arrived.\r\n");
  EXPECT_EQ(b.take_output(bob), "Goodbye, bob!\r\n");
}

// --- names changed ---

TEST_F(ModernNodes, ANickIsClaimedInTheStoreAndToldToTheRoomOnEveryNode) {
  const ConnId alice = log_in(a, "alice");
  const ConnId bob = log_in(b, "bob");
  a.take_output(alice);
  a.type(alice, "/nick alicia\r\nhello\r\n");
  EXPECT_TRUE(a.reading_paused(alice));  // what follows waits for the store's answer
  store.settle();
  EXPECT_EQ(a.take_output(alice), "You are now known as alicia.\r\nalicia: hello\r\n");
  EXPECT_EQ(b.take_output(bob), "alice is now known as alicia.\r\nalicia: hello\r\n");
  EXPECT_EQ(store.owner("teaparty:name:alicia"), "a");
  EXPECT_EQ(store.owner("teaparty:name:alice"), std::nullopt);
  EXPECT_EQ(ask(b, bob, "/who\r\n"), "Logged in (2):\r\n  alicia in main\r\n  bob in main\r\n");
  EXPECT_EQ(ask(b, bob, "/msg alicia hi\r\n"), "You whisper to alicia: hi\r\n");
  EXPECT_EQ(a.take_output(alice), "bob whispers: hi\r\n");
}

TEST_F(ModernNodes, ANickHeldOnAnotherNodeIsTaken) {
  const ConnId alice = log_in(a, "alice");
  log_in(b, "bob");
  EXPECT_EQ(ask(a, alice, "/nick Bob\r\n"), "The name \"Bob\" is taken; choose another.\r\n");
  EXPECT_EQ(store.owner("teaparty:name:alice"), "a");
}

TEST_F(ModernNodes, ANickInAnotherCaseKeepsTheNameInTheStore) {
  const ConnId alice = log_in(a, "alice");
  EXPECT_EQ(ask(a, alice, "/nick Alice\r\n"), "You are now known as Alice.\r\n");
  EXPECT_EQ(store.owner("teaparty:name:alice"), "a");
}

// --- nodes lost ---

TEST_F(ModernNodes, ADeadNodesUsersLeaveTheirRoomsOnTheOtherNodes) {
  const ConnId alice = log_in(a, "alice");
  const ConnId carol = log_in(a, "carol");
  const ConnId bob = log_in(b, "bob");
  type(a, carol, "/join tea\r\n");
  type(b, bob, "/join tea\r\n");
  a.take_output(alice);
  a.take_output(carol);
  kill_b();
  EXPECT_EQ(a.take_output(alice), "");
  EXPECT_EQ(a.take_output(carol), "bob has left the chat.\r\n");
  EXPECT_EQ(ask(a, alice, "/rooms\r\n"), "Rooms:\r\n  main (1)\r\n  tea (1)\r\n");
}

TEST_F(ModernNodes, ANodeCutOffGoesOnAloneAndTellsItsUsers) {
  const ConnId alice = log_in(a, "alice");
  const ConnId bob = log_in(b, "bob");
  a.take_output(alice);
  store.cut(a);
  EXPECT_EQ(a.take_output(alice),
            "Lost contact with the other servers; you can go on talking with those on this "
            "one.\r\nbob has left the chat.\r\n");
  EXPECT_EQ(ask(a, alice, "alone\r\n"), "alice: alone\r\n");
  EXPECT_EQ(b.take_output(bob), "");
  store.link(a);
  EXPECT_EQ(a.take_output(alice),
            "In contact with the other servers again.\r\nbob has joined the chat.\r\n");
  // b never lost a: alice keeps her place there.
  EXPECT_EQ(ask(b, bob, "/who\r\n"), "Logged in (2):\r\n  alice in main\r\n  bob in main\r\n");
}

// Cut off, a login is settled at once: asked for a name once, not again on top of the hello
// (seen in what fuzz/fuzz_bus.cpp's last newcomer was sent for
// tests/fuzz_regressions/bus/a_client_took_the_newcomers_name).
TEST_F(ModernNodes, ANewcomerOnANodeCutOffIsAskedForANameOnce) {
  const ConnId alice = log_in(a, "alice");
  store.cut(a);
  const ConnId newcomer = a.connect();
  a.take_output(newcomer);
  EXPECT_EQ(ask(a, newcomer, "alice\r\nbob\r\n"),
            "The name \"alice\" is taken; choose another.\r\n"
            "Your name: Hello, bob! You are in main. Type /help for the commands.\r\n");
  EXPECT_EQ(ask(a, alice, "hi\r\n"), "alice: hi\r\n");
  EXPECT_EQ(a.take_output(newcomer), "alice: hi\r\n");
}

TEST_F(ModernNodes, ANameTakenElsewhereWhileCutOffIsLostOnReturnAndAskedAgain) {
  const ConnId alice = log_in(a, "alice");
  store.cut(a);
  for (int i = 0; i < 4; ++i)  // a's claim lapses; someone on b takes the name
    advance(kNodeTimeout / 2);
  log_in(b, "Alice");
  a.take_output(alice);
  store.link(a);
  EXPECT_EQ(a.take_output(alice),
            "In contact with the other servers again.\r\n"
            "Someone on another server took the name \"alice\" while this one was cut off; "
            "choose another.\r\nYour name: ");
  EXPECT_EQ(store.owner("teaparty:name:alice"), "b");
  type(a, alice, "alicia\r\n");
  EXPECT_EQ(ask(a, alice, "/who\r\n"), "Logged in (2):\r\n  Alice in main\r\n  alicia in main\r\n");
}

TEST_F(ModernNodes, ANickMadeWhileCutOffIsClaimedOnReturnAndToldEverywhere) {
  const ConnId alice = log_in(a, "alice");
  const ConnId bob = log_in(b, "bob");
  store.cut(a);
  a.take_output(alice);
  // Alone, the node grants it at once; the store hears of it when a returns. Twice: the others
  // are told of the whole change from the name they knew.
  EXPECT_EQ(ask(a, alice, "/nick ally\r\n"), "You are now known as ally.\r\n");
  EXPECT_EQ(ask(a, alice, "/nick alicia\r\n"), "You are now known as alicia.\r\n");
  EXPECT_EQ(b.take_output(bob), "");
  store.link(a);
  EXPECT_EQ(store.owner("teaparty:name:alicia"), "a");
  EXPECT_EQ(store.owner("teaparty:name:alice"), std::nullopt);  // not claimed again: let go
  EXPECT_EQ(store.owner("teaparty:name:ally"), std::nullopt);
  // Told as the rename it was, once a knows the new name is hers; alice keeps her place.
  EXPECT_EQ(b.take_output(bob), "alice is now known as alicia.\r\n");
  EXPECT_EQ(ask(b, bob, "/who\r\n"), "Logged in (2):\r\n  alicia in main\r\n  bob in main\r\n");
  EXPECT_EQ(ask(b, bob, "/msg alicia back?\r\n"), "You whisper to alicia: back?\r\n");
  EXPECT_EQ(a.take_output(alice),
            "In contact with the other servers again.\r\nbob has joined the chat.\r\n"
            "bob whispers: back?\r\n");
}

TEST_F(ModernNodes, TheStoreRestartingEmptyLosesNoNameNoRoomAndNoOneForGood) {
  const ConnId alice = log_in(a, "alice");
  const ConnId bob = log_in(b, "bob");
  type(a, alice, "/join tea\r\n");
  type(b, bob, "/join tea\r\n");
  store.restart_empty();
  store.link(a);
  store.link(b);
  a.take_output(alice);
  b.take_output(bob);
  EXPECT_EQ(store.owner("teaparty:name:alice"), "a");
  EXPECT_EQ(store.owner("teaparty:name:bob"), "b");
  EXPECT_EQ(ask(a, alice, "back in tea\r\n"), "alice: back in tea\r\n");
  EXPECT_EQ(b.take_output(bob), "alice: back in tea\r\n");
  EXPECT_EQ(ask(b, bob, "/rooms\r\n"), "Rooms:\r\n  main (0)\r\n  tea (2)\r\n");
  EXPECT_EQ(ask(a, alice, "/rooms\r\n"), "Rooms:\r\n  main (0)\r\n  tea (2)\r\n");
}

TEST_F(ModernNodes, AStoppingNodeTellsTheOthersItsUsersLeftTheirRooms) {
  const ConnId alice = log_in(a, "alice");
  const ConnId carol = log_in(a, "carol");
  log_in(b, "bob");
  const ConnId dave = log_in(b, "dave");
  type(a, carol, "/join tea\r\n");
  type(b, dave, "/join tea\r\n");
  a.take_output(alice);
  a.take_output(carol);
  b.begin_shutdown();
  store.settle();
  EXPECT_EQ(a.take_output(alice), "bob has left the chat.\r\n");
  EXPECT_EQ(a.take_output(carol), "dave has left the chat.\r\n");
  EXPECT_EQ(store.owner("teaparty:name:bob"), std::nullopt);
  EXPECT_EQ(store.owner("teaparty:name:dave"), std::nullopt);
  EXPECT_EQ(ask(a, alice, "/who\r\n"), "Logged in (2):\r\n  alice in main\r\n  carol in tea\r\n");
}

// Both back after Redis restarted empty; b claimed "alice" first, for its own alice who logged
// in meanwhile. a hears b's Hello before its own claims are answered: its roster waits for
// them, or it would tell b of an alice a no longer has.
TEST_F(ModernNodes, ARosterWaitsForTheClaimsOfTheReturn) {
  log_in(a, "alice");
  const ConnId bob = log_in(b, "bob");
  store.restart_empty();
  const ConnId other_alice = log_in(b, "alice");  // b alone: granted here
  b.take_output(bob);
  b.take_output(other_alice);
  store.link_quietly(a);
  store.link_quietly(b);
  store.carry(b);  // b's Hello, and its claims: granted
  store.carry(a);  // a's Hello, and its claims: "alice" refused
  store.settle();
  EXPECT_EQ(b.take_output(bob), "In contact with the other servers again.\r\n");
  EXPECT_EQ(ask(b, bob, "/who\r\n"), "Logged in (2):\r\n  bob in main\r\n  alice in main\r\n");
}

TEST_F(ModernNodes, ANodeThatJoinsLaterLearnsWhoIsWhere) {
  const ConnId alice = log_in(a, "alice");
  const ConnId bob = log_in(b, "bob");
  type(b, bob, "/join Tea\r\n");
  a.take_output(alice);
  b.take_output(bob);
  FakeShell c(modern_node("c"));
  store.link(c);
  const ConnId carol = log_in(c, "carol");
  EXPECT_EQ(ask(c, carol, "/who\r\n"),
            "Logged in (3):\r\n  alice in main\r\n  bob in Tea\r\n  carol in main\r\n");
  EXPECT_EQ(ask(c, carol, "/join tea\r\n"), "You are now in Tea.\r\n");
  EXPECT_EQ(b.take_output(bob), "carol has come in from main.\r\n");
  EXPECT_EQ(a.take_output(alice), "carol has joined the chat.\r\ncarol has gone to Tea.\r\n");
  store.kill(c);
}

// A node started later (a restart, one more node) is told by the nodes that were there what was
// said in each room so far: its users see the history everyone else does.
TEST_F(ModernNodes, ANodeThatJoinsLaterIsToldWhatWasSaidInEachRoom) {
  const ConnId alice = log_in(a, "alice");
  const ConnId bob = log_in(b, "bob");
  type(b, bob, "/join tea\r\n");
  type(a, alice, "in main\r\n");
  type(b, bob, "in tea\r\n");
  advance(kNodeTimeout / 3);  // a and b have been here a while
  FakeShell c(modern_node("c"));
  store.link(c);
  const ConnId carol = c.connect();
  c.take_output(carol);
  type(c, carol, "carol\r\n");
  EXPECT_EQ(c.take_output(carol),
            "Hello, carol! You are in main. Type /help for the commands.\r\n"
            "--- the last lines said in main ---\r\nalice: in main\r\n--- end of history ---\r\n");
  EXPECT_EQ(ask(c, carol, "/join tea\r\n"),
            "You are now in tea.\r\n--- the last lines said in tea ---\r\nbob: in tea\r\n"
            "--- end of history ---\r\n");
  store.kill(c);
}

// What the joiner heard itself after its Hello follows what it is told came before, once.
TEST_F(ModernNodes, AJoinersHistoryIsWhatCameBeforeItThenWhatItHeard) {
  const ConnId alice = log_in(a, "alice");
  type(a, alice, "before\r\n");
  advance(kNodeTimeout / 3);
  FakeShell c(modern_node("c"));
  store.link_quietly(c);
  store.carry(c);  // c's Hello is out...
  a.type(alice, "after\r\n");
  store.carry(a);  // ...then a line, which reaches c before a's answer to the Hello
  store.settle();
  const ConnId carol = c.connect();
  c.take_output(carol);
  type(c, carol, "carol\r\n");
  EXPECT_EQ(c.take_output(carol),
            "Hello, carol! You are in main. Type /help for the commands.\r\n"
            "--- the last lines said in main ---\r\nalice: before\r\nalice: after\r\n"
            "--- end of history ---\r\n");
  store.kill(c);
}

TEST_F(ModernNodes, MsspCountsThePlayersOnEveryNode) {
  FakeShell c{[] {
    Config config = modern_node("c");
    config.telnet = true;
    return config;
  }()};
  store.link(c);
  log_in(a, "alice");
  log_in(b, "bob");
  const ConnId crawler = c.connect();
  c.take_output(crawler);
  const char do_mssp[] = {static_cast<char>(telnet::kIAC), static_cast<char>(telnet::kDO),
                          static_cast<char>(telnet::kOptMSSP)};
  type(c, crawler, std::string_view(do_mssp, sizeof do_mssp));
  EXPECT_NE(c.take_output(crawler).find("\x01PLAYERS\x02"
                                        "2\xff"),
            std::string::npos);
  store.kill(c);
}

// b's alice logged in while b was cut off, and moves before b's claims are answered: the
// name is a's alice's, so b's never existed for a, and a's rooms hear nothing of her move.
TEST_F(ModernNodes, AMoveOfSomeoneNotYetListedByTheirNodeIsNotNews) {
  const ConnId alice = log_in(a, "alice");
  const ConnId dave = log_in(a, "dave");
  type(a, dave, "/join tea\r\n");
  store.cut(b);
  const ConnId impostor = log_in(b, "alice");
  a.take_output(alice);
  a.take_output(dave);
  store.link_quietly(b);
  b.type(impostor, "/join tea\r\n");
  store.settle();
  EXPECT_EQ(a.take_output(dave), "");
  EXPECT_EQ(a.take_output(alice), "");
  EXPECT_EQ(ask(a, dave, "/look\r\n"), "In tea (1): dave\r\n");
}

// bob's move lost its second half (the Enter) with b's link: a's main heard him go, a's tea
// never heard him come. b's roster, on its return, places him in tea: tea is told then.
TEST_F(ModernNodes, AMoveHalfLostWithTheLinkIsFinishedByTheRoster) {
  const ConnId alice = log_in(a, "alice");
  const ConnId dave = log_in(a, "dave");
  const ConnId bob = log_in(b, "bob");
  type(a, dave, "/join tea\r\n");
  a.take_output(alice);
  a.take_output(dave);
  move_losing_the_enter(b, bob, "tea");
  EXPECT_EQ(a.take_output(alice), "bob has gone to tea.\r\n");
  EXPECT_EQ(a.take_output(dave), "");
  store.cut(b);
  store.link(b);
  EXPECT_EQ(a.take_output(dave), "bob has come in from main.\r\n");
  EXPECT_EQ(a.take_output(alice), "");
  EXPECT_EQ(ask(a, dave, "/look\r\n"), "In tea (2): dave, bob\r\n");
}

// Killed with its Enter lost: no room was told bob is there, so none is told he left.
TEST_F(ModernNodes, AMoverLostBetweenRoomsLeavesNoRoomThatNeverHeardOfThem) {
  const ConnId alice = log_in(a, "alice");
  const ConnId dave = log_in(a, "dave");
  const ConnId bob = log_in(b, "bob");
  type(a, dave, "/join tea\r\n");
  move_losing_the_enter(b, bob, "tea");
  a.take_output(alice);
  a.take_output(dave);
  kill_b();
  EXPECT_EQ(a.take_output(alice), "");
  EXPECT_EQ(a.take_output(dave), "");
  EXPECT_EQ(ask(a, alice, "/who\r\n"), "Logged in (2):\r\n  alice in main\r\n  dave in tea\r\n");
}

// A node back from a cut carries on before its roster is out: a move its user makes then is
// from a room the others never heard it go to. They are told of it from where they last knew
// the mover to be: here, where it was all along, so nobody is told anything (found by
// `teaparty-sim cluster --dialect modern --seed 2092 --nodes 3 --clients 8 --steps 4000`).
TEST_F(ModernNodes, AMoveBackToWhereTheOthersLastKnewTheMoverIsNoNews) {
  const auto [alice, bob, carol] = moved_unheard_from_tea_to_main();
  return_and_move_before_the_roster(a, alice, "tea");
  EXPECT_EQ(b.take_output(bob), "");
  EXPECT_EQ(b.take_output(carol), "");
  EXPECT_EQ(ask(b, bob, "/who\r\n"),
            "Logged in (3):\r\n  alice in tea\r\n  bob in main\r\n  carol in tea\r\n");
  EXPECT_EQ(ask(a, alice, "hello\r\n"), "alice: hello\r\n");
  EXPECT_EQ(b.take_output(carol), "alice: hello\r\n");
}

// The same, on to a third room: the room the others last knew the mover in hears it go, the
// room it goes to hears it come, the one it left unheard hears nothing.
TEST_F(ModernNodes, AMoveFromARoomTheOthersNeverHeardOfIsToldFromWhereTheyKnewTheMover) {
  const ConnId alice = log_in(a, "alice");
  const ConnId bob = log_in(b, "bob");
  const ConnId carol = log_in(b, "carol");
  const ConnId dave = log_in(b, "dave");
  type(a, alice, "/join garden\r\n");
  type(b, carol, "/join garden\r\n");
  type(b, dave, "/join tea\r\n");
  store.cut(a);
  type(a, alice, "/join main\r\n");
  for (ConnId user : {bob, carol, dave})
    b.take_output(user);
  return_and_move_before_the_roster(a, alice, "tea");
  EXPECT_EQ(b.take_output(bob), "");
  EXPECT_EQ(b.take_output(carol), "alice has gone to tea.\r\n");
  EXPECT_EQ(b.take_output(dave), "alice has come in from main.\r\n");
  EXPECT_EQ(ask(b, dave, "/look\r\n"), "In tea (2): dave, alice\r\n");
}

// A mover gone before their move came back, their name taken meanwhile by another user of
// the node: the move is told to the room they left, the name's new holder included (found by
// `teaparty-sim cluster --dialect modern --seed 12362 --nodes 3 --clients 8 --steps 4000`).
TEST_F(ModernNodes, AMoverIsNotMistakenForTheNextHolderOfTheirName) {
  const ConnId bob = log_in(a, "bob");
  const ConnId dave = log_in(a, "dave");
  const ConnId carol = log_in(b, "carol");
  a.type(bob, "/join tea\r\n/quit\r\n");
  a.type(dave, "/nick bob\r\n");
  a.take_output(dave);
  b.take_output(carol);
  store.carry_answers_first(a);
  EXPECT_EQ(a.take_output(dave), "You are now known as bob.\r\nbob has gone to tea.\r\n");
  EXPECT_EQ(b.take_output(carol), "bob has gone to tea.\r\ndave is now known as bob.\r\n");
}

// Moved and renamed while cut off: on return the rename is told where the others knew the
// renamer, then the roster moves them (found by `teaparty-sim cluster --dialect modern --seed
// 10642 --nodes 3 --clients 8 --steps 4000`).
TEST_F(ModernNodes, ARenameIsToldWhereTheOthersLastKnewTheRenamer) {
  const auto [alice, bob, carol] = moved_unheard_from_tea_to_main();
  type(a, alice, "/nick ally\r\n");
  store.link(a);
  EXPECT_EQ(b.take_output(bob), "ally has come in from tea.\r\n");
  EXPECT_EQ(b.take_output(carol), "alice is now known as ally.\r\nally has gone to main.\r\n");
}

TEST_F(ModernNodes, MessagesShapedForTheClassicDialectAreDropped) {
  const ConnId alice = log_in(a, "alice");
  store.publish_raw("teaparty:room:main",
                    encode({ClusterKind::Line, {"z", 1, 1}, {"classic line\r\n"}}));
  store.publish_raw("teaparty:nodes", encode({ClusterKind::Roster, {"z", 1, 1}, {"zed"}}));
  EXPECT_EQ(a.take_output(alice), "");
  EXPECT_EQ(ask(a, alice, "/who\r\n"), "Logged in (1):\r\n  alice in main\r\n");
}

}  // namespace
}  // namespace teaparty::core::testing
