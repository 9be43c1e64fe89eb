// The operator's view: one timestamped line on stderr per connect, login, logout and close.

#include <gtest/gtest.h>

#include <csignal>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/io/chat_steps.h"
#include "tests/io/server_process.h"

namespace teaparty::io_test {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);)
    lines.push_back(line);
  return lines;
}

// The lines about one connection, without their timestamps and levels.
std::vector<std::string> about(const std::vector<std::string>& lines, int conn) {
  const std::regex record(R"(^\S+ \S+ conn=(\d+) (.*)$)");
  std::vector<std::string> found;
  for (const std::string& line : lines) {
    std::smatch parts;
    if (std::regex_match(line, parts, record) && std::stoi(parts[1]) == conn) {
      found.push_back(parts[2]);
    }
  }
  return found;
}

TEST(Logging, OneTimestampedLinePerConnectLoginLogoutAndClose) {
  auto server = ServerProcess::on_loopback(kClassic);
  ASSERT_TRUE(server->listening()) << server->stderr_text();

  auto ann = log_in(*server, "ann");
  const std::string ann_address = ann->local_address();
  ASSERT_TRUE(ann->send("logout\r\n"));
  EXPECT_TRUE(rest_is(*ann, ""));

  auto visitor = connect_to(*server);
  const std::string visitor_address = visitor->local_address();
  visitor->close();
  ASSERT_TRUE(server->wait_for_stderr("closed by client"));

  server->send_signal(SIGTERM);
  const auto status = server->wait_for_exit();
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->exited_with(0)) << describe(*status);

  const std::vector<std::string> lines = lines_of(server->stderr_text());
  // 2024-05-01T12:34:56.789Z info ...: UTC to the millisecond, then the level.
  const std::regex stamped(
      R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z (debug|info|warning|error) .+$)");
  for (const std::string& line : lines)
    EXPECT_TRUE(std::regex_match(line, stamped)) << line;

  const std::vector<std::string> expected_ann{
      "connected from " + ann_address,
      "logged in as \"ann\"",
      "logged out \"ann\"",
      "closed: logout (" + ann_address + ")",
  };
  EXPECT_EQ(about(lines, 1), expected_ann) << server->stderr_text();
  const std::vector<std::string> expected_visitor{
      "connected from " + visitor_address,
      "closed: closed by client (" + visitor_address + ")",
  };
  EXPECT_EQ(about(lines, 2), expected_visitor) << server->stderr_text();
}

}  // namespace
}  // namespace teaparty::io_test
