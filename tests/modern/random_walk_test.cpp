// Random walks through the modern dialect: a handful of clients, driven from a fixed seed, type
// what users of the modern dialect type (names good, taken and bad; chat, /me, /msg, /join,
// /leave, /nick, listings, unknown commands, blank lines, /quit, hang-ups), with every line end
// in the wild and lines cut across reads. After every step, besides core's invariants (checked
// by ChatShell):
//
//   - a said line reaches exactly the members of the speaker's room, each once;
//   - a private message reaches exactly one other user, the one named, and the sender's echo;
//   - history is bounded: no room holds more than --history lines, and no history shown on
//     entering a room is longer.
//
// Every said and whispered line ends with a unique marker ([s17], [w4]) so it can be found
// wherever it turns up. Deterministic: the seed is the test's parameter.

#include <gtest/gtest.h>

#include <array>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tests/modern/modern_shell.h"

namespace teaparty::core::testing {
namespace {

constexpr std::size_t kClients = 6;
constexpr std::size_t kSteps = 1000;
constexpr std::size_t kHistory = 3;

constexpr std::array<std::string_view, 8> kNames{"alice", "Bob",  "CAROL", "alice",
                                                 "bob",   "dave", "x y",   "Ελένη"};
constexpr std::array<std::string_view, 6> kRooms{"tea", "Tea", "zoo", "main", "#bad", "garden"};

class RandomWalk : public ::testing::TestWithParam<unsigned> {
 protected:
  RandomWalk() : shell_(config()), random_(GetParam()) {}

  static Config config() {
    Config c = modern_config();
    c.history_lines = kHistory;
    return c;
  }

  struct Client {
    std::optional<ConnId> id;
  };

  std::size_t below(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(random_);
  }
  template <typename T, std::size_t N>
  T pick(const std::array<T, N>& items) {
    return items[below(N)];
  }

  std::string line_end() {
    switch (below(4)) {
      case 0:
        return "\n";
      case 1:
        return std::string("\r\0", 2);
      default:
        return "\r\n";
    }
  }

  // Sends the line, cut into reads at random.
  void send(ConnId id, const std::string& line) {
    const std::string bytes = line + line_end();
    shell_.type_in_pieces(id, bytes, 1 + below(bytes.size() + 4));
  }

  const Session* session(ConnId id) { return shell_.server().world().find(id); }

  std::set<std::uint64_t> room_members_of(ConnId speaker) {
    std::set<std::uint64_t> members;
    for (ConnId id : session(speaker)->room->members)
      members.insert(id.value);
    return members;
  }

  void step() {
    Client& client = clients_[below(kClients)];
    if (!client.id || shell_.closed(*client.id)) {
      client.id = shell_.connect();
      return;
    }
    const ConnId id = *client.id;
    const Session* s = session(id);
    if (!s) return;
    const bool chatting = s->phase == Phase::Chatting;
    // One still choosing a name mostly types one; one chatting mostly chats.
    switch (chatting || below(4) == 0 ? below(16) : 0) {
      case 0:
      case 1:
        send(id, std::string(pick(kNames)));
        break;
      case 2:
      case 3:
      case 4:
        if (chatting) {
          const std::string marker = "[s" + std::to_string(next_marker_++) + "]";
          expected_says_[marker] = room_members_of(id);
          send(id, (below(2) ? "/me waves " : "hello ") + marker);
        }
        break;
      case 5:
      case 6:
        if (chatting) {
          const std::string target(pick(kNames));
          const std::string marker = "[w" + std::to_string(next_marker_++) + "]";
          const Session* to = shell_.server().world().find_by_name(target);
          if (to && to != s) expected_whispers_[marker] = {id.value, to->id.value};
          send(id, "/msg " + target + " psst " + marker);
        }
        break;
      case 7:
      case 8:
        send(id, "/join " + std::string(pick(kRooms)));
        break;
      case 9:
        send(id, "/leave");
        break;
      case 10:
        send(id, "/nick " + std::string(pick(kNames)));
        break;
      case 11: {
        constexpr std::array<std::string_view, 6> kOther{"/who",  "/look", "/rooms",
                                                         "/help", "/frob", ""};
        send(id, std::string(pick(kOther)));
        break;
      }
      case 12:  // leaving is rarer than the rest, or the rooms would stay empty
        if (below(3) == 0) send(id, "/quit");
        break;
      case 13:
        if (below(3) == 0) shell_.hang_up(id, below(2) ? PeerGone::EndOfStream : PeerGone::Broken);
        break;
      default:
        if (chatting) send(id, "//slash chat");
        break;
    }
  }

  // Reads what every client received this step, line by line, outside and inside history.
  void check_deliveries() {
    std::map<std::string, std::vector<std::uint64_t>> said, whispered, echoed;
    for (const Client& client : clients_) {
      if (!client.id) continue;
      const std::uint64_t me = client.id->value;
      const std::string output = shell_.take_output(*client.id);
      bool in_history = false;
      std::size_t history_lines = 0;
      for (std::size_t start = 0; start < output.size();) {
        const std::size_t end = std::min(output.find("\r\n", start), output.size());
        const std::string line = output.substr(start, end - start);
        start = end + 2;
        if (line.starts_with("--- the last lines said in ")) {
          in_history = true;
          history_lines = 0;
          continue;
        }
        if (line == "--- end of history ---") {
          in_history = false;
          EXPECT_LE(history_lines, kHistory) << "a history longer than --history was shown";
          continue;
        }
        if (in_history) {
          ++history_lines;
          continue;
        }
        const std::size_t open = line.rfind('[');
        if (open == std::string::npos || !line.ends_with(']')) continue;
        const std::string marker = line.substr(open);
        if (line.starts_with("You whisper to ")) {
          echoed[marker].push_back(me);
        } else if (line.find(" whispers: ") != std::string::npos) {
          whispered[marker].push_back(me);
        } else {
          said[marker].push_back(me);
        }
      }
    }
    for (const auto& [marker, heard] : said) {
      ASSERT_TRUE(expected_says_.contains(marker)) << marker << " was never said";
      const std::set<std::uint64_t> got(heard.begin(), heard.end());
      EXPECT_EQ(got.size(), heard.size()) << marker << " reached someone twice";
      EXPECT_EQ(got, expected_says_[marker]) << marker << " did not reach exactly its room";
      deliveries_ += heard.size();
      expected_says_.erase(marker);
    }
    for (const auto& [marker, members] : expected_says_) {
      EXPECT_TRUE(members.empty()) << marker << " reached nobody";
    }
    expected_says_.clear();
    for (const auto& [marker, pair] : expected_whispers_) {
      EXPECT_EQ(whispered[marker], std::vector<std::uint64_t>{pair.second})
          << marker << " must reach exactly the one named";
      EXPECT_EQ(echoed[marker], std::vector<std::uint64_t>{pair.first}) << marker << " echo";
      deliveries_ += 2;
      whispered.erase(marker);
    }
    for (const auto& [marker, heard] : whispered) {
      EXPECT_TRUE(heard.empty()) << marker << " reached someone though it had no recipient";
    }
    expected_whispers_.clear();
    for (const Room* room : shell_.server().world().rooms()) {
      EXPECT_LE(room->history.size(), kHistory) << room->name;
    }
  }

  ChatShell shell_;
  std::mt19937_64 random_;
  std::array<Client, kClients> clients_;
  std::uint64_t next_marker_ = 0;
  std::size_t deliveries_ = 0;  // says and whispers checked on arrival
  std::map<std::string, std::set<std::uint64_t>> expected_says_;
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> expected_whispers_;  // from, to
};

TEST_P(RandomWalk, SaysReachTheRoomWhispersReachOneHistoryIsBounded) {
  for (std::size_t i = 0; i < kSteps && !HasFatalFailure(); ++i) {
    step();
    check_deliveries();
  }
  EXPECT_GT(deliveries_, kSteps / 4) << "the walk hardly chatted: the checks checked little";
}

INSTANTIATE_TEST_SUITE_P(Seeds, RandomWalk, ::testing::Range(1u, 21u));

}  // namespace
}  // namespace teaparty::core::testing
