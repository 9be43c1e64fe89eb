#pragma once
// FakeShell plays io/shell for tests: it drives a core::Server the way the poll loop does —
// write a connection's output once core asks for it (WantWrite), keep writing while anything is
// queued, report each write with wrote(), forget a connection when told to close it — but the
// sockets are strings, so a test can read exactly the bytes each client received.
//
// It also checks the shell's side of the contract as it goes (no action for a connection that
// is already closed, no second WantWrite while one is being served, no double close, Pause and
// ResumeReading alternating) and core's invariants (core/invariants.h) whenever core settles,
// and fails the running test from its destructor if core broke any of them.

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/invariants.h"
#include "core/server.h"

namespace teaparty::core::testing {

class FakeShell {
 public:
  explicit FakeShell(Config config = {}) : server_(std::move(config)) {}
  FakeShell(const FakeShell&) = delete;
  FakeShell& operator=(const FakeShell&) = delete;
  ~FakeShell() {
    for (const std::string& problem : contract_breaches_)
      ADD_FAILURE() << "core broke the shell contract: " << problem;
  }

  // --- what the clients and the clock do ---
  ConnId connect(std::string_view peer = "192.0.2.1:40000") {
    const ConnId id = server_.connect(now_, peer);
    output_[id.value];  // a client that has received nothing has an empty string, not none
    pump();
    return id;
  }
  // The client sent `bytes`, arriving in one read — or, while core has asked the shell to stop
  // reading this connection, waiting in the socket as TCP would keep them.
  void type(ConnId conn, std::string_view bytes) {
    unread_[conn.value] += bytes;
    read_all(conn);
    pump();
  }
  // The client sent `bytes`, arriving in reads of at most `piece` bytes each.
  void type_in_pieces(ConnId conn, std::string_view bytes, std::size_t piece) {
    for (std::size_t at = 0; at < bytes.size(); at += piece)
      type(conn, bytes.substr(at, piece));
  }
  // An orderly close is seen only after every byte before it has been read; a reset at once.
  void hang_up(ConnId conn, PeerGone how) {
    if (how == PeerGone::EndOfStream && !unread_[conn.value].empty()) {
      end_of_stream_unread_.insert(conn.value);
      return;
    }
    server_.peer_gone(now_, conn, how);
    pump();
  }
  void advance(Duration by) {
    now_ = now_ + by;
    server_.tick(now_);
    pump();
  }
  void begin_shutdown() {
    server_.begin_shutdown(now_);
    pump();
  }
  // The cluster's bus delivered `event` (tests/core/cluster_test.cpp plays the store).
  void bus(const BusEvent& event) {
    server_.bus_event(now_, event);
    pump();
  }

  // Connects and logs in as `name`, and forgets the welcome: the usual start of a test.
  ConnId log_in(std::string_view name) {
    const ConnId id = connect();
    type(id, "login " + std::string(name) + "\r\n");
    take_output(id);
    return id;
  }

  // A stalled client reads nothing, so its output stays queued in core until it resumes.
  void stall(ConnId conn) { stalled_.insert(conn.value); }
  void resume(ConnId conn) {
    stalled_.erase(conn.value);
    pump();
  }
  // At most this many bytes per write, as a full socket buffer would allow.
  void limit_writes_to(std::size_t bytes) { write_limit_ = bytes; }

  // --- what a test observes ---
  // Everything the client received since the last take_output().
  std::string take_output(ConnId conn) {
    std::string taken;
    taken.swap(output_[conn.value]);
    return taken;
  }
  const std::string& output(ConnId conn) { return output_[conn.value]; }
  bool closed(ConnId conn) const { return closes_.contains(conn.value); }
  std::optional<CloseReason> close_reason(ConnId conn) const {
    auto it = closes_.find(conn.value);
    if (it == closes_.end()) return std::nullopt;
    return it->second;
  }
  bool stopped_accepting() const { return stopped_accepting_; }
  bool reading_paused(ConnId conn) const { return paused_.contains(conn.value); }
  const std::vector<Action>& actions() const { return actions_; }
  const std::vector<LogRecord>& logs() const { return logs_; }
  const std::vector<std::string>& contract_breaches() const { return contract_breaches_; }
  Server& server() { return server_; }
  Instant now() const { return now_; }

 private:
  static constexpr int kMaxRounds = 10'000;  // a core that never settles is a bug, not a hang

  // Serves actions and writes until core has nothing more to say.
  void pump() {
    for (int round = 0; round < kMaxRounds; ++round) {
      bool progress = serve_actions();
      for (auto& [id, bytes] : unread_) {
        if (!bytes.empty() && !paused_.contains(id)) progress = read_all(ConnId{id}) || progress;
      }
      const std::set<std::uint64_t> writing = writing_;
      for (std::uint64_t id : writing) {
        if (!stalled_.contains(id)) progress = write_some(ConnId{id}) || progress;
      }
      while (auto record = server_.poll_log())
        logs_.push_back(std::move(*record));
      if (!progress) {
        if (auto violation = check_invariants(server_))
          contract_breaches_.push_back("invariant broken: " + *violation);
        return;
      }
    }
    contract_breaches_.push_back("core never settled");
  }

  bool serve_actions() {
    bool any = false;
    while (auto action = server_.poll_action()) {
      any = true;
      actions_.push_back(*action);
      std::visit([this](const auto& a) { serve(a); }, *action);
    }
    return any;
  }

  void serve(const WantWrite& want) {
    const std::uint64_t id = want.conn.value;
    if (closes_.contains(id)) breach("WantWrite for closed connection ", id);
    if (!writing_.insert(id).second) breach("second WantWrite before the first was served ", id);
  }
  void serve(const CloseConnection& close) {
    const std::uint64_t id = close.conn.value;
    if (!closes_.emplace(id, close.reason).second) breach("connection closed twice ", id);
    writing_.erase(id);
    paused_.erase(id);  // what a test sends after the close still reaches core, which ignores it
  }
  void serve(const StopAccepting&) {
    if (stopped_accepting_) breach("StopAccepting twice ", 0);
    stopped_accepting_ = true;
  }
  // Only a rate-limited Config pauses reading (tests/limits has the tests of that); the fake
  // shell still honours it, as the real one does.
  void serve(const PauseReading& pause) {
    const std::uint64_t id = pause.conn.value;
    if (closes_.contains(id)) breach("PauseReading for closed connection ", id);
    if (!paused_.insert(id).second) breach("PauseReading twice ", id);
  }
  void serve(const ResumeReading& resume) {
    const std::uint64_t id = resume.conn.value;
    if (closes_.contains(id)) breach("ResumeReading for closed connection ", id);
    if (paused_.erase(id) == 0) breach("ResumeReading without PauseReading ", id);
  }

  // One read of everything the client has sent, unless reading is paused. Returns whether
  // anything was read.
  bool read_all(ConnId conn) {
    std::string& unread = unread_[conn.value];
    if (unread.empty() || paused_.contains(conn.value)) return false;
    const std::string bytes = std::exchange(unread, std::string());
    server_.receive(now_, conn, as_bytes(bytes));
    serve_actions();
    if (unread.empty() && end_of_stream_unread_.erase(conn.value) > 0)
      server_.peer_gone(now_, conn, PeerGone::EndOfStream);
    return true;
  }
  // One writev: as much of the queued output as the write limit allows.
  bool write_some(ConnId conn) {
    std::array<ByteView, 16> views;
    const std::size_t count = server_.gather_output(conn, views);
    std::string written;
    for (std::size_t i = 0; i < count && written.size() < write_limit_; ++i) {
      const std::string_view text = as_text(views[i]);
      written += text.substr(0, write_limit_ - written.size());
    }
    if (written.empty()) {  // nothing queued (it was cleared, or the connection is gone)
      writing_.erase(conn.value);
      return false;
    }
    output_[conn.value] += written;
    server_.wrote(now_, conn, written.size());
    if (server_.queued_bytes(conn) == 0) writing_.erase(conn.value);
    return true;
  }

  void breach(std::string_view what, std::uint64_t id) {
    contract_breaches_.push_back(std::string(what) + std::to_string(id));
  }

  Server server_;
  Instant now_{std::chrono::seconds(1000)};
  std::size_t write_limit_ = 1 << 20;
  std::map<std::uint64_t, std::string> output_;
  std::set<std::uint64_t> writing_;  // WantWrite received, output not yet drained
  std::set<std::uint64_t> stalled_;
  std::set<std::uint64_t> paused_;                // PauseReading received, no ResumeReading yet
  std::map<std::uint64_t, std::string> unread_;   // sent by the client, not yet read
  std::set<std::uint64_t> end_of_stream_unread_;  // closed behind unread bytes
  std::map<std::uint64_t, CloseReason> closes_;
  bool stopped_accepting_ = false;
  std::vector<Action> actions_;
  std::vector<LogRecord> logs_;
  std::vector<std::string> contract_breaches_;
};

}  // namespace teaparty::core::testing
