// The classic dialect through core::Server, as clients see it: every reply of the book byte
// for byte (see /work/shared/reference/README.md), plus teaparty's changes — every line end
// works, long lines get a clear error, logout flushes first, Ctrl-D leaves, telnet is refused
// politely.

#include "core/classic_dialect.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "bytes.h"
#include "core/server.h"
#include "fake_shell.h"

namespace teaparty::core {
namespace {

using namespace std::string_literals;
using testing::escaped;
using testing::FakeShell;
using testing::iac;

const std::string kProdding = "Please log in\nUse \"login <nick>\"\r\n";

class Classic : public ::testing::Test {
 protected:
  FakeShell shell_;
};

// --- before login ---

TEST_F(Classic, WelcomeNamesTheServer) {
  const ConnId conn = shell_.connect();
  EXPECT_EQ(shell_.take_output(conn), "Welcome to TestChat\r\n");

  Config config;
  config.server_name = "The Mad Hatter's";
  FakeShell named(config);
  const ConnId other = named.connect();
  EXPECT_EQ(named.take_output(other), "Welcome to The Mad Hatter's\r\n");
}

TEST_F(Classic, AnythingButLoginOrLogoutIsProdded) {
  const ConnId conn = shell_.connect();
  shell_.take_output(conn);
  for (std::string line : {"hello", "say hi", "look", "who", "LOGIN bob", "Login bob", "login\tbob",
                           "logins bob", " login bob", "\x1c"}) {
    shell_.type(conn, line + "\r\n");
    EXPECT_EQ(shell_.take_output(conn), kProdding) << escaped(line);
  }
  EXPECT_FALSE(shell_.closed(conn));
}

TEST_F(Classic, LoginWithNoNameAsksForOne) {
  const ConnId conn = shell_.connect();
  shell_.take_output(conn);
  for (std::string line : {"login", "login ", "login    ", "login \t\v\f "}) {
    shell_.type(conn, line + "\r\n");
    EXPECT_EQ(shell_.take_output(conn), "Please enter a name\r\n") << escaped(line);
  }
  shell_.type(conn, "say hi\r\n");
  EXPECT_EQ(shell_.take_output(conn), kProdding) << "still not logged in";
}

TEST_F(Classic, SuccessfulLoginSaysNothingToTheNewcomer) {
  const ConnId conn = shell_.connect();
  shell_.take_output(conn);
  shell_.type(conn, "login alice\r\n");
  EXPECT_EQ(shell_.take_output(conn), "");
  shell_.type(conn, "look\r\n");
  EXPECT_EQ(shell_.take_output(conn), "The following are in this room:\r\nalice\r\n");
}

TEST_F(Classic, NameIsStrippedAndOtherwiseVerbatim) {
  const ConnId conn = shell_.connect();
  shell_.type(conn, "login \t Mad \"Hatter\": x\xc3\xa9  \t\r\n");
  shell_.take_output(conn);
  shell_.type(conn, "say hi\r\n");
  EXPECT_EQ(shell_.take_output(conn), "Mad \"Hatter\": x\xc3\xa9: hi\r\n");
}

TEST_F(Classic, TakenNameIsRefusedInTwoLines) {
  shell_.log_in("alice");
  const ConnId conn = shell_.connect();
  shell_.take_output(conn);
  shell_.type(conn, "login alice\r\n");
  EXPECT_EQ(shell_.take_output(conn), "The name \"alice\" is taken.\r\nPlease try again.\r\n");
  shell_.type(conn, "look\r\n");
  EXPECT_EQ(shell_.take_output(conn), kProdding) << "a refused login stays outside";
  shell_.type(conn, "login bob\r\n");
  shell_.type(conn, "look\r\n");
  EXPECT_EQ(shell_.take_output(conn), "The following are in this room:\r\nalice\r\nbob\r\n");
}

TEST_F(Classic, TakenNameIsQuotedVerbatimAfterStripping) {
  shell_.log_in("a \"b\"");
  const ConnId conn = shell_.connect();
  shell_.take_output(conn);
  shell_.type(conn, "login   a \"b\"  \r\n");
  EXPECT_EQ(shell_.take_output(conn), "The name \"a \"b\"\" is taken.\r\nPlease try again.\r\n");
}

TEST_F(Classic, NamesAreCaseSensitive) {
  const ConnId lower = shell_.log_in("alice");
  const ConnId upper = shell_.connect();
  shell_.take_output(upper);
  shell_.type(upper, "login Alice\r\n");
  EXPECT_EQ(shell_.take_output(upper), "");
  EXPECT_EQ(shell_.take_output(lower), "Alice has entered the room.\r\n");
}

TEST_F(Classic, LogoutBeforeLoginClosesSilently) {
  const ConnId watcher = shell_.log_in("alice");
  const ConnId conn = shell_.connect();
  shell_.take_output(conn);
  shell_.type(conn, "logout\r\n");
  EXPECT_EQ(shell_.take_output(conn), "");
  EXPECT_EQ(shell_.close_reason(conn), CloseReason::Logout);
  EXPECT_EQ(shell_.take_output(watcher), "");
}

TEST_F(Classic, BlankAndWhitespaceLinesAreIgnoredBeforeLogin) {
  const ConnId conn = shell_.connect();
  shell_.take_output(conn);
  shell_.type(conn, "\r\n \r\n\t\r\n \t\v\f \r\n\n\r");
  EXPECT_EQ(shell_.take_output(conn), "");
  EXPECT_FALSE(shell_.closed(conn));
}

// --- entering and leaving ---

TEST_F(Classic, EntryIsAnnouncedToTheRoomOnly) {
  const ConnId alice = shell_.log_in("alice");
  const ConnId outside = shell_.connect();
  shell_.take_output(outside);
  const ConnId bob = shell_.connect();
  shell_.take_output(bob);
  shell_.type(bob, "login bob\r\n");
  EXPECT_EQ(shell_.take_output(alice), "bob has entered the room.\r\n");
  EXPECT_EQ(shell_.take_output(bob), "") << "the newcomer is not told of itself";
  EXPECT_EQ(shell_.take_output(outside), "") << "login-state connections get no broadcasts";
}

TEST_F(Classic, LeavingIsAnnouncedToTheRoomOnly) {
  const ConnId alice = shell_.log_in("alice");
  const ConnId bob = shell_.log_in("bob");
  const ConnId carol = shell_.log_in("carol");
  const ConnId outside = shell_.connect();
  shell_.take_output(alice);
  shell_.take_output(bob);
  shell_.take_output(outside);
  shell_.type(bob, "logout\r\n");
  EXPECT_EQ(shell_.take_output(alice), "bob has left the room.\r\n");
  EXPECT_EQ(shell_.take_output(carol), "bob has left the room.\r\n");
  EXPECT_EQ(shell_.take_output(bob), "") << "the leaver is not told";
  EXPECT_EQ(shell_.take_output(outside), "");
  EXPECT_EQ(shell_.close_reason(bob), CloseReason::Logout);
}

TEST_F(Classic, LogoutIgnoresItsArguments) {
  const ConnId alice = shell_.log_in("alice");
  const ConnId bob = shell_.log_in("bob");
  shell_.take_output(alice);
  shell_.type(bob, "logout now, please\r\n");
  EXPECT_EQ(shell_.close_reason(bob), CloseReason::Logout);
  EXPECT_EQ(shell_.take_output(alice), "bob has left the room.\r\n");
}

TEST_F(Classic, ANameIsFreeAsSoonAsItsOwnerLeaves) {
  const ConnId alice = shell_.log_in("alice");
  const ConnId bob = shell_.log_in("bob");
  shell_.type(bob, "logout\r\n");
  shell_.take_output(alice);
  const ConnId again = shell_.connect();
  shell_.take_output(again);
  shell_.type(again, "login bob\r\n");
  EXPECT_EQ(shell_.take_output(again), "");
  EXPECT_EQ(shell_.take_output(alice), "bob has entered the room.\r\n");
}

TEST_F(Classic, LogoutFlushesTheLeaversQueuedOutputBeforeClosing) {
  const ConnId alice = shell_.log_in("alice");
  const ConnId bob = shell_.log_in("bob");
  shell_.take_output(alice);
  shell_.stall(bob);
  shell_.type(alice, "say one\r\n");
  shell_.type(bob, "look\r\nsay two\r\nlogout\r\n");
  EXPECT_FALSE(shell_.closed(bob)) << "closed with output still queued";
  EXPECT_EQ(shell_.take_output(alice), "alice: one\r\nbob: two\r\nbob has left the room.\r\n");
  shell_.resume(bob);
  EXPECT_EQ(shell_.take_output(bob),
            "alice: one\r\nThe following are in this room:\r\nalice\r\nbob\r\nbob: two\r\n");
  EXPECT_EQ(shell_.close_reason(bob), CloseReason::Logout);
}

TEST_F(Classic, ClientClosingIsLikeLogout) {
  const ConnId alice = shell_.log_in("alice");
  const ConnId bob = shell_.log_in("bob");
  shell_.take_output(alice);
  shell_.hang_up(bob, PeerGone::EndOfStream);
  EXPECT_EQ(shell_.take_output(alice), "bob has left the room.\r\n");
  EXPECT_EQ(shell_.close_reason(bob), CloseReason::PeerClosed);
  shell_.type(alice, "who\r\n");
  EXPECT_EQ(shell_.take_output(alice), "The following are logged in:\r\nalice\r\n");
}

TEST_F(Classic, BrokenConnectionIsLikeLogout) {
  const ConnId alice = shell_.log_in("alice");
  const ConnId bob = shell_.log_in("bob");
  shell_.take_output(alice);
  shell_.hang_up(bob, PeerGone::Broken);
  EXPECT_EQ(shell_.take_output(alice), "bob has left the room.\r\n");
  EXPECT_EQ(shell_.close_reason(bob), CloseReason::PeerReset);
  const ConnId again = shell_.connect();
  shell_.type(again, "login bob\r\n");
  EXPECT_EQ(shell_.take_output(alice), "bob has entered the room.\r\n");
}

TEST_F(Classic, TwoLogoutsInOneReadCloseOnceAndAnnounceOnce) {
  // The book's server crashed on this.
  const ConnId alice = shell_.log_in("alice");
  const ConnId bob = shell_.log_in("bob");
  shell_.take_output(alice);
  shell_.type(bob, "logout\r\nlogout\r\n");
  EXPECT_EQ(shell_.take_output(alice), "bob has left the room.\r\n");
  EXPECT_EQ(shell_.close_reason(bob), CloseReason::Logout);
  int closes = 0;
  for (const Action& action : shell_.actions())
    closes += std::holds_alternative<CloseConnection>(action) ? 1 : 0;
  EXPECT_EQ(closes, 1);
}

TEST_F(Classic, InputAfterLogoutIsIgnored) {
  const ConnId alice = shell_.log_in("alice");
  const ConnId bob = shell_.log_in("bob");
  shell_.take_output(alice);
  shell_.stall(bob);  // keep bob's session around, closing, while more input arrives
  shell_.type(bob, "say before\r\nlogout\r\nsay after\r\nlogin bob\r\n");
  shell_.type(bob, "say later still\r\n");
  shell_.hang_up(bob, PeerGone::EndOfStream);
  EXPECT_EQ(shell_.take_output(alice), "bob: before\r\nbob has left the room.\r\n");
  shell_.resume(bob);
  EXPECT_EQ(shell_.take_output(bob), "bob: before\r\n");
  EXPECT_EQ(shell_.close_reason(bob), CloseReason::Logout);
  shell_.type(bob, "say from beyond\r\n");  // after the close: must reach nobody
  EXPECT_EQ(shell_.take_output(alice), "");
}

TEST_F(Classic, CtrlDOnAnEmptyLineLogsOutAtOnce) {
  const ConnId alice = shell_.log_in("alice");
  const ConnId bob = shell_.log_in("bob");
  shell_.take_output(alice);
  shell_.type(bob, "\x04");
  EXPECT_EQ(shell_.take_output(alice), "bob has left the room.\r\n");
  EXPECT_EQ(shell_.close_reason(bob), CloseReason::Logout);
}

TEST_F(Classic, CtrlDBeforeLoginCloses) {
  const ConnId conn = shell_.connect();
  shell_.take_output(conn);
  shell_.type(conn, "\x04");
  EXPECT_EQ(shell_.close_reason(conn), CloseReason::Logout);
  EXPECT_EQ(shell_.take_output(conn), "");
}

TEST_F(Classic, CtrlDInsideALineIsDropped) {
  const ConnId alice = shell_.log_in("alice");
  shell_.type(alice, "say h\x04i\r\n");
  EXPECT_EQ(shell_.take_output(alice), "alice: hi\r\n");
  EXPECT_FALSE(shell_.closed(alice));
}

// --- chatting ---

TEST_F(Classic, SayGoesToEveryoneInTheRoomIncludingTheSpeaker) {
  const ConnId alice = shell_.log_in("alice");
  const ConnId bob = shell_.log_in("bob");
  const ConnId outside = shell_.connect();
  shell_.take_output(alice);
  shell_.take_output(outside);
  shell_.type(alice, "say   hello  there \t\r\n");
  EXPECT_EQ(shell_.take_output(alice), "alice: hello  there\r\n");
  EXPECT_EQ(shell_.take_output(bob), "alice: hello  there\r\n");
  EXPECT_EQ(shell_.take_output(outside), "");
}

TEST_F(Classic, SayWithNothingToSaySaysNothingAloud) {
  const ConnId alice = shell_.log_in("alice");
  for (std::string line : {"say", "say ", "say    ", "say \t\v\f"}) {
    shell_.type(alice, line + "\r\n");
    EXPECT_EQ(shell_.take_output(alice), "alice: \r\n") << escaped(line);
  }
}

TEST_F(Classic, SayPassesUtf8Through) {
  const ConnId alice = shell_.log_in("alice");
  shell_.type(alice, "say caf\xc3\xa9 \xe2\x98\x95\r\n");
  EXPECT_EQ(shell_.take_output(alice), "alice: caf\xc3\xa9 \xe2\x98\x95\r\n");
}

TEST_F(Classic, BroadcastIsRenderedOnceAndShared) {
  const ConnId alice = shell_.log_in("alice");
  const ConnId bob = shell_.log_in("bob");
  const ConnId carol = shell_.log_in("carol");
  for (ConnId c : {alice, bob, carol})
    shell_.stall(c);
  shell_.type(alice, "say shared\r\n");
  std::vector<const std::byte*> addresses;
  for (ConnId c : {alice, bob, carol}) {
    std::array<ByteView, 8> views;
    const std::size_t count = shell_.server().gather_output(c, views);
    ASSERT_GE(count, 1u);
    ASSERT_EQ(as_text(views[count - 1]), "alice: shared\r\n");
    addresses.push_back(views[count - 1].data());
  }
  EXPECT_EQ(addresses[0], addresses[1]);
  EXPECT_EQ(addresses[1], addresses[2]);
}

TEST_F(Classic, LookListsTheRoomInOrderOfEntryToTheAskerOnly) {
  const ConnId alice = shell_.log_in("alice");
  const ConnId bob = shell_.log_in("bob");
  const ConnId carol = shell_.log_in("carol");
  shell_.take_output(alice);
  shell_.take_output(bob);
  shell_.type(bob, "look\r\n");
  EXPECT_EQ(shell_.take_output(bob),
            "The following are in this room:\r\nalice\r\nbob\r\ncarol\r\n");
  EXPECT_EQ(shell_.take_output(alice), "");
  EXPECT_EQ(shell_.take_output(carol), "");
  shell_.type(bob, "look at   everyone\r\n");
  EXPECT_EQ(shell_.take_output(bob),
            "The following are in this room:\r\nalice\r\nbob\r\ncarol\r\n");
}

TEST_F(Classic, WhoListsLoginOrderAndALoginAgainMovesToTheEnd) {
  const ConnId alice = shell_.log_in("alice");
  const ConnId bob = shell_.log_in("bob");
  shell_.log_in("carol");
  shell_.take_output(alice);
  shell_.type(alice, "who\r\n");
  EXPECT_EQ(shell_.take_output(alice), "The following are logged in:\r\nalice\r\nbob\r\ncarol\r\n");
  shell_.type(bob, "logout\r\n");
  shell_.log_in("bob");
  shell_.take_output(alice);
  shell_.type(alice, "who me\r\n");
  EXPECT_EQ(shell_.take_output(alice), "The following are logged in:\r\nalice\r\ncarol\r\nbob\r\n");
  shell_.type(alice, "look\r\n");
  EXPECT_EQ(shell_.take_output(alice),
            "The following are in this room:\r\nalice\r\ncarol\r\nbob\r\n");
}

TEST_F(Classic, UnknownCommandsAreNamedRaw) {
  const ConnId alice = shell_.log_in("alice");
  struct Case {
    std::string line;
    std::string reply;
  };
  const std::vector<Case> cases = {
      {"dance", "Unknown command: dance\r\n"},
      {"dance with me", "Unknown command: dance\r\n"},
      {"login bob", "Unknown command: login\r\n"},
      {"login", "Unknown command: login\r\n"},
      {" look", "Unknown command: \r\n"},           // a leading space: the word is empty
      {"say\thi", "Unknown command: say\thi\r\n"},  // a TAB does not separate
      {"look\t", "Unknown command: look\t\r\n"},
      {"LOGOUT", "Unknown command: LOGOUT\r\n"},
      {"logouts", "Unknown command: logouts\r\n"},
      {"Say hi", "Unknown command: Say\r\n"},
      {"WHO", "Unknown command: WHO\r\n"},
      {"caf\xc3\xa9 au lait", "Unknown command: caf\xc3\xa9\r\n"},
      // Not whitespace to the book, so a command word; shown escaped, as every control
      // character a client sends is before it reaches a terminal (core/terminal_safety.h).
      {"\x1c", "Unknown command: ^\\\r\n"},
  };
  for (const Case& c : cases) {
    shell_.type(alice, c.line + "\r\n");
    EXPECT_EQ(shell_.take_output(alice), c.reply) << escaped(c.line);
  }
  EXPECT_FALSE(shell_.closed(alice));
}

TEST_F(Classic, TrailingSpaceAfterACommandIsFine) {
  const ConnId alice = shell_.log_in("alice");
  shell_.type(alice, "look \r\n");
  EXPECT_EQ(shell_.take_output(alice), "The following are in this room:\r\nalice\r\n");
}

TEST_F(Classic, BlankAndWhitespaceLinesAreIgnoredInTheRoom) {
  const ConnId alice = shell_.log_in("alice");
  const ConnId bob = shell_.log_in("bob");
  shell_.take_output(alice);
  shell_.type(alice, "\r\n \r\n\t\r\n \t\v\f \r\n\n\r");
  EXPECT_EQ(shell_.take_output(alice), "");
  EXPECT_EQ(shell_.take_output(bob), "");
}

// --- teaparty's framing, through the dialect ---

TEST_F(Classic, EveryLineEndWorks) {
  const ConnId alice = shell_.log_in("alice");
  shell_.type(alice, "say crlf\r\nsay lf\nsay crnul\r"s + '\0' + "say cr\rsay end\r\n");
  EXPECT_EQ(shell_.take_output(alice),
            "alice: crlf\r\nalice: lf\r\nalice: crnul\r\nalice: cr\r\nalice: end\r\n");
}

TEST_F(Classic, ASessionTypedByteByByteGetsTheSameReplies) {
  const std::string session = "login alice\r\nsay hi\r\nlook\nwho\r\nfoo\r\n";
  FakeShell whole_shell, trickle_shell;
  const ConnId whole = whole_shell.connect();
  const ConnId trickle = trickle_shell.connect();
  whole_shell.type(whole, session);
  trickle_shell.type_in_pieces(trickle, session, 1);
  EXPECT_EQ(trickle_shell.take_output(trickle), whole_shell.take_output(whole));
}

TEST_F(Classic, WritesCutShortAnywhereDeliverTheSameBytes) {
  // A socket that takes three bytes at a time: every reply and broadcast is split across
  // writes, and chunk boundaries fall inside writes.
  const std::string alice_types = "login alice\r\nsay hi\r\nlook\r\nwho\r\n";
  const std::string bob_types = "login bob\r\nsay hello there\r\nfoo\r\nlogout\r\n";
  std::string received[2][2];
  for (int limited = 0; limited < 2; ++limited) {
    FakeShell shell;
    if (limited) shell.limit_writes_to(3);
    const ConnId alice = shell.connect();
    const ConnId bob = shell.connect();
    shell.type(alice, alice_types);
    shell.type(bob, bob_types);
    shell.type(alice, "say bye\r\n");
    received[limited][0] = shell.take_output(alice);
    received[limited][1] = shell.take_output(bob);
    EXPECT_EQ(shell.close_reason(bob), CloseReason::Logout);
  }
  EXPECT_EQ(received[1][0], received[0][0]);
  EXPECT_EQ(received[1][1], received[0][1]);
  EXPECT_EQ(received[0][1], "Welcome to TestChat\r\nbob: hello there\r\nUnknown command: foo\r\n");
}

TEST_F(Classic, ShutdownReachesEveryClientAndClosesThemAll) {
  const ConnId alice = shell_.log_in("alice");
  const ConnId bob = shell_.log_in("bob");
  const ConnId outside = shell_.connect();
  shell_.take_output(alice);
  shell_.take_output(outside);
  shell_.stall(bob);
  shell_.begin_shutdown();
  EXPECT_TRUE(shell_.stopped_accepting());
  EXPECT_EQ(shell_.take_output(alice), "\r\nShutting down...\r\n");
  EXPECT_EQ(shell_.take_output(outside), "\r\nShutting down...\r\n");
  EXPECT_EQ(shell_.close_reason(alice), CloseReason::Shutdown);
  EXPECT_EQ(shell_.close_reason(outside), CloseReason::Shutdown);
  EXPECT_FALSE(shell_.closed(bob)) << "a reader that stalled still has its grace";
  shell_.advance(Config{}.shutdown_grace);
  EXPECT_EQ(shell_.close_reason(bob), CloseReason::Shutdown);
  EXPECT_EQ(shell_.take_output(bob), "") << "it never read";
  EXPECT_TRUE(shell_.server().finished());
}

TEST_F(Classic, ALineTooLongGetsAnErrorAndTheConnectionKeepsWorking) {
  Config config;
  config.max_line = 16;
  FakeShell shell(config);
  const ConnId alice = shell.log_in("alice");
  const ConnId bob = shell.log_in("bob");
  shell.take_output(alice);
  shell.type(alice, "say " + std::string(100, 'x') + "\r\nsay ok\r\n");
  EXPECT_EQ(shell.take_output(alice),
            "Line too long (limit 16 bytes); it was dropped.\r\nalice: ok\r\n");
  EXPECT_EQ(shell.take_output(bob), "alice: ok\r\n") << "nothing of the long line reaches others";
}

TEST_F(Classic, TheDefaultLimitIsNamedInTheError) {
  const ConnId alice = shell_.log_in("alice");
  shell_.type_in_pieces(alice, "say " + std::string(10'000, 'x') + "\r\nlook\r\n", 1000);
  EXPECT_EQ(shell_.take_output(alice),
            "Line too long (limit 4096 bytes); it was dropped.\r\n"
            "The following are in this room:\r\nalice\r\n");
}

TEST_F(Classic, ALineTooLongBeforeLoginGetsTheSameError) {
  const ConnId conn = shell_.connect();
  shell_.take_output(conn);
  shell_.type(conn, std::string(5000, 'x') + "\nlogin alice\n");
  EXPECT_EQ(shell_.take_output(conn), "Line too long (limit 4096 bytes); it was dropped.\r\n");
  shell_.type(conn, "look\n");
  EXPECT_EQ(shell_.take_output(conn), "The following are in this room:\r\nalice\r\n");
}

// --- telnet ---

TEST_F(Classic, TelnetRequestsAreRefused) {
  using namespace telnet;
  const ConnId conn = shell_.connect();
  shell_.take_output(conn);
  shell_.type(conn, iac(kDO, kOptEcho));
  EXPECT_EQ(shell_.take_output(conn), iac(kWONT, kOptEcho));
  shell_.type(conn, iac(kWILL, kOptNAWS));
  EXPECT_EQ(shell_.take_output(conn), iac(kDONT, kOptNAWS));
  shell_.type(conn, iac(kDONT, kOptEcho) + iac(kWONT, kOptNAWS));
  EXPECT_EQ(shell_.take_output(conn), "") << "answers are not answered";
}

TEST_F(Classic, CtrlCFromTelnetGetsTheTimingMarkAndDropsTheLine) {
  using namespace telnet;
  const ConnId alice = shell_.log_in("alice");
  shell_.type(alice, "say xyz" + iac(kIP) + iac(kDO, kOptTimingMark));
  EXPECT_EQ(shell_.take_output(alice), iac(kWILL, kOptTimingMark));
  shell_.type(alice, "say after\r\n");
  EXPECT_EQ(shell_.take_output(alice), "alice: after\r\n");
}

TEST_F(Classic, TelnetCommandsInsideALineDoNotReachTheText) {
  using namespace telnet;
  const ConnId alice = shell_.log_in("alice");
  shell_.type(alice, "say h" + iac(kNOP) + "e" + iac(kSB, kOptNAWS) + "\0P\0\x18"s + iac(kSE) +
                         "llo" + iac(kAYT) + "\r\n");
  EXPECT_EQ(shell_.take_output(alice), "alice: hello\r\n");
}

TEST_F(Classic, AByte255TypedByAUserNeverGoesOutAsAnIac) {
  // IAC IAC is the data byte 255; relayed raw it would be a telnet command to every reader.
  using namespace telnet;
  const ConnId alice = shell_.log_in("alice");
  const ConnId bob = shell_.log_in("bob");
  shell_.type(alice, "say a" + iac(kIAC) + "b\r\nx" + iac(kIAC) + "\r\n");
  const std::string to_bob = shell_.take_output(bob);
  const std::string to_alice = shell_.take_output(alice);
  EXPECT_EQ(to_bob.find('\xff'), std::string::npos) << escaped(to_bob);
  EXPECT_EQ(to_alice.find('\xff'), std::string::npos) << escaped(to_alice);
  EXPECT_EQ(to_bob.substr(0, 8), "alice: a") << "the line still reaches the room";
}

TEST_F(Classic, WithTelnetOffNothingIsAnswered) {
  using namespace telnet;
  Config config;
  config.telnet = false;
  FakeShell shell(config);
  const ConnId conn = shell.connect();
  shell.take_output(conn);
  shell.type(conn, iac(kDO, kOptEcho) + iac(kWILL, kOptNAWS) + iac(kDO, kOptTimingMark) +
                       "login alice\r\nsay hi\r\n");
  EXPECT_EQ(shell.take_output(conn), "alice: hi\r\n");
}

TEST_F(Classic, TheServerSendsNoTelnetCommandOfItsOwn) {
  // A whole session with every command and every refusal: the only IAC bytes that go out are
  // the refusals asked for (tf5 starts negotiating the moment it sees any IAC).
  using namespace telnet;
  const ConnId alice = shell_.log_in("alice");
  const ConnId bob = shell_.connect();
  shell_.type(bob, "hello\r\nlogin\r\nlogin alice\r\nlogin bob\r\n");
  shell_.type(alice, "say hi\r\nlook\r\nwho\r\nfoo\r\n" + iac(kDO, kOptSGA) + "\r\n");
  shell_.type(bob, iac(kWILL, kOptTTYPE) + "logout\r\n");
  const std::string to_alice = shell_.take_output(alice);
  const std::string to_bob = shell_.take_output(bob);
  EXPECT_EQ(to_alice,
            "bob has entered the room.\r\nalice: hi\r\nThe following are in this room:\r\n"
            "alice\r\nbob\r\nThe following are logged in:\r\nalice\r\nbob\r\n"
            "Unknown command: foo\r\n" +
                iac(kWONT, kOptSGA) + "bob has left the room.\r\n");
  EXPECT_EQ(to_bob,
            "Welcome to TestChat\r\n" + kProdding +
                "Please enter a name\r\nThe name \"alice\" is taken.\r\nPlease try again.\r\n"
                "alice: hi\r\n" +
                iac(kDONT, kOptTTYPE));
}

}  // namespace
}  // namespace teaparty::core
