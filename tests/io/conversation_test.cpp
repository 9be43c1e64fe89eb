// The classic dialect on the wire, byte for byte, and the ways real clients cut their lines:
// nc's bare LF, telnet's CR NUL, a byte per write, a burst of lines in one write.

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "tests/io/chat_steps.h"
#include "tests/io/server_process.h"

namespace teaparty::io_test {
namespace {

using namespace std::string_view_literals;

class Conversation : public ::testing::Test {
 protected:
  void SetUp() override {
    // Without the line rate limit, so a burst of lines is answered at once.
    server_ = ServerProcess::on_loopback(kClassicUnlimited);
    ASSERT_TRUE(server_->listening()) << server_->stderr_text();
  }
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(Conversation, ThreeClientsClassicSession) {
  ChatClient alice(server_->host(), server_->port());
  ASSERT_TRUE(alice.connected());
  EXPECT_TRUE(next_is(alice, welcome()));
  ASSERT_TRUE(alice.send("look\r\n"));
  EXPECT_TRUE(next_is(alice, "Please log in\nUse \"login <nick>\"\r\n"));
  ASSERT_TRUE(alice.send("login\r\n"));
  EXPECT_TRUE(next_is(alice, "Please enter a name\r\n"));
  ASSERT_TRUE(alice.send("login alice\r\nlook\r\n"));
  EXPECT_TRUE(next_is(alice, "The following are in this room:\r\nalice\r\n"));

  ChatClient bob(server_->host(), server_->port());
  ASSERT_TRUE(bob.connected());
  EXPECT_TRUE(next_is(bob, welcome()));
  ASSERT_TRUE(bob.send("login alice\r\n"));
  EXPECT_TRUE(next_is(bob, "The name \"alice\" is taken.\r\nPlease try again.\r\n"));
  ASSERT_TRUE(bob.send("login bob\r\n"));
  EXPECT_TRUE(next_is(alice, entered("bob")));

  ChatClient carol(server_->host(), server_->port());
  ASSERT_TRUE(carol.connected());
  EXPECT_TRUE(next_is(carol, welcome()));
  ASSERT_TRUE(carol.send("login carol\r\n"));
  EXPECT_TRUE(next_is(alice, entered("carol")));
  EXPECT_TRUE(next_is(bob, entered("carol")));

  ASSERT_TRUE(bob.send("say   hello there  \r\n"));
  for (ChatClient* member : {&alice, &bob, &carol})
    EXPECT_TRUE(next_is(*member, said("bob", "hello there")));

  ASSERT_TRUE(carol.send("who\r\n"));
  EXPECT_TRUE(next_is(carol, "The following are logged in:\r\nalice\r\nbob\r\ncarol\r\n"));
  ASSERT_TRUE(alice.send("look\r\n"));
  EXPECT_TRUE(next_is(alice, "The following are in this room:\r\nalice\r\nbob\r\ncarol\r\n"));
  ASSERT_TRUE(carol.send("dance wildly\r\nlogin dave\r\n"));
  EXPECT_TRUE(next_is(carol, "Unknown command: dance\r\nUnknown command: login\r\n"));

  // A logout: the leaver gets nothing more and an orderly end; the others hear it.
  ASSERT_TRUE(bob.send("logout\r\n"));
  EXPECT_TRUE(rest_is(bob, ""));
  EXPECT_TRUE(next_is(alice, left("bob")));
  EXPECT_TRUE(next_is(carol, left("bob")));

  // An abrupt close counts as leaving too.
  carol.close();
  EXPECT_TRUE(next_is(alice, left("carol")));

  ASSERT_TRUE(alice.send("who\r\nsay bye\r\n"));
  EXPECT_TRUE(next_is(alice, "The following are logged in:\r\nalice\r\n" + said("alice", "bye")));
  ASSERT_TRUE(alice.send("logout\r\n"));
  EXPECT_TRUE(rest_is(alice, ""));
}

TEST_F(Conversation, NcStyleBareLineFeeds) {
  auto listener = log_in(*server_, "listener");
  ChatClient nc(server_->host(), server_->port());
  ASSERT_TRUE(nc.connected());
  ASSERT_TRUE(nc.send("login nc\nsay hi from nc\nlook\n"));
  EXPECT_TRUE(next_is(nc, welcome() + said("nc", "hi from nc") +
                              "The following are in this room:\r\nlistener\r\nnc\r\n"));
  EXPECT_TRUE(next_is(*listener, entered("nc") + said("nc", "hi from nc")));
}

TEST_F(Conversation, TelnetCharacterModeCrNul) {
  auto listener = log_in(*server_, "listener");
  ChatClient telnet(server_->host(), server_->port());
  ASSERT_TRUE(telnet.connected());
  ASSERT_TRUE(telnet.send("login tn\r\0say hi from telnet\r\0"sv));
  EXPECT_TRUE(next_is(telnet, welcome() + said("tn", "hi from telnet")));
  EXPECT_TRUE(next_is(*listener, entered("tn") + said("tn", "hi from telnet")));
}

TEST_F(Conversation, LineArrivingOneByteAtATime) {
  auto listener = log_in(*server_, "listener");
  ChatClient slow(server_->host(), server_->port());
  ASSERT_TRUE(slow.connected());
  EXPECT_TRUE(next_is(slow, welcome()));
  ASSERT_TRUE(slow.send_bytewise("login trickle\r\nsay one byte at a time\r\n"));
  EXPECT_TRUE(next_is(slow, said("trickle", "one byte at a time")));
  EXPECT_TRUE(next_is(*listener, entered("trickle") + said("trickle", "one byte at a time")));
}

TEST_F(Conversation, ManyLinesInOneWrite) {
  auto listener = log_in(*server_, "listener");
  ChatClient burst(server_->host(), server_->port());
  ASSERT_TRUE(burst.connected());
  std::string lines = "login burst\r\n";
  std::string expected_by_burst = welcome();
  std::string expected_by_listener = entered("burst");
  for (int i = 0; i < 200; ++i) {
    lines += "say number " + std::to_string(i) + "\r\n";
    expected_by_burst += said("burst", "number " + std::to_string(i));
  }
  expected_by_listener += expected_by_burst.substr(welcome().size());
  lines += "who\r\n";
  expected_by_burst += "The following are logged in:\r\nlistener\r\nburst\r\n";
  ASSERT_TRUE(burst.send(lines));
  EXPECT_TRUE(next_is(burst, expected_by_burst));
  EXPECT_TRUE(next_is(*listener, expected_by_listener));
}

}  // namespace
}  // namespace teaparty::io_test
