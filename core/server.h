#pragma once
// Server: teaparty's core, a pure state machine. The shell feeds it what happened (a client
// connected, bytes arrived, a client went away, bytes were written, time passed) and pulls out
// what should happen (actions, log records, the bytes to write, when to wake it next). It
// touches no socket, reads no clock, starts no thread and prints nothing, so the simulator
// and the tests can drive it exactly as the real shell does.
//
// Inputs (quinn's handle_* methods):  connect, receive, peer_gone, wrote, tick, begin_shutdown
// Outputs (quinn's poll_* methods):   poll_action, poll_log, gather_output, next_deadline
//
// Contract with the shell: every input carries `now`, which never goes backwards; a ConnId
// comes from connect(). Input for a connection core has already closed is ignored (it can
// cross with a CloseConnection action in flight). Nothing here throws.

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

#include "core/actions.h"
#include "core/bus.h"
#include "core/cluster.h"
#include "core/config.h"
#include "core/dialect.h"
#include "core/log.h"
#include "core/payload.h"
#include "core/rate_limit.h"
#include "core/time.h"
#include "core/world.h"

namespace teaparty::core {

class Server {
 public:
  explicit Server(Config config);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // --- inputs ---
  // A client connected from `peer` (an address, for logs). Returns its id.
  ConnId connect(Instant now, std::string_view peer);
  void receive(Instant now, ConnId conn, ByteView bytes);
  void peer_gone(Instant now, ConnId conn, PeerGone how);
  // The shell wrote the first `count` bytes that gather_output() showed it.
  void wrote(Instant now, ConnId conn, std::size_t count);
  // Time passed; deadlines at or before `now` fire. Calling it early does nothing.
  void tick(Instant now);
  // Tell every client, let their output drain (within the grace period), then close.
  void begin_shutdown(Instant now);
  // The cluster's bus (core/bus.h) answered, delivered a message, came up or went down. Only
  // with Config::cluster; ignored otherwise.
  void bus_event(Instant now, const BusEvent& event);

  // --- outputs ---
  std::optional<Action> poll_action();
  std::optional<LogRecord> poll_log();
  // What the cluster asks of its bus, in order (core/bus.h). Never anything without
  // Config::cluster.
  std::optional<BusRequest> poll_bus();
  // Views of the connection's queued output, oldest first, valid until the next input.
  std::size_t gather_output(ConnId conn, std::span<ByteView> out) const;
  std::size_t queued_bytes(ConnId conn) const;
  // When core next needs tick(); nullopt if it needs nothing until the next input.
  std::optional<Instant> next_deadline() const;
  // A shutdown has begun and every connection is closed: the shell may exit.
  bool finished() const { return shutting_down_ && world_.session_count() == 0; }
  // Bytes of outbox rings core gave back to the heap after bursts (World's counter of that
  // name): the shell returns such memory to the system once enough has been freed.
  std::size_t outbox_bytes_released() const { return world_.outbox_bytes_released(); }
  // Core holds input of this connection back (its line rate limit is spent): the shell must
  // not read it until ResumeReading. Asked between reads, so a shell that reads a socket
  // several times a wake stops right after the read that filled the limit.
  bool reading_paused(ConnId conn) const;

  // --- inspection, for tests and the simulator's invariant checks ---
  const World& world() const { return world_; }
  const Config& config() const { return config_; }
  // The `now` of the latest tick(), if any: no deadline may lie before it.
  std::optional<Instant> last_tick() const { return last_tick_; }

 private:
  void handle(Session& session, const InputEvent& event, Instant now);
  void negotiate(Session& session, const TelnetNegotiation& negotiation);
  void check_contract(ConnId conn) const;
  void gone(Session& session, PeerGone how, Instant now);

  // Limits (docs/operations.md).
  void refuse(Session& session, Verdict verdict, Instant now);
  std::size_t decode(ConnId conn, ByteView bytes, Instant now);
  // Input bytes one line's allowance pays for when they end no line: two of the longest lines.
  std::size_t bytes_per_line() const { return 2 * config_.max_line; }
  void hold(Session& session, ByteView rest, Instant now);
  void release_held_input(Session& session, Instant now);
  void fire(const DueDeadline& due, Instant now);
  void time_out_login(Session& session, Instant now);
  void check_idle(Session& session, Instant now);
  void give_up_flushing(Session& session, Instant now);
  void close_slow_consumers(Instant now);
  void pass_on_cluster_news(Instant now);

  Config config_;
  World world_;
  // Set when the node is part of a cluster (Config::cluster).
  std::optional<Cluster> cluster_;
  Dialect dialect_;
  std::uint64_t next_id_ = 1;
  bool shutting_down_ = false;
  Instant shutdown_deadline_;
  std::optional<Instant> last_tick_;
  LineRateLimit line_rate_;
};

}  // namespace teaparty::core
