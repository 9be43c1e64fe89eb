// Differential sessions (sim/differential_sessions.h): a seed always gives the same sessions,
// and every session keeps to the rules that make the book's server a fair oracle.

#include "sim/differential_sessions.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <string_view>

namespace teaparty::sim {
namespace {

using Kind = SessionStep::Kind;

std::string all_json(const SessionOptions& options) {
  std::string out;
  for (const DifferentialSession& session : generate_sessions(options))
    out += to_json_line(session) + "\n";
  return out;
}

SessionOptions options(std::uint64_t seed, std::size_t clients = 3) {
  SessionOptions o;
  o.seed = seed;
  o.count = 20;
  o.clients = clients;
  o.steps = 25;
  return o;
}

// Printable UTF-8: no control bytes, every multi-byte sequence well formed.
bool printable_utf8(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size();) {
    const auto lead = static_cast<unsigned char>(bytes[i]);
    std::size_t length = lead < 0x80         ? 1
                         : (lead >> 5) == 6  ? 2
                         : (lead >> 4) == 14 ? 3
                         : (lead >> 3) == 30 ? 4
                                             : 0;
    if (length == 0 || i + length > bytes.size()) return false;
    if (length == 1 && (lead < 0x20 || lead == 0x7f)) return false;
    for (std::size_t k = 1; k < length; ++k)
      if ((static_cast<unsigned char>(bytes[i + k]) >> 6) != 2) return false;
    i += length;
  }
  return true;
}

std::string_view first_word(std::string_view line) {
  return line.substr(0, line.find(' '));
}

// What a run of sessions did, for the coverage test.
struct Seen {
  std::set<std::string> commands;  // first words of complete lines
  bool reconnect = false, close = false, half_close = false, several_lines = false,
       cut_line = false, dropped_partial = false, utf8 = false, empty_login = false;
};

// Checks one session against the rules, and notes what it did.
void check_rules(const DifferentialSession& session, Seen& seen) {
  SCOPED_TRACE(session.name);
  std::map<char, bool> connected, ever_connected;
  std::map<char, std::string> pending;  // bytes of a line not yet ended
  for (std::size_t i = 0; i < session.steps.size(); ++i) {
    SCOPED_TRACE("step " + std::to_string(i));
    const SessionStep& step = session.steps[i];
    ASSERT_GE(step.client, 'a');
    ASSERT_LT(step.client, 'a' + static_cast<int>(kMaxSessionClients));
    const char c = step.client;
    switch (step.kind) {
      case Kind::Connect:
        ASSERT_FALSE(connected[c]) << "a connect replaces a live connection";
        if (ever_connected[c]) seen.reconnect = true;
        connected[c] = ever_connected[c] = true;
        pending[c].clear();
        break;
      case Kind::Close:
      case Kind::HalfClose:
        ASSERT_TRUE(connected[c]);
        (step.kind == Kind::Close ? seen.close : seen.half_close) = true;
        if (!pending[c].empty()) seen.dropped_partial = true;
        connected[c] = false;
        break;
      case Kind::Send: {
        ASSERT_TRUE(connected[c]) << "a send after close or logout";
        ASSERT_FALSE(step.bytes.empty());
        ASSERT_NE(step.bytes.back(), '\r') << "a CR split from its LF";
        ASSERT_NE(step.bytes.front(), '\n') << "a CR split from its LF";
        if (step.bytes.find('\x80') != std::string::npos ||
            step.bytes.find('\xc3') != std::string::npos)
          seen.utf8 = true;
        std::string& line = pending[c];
        std::size_t lines_ended = 0;
        for (std::size_t k = 0; k < step.bytes.size(); ++k) {
          const char byte = step.bytes[k];
          if (byte == '\n') {
            ASSERT_TRUE(!line.empty() && line.back() == '\r') << "a bare LF";
            line.pop_back();
            ++lines_ended;
            // Sends may cut a character; the line as the server frames it must be whole.
            ASSERT_TRUE(printable_utf8(line)) << line;
            if (line.starts_with("login") && line.find_first_not_of(' ', 5) == std::string::npos)
              seen.empty_login = true;
            seen.commands.insert(std::string(first_word(line)));
            if (first_word(line) == "logout") {
              ASSERT_EQ(k + 1, step.bytes.size()) << "bytes after a logout in the same send";
              connected[c] = false;
            }
            line.clear();
          } else {
            ASSERT_TRUE(line.empty() || line.back() != '\r') << "a CR not followed by LF";
            line += byte;
          }
        }
        if (lines_ended > 1) seen.several_lines = true;
        if (!line.empty() && line != "say lost") seen.cut_line = true;
        break;
      }
    }
  }
}

TEST(DifferentialSessions, TheSameSeedGivesTheSameSessions) {
  EXPECT_EQ(all_json(options(7)), all_json(options(7)));
  EXPECT_NE(all_json(options(7)), all_json(options(8)));
}

TEST(DifferentialSessions, CountStepsAndClientsAreHonoured) {
  const std::vector<DifferentialSession> sessions = generate_sessions(options(3, 2));
  ASSERT_EQ(sessions.size(), 20u);
  EXPECT_EQ(sessions[4].name, "sim-s3-4");
  for (const DifferentialSession& session : sessions) {
    EXPECT_GE(session.steps.size(), 25u);
    for (const SessionStep& step : session.steps)
      EXPECT_TRUE(step.client == 'a' || step.client == 'b');
  }
}

TEST(DifferentialSessions, EverySessionKeepsToTheBooksProtocol) {
  Seen seen;
  for (std::uint64_t seed = 1; seed <= 30; ++seed)
    for (const DifferentialSession& session : generate_sessions(options(seed, 1 + seed % 5)))
      check_rules(session, seen);
  // And the sessions do everything the protocol has.
  for (const char* command : {"login", "say", "look", "who", "logout", "", "foo", "LOGOUT"})
    EXPECT_TRUE(seen.commands.contains(command)) << command;
  EXPECT_TRUE(seen.reconnect);
  EXPECT_TRUE(seen.close);
  EXPECT_TRUE(seen.half_close);
  EXPECT_TRUE(seen.several_lines);
  EXPECT_TRUE(seen.cut_line);
  EXPECT_TRUE(seen.dropped_partial);
  EXPECT_TRUE(seen.utf8);
  EXPECT_TRUE(seen.empty_login);
}

TEST(DifferentialSessions, JsonNamesEachStepAndHexesTheBytes) {
  const DifferentialSession session{"sim-s1-0",
                                    {{Kind::Connect, 'a', {}},
                                     {Kind::Send, 'a', "hi\r\n"},
                                     {Kind::HalfClose, 'a', {}},
                                     {Kind::Close, 'b', {}}}};
  EXPECT_EQ(to_json_line(session),
            "{\"name\": \"sim-s1-0\", \"steps\": [[\"connect\", \"a\"], [\"send\", \"a\", "
            "\"68690d0a\"], [\"half_close\", \"a\"], [\"close\", \"b\"]]}");
}

}  // namespace
}  // namespace teaparty::sim
