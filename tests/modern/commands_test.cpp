// Every command of the modern dialect and every error reply, with the exact bytes each user
// receives (core/modern_texts.h has the texts; these tests pin them down as users see them).

#include <gtest/gtest.h>

#include <string>

#include "tests/modern/modern_shell.h"

namespace teaparty::core::testing {
namespace {

// --- arriving and choosing a name ---

class Login : public ModernTest {};

TEST_F(Login, TheFirstWriteHasTheOffersTheWelcomeAndThePrompt) {
  const ConnId id = shell_.connect();
  EXPECT_BYTES(take(id), offers() + kWelcome);
}

TEST_F(Login, TheFirstLineThatIsNotACommandIsTheName) {
  const ConnId bob = enter("bob");
  const ConnId alice = arrive();
  EXPECT_BYTES(type(alice, "alice"), hello("alice"));
  EXPECT_BYTES(take(bob), "alice has joined the chat.\r\n");
  EXPECT_EQ(shell_.server().world().logged_in().size(), 2u);
}

TEST_F(Login, LoginAndSlashLoginWorkToo) {
  const ConnId a = arrive();
  EXPECT_BYTES(type(a, "login alice"), hello("alice"));
  const ConnId b = arrive();
  EXPECT_BYTES(type(b, "/login bob"), hello("bob"));
  const ConnId c = arrive();
  EXPECT_BYTES(type(c, "/LOGIN carol"), hello("carol"));
}

TEST_F(Login, ABlankLineAsksAgain) {
  const ConnId id = arrive();
  EXPECT_BYTES(type(id, ""), kPrompt);
  EXPECT_BYTES(type(id, "  \t "), kPrompt);
}

TEST_F(Login, SurroundingBlanksAreNotPartOfTheName) {
  const ConnId id = arrive();
  EXPECT_BYTES(type(id, "  alice\t"), hello("alice"));
}

TEST_F(Login, NamesAreUniqueWithoutRegardToCase) {
  enter("alice");
  const ConnId id = arrive();
  EXPECT_BYTES(type(id, "ALICE"), "The name \"ALICE\" is taken; choose another.\r\n" + kPrompt);
  EXPECT_BYTES(type(id, "login Alice"),
               "The name \"Alice\" is taken; choose another.\r\n" + kPrompt);
  const ConnId greek = enter("Σοφία");
  (void)greek;
  EXPECT_BYTES(type(id, "ΣΟΦΊΑ"), "The name \"ΣΟΦΊΑ\" is taken; choose another.\r\n" + kPrompt);
}

TEST_F(Login, EachRejectionSaysWhy) {
  const ConnId id = arrive();
  EXPECT_BYTES(type(id, "alice smith"),
               "A name can only have letters, digits, _ and -, not a space.\r\n" + kPrompt);
  EXPECT_BYTES(type(id, "bob!"),
               "A name can only have letters, digits, _ and -, not \"!\".\r\n" + kPrompt);
  EXPECT_BYTES(type(id, "bob\u202e"),
               "A name can only have letters, digits, _ and -, not U+202E.\r\n" + kPrompt);
  EXPECT_BYTES(type(id, "ｂob"),
               "A name can only have letters, digits, _ and -, not U+FF42.\r\n" + kPrompt);
  EXPECT_BYTES(type(id, "bob\x1b"),
               "A name can only have letters, digits, _ and -, not \"^\".\r\n" + kPrompt)
      << "control characters are escaped before the name is read, and ^ is not allowed";
  EXPECT_BYTES(type(id, "a234567890123456789012345"),
               "A name can have at most 24 characters, not 25.\r\n" + kPrompt);
  EXPECT_BYTES(type(id, "p\u0430ypal"),
               "A name must keep to one script, not mix Latin with Cyrillic.\r\n" + kPrompt);
  EXPECT_BYTES(
      type(id, "/login \u0301x"),
      "A name cannot have a combining mark (U+0301) without a letter before it.\r\n" + kPrompt);
  EXPECT_BYTES(type(id, "Jose\u0301"),
               "A name cannot put a combining mark (U+0301) on a Latin letter; type the accented "
               "letter itself.\r\n" +
                   kPrompt);
  EXPECT_BYTES(type(id, "/login"), "Usage: /login NAME\r\n" + kPrompt);
  EXPECT_EQ(shell_.server().world().logged_in().size(), 0u);
}

TEST_F(Login, RoomCommandsWaitForAName) {
  const ConnId id = arrive();
  const std::string first = "Choose a name first: type it, or /login NAME.\r\n" + kPrompt;
  for (std::string_view line : {"/say hi", "say hi", "/me waves", "/msg bob hi", "/join tea",
                                "/leave", "/look", "look", "/nick bob"}) {
    EXPECT_BYTES(type(id, line), first) << line;
  }
}

TEST_F(Login, WhoRoomsHelpAndQuitWorkBeforeLoggingIn) {
  enter("alice");
  const ConnId id = arrive();
  EXPECT_BYTES(type(id, "/who"), "Logged in (1):\r\n  alice in main\r\n" + kPrompt);
  EXPECT_BYTES(type(id, "who"), "Logged in (1):\r\n  alice in main\r\n" + kPrompt);
  EXPECT_BYTES(type(id, "/rooms"), "Rooms:\r\n  main (1)\r\n" + kPrompt);
  EXPECT_EQ(type(id, "/help").substr(0, 11), "Commands:\r\n");
  EXPECT_BYTES(type(id, "/frob"), "Unknown command /frob; type /help for the list.\r\n" + kPrompt);
  EXPECT_BYTES(type(id, "/quit"), "Goodbye!\r\n");
  EXPECT_TRUE(shell_.closed(id));
}

TEST_F(Login, LogoutBeforeLoggingInLeavesToo) {
  const ConnId id = arrive();
  EXPECT_BYTES(type(id, "logout"), "Goodbye!\r\n");
  EXPECT_EQ(shell_.close_reason(id), CloseReason::Logout);
}

TEST_F(Login, ALoggedInUserCannotLogInAgain) {
  const ConnId id = enter("alice");
  const std::string reply = "You are already logged in as alice; /nick changes your name.\r\n";
  EXPECT_BYTES(type(id, "/login bob"), reply);
  EXPECT_BYTES(type(id, "login bob"), reply);
}

TEST_F(Login, TheNewcomerSeesTheMainRoomsHistory) {
  const ConnId alice = enter("alice");
  type(alice, "first");
  type(alice, "/me waves");
  const ConnId bob = arrive();
  EXPECT_BYTES(type(bob, "bob"), hello("bob") +
                                     "--- the last lines said in main ---\r\n"
                                     "alice: first\r\n"
                                     "* alice waves\r\n"
                                     "--- end of history ---\r\n");
}

// --- talking ---

class Talking : public ModernTest {};

TEST_F(Talking, AnyOtherLineIsSaidToTheRoomSpeakerIncluded) {
  const ConnId alice = enter("alice");
  const ConnId bob = enter("bob");
  const ConnId newcomer = arrive();
  forget(alice);
  EXPECT_BYTES(type(alice, "hello there "), "alice: hello there\r\n");
  EXPECT_BYTES(take(bob), "alice: hello there\r\n");
  EXPECT_BYTES(take(newcomer), "") << "not logged in: hears nothing";
}

TEST_F(Talking, SayWithOrWithoutTheSlash) {
  const ConnId alice = enter("alice");
  EXPECT_BYTES(type(alice, "say hi"), "alice: hi\r\n");
  EXPECT_BYTES(type(alice, "/say  hi again"), "alice: hi again\r\n");
  EXPECT_BYTES(type(alice, "/SAY loud"), "alice: loud\r\n");
  EXPECT_BYTES(type(alice, "/say"), "Usage: /say TEXT\r\n");
  EXPECT_BYTES(type(alice, "say"), "Usage: /say TEXT\r\n");
}

TEST_F(Talking, BookWordsAreCaseSensitiveAndOnlyWhole) {
  const ConnId alice = enter("alice");
  EXPECT_BYTES(type(alice, "Say hi"), "alice: Say hi\r\n");
  EXPECT_BYTES(type(alice, "whoever"), "alice: whoever\r\n");
  EXPECT_BYTES(type(alice, "lookout!"), "alice: lookout!\r\n");
}

TEST_F(Talking, DoubleSlashSaysALineThatStartsWithASlash) {
  const ConnId alice = enter("alice");
  EXPECT_BYTES(type(alice, "//quit is a command"), "alice: /quit is a command\r\n");
  EXPECT_TRUE(!shell_.closed(alice));
}

TEST_F(Talking, MeActs) {
  const ConnId alice = enter("alice");
  const ConnId bob = enter("bob");
  forget(alice);
  EXPECT_BYTES(type(alice, "/me waves at bob"), "* alice waves at bob\r\n");
  EXPECT_BYTES(take(bob), "* alice waves at bob\r\n");
  EXPECT_BYTES(type(alice, "/me"), "Usage: /me ACTION\r\n");
}

TEST_F(Talking, UnknownCommandsPointToHelp) {
  const ConnId alice = enter("alice");
  EXPECT_BYTES(type(alice, "/frob the knob"),
               "Unknown command /frob; type /help for the list.\r\n");
  EXPECT_BYTES(type(alice, "/"), "Unknown command /; type /help for the list.\r\n");
}

TEST_F(Talking, ControlCharactersAndBadUtf8AreShownNotRelayed) {
  const ConnId alice = enter("alice");
  const ConnId bob = enter("bob");
  forget(alice);
  type(alice, "\x1b[2Jgotcha\x07");
  EXPECT_BYTES(take(bob), "alice: ^[[2Jgotcha^G\r\n");
  type(alice, "caf\xc3 \xc2\x9b");
  EXPECT_BYTES(take(bob), "alice: caf\\xC3 M-^[\r\n");
  type(alice, "caf\xc3\xa9 \xe2\x82\xac");
  EXPECT_BYTES(take(bob), "alice: café €\r\n") << "valid UTF-8 passes unchanged";
  EXPECT_BYTES(type(alice, "/frob\x1b"), "Unknown command /frob^[; type /help for the list.\r\n");
}

TEST_F(Talking, TinyFugueGarbledUtf8ArrivesEscaped) {
  // real-clients.md: tf5 sends "say café €" as ESC-prefixed garbage.
  const ConnId alice = enter("alice");
  EXPECT_BYTES(type(alice,
                    "say caf\x1b\x1b,\x1b"
                    "C\x1b) "),
               "alice: caf^[^[,^[C^[)\r\n");
}

// --- private messages ---

class Whisper : public ModernTest {};

TEST_F(Whisper, OnlyTheRecipientHearsItAndTheSenderSeesItAsSent) {
  const ConnId alice = enter("alice");
  const ConnId bob = enter("bob");
  const ConnId carol = enter("carol");
  forget(alice, bob, carol);
  EXPECT_BYTES(type(alice, "/msg bob meet me in tea"), "You whisper to bob: meet me in tea\r\n");
  EXPECT_BYTES(take(bob), "alice whispers: meet me in tea\r\n");
  EXPECT_BYTES(take(carol), "");
}

TEST_F(Whisper, TellIsTheSameAndNamesMatchWithoutCase) {
  const ConnId alice = enter("alice");
  const ConnId bob = enter("Bob");
  forget(alice, bob);
  EXPECT_BYTES(type(alice, "/tell BOB hi"), "You whisper to Bob: hi\r\n");
  EXPECT_BYTES(take(bob), "alice whispers: hi\r\n");
}

TEST_F(Whisper, ReachesOtherRooms) {
  const ConnId alice = enter("alice");
  const ConnId bob = enter("bob");
  type(bob, "/join tea");
  forget(alice, bob);
  EXPECT_BYTES(type(alice, "/msg bob psst"), "You whisper to bob: psst\r\n");
  EXPECT_BYTES(take(bob), "alice whispers: psst\r\n");
}

TEST_F(Whisper, ErrorsAreClear) {
  const ConnId alice = enter("alice");
  const ConnId pending = arrive();  // connected, no name yet: nobody to whisper to
  (void)pending;
  EXPECT_BYTES(type(alice, "/msg nobody hi"),
               "No one called \"nobody\" is here; /who lists everyone.\r\n");
  EXPECT_BYTES(type(alice, "/msg bob"), "Usage: /msg NAME TEXT\r\n");
  EXPECT_BYTES(type(alice, "/msg"), "Usage: /msg NAME TEXT\r\n");
  EXPECT_BYTES(type(alice, "/msg ALICE hi"), "You cannot whisper to yourself.\r\n");
}

// --- rooms ---

class Rooms : public ModernTest {};

TEST_F(Rooms, JoinMovesAndTellsBothRooms) {
  const ConnId alice = enter("alice");
  const ConnId bob = enter("bob");
  const ConnId carol = enter("carol");
  type(carol, "/join tea");
  forget(alice, bob, carol);
  EXPECT_BYTES(type(alice, "/join tea"), "You are now in tea.\r\n");
  EXPECT_BYTES(take(bob), "alice has gone to tea.\r\n");
  EXPECT_BYTES(take(carol), "alice has come in from main.\r\n");
  EXPECT_BYTES(type(alice, "hi"), "alice: hi\r\n");
  EXPECT_BYTES(take(carol), "alice: hi\r\n");
  EXPECT_BYTES(take(bob), "") << "another room";
}

TEST_F(Rooms, RoomNamesMatchWithoutCaseAndKeepTheirFirstSpelling) {
  const ConnId alice = enter("alice");
  const ConnId bob = enter("bob");
  forget(alice);
  EXPECT_BYTES(type(alice, "/join TeaRoom"), "You are now in TeaRoom.\r\n");
  forget(bob);
  EXPECT_BYTES(type(bob, "/join tearoom"), "You are now in TeaRoom.\r\n");
  EXPECT_BYTES(type(bob, "/JOIN TEAROOM"), "You are already in TeaRoom.\r\n");
  EXPECT_BYTES(type(bob, "/join MAIN"), "You are now in main.\r\n");
}

TEST_F(Rooms, JoinErrors) {
  const ConnId alice = enter("alice");
  EXPECT_BYTES(type(alice, "/join"), "Usage: /join ROOM\r\n");
  EXPECT_BYTES(type(alice, "/join #tea"),
               "A room name can only have letters, digits, _ and -, not \"#\".\r\n");
  EXPECT_BYTES(type(alice, "/join tea room"),
               "A room name can only have letters, digits, _ and -, not a space.\r\n");
  EXPECT_BYTES(type(alice, "/join main"), "You are already in main.\r\n");
  EXPECT_BYTES(type(alice, "/leave"), "You are already in main.\r\n");
}

TEST_F(Rooms, LeaveGoesBackToTheMainRoom) {
  const ConnId alice = enter("alice");
  const ConnId bob = enter("bob");
  type(alice, "/join tea");
  forget(alice, bob);
  EXPECT_BYTES(type(alice, "/leave"), "You are now in main.\r\n");
  EXPECT_BYTES(take(bob), "alice has come in from tea.\r\n");
}

TEST_F(Rooms, RoomsLookAndWho) {
  const ConnId alice = enter("alice");
  const ConnId bob = enter("bob");
  const ConnId carol = enter("carol");
  type(bob, "/join zoo");
  type(carol, "/join Tea");
  type(alice, "/join tea");
  EXPECT_BYTES(type(alice, "/rooms"), "Rooms:\r\n  main (0)\r\n  Tea (2)\r\n  zoo (1)\r\n");
  EXPECT_BYTES(type(alice, "/look"), "In Tea (2): carol, alice\r\n");
  EXPECT_BYTES(type(alice, "look"), "In Tea (2): carol, alice\r\n");
  EXPECT_BYTES(type(alice, "/who"),
               "Logged in (3):\r\n  alice in Tea\r\n  bob in zoo\r\n  carol in Tea\r\n");
}

TEST_F(Rooms, AnEmptyRoomOtherThanMainDisappearsWithItsHistory) {
  const ConnId alice = enter("alice");
  type(alice, "/join tea");
  type(alice, "said in tea");
  type(alice, "/leave");
  EXPECT_BYTES(type(alice, "/rooms"), "Rooms:\r\n  main (1)\r\n");
  EXPECT_BYTES(type(alice, "/join tea"), "You are now in tea.\r\n") << "a new room, no history";
  type(alice, "/leave");
  EXPECT_EQ(shell_.server().world().room_count(), 1u);
}

TEST_F(Rooms, EnteringShowsTheRoomsHistoryMarked) {
  const ConnId alice = enter("alice");
  const ConnId bob = enter("bob");
  type(alice, "/join tea");
  type(alice, "one");
  type(alice, "/me pours");
  type(alice, "/msg bob not history");
  forget(bob);
  EXPECT_BYTES(type(bob, "/join tea"),
               "You are now in tea.\r\n"
               "--- the last lines said in tea ---\r\n"
               "alice: one\r\n"
               "* alice pours\r\n"
               "--- end of history ---\r\n");
}

class SmallHistory : public ModernTest {
 protected:
  static Config config() {
    Config c = modern_config();
    c.history_lines = 2;
    return c;
  }
  SmallHistory() : ModernTest(config()) {}
};

TEST_F(SmallHistory, OnlyTheLastNLinesAreKept) {
  const ConnId alice = enter("alice");
  for (std::string_view line : {"one", "two", "three"})
    type(alice, line);
  const ConnId bob = arrive();
  EXPECT_BYTES(type(bob, "bob"), hello("bob") +
                                     "--- the last lines said in main ---\r\n"
                                     "alice: two\r\n"
                                     "alice: three\r\n"
                                     "--- end of history ---\r\n");
}

class NoHistory : public ModernTest {
 protected:
  static Config config() {
    Config c = modern_config();
    c.history_lines = 0;
    return c;
  }
  NoHistory() : ModernTest(config()) {}
};

TEST_F(NoHistory, ZeroTurnsHistoryOff) {
  const ConnId alice = enter("alice");
  type(alice, "one");
  const ConnId bob = arrive();
  EXPECT_BYTES(type(bob, "bob"), hello("bob"));
  EXPECT_BYTES(type(bob, "/join tea"), "You are now in tea.\r\n");
}

// --- names ---

class Nick : public ModernTest {};

TEST_F(Nick, RenamesAndTellsTheRoom) {
  const ConnId alice = enter("alice");
  const ConnId bob = enter("bob");
  forget(alice);
  EXPECT_BYTES(type(alice, "/nick Alicia"), "You are now known as Alicia.\r\n");
  EXPECT_BYTES(take(bob), "alice is now known as Alicia.\r\n");
  EXPECT_BYTES(type(alice, "hi"), "Alicia: hi\r\n");
  const ConnId other = arrive();
  EXPECT_EQ(type(other, "alice").substr(0, hello("alice").size()), hello("alice"))
      << "the old name is free";
}

TEST_F(Nick, ANewCaseOfOnesOwnNameIsAllowed) {
  const ConnId alice = enter("alice");
  EXPECT_BYTES(type(alice, "/nick ALICE"), "You are now known as ALICE.\r\n");
  EXPECT_BYTES(type(alice, "/nick ALICE"), "You are already called ALICE.\r\n");
}

TEST_F(Nick, Errors) {
  const ConnId alice = enter("alice");
  enter("Bob");
  forget(alice);
  EXPECT_BYTES(type(alice, "/nick"), "Usage: /nick NAME\r\n");
  EXPECT_BYTES(type(alice, "/nick bob"), "The name \"bob\" is taken; choose another.\r\n");
  EXPECT_BYTES(type(alice, "/nick a:b"),
               "A name can only have letters, digits, _ and -, not \":\".\r\n");
  EXPECT_BYTES(type(alice, "/nick x2345678901234567890123456789"),
               "A name can have at most 24 characters, not 29.\r\n");
}

// --- help ---

class Help : public ModernTest {};

TEST_F(Help, ListsEveryCommandWithOneLine) {
  const ConnId alice = enter("alice");
  EXPECT_BYTES(type(alice, "/help"),
               "Commands:\r\n"
               "  /say TEXT        say TEXT to the room\r\n"
               "  /me ACTION       act: /me waves shows * NAME waves\r\n"
               "  /msg NAME TEXT   say TEXT to NAME alone (also /tell)\r\n"
               "  /join ROOM       go to ROOM, making it if need be\r\n"
               "  /leave           go back to the main room\r\n"
               "  /rooms           list the rooms and how many are in each\r\n"
               "  /look            list who is in your room\r\n"
               "  /who             list everyone and their room\r\n"
               "  /nick NAME       change your name\r\n"
               "  /login NAME      choose your name (on arrival)\r\n"
               "  /help [COMMAND]  list the commands, or describe one\r\n"
               "  /quit            leave the chat (also /logout)\r\n"
               "A line that does not start with / is said to the room; //text says /text.\r\n"
               "The book's words say, look, who, login and logout work without the slash.\r\n");
}

TEST_F(Help, DescribesOneCommandByNameOrAlias) {
  const ConnId alice = enter("alice");
  const std::string msg =
      "/msg NAME TEXT (also /tell): Sends TEXT to NAME only, wherever they are; you see it as "
      "sent.\r\n";
  EXPECT_BYTES(type(alice, "/help msg"), msg);
  EXPECT_BYTES(type(alice, "/help /TELL"), msg);
  EXPECT_BYTES(type(alice, "/help leave"),
               "/leave: Leaves your room for the main room. A room other than the main one is "
               "gone once empty.\r\n");
  EXPECT_BYTES(type(alice, "/help frob"),
               "There is no command /frob; type /help for the list.\r\n");
}

TEST_F(Help, EveryListedCommandIsACommand) {
  const ConnId alice = enter("alice");
  for (std::string_view word : {"say", "me", "msg", "tell", "join", "leave", "rooms", "look", "who",
                                "nick", "login", "help"}) {
    const std::string reply = type(alice, "/" + std::string(word));
    EXPECT_EQ(reply.find("Unknown command"), std::string::npos) << word;
    const std::string described = type(alice, "/help " + std::string(word));
    EXPECT_EQ(described.find("There is no command"), std::string::npos) << word;
  }
}

// --- leaving ---

class Leaving : public ModernTest {};

TEST_F(Leaving, QuitSaysGoodbyeAndTellsTheRoom) {
  const ConnId alice = enter("alice");
  const ConnId bob = enter("bob");
  forget(alice);
  EXPECT_BYTES(type(bob, "/quit"), "Goodbye, bob!\r\n");
  EXPECT_EQ(shell_.close_reason(bob), CloseReason::Logout);
  EXPECT_BYTES(take(alice), "bob has left the chat.\r\n");
  EXPECT_EQ(shell_.server().world().find_by_name("bob"), nullptr);
}

TEST_F(Leaving, LogoutIsQuit) {
  const ConnId alice = enter("alice");
  const ConnId bob = enter("bob");
  forget(alice);
  EXPECT_BYTES(type(bob, "logout"), "Goodbye, bob!\r\n");
  EXPECT_BYTES(take(alice), "bob has left the chat.\r\n");
  const ConnId carol = enter("carol");
  EXPECT_BYTES(type(carol, "/LOGOUT"), "Goodbye, carol!\r\n");
  EXPECT_TRUE(shell_.closed(carol));
}

TEST_F(Leaving, QuitFlushesWhatWasQueuedFirst) {
  const ConnId alice = enter("alice");
  const ConnId bob = enter("bob");
  shell_.stall(bob);
  type(alice, "one");
  type(alice, "two");
  shell_.type(bob, "/quit\r\n");
  EXPECT_FALSE(shell_.closed(bob)) << "closing waits for the queued output";
  shell_.resume(bob);
  EXPECT_BYTES(take(bob), "alice: one\r\nalice: two\r\nGoodbye, bob!\r\n");
  EXPECT_TRUE(shell_.closed(bob));
}

TEST_F(Leaving, TheRoomLeftIsTheOneTold) {
  const ConnId alice = enter("alice");
  const ConnId bob = enter("bob");
  const ConnId carol = enter("carol");
  type(bob, "/join tea");
  type(carol, "/join tea");
  forget(alice, bob, carol);
  shell_.hang_up(bob, PeerGone::EndOfStream);
  EXPECT_BYTES(take(carol), "bob has left the chat.\r\n");
  EXPECT_BYTES(take(alice), "");
  shell_.type(carol, "\x04");  // Ctrl-D on an empty line
  EXPECT_TRUE(shell_.closed(carol));
  EXPECT_EQ(shell_.server().world().room_count(), 1u) << "tea emptied and is gone";
}

TEST_F(Leaving, ABrokenConnectionIsALeavingToo) {
  const ConnId alice = enter("alice");
  const ConnId bob = enter("bob");
  forget(alice);
  shell_.hang_up(bob, PeerGone::Broken);
  EXPECT_BYTES(take(alice), "bob has left the chat.\r\n");
}

// --- what the limits and the server say, in this dialect's words ---

class Limits : public ModernTest {
 protected:
  static Config config() {
    Config c = modern_config();
    c.max_line = 16;
    c.login_timeout = std::chrono::seconds(60);
    c.idle_timeout = std::chrono::seconds(600);
    c.max_connections = 3;
    c.max_per_address = 2;
    return c;
  }
  Limits() : ModernTest(config()) {}
};

TEST_F(Limits, ALineTooLongIsDroppedWithAMessage) {
  const ConnId alice = enter("alice");
  EXPECT_BYTES(type(alice, std::string(17, 'x')),
               "That line was over 16 bytes and was dropped.\r\n");
  const ConnId other = arrive();
  EXPECT_BYTES(type(other, std::string(40, 'y')),
               "That line was over 16 bytes and was dropped.\r\n" + kPrompt);
}

TEST_F(Limits, TheLoginTimeoutIsToldOnItsOwnLine) {
  const ConnId id = arrive();
  shell_.advance(std::chrono::seconds(61));
  EXPECT_BYTES(take(id), "\r\nNo name was chosen in time. Goodbye!\r\n");
  EXPECT_TRUE(shell_.closed(id));
}

TEST_F(Limits, TheIdleTimeoutIsToldAndTheRoomHearsTheLeaving) {
  const ConnId alice = enter("alice");
  shell_.advance(std::chrono::seconds(300));
  const ConnId bob = enter("bob");
  forget(alice);
  shell_.advance(std::chrono::seconds(301));
  EXPECT_BYTES(take(alice), "You were idle too long. Goodbye!\r\n");
  EXPECT_TRUE(shell_.closed(alice));
  EXPECT_BYTES(take(bob), "alice has left the chat.\r\n");
}

TEST_F(Limits, RefusedConnectionsGetOneLineAndNoOffers) {
  shell_.connect("192.0.2.1:1");
  shell_.connect("192.0.2.1:2");
  const ConnId third_from_same = shell_.connect("192.0.2.1:3");
  EXPECT_BYTES(take(third_from_same),
               "Too many connections from your address; close one and try again.\r\n");
  shell_.connect("192.0.2.2:1");
  const ConnId over_total = shell_.connect("192.0.2.3:1");
  EXPECT_BYTES(take(over_total), "The server is full; please try again later.\r\n");
}

TEST_F(Limits, ShutdownSaysGoodbye) {
  const ConnId alice = enter("alice");
  shell_.begin_shutdown();
  EXPECT_BYTES(take(alice), "The server is shutting down. Goodbye!\r\n");
}

}  // namespace
}  // namespace teaparty::core::testing
