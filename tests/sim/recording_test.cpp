// `teaparty --record FILE` over real sockets: a live session, stopped with SIGTERM, leaves a
// transcript that replays clean through a fresh core, byte for byte.

#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <variant>

#include "core/transcript.h"
#include "sim/replay.h"
#include "tests/io/chat_client.h"
#include "tests/io/server_process.h"

namespace teaparty::sim {
namespace {

using io_test::ChatClient;
using io_test::ServerProcess;
namespace transcript = core::transcript;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::size_t count(const std::string& text, std::string_view needle) {
  std::size_t found = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size()))
    ++found;
  return found;
}

// Stops the server as an operator would and checks that it ended well: the client still
// connected is told and closed.
void stop(ServerProcess& server, ChatClient& someone) {
  server.send_signal(SIGTERM);
  someone.read_until_eof();
  EXPECT_TRUE(someone.at_eof());
  const auto status = server.wait_for_exit();
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->exited_with(0)) << io_test::describe(*status);
}

// Replays the file in this process and with the tool; both must find every byte the same.
void expect_replays_clean(const std::string& path) {
  auto parsed = transcript::parse(read_file(path));
  ASSERT_TRUE(std::holds_alternative<transcript::Transcript>(parsed));
  const auto& session = std::get<transcript::Transcript>(parsed);
  const ReplayReport report = replay(session);
  EXPECT_FALSE(report.finding) << "at line " << (report.at ? report.at->line : 0);
  EXPECT_EQ(report.events_replayed, session.events.size());

  const std::string command = std::string(TEAPARTY_SIM_BINARY) + " replay " + path + " >/dev/null";
  EXPECT_EQ(std::system(command.c_str()), 0);
}

TEST(Recording, AClassicChatOverRealSocketsReplaysClean) {
  const std::string path = ::testing::TempDir() + "recording_classic.transcript";
  auto server = ServerProcess::on_loopback({"--dialect", "classic", "--record", path});
  ASSERT_TRUE(server->listening()) << server->stderr_text();
  ChatClient alice(server->host(), server->port());
  ChatClient bob(server->host(), server->port());
  ChatClient carol(server->host(), server->port());
  for (ChatClient* client : {&alice, &bob, &carol})
    ASSERT_EQ(client->read_until("Welcome to TestChat\r\n"), "Welcome to TestChat\r\n");

  alice.send("login alice\r\n");
  bob.send_bytewise("login bob\n");  // LF only, a byte per write
  EXPECT_EQ(alice.read_until("bob has entered the room.\r\n"), "bob has entered the room.\r\n");
  carol.send(std::string("login carol\r\0", 13));  // telnet's CR NUL
  EXPECT_EQ(bob.read_until("carol has entered the room.\r\n"), "carol has entered the room.\r\n");
  alice.send("say hello, tea party\r\nlook\r\n\r\nwho\r\ndance\r\n");  // several lines at once
  EXPECT_EQ(carol.read_until("alice: hello, tea party\r\n"), "alice: hello, tea party\r\n");
  EXPECT_NE(alice.read_until("Unknown command: dance\r\n").find("The following are logged in:"),
            std::string::npos);
  bob.send("say helXX\x7f\x7flo\xff\xfd\x06\r\n");  // erased with DEL; DO TIMING-MARK
  EXPECT_NE(carol.read_until("bob: hello\r\n").find("bob: hello\r\n"), std::string::npos);
  bob.reset();  // vanishes without a word
  EXPECT_NE(alice.read_until("bob has left the room.\r\n").find("bob has left"), std::string::npos);
  carol.half_close();
  EXPECT_NE(alice.read_until("carol has left the room.\r\n").find("carol has left"),
            std::string::npos);
  stop(*server, alice);

  const std::string recorded = read_file(path);
  EXPECT_NE(recorded.find("Shutting down..."), std::string::npos);
  EXPECT_EQ(recorded.rfind(transcript::kFirstLine, 0), 0u);
  EXPECT_EQ(count(recorded, " connect 127.0.0.1:"), 3u);
  EXPECT_EQ(count(recorded, " close\n"), 3u);
  EXPECT_EQ(count(recorded, " - shutdown\n"), 1u);
  EXPECT_EQ(count(recorded, " gone eof\n"), 1u);
  EXPECT_EQ(count(recorded, " gone broken\n"), 1u);
  EXPECT_NE(recorded.find(" out alice: hello, tea party\\r\\n"), std::string::npos);
  expect_replays_clean(path);
}

// The rate limit holds lines back and core's deadlines release them on ticks: the recorder
// must keep exactly the ticks that mattered for the replay to match.
TEST(Recording, AModernChatHeldBackByTheRateLimitReplaysClean) {
  const std::string path = ::testing::TempDir() + "recording_modern.transcript";
  auto server = ServerProcess::on_loopback(
      {"--dialect", "modern", "--line-rate", "20", "--line-burst", "2", "--record", path});
  ASSERT_TRUE(server->listening()) << server->stderr_text();
  ChatClient alice(server->host(), server->port());
  ChatClient bob(server->host(), server->port());
  for (auto [client, name] : {std::pair{&alice, "alice"}, std::pair{&bob, "bob"}}) {
    EXPECT_NE(client->read_until("Your name: ").find("Welcome to TestChat"), std::string::npos);
    client->send(std::string(name) + "\r\n");
    EXPECT_NE(client->read_until("/help for the commands.\r\n").find("Hello, "), std::string::npos);
  }
  std::string paste;
  for (int i = 1; i <= 10; ++i)
    paste += "line " + std::to_string(i) + "\r\n";
  alice.send(paste);  // ten lines at once: two pass, eight wait for the rate limit
  EXPECT_NE(bob.read_until("alice: line 10\r\n").find("alice: line 10\r\n"), std::string::npos);
  stop(*server, bob);

  const std::string recorded = read_file(path);
  EXPECT_GE(count(recorded, " - tick\n"), 1u);
  EXPECT_GE(count(recorded, "alice: line "), 10u);  // bob heard each line
  expect_replays_clean(path);
}

}  // namespace
}  // namespace teaparty::sim
