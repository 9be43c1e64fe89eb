#pragma once
// VirtualShell plays io/shell for the limits tests, on a virtual clock, with the socket side
// modelled closely enough to see back-pressure: what a client sends waits in its socket until
// the shell reads it, in reads of at most `read_size` bytes, and a connection whose reading
// core has paused is not read at all — so the bytes core holds and the bytes left in the
// socket can both be measured.
//
// It checks the shell's side of the contract as it goes and fails the running test from its
// destructor if core broke it: no action for a closed connection, PauseReading and
// ResumeReading strictly alternating, and core's invariants (core/invariants.h) after every
// wake.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/invariants.h"
#include "core/server.h"

namespace teaparty::limits_test {

using namespace std::chrono_literals;
using core::CloseReason;
using core::ConnId;
using core::Duration;
using core::Instant;

class VirtualShell {
 public:
  explicit VirtualShell(core::Config config, std::size_t read_size = 64 * 1024)
      : server_(std::move(config)), read_size_(read_size) {}
  VirtualShell(const VirtualShell&) = delete;
  VirtualShell& operator=(const VirtualShell&) = delete;
  ~VirtualShell() {
    for (const std::string& problem : problems_)
      ADD_FAILURE() << problem;
  }

  // --- what clients and the clock do ---
  ConnId connect(std::string_view peer = "192.0.2.1:40000") {
    const ConnId id = server_.connect(now_, peer);
    clients_[id.value];
    wake();
    return id;
  }
  // Connects a client that reads nothing, not even the first reply.
  ConnId connect_stalled(std::string_view peer = "192.0.2.1:40000") {
    const ConnId id = server_.connect(now_, peer);
    clients_[id.value].stalled = true;
    wake();
    return id;
  }
  // The client writes `bytes` into its socket; the shell reads what it may.
  void send(ConnId conn, std::string_view bytes) {
    clients_[conn.value].socket += bytes;
    wake();
  }
  // The client closes its sending side, after whatever it sent before.
  void close_input(ConnId conn) {
    clients_[conn.value].eof_sent = true;
    wake();
  }
  void reset(ConnId conn) {
    Client& client = clients_[conn.value];
    client.socket.clear();
    if (!client.closed) server_.peer_gone(now_, conn, core::PeerGone::Broken);
    wake();
  }
  // The next write to the client fails as a reset peer's would: the shell reports it broken
  // instead of writing (seed 003's connection lost in the middle of a broadcast).
  void break_on_write(ConnId conn) { clients_[conn.value].breaks_on_write = true; }
  // A stalled client reads nothing: its output stays queued in core.
  void stall(ConnId conn) { clients_[conn.value].stalled = true; }
  void unstall(ConnId conn) {
    clients_[conn.value].stalled = false;
    wake();
  }
  // Moves the clock on by `by`, stopping at every deadline core asks for on the way.
  void advance(Duration by) { run_until(now_ + by); }
  void run_until(Instant until) {
    for (int steps = 0; steps < kMaxSteps; ++steps) {
      const auto deadline = server_.next_deadline();
      if (!deadline || *deadline > until) break;
      if (*deadline < now_) {
        problems_.push_back("a deadline lies in the past");
        break;
      }
      now_ = *deadline;
      server_.tick(now_);
      wake();
    }
    now_ = until;
    server_.tick(now_);
    wake();
  }

  // --- what a test observes ---
  std::string take_output(ConnId conn) {
    std::string taken;
    taken.swap(clients_[conn.value].received);
    return taken;
  }
  bool closed(ConnId conn) const { return client(conn).closed; }
  std::optional<CloseReason> close_reason(ConnId conn) const { return client(conn).reason; }
  bool paused(ConnId conn) const { return client(conn).paused; }
  // Bytes the client sent that the shell has not read yet (still in the socket).
  std::size_t unread(ConnId conn) const { return client(conn).socket.size(); }
  // The most input core ever held for the connection, decoded or not, after any input.
  std::size_t most_held(ConnId conn) const { return client(conn).most_held; }
  std::size_t most_queued(ConnId conn) const { return client(conn).most_queued; }
  int pauses(ConnId conn) const { return client(conn).pauses; }
  std::vector<core::LogRecord>& logs() { return logs_; }
  bool logged(core::LogLevel level, std::string_view needle) const {
    return std::any_of(logs_.begin(), logs_.end(), [&](const core::LogRecord& r) {
      return r.level == level && r.text.find(needle) != std::string::npos;
    });
  }
  core::Server& server() { return server_; }
  Instant now() const { return now_; }

 private:
  static constexpr int kMaxSteps = 1'000'000;  // a core that never settles is a bug, not a hang

  struct Client {
    std::string socket;  // sent by the client, not yet read by the shell
    bool eof_sent = false;
    bool eof_read = false;
    bool stalled = false;
    bool breaks_on_write = false;
    bool paused = false;  // as the shell knows it, from the actions
    bool closed = false;
    std::optional<CloseReason> reason;
    std::string received;
    std::size_t most_held = 0;
    std::size_t most_queued = 0;
    int pauses = 0;
  };

  const Client& client(ConnId conn) const {
    static const Client none;
    auto it = clients_.find(conn.value);
    return it == clients_.end() ? none : it->second;
  }

  // One poll wake and everything after it, repeated until nothing moves.
  void wake() {
    for (int round = 0; round < kMaxSteps; ++round) {
      bool progress = false;
      for (auto& [id, c] : clients_)
        progress = read_some(ConnId{id}, c) || progress;
      progress = serve_actions() || progress;
      for (auto& [id, c] : clients_)
        progress = write_some(ConnId{id}, c) || progress;
      progress = serve_actions() || progress;
      observe();
      if (!progress) return;
    }
    problems_.push_back("the shell never settled");
  }

  bool read_some(ConnId id, Client& c) {
    if (c.closed || c.eof_read || c.paused || server_.reading_paused(id)) return false;
    if (c.socket.empty()) {
      if (!c.eof_sent) return false;
      c.eof_read = true;
      server_.peer_gone(now_, id, core::PeerGone::EndOfStream);
      return true;
    }
    const std::size_t n = std::min(read_size_, c.socket.size());
    const std::string chunk = c.socket.substr(0, n);
    c.socket.erase(0, n);
    server_.receive(now_, id, core::as_bytes(chunk));
    note_held(id, c);
    return true;
  }

  bool write_some(ConnId id, Client& c) {
    if (c.closed || c.stalled) return false;
    if (c.breaks_on_write && server_.queued_bytes(id) > 0) {
      c.breaks_on_write = false;
      c.socket.clear();
      server_.peer_gone(now_, id, core::PeerGone::Broken);
      return true;
    }
    std::array<core::ByteView, 64> views;
    const std::size_t count = server_.gather_output(id, views);
    std::size_t total = 0;
    for (std::size_t i = 0; i < count; ++i) {
      c.received += core::as_text(views[i]);
      total += views[i].size();
    }
    if (total == 0) return false;
    server_.wrote(now_, id, total);
    return true;
  }

  bool serve_actions() {
    bool any = false;
    while (auto action = server_.poll_action()) {
      any = true;
      std::visit([this](const auto& a) { serve(a); }, *action);
    }
    while (auto record = server_.poll_log())
      logs_.push_back(std::move(*record));
    return any;
  }
  void serve(const core::WantWrite& want) { expect_open(want.conn, "WantWrite"); }
  void serve(const core::CloseConnection& close) {
    Client& c = expect_open(close.conn, "CloseConnection");
    c.closed = true;
    c.reason = close.reason;
  }
  void serve(const core::StopAccepting&) {}
  void serve(const core::PauseReading& pause) {
    Client& c = expect_open(pause.conn, "PauseReading");
    if (c.paused) problems_.push_back("PauseReading twice for " + name(pause.conn));
    c.paused = true;
    ++c.pauses;
  }
  void serve(const core::ResumeReading& resume) {
    Client& c = expect_open(resume.conn, "ResumeReading");
    if (!c.paused) problems_.push_back("ResumeReading without a pause for " + name(resume.conn));
    c.paused = false;
  }

  Client& expect_open(ConnId id, std::string_view what) {
    Client& c = clients_[id.value];
    if (c.closed) problems_.push_back(std::string(what) + " for closed " + name(id));
    return c;
  }

  void note_held(ConnId id, Client& c) {
    if (const core::Session* s = server_.world().find(id)) {
      c.most_held = std::max(c.most_held, s->held_input.size() + s->input.buffered_bytes());
    }
  }

  void observe() {
    for (auto& [id, c] : clients_) {
      note_held(ConnId{id}, c);
      c.most_queued = std::max(c.most_queued, server_.queued_bytes(ConnId{id}));
    }
    if (auto violation = core::check_invariants(server_))
      problems_.push_back("invariant broken: " + *violation);
  }

  static std::string name(ConnId id) { return "connection " + std::to_string(id.value); }

  core::Server server_;
  std::size_t read_size_;
  Instant now_{std::chrono::seconds(1000)};
  std::map<std::uint64_t, Client> clients_;
  std::vector<core::LogRecord> logs_;
  std::vector<std::string> problems_;
};

}  // namespace teaparty::limits_test
