#pragma once
// The modern dialect under test: ChatShell drives a core::Server the way io/shell does (write
// a connection's output when core asks, keep writing while anything is queued, report each
// write, forget a connection when told to close it), with strings for sockets, so a test reads
// exactly the bytes each client received. Reading is not paused: these tests leave the rate
// limit off. After every input it checks core's invariants (core/invariants.h) and fails the
// test if one broke.
//
// modern_config() is the server as `teaparty --dialect modern` runs it, less the limits (each
// test asks for the limits it is about); the constants are the bytes every client gets first.

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/config.h"
#include "core/invariants.h"
#include "core/server.h"
#include "tests/core/bytes.h"

namespace teaparty::core::testing {

// The offers every modern connection gets first: WILL EOR, WILL GMCP, WILL MSSP.
inline std::string offers() {
  return iac(telnet::kWILL, telnet::kOptEOR) + iac(telnet::kWILL, telnet::kOptGMCP) +
         iac(telnet::kWILL, telnet::kOptMSSP);
}
inline const std::string kWelcome =
    "Welcome to TestChat!\r\n"
    "Choose a name: up to 24 letters, digits, _ or -. Type /help for help.\r\n"
    "Your name: ";
inline const std::string kPrompt = "Your name: ";
inline std::string end_of_record() {
  return iac(telnet::kEOR);
}
inline std::string hello(std::string_view name) {
  return "Hello, " + std::string(name) + "! You are in main. Type /help for the commands.\r\n";
}

inline Config modern_config() {
  Config config;
  config.dialect = DialectKind::Modern;
  config.started_unix_time = 1700000000;
  return config;
}

class ChatShell {
 public:
  explicit ChatShell(Config config) : server_(std::move(config)) {}
  ChatShell(const ChatShell&) = delete;
  ChatShell& operator=(const ChatShell&) = delete;
  ~ChatShell() {
    for (const std::string& problem : problems_)
      ADD_FAILURE() << problem;
  }

  ConnId connect(std::string_view peer = "192.0.2.1:40000") {
    const ConnId id = server_.connect(now_, peer);
    output_[id.value];
    pump("connect");
    return id;
  }
  // The client sent `bytes`, arriving in one read.
  void type(ConnId conn, std::string_view bytes) {
    server_.receive(now_, conn, as_bytes(bytes));
    pump("receive");
  }
  // The client sent `bytes`, arriving in reads of at most `piece` bytes each.
  void type_in_pieces(ConnId conn, std::string_view bytes, std::size_t piece) {
    for (std::size_t at = 0; at < bytes.size(); at += piece)
      type(conn, bytes.substr(at, piece));
  }
  void hang_up(ConnId conn, PeerGone how) {
    server_.peer_gone(now_, conn, how);
    pump("peer_gone");
  }
  void advance(Duration by) {
    now_ = now_ + by;
    server_.tick(now_);
    pump("tick");
  }
  void begin_shutdown() {
    server_.begin_shutdown(now_);
    pump("begin_shutdown");
  }
  // A stalled client reads nothing: its output stays queued in core until it resumes.
  void stall(ConnId conn) { stalled_.insert(conn.value); }
  void resume(ConnId conn) {
    stalled_.erase(conn.value);
    pump("resume");
  }

  // Everything the client received since the last take_output().
  std::string take_output(ConnId conn) { return std::exchange(output_[conn.value], {}); }
  bool closed(ConnId conn) const { return closes_.contains(conn.value); }
  std::optional<CloseReason> close_reason(ConnId conn) const {
    auto it = closes_.find(conn.value);
    return it == closes_.end() ? std::nullopt : std::optional(it->second);
  }
  Server& server() { return server_; }

 private:
  static constexpr int kMaxRounds = 10'000;  // a core that never settles is a bug, not a hang

  void pump(std::string_view after) {
    for (int round = 0; round < kMaxRounds; ++round) {
      bool progress = false;
      while (auto action = server_.poll_action()) {
        progress = true;
        std::visit([this](const auto& a) { serve(a); }, *action);
      }
      for (std::uint64_t id : std::set<std::uint64_t>(writing_)) {
        if (!stalled_.contains(id)) progress = write(ConnId{id}) || progress;
      }
      while (server_.poll_log()) {
      }
      if (!progress) break;
      if (round + 1 == kMaxRounds) problems_.push_back("core never settled");
    }
    if (auto violation = check_invariants(server_)) {
      problems_.push_back("after " + std::string(after) + ": " + *violation);
    }
  }

  void serve(const WantWrite& want) { writing_.insert(want.conn.value); }
  void serve(const CloseConnection& close) {
    if (!closes_.emplace(close.conn.value, close.reason).second) {
      problems_.push_back("connection " + std::to_string(close.conn.value) + " closed twice");
    }
    writing_.erase(close.conn.value);
  }
  void serve(const StopAccepting&) {}
  // Reading is not modelled: a test types what it types, and the limits have tests of their own.
  void serve(const PauseReading&) {}
  void serve(const ResumeReading&) {}

  bool write(ConnId conn) {
    std::array<ByteView, 64> views;
    const std::size_t count = server_.gather_output(conn, views);
    std::size_t written = 0;
    for (std::size_t i = 0; i < count; ++i) {
      output_[conn.value] += as_text(views[i]);
      written += views[i].size();
    }
    if (written == 0) {
      writing_.erase(conn.value);
      return false;
    }
    server_.wrote(now_, conn, written);
    if (server_.queued_bytes(conn) == 0) writing_.erase(conn.value);
    return true;
  }

  Server server_;
  Instant now_{std::chrono::seconds(1000)};
  std::map<std::uint64_t, std::string> output_;
  std::set<std::uint64_t> writing_;
  std::set<std::uint64_t> stalled_;
  std::map<std::uint64_t, CloseReason> closes_;
  std::vector<std::string> problems_;
};

// Compares bytes, showing both sides escaped when they differ.
#define EXPECT_BYTES(actual, expected) EXPECT_EQ(escaped(actual), escaped(expected))

class ModernTest : public ::testing::Test {
 protected:
  explicit ModernTest(Config config = modern_config()) : shell_(std::move(config)) {}

  // Connects and forgets the greeting.
  ConnId arrive() {
    const ConnId id = shell_.connect();
    shell_.take_output(id);
    return id;
  }
  // Connects, logs in by typing the name, and forgets everything received.
  ConnId enter(std::string_view name) {
    const ConnId id = arrive();
    shell_.type(id, std::string(name) + "\r\n");
    EXPECT_EQ(shell_.take_output(id).substr(0, 7), "Hello, ") << name << " could not log in";
    return id;
  }
  // Types a line (CR LF added) and returns what that client received because of it.
  std::string type(ConnId id, std::string_view line) {
    shell_.type(id, std::string(line) + "\r\n");
    return shell_.take_output(id);
  }
  std::string take(ConnId id) { return shell_.take_output(id); }
  // Forgets what each of these received so far.
  template <typename... Ids>
  void forget(Ids... ids) {
    (shell_.take_output(ids), ...);
  }

  ChatShell shell_;
};

}  // namespace teaparty::core::testing
