// The modern dialect on the wire: the real binary on 127.0.0.1, real sockets, clients that
// behave as the real ones in ../shared/real-clients.md do. Uses tests/io's ServerProcess and
// ChatClient; every wait is bounded and waits only for bytes to be present.

#include <gtest/gtest.h>

#include <string>

#include "tests/core/bytes.h"
#include "tests/io/chat_client.h"
#include "tests/io/server_process.h"

namespace teaparty::io_test {
namespace {

using core::testing::escaped;

const std::string kOffers = "\xff\xfb\x19\xff\xfb\xc9\xff\xfb\x46";
const std::string kWelcome =
    "Welcome to TestChat!\r\n"
    "Choose a name: up to 24 letters, digits, _ or -. Type /help for help.\r\n"
    "Your name: ";
const std::string kEor = "\xff\xef";

std::string hello(std::string_view name) {
  return "Hello, " + std::string(name) + "! You are in main. Type /help for the commands.\r\n";
}

// Exactly `count` bytes, or fewer if the server stops sending (each wait bounded by quiet).
std::string read_exactly(ChatClient& client, std::size_t count) {
  std::string got;
  while (got.size() < count) {
    const std::string more = client.read_some(count - got.size());
    if (more.empty()) break;
    got += more;
  }
  return got;
}

// The next bytes from `client` are exactly `expected`.
#define EXPECT_NEXT(client, expected)                                         \
  do {                                                                        \
    const std::string want_ = (expected);                                     \
    EXPECT_EQ(escaped(read_exactly((client), want_.size())), escaped(want_)); \
  } while (false)

class ModernOnTheWire : public ::testing::Test {
 protected:
  // The binary with exactly these flags (no --dialect unless given: the default is tested).
  void start(std::vector<std::string> flags = {}) {
    std::vector<std::string> args{"--host", "127.0.0.1", "--port", "0"};
    args.insert(args.end(), flags.begin(), flags.end());
    server_ = std::make_unique<ServerProcess>(std::move(args));
    ASSERT_TRUE(server_->wait_until_listening()) << server_->stderr_text();
  }
  std::unique_ptr<ChatClient> client() {
    auto c = std::make_unique<ChatClient>(server_->host(), server_->port());
    EXPECT_TRUE(c->connected());
    return c;
  }

  std::unique_ptr<ServerProcess> server_;
};

// Done means: two people with different real clients meet in a room, talk, whisper, move
// rooms and leave. Ann uses nc (LF line ends, no telnet at all); Bob uses TinyFugue (CR LF,
// its unsolicited WILL NAWS alone, then DO EOR, DONT GMCP, DONT MSSP in a second write).
TEST_F(ModernOnTheWire, AnNcUserAndATinyFugueUserMeetTalkWhisperMoveAndLeave) {
  start();  // the default dialect is modern
  auto ann = client();
  EXPECT_NEXT(*ann, kOffers + kWelcome);
  auto bob = client();
  EXPECT_NEXT(*bob, kOffers + kWelcome);
  ASSERT_TRUE(bob->send("\xff\xfb\x1f"));
  EXPECT_NEXT(*bob, "\xff\xfe\x1f");  // DONT NAWS
  ASSERT_TRUE(bob->send("\xff\xfd\x19\xff\xfe\xc9\xff\xfe\x46"));
  EXPECT_NEXT(*bob, kEor);  // the prompt on screen is marked

  // Meet.
  ASSERT_TRUE(ann->send("ann\n"));
  EXPECT_NEXT(*ann, hello("ann"));
  ASSERT_TRUE(bob->send("bob\r\n"));
  EXPECT_NEXT(*bob, hello("bob"));
  EXPECT_NEXT(*ann, "bob has joined the chat.\r\n");

  // Talk.
  ASSERT_TRUE(bob->send("hi ann\r\n"));
  EXPECT_NEXT(*bob, "bob: hi ann\r\n");
  EXPECT_NEXT(*ann, "bob: hi ann\r\n");
  ASSERT_TRUE(ann->send("hello bob, caf\xc3\xa9 \xe2\x82\xac\n"));
  EXPECT_NEXT(*ann, "ann: hello bob, café €\r\n");
  EXPECT_NEXT(*bob, "ann: hello bob, café €\r\n");

  // Whisper.
  ASSERT_TRUE(ann->send("/msg bob meet me in tea\n"));
  EXPECT_NEXT(*ann, "You whisper to bob: meet me in tea\r\n");
  EXPECT_NEXT(*bob, "ann whispers: meet me in tea\r\n");

  // Move rooms.
  ASSERT_TRUE(ann->send("/join tea\n"));
  EXPECT_NEXT(*ann, "You are now in tea.\r\n");
  EXPECT_NEXT(*bob, "ann has gone to tea.\r\n");
  ASSERT_TRUE(bob->send("/join Tea\r\n"));
  EXPECT_NEXT(*bob, "You are now in tea.\r\n");
  EXPECT_NEXT(*ann, "bob has come in from main.\r\n");
  ASSERT_TRUE(bob->send("/look\r\n"));
  EXPECT_NEXT(*bob, "In tea (2): ann, bob\r\n");
  ASSERT_TRUE(ann->send("/me pours tea\n"));
  EXPECT_NEXT(*ann, "* ann pours tea\r\n");
  EXPECT_NEXT(*bob, "* ann pours tea\r\n");

  // Leave.
  ASSERT_TRUE(ann->send("/quit\n"));
  EXPECT_NEXT(*ann, "Goodbye, ann!\r\n");
  EXPECT_EQ(ann->read_until_eof(), "");
  EXPECT_TRUE(ann->at_eof());
  EXPECT_NEXT(*bob, "ann has left the chat.\r\n");
  ASSERT_TRUE(bob->send("/quit\r\n"));
  EXPECT_NEXT(*bob, "Goodbye, bob!\r\n");
  EXPECT_EQ(bob->read_until_eof(), "");
  EXPECT_TRUE(bob->at_eof());
}

// A telnet user (refuses every offer, CR LF) and a Mudlet-like user (agrees to all three:
// gets MSSP at once and GMCP with every chat line) in the same room.
TEST_F(ModernOnTheWire, ATelnetUserAndAGmcpClientShareARoom) {
  start({"--name", "Tea"});
  const std::string offers_and_welcome =
      kOffers + "Welcome to Tea!\r\n" + kWelcome.substr(kWelcome.find("Choose"));
  auto tel = client();
  EXPECT_NEXT(*tel, offers_and_welcome);
  ASSERT_TRUE(tel->send("\xff\xfe\x19\xff\xfe\xc9\xff\xfe\x46"));
  ASSERT_TRUE(tel->send("tom\r\n"));
  EXPECT_NEXT(*tel, hello("tom"));
  auto mud = client();
  EXPECT_NEXT(*mud, offers_and_welcome);
  ASSERT_TRUE(mud->send("\xff\xfd\x19\xff\xfd\xc9\xff\xfd\x46"));
  const std::string mssp_head =
      "\xff\xef\xff\xfa\x46\x01NAME\x02Tea\x01PLAYERS\x02"
      "1\x01UPTIME\x02";
  EXPECT_EQ(escaped(mud->read_until("UPTIME\x02")), escaped(mssp_head));
  const std::string uptime = mud->read_until("\xff\xf0");
  ASSERT_GE(uptime.size(), 3u);
  EXPECT_GT(std::stoll(uptime.substr(0, uptime.size() - 2)), 1'600'000'000) << "Unix seconds";
  ASSERT_TRUE(mud->send("mia\r\n"));
  EXPECT_NEXT(*mud, hello("mia") +
                        "\xff\xfa\xc9"
                        R"(Char.Name {"name":"mia","fullname":"mia"})"
                        "\xff\xf0");
  EXPECT_NEXT(*tel, "mia has joined the chat.\r\n");
  ASSERT_TRUE(tel->send("hi mia\r\n"));
  EXPECT_NEXT(*tel, "tom: hi mia\r\n");
  EXPECT_NEXT(*mud,
              "tom: hi mia\r\n\xff\xfa\xc9"
              R"(Comm.Channel.Text {"channel":"main","talker":"tom","text":"tom: hi mia"})"
              "\xff\xf0");
  // telnet after Ctrl-C: answered at once, so it keeps showing output.
  ASSERT_TRUE(tel->send("\xff\xf4\xff\xfd\x06"));
  EXPECT_NEXT(*tel, "\xff\xfb\x06");
  ASSERT_TRUE(tel->send("still here\r\n"));
  EXPECT_NEXT(*tel, "tom: still here\r\n");
}

TEST_F(ModernOnTheWire, TelnetOffSendsNoIacAtAll) {
  start({"--telnet", "off"});
  auto c = client();
  EXPECT_NEXT(*c, kWelcome);
  ASSERT_TRUE(c->send("\xff\xfb\x1f\xff\xfd\x06\xff\xfd\x46zoe\r\n"));
  EXPECT_NEXT(*c, hello("zoe"));
}

TEST_F(ModernOnTheWire, HistoryFlagBoundsWhatNewcomersSee) {
  start({"--history", "1"});
  auto a = client();
  a->read_until("Your name: ");
  ASSERT_TRUE(a->send("ann\nfirst\nsecond\n"));
  EXPECT_NEXT(*a, hello("ann") + "ann: first\r\nann: second\r\n");
  auto b = client();
  b->read_until("Your name: ");
  ASSERT_TRUE(b->send("bob\n"));
  EXPECT_NEXT(
      *b, hello("bob") +
              "--- the last lines said in main ---\r\nann: second\r\n--- end of history ---\r\n");
}

TEST_F(ModernOnTheWire, TheClassicDialectIsStillTheBooks) {
  start({"--dialect", "classic"});
  auto c = client();
  EXPECT_NEXT(*c, "Welcome to TestChat\r\n");
  ASSERT_TRUE(c->send("/join tea\r\n"));
  EXPECT_NEXT(*c, "Please log in\nUse \"login <nick>\"\r\n");
}

}  // namespace
}  // namespace teaparty::io_test
