#include "tests/props/model_shell.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <utility>
#include <variant>

#include "core/invariants.h"

namespace teaparty::harness {
namespace {

std::string conn_name(core::ConnId id) {
  return "connection " + std::to_string(id.value);
}

// Every action but StopAccepting is about one connection.
core::ConnId addressee_of(const core::StopAccepting&) {
  return {};
}
template <typename PerConnection>
core::ConnId addressee_of(const PerConnection& action) {
  return action.conn;
}

std::string_view action_name(const core::Action& action) {
  if (std::holds_alternative<core::WantWrite>(action)) return "WantWrite";
  if (std::holds_alternative<core::CloseConnection>(action)) return "CloseConnection";
  if (std::holds_alternative<core::PauseReading>(action)) return "PauseReading";
  if (std::holds_alternative<core::ResumeReading>(action)) return "ResumeReading";
  return "StopAccepting";
}

}  // namespace

core::Config tight_limits() {
  using namespace std::chrono_literals;
  core::Config config;
  config.max_line = 64;
  config.line_rate = 4;
  config.line_burst = 3;
  config.max_output = 600;
  config.max_connections = 6;
  config.max_per_address = 5;
  config.login_timeout = 3s;
  config.idle_timeout = 8s;
  config.close_grace = 2s;
  config.shutdown_grace = 1s;
  return config;
}

ModelShell::ModelShell(core::Config config) : server_(std::move(config)) {}

std::optional<core::ConnId> ModelShell::connect() {
  if (!accepting_) return std::nullopt;
  const core::ConnId id = server_.connect(now_, "model");
  if (!connections_.try_emplace(id.value).second)
    fail("connect", conn_name(id) + " was issued twice");
  settle("connect");
  return id;
}

void ModelShell::receive(core::ConnId conn, std::string_view bytes) {
  auto it = connections_.find(conn.value);
  if (it == connections_.end()) return fail("receive", "the model never had " + conn_name(conn));
  if (it->second.reading_paused) {
    it->second.unread += bytes;
    return;
  }
  server_.receive(now_, conn, core::as_bytes(bytes));
  settle("receive");
}

void ModelShell::peer_gone(core::ConnId conn, core::PeerGone how) {
  auto it = connections_.find(conn.value);
  if (it == connections_.end()) return fail("peer_gone", "the model never had " + conn_name(conn));
  // A shell that is not reading a socket does not see its end either; a broken connection
  // shows as an error whether or not it is read.
  if (how == core::PeerGone::EndOfStream && it->second.reading_paused) {
    it->second.end_of_stream_unread = true;
    return;
  }
  server_.peer_gone(now_, conn, how);
  settle("peer_gone");
}

void ModelShell::write(core::ConnId conn, std::size_t limit) {
  auto it = connections_.find(conn.value);
  if (it == connections_.end() || it->second.closed_because) return;
  Connection& connection = it->second;     // std::map: the reference survives new entries
  std::array<core::ByteView, 16> views{};  // as a writev with a small iovec would take it
  while (limit > 0) {
    const std::size_t count = server_.gather_output(conn, views);
    if (count == 0) break;
    std::size_t taken = 0;
    for (std::size_t i = 0; i < count && taken < limit; ++i) {
      const std::size_t take = std::min(views[i].size(), limit - taken);
      connection.delivered += core::as_text(views[i].first(take));
      taken += take;
    }
    limit -= taken;
    server_.wrote(now_, conn, taken);  // may close it: a closing connection that has drained
  }
  if (server_.queued_bytes(conn) == 0) connection.write_wanted = false;
  settle("write");
}

void ModelShell::flush_all() {
  for (core::ConnId conn : open_connections())
    write(conn, SIZE_MAX);
}

void ModelShell::advance(core::Duration by) {
  now_ = now_ + by;
  server_.tick(now_);
  settle("tick");
  if (const auto deadline = server_.next_deadline(); deadline && *deadline <= now_) {
    fail("tick", "the next deadline is not after the tick that just ran");
  }
}

void ModelShell::live_through(core::Duration span) {
  const core::Instant end = now_ + span;
  // Each wake moves time forward (a deadline not after the tick is a violation, and stops
  // this), so the loop ends; the count only guards against a deadline every nanosecond.
  for (int wakes = 0; wakes < 100000 && !violation_; ++wakes) {
    flush_all();
    const auto deadline = server_.next_deadline();
    if (!deadline || *deadline > end) break;
    advance(std::max(*deadline - now_, core::Duration::zero()));
  }
  flush_all();
  if (now_ < end) advance(end - now_);
}

void ModelShell::begin_shutdown() {
  server_.begin_shutdown(now_);
  settle("begin_shutdown");
}

bool ModelShell::is_open(core::ConnId conn) const {
  auto it = connections_.find(conn.value);
  return it != connections_.end() && !it->second.closed_because;
}

std::optional<core::CloseReason> ModelShell::close_reason(core::ConnId conn) const {
  auto it = connections_.find(conn.value);
  return it == connections_.end() ? std::nullopt : it->second.closed_because;
}

const std::string& ModelShell::delivered(core::ConnId conn) const {
  static const std::string nothing;
  auto it = connections_.find(conn.value);
  return it == connections_.end() ? nothing : it->second.delivered;
}

std::vector<core::ConnId> ModelShell::connections() const {
  std::vector<core::ConnId> ids;
  for (const auto& [id, connection] : connections_)
    ids.push_back(core::ConnId{id});
  return ids;
}

std::vector<core::ConnId> ModelShell::open_connections() const {
  std::vector<core::ConnId> ids;
  for (const auto& [id, connection] : connections_) {
    if (!connection.closed_because) ids.push_back(core::ConnId{id});
  }
  return ids;
}

// Carries out what core asked for and checks every promise.
void ModelShell::bus(const core::BusEvent& event) {
  server_.bus_event(now_, event);
  settle("bus event");
}

void ModelShell::settle(std::string_view step) {
  while (auto action = server_.poll_action())
    take_action(*action, step);
  while (server_.poll_bus())
    ++bus_requests_;
  while (auto record = server_.poll_log()) {
    if (record->conn.value != 0 && !connections_.contains(record->conn.value)) {
      fail(step, "a log record names " + conn_name(record->conn) + ", never issued");
    }
  }
  if (auto violation = core::check_invariants(server_)) fail(step, *violation);
  check_sessions_match(step);
  read_what_waited();
}

// Reading resumed: what waited in the socket is read now, and its end after it.
void ModelShell::read_what_waited() {
  for (auto& [id, connection] : connections_) {
    if (connection.reading_paused || connection.closed_because) continue;
    if (connection.unread.empty() && !connection.end_of_stream_unread) continue;
    const core::ConnId conn{id};
    const std::string unread = std::exchange(connection.unread, {});
    const bool end_of_stream = std::exchange(connection.end_of_stream_unread, false);
    if (!unread.empty()) receive(conn, unread);  // settles, and so comes back here
    if (end_of_stream) peer_gone(conn, core::PeerGone::EndOfStream);
    return;
  }
}

void ModelShell::take_action(const core::Action& action, std::string_view step) {
  if (std::holds_alternative<core::StopAccepting>(action)) {
    if (!std::exchange(accepting_, false)) fail(step, "StopAccepting came twice");
    return;
  }
  const core::ConnId conn = std::visit([](const auto& a) { return addressee_of(a); }, action);
  const std::string name = std::string(action_name(action)) + " for " + conn_name(conn);
  auto it = connections_.find(conn.value);
  if (it == connections_.end()) return fail(step, name + ", never issued");
  Connection& connection = it->second;
  if (connection.closed_because) return fail(step, name + ", already closed");

  if (const auto* close = std::get_if<core::CloseConnection>(&action)) {
    connection.closed_because = close->reason;
    connection.write_wanted = false;
  } else if (std::holds_alternative<core::WantWrite>(action)) {
    connection.write_wanted = true;
  } else if (std::holds_alternative<core::PauseReading>(action)) {
    if (std::exchange(connection.reading_paused, true)) fail(step, name + ", already paused");
    ++pauses_;
  } else if (std::holds_alternative<core::ResumeReading>(action)) {
    if (!std::exchange(connection.reading_paused, false)) fail(step, name + ", not paused");
  }
}

// Core and the shell agree on which connections exist, and queued output is always announced.
void ModelShell::check_sessions_match(std::string_view step) {
  const core::World& world = server_.world();
  std::size_t open = 0;
  for (const auto& [id, connection] : connections_) {
    const core::ConnId conn{id};
    const bool in_core = world.find(conn) != nullptr;
    if (connection.closed_because) {
      if (in_core) fail(step, conn_name(conn) + " was closed but core still has it");
      continue;
    }
    ++open;
    if (!in_core) fail(step, "core forgot " + conn_name(conn) + " without closing it");
    if (server_.queued_bytes(conn) > 0 && !connection.write_wanted) {
      fail(step, conn_name(conn) + " has output queued but no WantWrite for it");
    }
  }
  if (world.session_count() != open) {
    fail(step, "core has " + std::to_string(world.session_count()) + " sessions, the shell " +
                   std::to_string(open) + " open connections");
  }
}

void ModelShell::fail(std::string_view step, const std::string& what) {
  if (!violation_) violation_ = "after " + std::string(step) + ": " + what;
}

}  // namespace teaparty::harness
