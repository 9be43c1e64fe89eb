#pragma once
// ModelShell drives a core::Server the way io/shell does — connections come and go, bytes
// arrive, output is written (all of it, part of it, or none for a while), time passes — and
// checks, after every step, everything core promises its shell:
//   - check_invariants() holds;
//   - a WantWrite or CloseConnection never names a connection already closed, and each
//     connection is closed once;
//   - core forgets a connection only by telling the shell to close it, and keeps none it
//     told the shell to close;
//   - output is never queued without a WantWrite the shell has not yet served;
//   - after a tick, the next deadline is in the future;
//   - PauseReading and ResumeReading alternate. While reading is paused the shell reads
//     nothing: bytes (and an end of stream) wait in the "socket" until ResumeReading.
// The first broken promise is kept as `violation()`; the step functions carry on so a caller
// may decide when to stop. Everything written to a connection is kept for the caller to read.
//
// It is deterministic: no clock (time is virtual, starting at 0), no randomness, ordered maps.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/server.h"

namespace teaparty::harness {

// Every limit core has, on and small, so that short runs reach them all.
core::Config tight_limits();

class ModelShell {
 public:
  explicit ModelShell(core::Config config = {});

  // --- steps ---
  // A client connects; nullopt once core has said to stop accepting.
  std::optional<core::ConnId> connect();
  // Bytes arrive (and wait in the socket while reading is paused). Allowed for a closed
  // connection too: that is input crossing a close.
  void receive(core::ConnId conn, std::string_view bytes);
  void peer_gone(core::ConnId conn, core::PeerGone how);
  // The socket takes up to `limit` bytes of the connection's queued output.
  void write(core::ConnId conn, std::size_t limit);
  // Every open connection's socket takes everything, until nothing is queued anywhere.
  void flush_all();
  // Virtual time passes and core is ticked.
  void advance(core::Duration by);
  // Time passes as a shell lives it: writing everything, and waking at each deadline core
  // names, until `span` has passed.
  void live_through(core::Duration span);
  void begin_shutdown();
  // The cluster's bus delivered `event` (a clustered Config). What core asks of the bus is
  // taken after every step and counted, as a shell would carry it.
  void bus(const core::BusEvent& event);
  std::size_t bus_requests() const { return bus_requests_; }

  // --- what happened ---
  const core::Server& server() const { return server_; }
  core::Instant now() const { return now_; }
  bool is_open(core::ConnId conn) const;
  bool accepting() const { return accepting_; }
  std::optional<core::CloseReason> close_reason(core::ConnId conn) const;
  // Everything the shell has written to the connection, in order.
  const std::string& delivered(core::ConnId conn) const;
  // Every connection ever made, and those not yet closed, oldest first.
  std::vector<core::ConnId> connections() const;
  std::vector<core::ConnId> open_connections() const;
  const std::optional<std::string>& violation() const { return violation_; }
  // How often core paused reading (for statistics).
  std::size_t pauses() const { return pauses_; }

 private:
  struct Connection {
    bool write_wanted = false;  // a WantWrite came and the queue has not been emptied since
    bool reading_paused = false;
    std::string unread;                 // arrived while reading was paused
    bool end_of_stream_unread = false;  // the client closed behind the unread bytes
    std::optional<core::CloseReason> closed_because;
    std::string delivered;
  };

  void settle(std::string_view step);
  void read_what_waited();
  void take_action(const core::Action& action, std::string_view step);
  void check_sessions_match(std::string_view step);
  void fail(std::string_view step, const std::string& what);

  core::Server server_;
  core::Instant now_{};
  std::size_t bus_requests_ = 0;
  bool accepting_ = true;
  std::map<std::uint64_t, Connection> connections_;
  std::optional<std::string> violation_;
  std::size_t pauses_ = 0;
};

}  // namespace teaparty::harness
