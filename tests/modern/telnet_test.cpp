// The modern dialect's telnet manners, byte for byte, against what real clients send
// (../shared/real-clients.md): the three offers in the first write; the answers of TinyFugue,
// tintin++, inetutils telnet, nc and a Mudlet-like client, whole and split across reads; IAC EOR
// after prompts only where EOR was agreed; GMCP, MSSP and CHARSET; and --telnet off.

#include <gtest/gtest.h>

#include <string>

#include "tests/modern/modern_shell.h"

namespace teaparty::core::testing {
namespace {

using namespace telnet;

// What each client answers to WILL EOR, WILL GMCP, WILL MSSP (real-clients.md §3).
// tf5: its unsolicited WILL NAWS comes first in a write of its own, then DO EOR, DONT GMCP,
// DONT MSSP. tintin++: DO EOR, DONT GMCP, and nothing at all to WILL MSSP. telnet: DONT to all.
const std::string kTf5NawsWrite = iac(kWILL, kOptNAWS);
const std::string kTf5Answers = iac(kDO, kOptEOR) + iac(kDONT, kOptGMCP) + iac(kDONT, kOptMSSP);
const std::string kTintinAnswers = iac(kDO, kOptEOR) + iac(kDONT, kOptGMCP);
const std::string kTelnetAnswers =
    iac(kDONT, kOptEOR) + iac(kDONT, kOptGMCP) + iac(kDONT, kOptMSSP);
// Mudlet agrees to all three.
const std::string kMudletAnswers = iac(kDO, kOptEOR) + iac(kDO, kOptGMCP) + iac(kDO, kOptMSSP);

std::string mssp_report(std::string_view players) {
  return iac(kSB, kOptMSSP) + "\x01NAME\x02TestChat\x01PLAYERS\x02" + std::string(players) +
         "\x01UPTIME\x02" + "1700000000" + iac(kSE);
}
std::string gmcp(std::string_view message) {
  return iac(kSB, kOptGMCP) + std::string(message) + iac(kSE);
}

class Telnet : public ModernTest {
 protected:
  // Connects; the client answers the offers with `answers`; returns what the server replied.
  ConnId connect_and_answer(std::string_view answers, std::string& reply) {
    const ConnId id = shell_.connect();
    EXPECT_BYTES(take(id), offers() + kWelcome);
    shell_.type(id, answers);
    reply = take(id);
    return id;
  }
  bool has_iac(std::string_view bytes) {
    return bytes.find(static_cast<char>(kIAC)) != std::string_view::npos;
  }
};

TEST_F(Telnet, TheOffersAreExactlyWillEorGmcpMsspAndNothingElse) {
  const ConnId id = shell_.connect();
  const std::string first = take(id);
  EXPECT_BYTES(first.substr(0, 9), "\xff\xfb\x19\xff\xfb\xc9\xff\xfb\x46");
  EXPECT_EQ(first.find('\xff', 9), std::string::npos) << "no further IAC in the first write";
  // They are sent once: nothing more is offered later, whatever happens.
  EXPECT_BYTES(type(id, "alice"), hello("alice"));
  EXPECT_FALSE(has_iac(type(id, "/help")));
}

TEST_F(Telnet, TinyFugueSplitBurst) {
  const ConnId id = shell_.connect();
  take(id);
  // Its WILL NAWS arrives alone and is refused (DONT), as RFC 1143 wants: no loop follows.
  shell_.type(id, kTf5NawsWrite);
  EXPECT_BYTES(take(id), iac(kDONT, kOptNAWS));
  // DO EOR: the prompt already on screen gets its IAC EOR; the refusals get no answer.
  shell_.type(id, kTf5Answers);
  EXPECT_BYTES(take(id), end_of_record());
  // From now on every prompt ends with IAC EOR.
  EXPECT_BYTES(type(id, "bad name"),
               "A name can only have letters, digits, _ and -, not a space.\r\n" + kPrompt +
                   end_of_record());
  EXPECT_BYTES(type(id, ""), kPrompt + end_of_record());
  // Chat lines are not prompts.
  EXPECT_BYTES(type(id, "alice"), hello("alice"));
  EXPECT_BYTES(type(id, "hi"), "alice: hi\r\n");
  // Asked again, it is refused again: one answer per request, never a loop.
  shell_.type(id, kTf5NawsWrite);
  EXPECT_BYTES(take(id), iac(kDONT, kOptNAWS));
}

TEST_F(Telnet, TinyFugueBurstSplitAtEveryByteGivesTheSameBytes) {
  const std::string burst = kTf5NawsWrite + kTf5Answers + "alice\r\n";
  std::string whole;
  {
    ChatShell shell(modern_config());
    const ConnId id = shell.connect();
    shell.type(id, burst);
    whole = shell.take_output(id);
  }
  EXPECT_BYTES(whole,
               offers() + kWelcome + iac(kDONT, kOptNAWS) + end_of_record() + hello("alice"));
  for (std::size_t piece = 1; piece < burst.size(); ++piece) {
    ChatShell shell(modern_config());
    const ConnId id = shell.connect();
    shell.type_in_pieces(id, burst, piece);
    EXPECT_BYTES(shell.take_output(id), whole) << "reads of " << piece << " bytes";
  }
}

TEST_F(Telnet, TinTinNeverAnswersMsspAndNothingWaitsForIt) {
  std::string reply;
  const ConnId id = connect_and_answer(kTintinAnswers, reply);
  EXPECT_BYTES(reply, end_of_record());
  EXPECT_BYTES(type(id, "alice"), hello("alice"));
  EXPECT_BYTES(type(id, "hi"), "alice: hi\r\n");
  EXPECT_EQ(shell_.server().next_deadline(), std::nullopt) << "no timer for a missing answer";
}

TEST_F(Telnet, TinTinSplitAnswers) {
  const ConnId id = shell_.connect();
  take(id);
  shell_.type(id, kTintinAnswers.substr(0, 2));
  EXPECT_BYTES(take(id), "");
  shell_.type(id, kTintinAnswers.substr(2, 3));
  EXPECT_BYTES(take(id), end_of_record());
  shell_.type(id, kTintinAnswers.substr(5));
  EXPECT_BYTES(take(id), "");
}

TEST_F(Telnet, PlainTelnetRefusesAllAndGetsNoFurtherIac) {
  std::string reply;
  const ConnId id = connect_and_answer(kTelnetAnswers, reply);
  EXPECT_BYTES(reply, "") << "a refusal of our offer is an answer: never answered";
  EXPECT_BYTES(type(id, "bad name"),
               "A name can only have letters, digits, _ and -, not a space.\r\n" + kPrompt);
  EXPECT_BYTES(type(id, "alice"), hello("alice"));
  EXPECT_FALSE(has_iac(type(id, "/who")));
}

TEST_F(Telnet, TelnetCtrlCIsAnsweredSoItDoesNotGoDeaf) {
  std::string reply;
  const ConnId id = connect_and_answer(kTelnetAnswers, reply);
  type(id, "alice");
  // "say xyz" then Ctrl-C: telnet sends IAC IP, IAC DO TIMING-MARK and drops the line itself.
  shell_.type(id, iac(kIP) + iac(kDO, kOptTimingMark));
  EXPECT_BYTES(take(id), iac(kWILL, kOptTimingMark));
  EXPECT_BYTES(type(id, "say after ctrl-c"), "alice: after ctrl-c\r\n");
}

TEST_F(Telnet, NcSendsNothingAndLfEndsItsLines) {
  const ConnId id = shell_.connect();
  take(id);
  shell_.type(id, "alice\n");
  EXPECT_BYTES(take(id), hello("alice"));
  shell_.type(id, "say caf\xc3\xa9 \xe2\x82\xac\n");
  EXPECT_BYTES(take(id), "alice: café €\r\n");
}

TEST_F(Telnet, TelnetCharacterModeLineEndsToo) {
  const ConnId id = shell_.connect();
  take(id);
  shell_.type(id, "ali");
  shell_.type(id, "ce");
  shell_.type(id, std::string("\r\0", 2));
  EXPECT_BYTES(take(id), hello("alice"));
}

TEST_F(Telnet, MudletGetsMsspAndGmcp) {
  enter("bob");
  std::string reply;
  const ConnId id = connect_and_answer(kMudletAnswers, reply);
  EXPECT_BYTES(reply, end_of_record() + mssp_report("1"));
  EXPECT_BYTES(type(id, "alice"),
               hello("alice") + gmcp(R"(Char.Name {"name":"alice","fullname":"alice"})"));
  EXPECT_BYTES(
      type(id, "hello"),
      "alice: hello\r\n" +
          gmcp(R"(Comm.Channel.Text {"channel":"main","talker":"alice","text":"alice: hello"})"));
  EXPECT_BYTES(
      type(id, "/me waves"),
      "* alice waves\r\n" +
          gmcp(R"(Comm.Channel.Text {"channel":"main","talker":"alice","text":"* alice waves"})"));
}

TEST_F(Telnet, GmcpCarriesRoomsWhispersAndRenames) {
  std::string reply;
  const ConnId alice = connect_and_answer(kMudletAnswers, reply);
  type(alice, "alice");
  const ConnId bob = enter("bob");
  forget(alice);
  // bob does not take GMCP: he gets the text only.
  EXPECT_BYTES(type(bob, "/msg alice \"quoted\" \\ é"),
               "You whisper to alice: \"quoted\" \\ é\r\n");
  EXPECT_BYTES(
      take(alice),
      "bob whispers: \"quoted\" \\ é\r\n" +
          gmcp(
              R"(Comm.Channel.Text {"channel":"tell","talker":"bob","text":"bob whispers: \"quoted\" \\ é"})"));
  EXPECT_BYTES(
      type(alice, "/msg bob hi"),
      "You whisper to bob: hi\r\n" +
          gmcp(
              R"(Comm.Channel.Text {"channel":"tell","talker":"alice","text":"You whisper to bob: hi"})"));
  type(alice, "/join Tea");
  EXPECT_BYTES(
      type(alice, "brewing"),
      "alice: brewing\r\n" +
          gmcp(R"(Comm.Channel.Text {"channel":"Tea","talker":"alice","text":"alice: brewing"})"));
  EXPECT_BYTES(type(alice, "/nick Alicia"),
               "You are now known as Alicia.\r\n" +
                   gmcp(R"(Char.Name {"name":"Alicia","fullname":"Alicia"})"));
}

TEST_F(Telnet, GmcpAgreedAfterLoginSendsTheNameThen) {
  const ConnId id = enter("alice");
  shell_.type(id, iac(kDO, kOptGMCP));
  EXPECT_BYTES(take(id), gmcp(R"(Char.Name {"name":"alice","fullname":"alice"})"));
  shell_.type(id, iac(kDO, kOptEOR));
  EXPECT_BYTES(take(id), "") << "no prompt on screen once logged in: nothing to mark";
}

TEST_F(Telnet, MsspCountsLoggedInPlayers) {
  enter("alice");
  enter("bob");
  arrive();  // not logged in: not a player
  const ConnId crawler = shell_.connect();
  take(crawler);
  shell_.type(crawler, iac(kDO, kOptMSSP));
  EXPECT_BYTES(take(crawler), mssp_report("2"));
  shell_.type(crawler, iac(kDO, kOptMSSP));
  EXPECT_BYTES(take(crawler), "") << "a repeated DO is not answered again";
}

TEST_F(Telnet, MsspLeavesUptimeOutWhenTheStartIsUnknown) {
  Config config = modern_config();
  config.started_unix_time = 0;
  ChatShell shell(config);
  const ConnId id = shell.connect();
  shell.take_output(id);
  shell.type(id, iac(kDO, kOptMSSP));
  EXPECT_BYTES(shell.take_output(id),
               iac(kSB, kOptMSSP) + "\x01NAME\x02TestChat\x01PLAYERS\x02" + "0" + iac(kSE));
}

TEST_F(Telnet, AnswersAreNeverAnswered) {
  std::string reply;
  const ConnId id = connect_and_answer(kMudletAnswers, reply);
  shell_.type(id, kMudletAnswers);  // the same answers again
  EXPECT_BYTES(take(id), "");
  shell_.type(id, iac(kWONT, kOptNAWS) + iac(kDONT, kOptEcho));  // refusals of nothing asked
  EXPECT_BYTES(take(id), "");
}

TEST_F(Telnet, TurningEorOffIsAcknowledgedAndPromptsLoseTheMark) {
  std::string reply;
  const ConnId id = connect_and_answer(kTf5Answers, reply);
  shell_.type(id, iac(kDONT, kOptEOR));
  EXPECT_BYTES(take(id), iac(kWONT, kOptEOR));
  EXPECT_BYTES(type(id, ""), kPrompt);
}

TEST_F(Telnet, UnofferedOptionsAreRefused) {
  const ConnId id = arrive();
  shell_.type(id, iac(kDO, kOptEcho) + iac(kDO, kOptSGA) + iac(kWILL, kOptTTYPE) +
                      iac(kDO, kOptLinemode) + iac(kWILL, kOptNAWS));
  EXPECT_BYTES(take(id), iac(kWONT, kOptEcho) + iac(kWONT, kOptSGA) + iac(kDONT, kOptTTYPE) +
                             iac(kWONT, kOptLinemode) + iac(kDONT, kOptNAWS));
}

// --- CHARSET (RFC 2066), where the client asks ---

std::string charset_sub(char kind, std::string_view rest) {
  return iac(kSB, kOptCharset) + std::string(1, kind) + std::string(rest) + iac(kSE);
}

TEST_F(Telnet, CharsetClientWillThenItsRequestIsAccepted) {
  const ConnId id = arrive();
  shell_.type(id, iac(kWILL, kOptCharset));
  EXPECT_BYTES(take(id), iac(kDO, kOptCharset));
  shell_.type(id, charset_sub('\x01', ";ISO-8859-1;utf-8"));
  EXPECT_BYTES(take(id), charset_sub('\x02', "utf-8"));
  shell_.type(id, charset_sub('\x01', ";ISO-8859-1;US-ASCII"));
  EXPECT_BYTES(take(id), charset_sub('\x03', ""));
  shell_.type(id, charset_sub('\x01', std::string("[TTABLE]\x01", 9) + ",KOI8-R,UTF-8"));
  EXPECT_BYTES(take(id), charset_sub('\x02', "UTF-8"));
}

TEST_F(Telnet, CharsetClientDoThenWeRequestAndTinTinAccepts) {
  const ConnId id = arrive();
  shell_.type(id, iac(kDO, kOptCharset));
  EXPECT_BYTES(take(id), iac(kWILL, kOptCharset) + charset_sub('\x01', ";UTF-8"));
  // tintin++'s answer, as recorded: ff fa 2a 02 "UTF-8" ff f0. Nothing more to say.
  shell_.type(id, "\xff\xfa\x2a\x02UTF-8\xff\xf0");
  EXPECT_BYTES(take(id), "");
  EXPECT_BYTES(type(id, "alice"), hello("alice"));
}

TEST_F(Telnet, ACharsetRequestWithoutAgreementIsIgnored) {
  const ConnId id = arrive();
  shell_.type(id, charset_sub('\x01', ";UTF-8"));
  EXPECT_BYTES(take(id), "");
}

TEST_F(Telnet, ClientGmcpIsReadAndIgnored) {
  std::string reply;
  const ConnId id = connect_and_answer(kMudletAnswers, reply);
  shell_.type(id, gmcp(R"(Core.Hello {"client":"Mudlet","version":"4.17"})") +
                      gmcp(R"(Core.Supports.Set ["Char 1","Room 1"])") + "alice\r\n");
  EXPECT_BYTES(take(id), hello("alice") + gmcp(R"(Char.Name {"name":"alice","fullname":"alice"})"));
}

// --- --telnet off ---

class TelnetOff : public ModernTest {
 protected:
  static Config config() {
    Config c = modern_config();
    c.telnet = false;
    return c;
  }
  TelnetOff() : ModernTest(config()) {}
};

TEST_F(TelnetOff, NoIacEverLeavesTheServer) {
  const ConnId id = shell_.connect();
  EXPECT_BYTES(take(id), kWelcome) << "no offers";
  shell_.type(id, kTf5NawsWrite + kMudletAnswers + iac(kDO, kOptTimingMark) +
                      iac(kWILL, kOptCharset) + iac(kDO, kOptCharset) +
                      charset_sub('\x01', ";UTF-8"));
  EXPECT_BYTES(take(id), "") << "not even answers";
  EXPECT_BYTES(type(id, "bad name"),
               "A name can only have letters, digits, _ and -, not a space.\r\n" + kPrompt);
  EXPECT_BYTES(type(id, "al" + iac(kNOP) + "ice"), hello("alice")) << "IAC is still taken out";
  EXPECT_BYTES(type(id, "hi"), "alice: hi\r\n");
}

}  // namespace
}  // namespace teaparty::core::testing
