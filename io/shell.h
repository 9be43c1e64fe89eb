#pragma once
// Shell: the thin layer between the sockets and core, in the manner of redis's ae.c, on
// poll(2) or epoll(7) (io/poller.h). Each wake it reads what arrived (until EAGAIN), hands it
// to core, then carries out core's actions: one writev per connection with output, however
// many lines it was sent this wake, and closes. It sleeps until core's next deadline. Nothing
// about chat is decided here.
//
// What it waits for is registered with the poller only when it changes: a connection is read
// unless its input ended or core paused it, and written only while output is queued that the
// socket did not take.
//
// Every call into core passes through Tap, so a recorder can see every byte in and out.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include <sys/uio.h>

#include "core/server.h"
#include "io/heap_trim.h"
#include "io/poller.h"
#include "io/redis_link.h"
#include "io/signals.h"
#include "io/socket.h"

namespace teaparty::io {

// Observers of the traffic between sockets and core (a session recorder, tests). Any member
// may be left empty.
struct Tap {
  std::function<void(core::Instant, core::ConnId, const std::string& peer)> connected;
  std::function<void(core::Instant, core::ConnId, core::ByteView)> received;
  std::function<void(core::Instant, core::ConnId, core::PeerGone)> gone;
  std::function<void(core::Instant, core::ConnId, core::ByteView)> written;
  std::function<void(core::Instant, core::ConnId)> closed;
  std::function<void(core::Instant)> ticked;
  std::function<void(core::Instant)> shutdown_begun;
};

enum class LogThreshold { Debug, Info, Warning, Error };

class Shell {
 public:
  // `bus`: the node's link to Redis when it is one of a cluster (core::Config::cluster), else
  // null. The shell carries core's bus requests to it and its events back to core.
  Shell(core::Server& server, Listener listener, LogThreshold threshold,
        PollerKind poller = kDefaultPoller, Tap tap = {}, RedisLink* bus = nullptr);
  ~Shell();
  Shell(const Shell&) = delete;
  Shell& operator=(const Shell&) = delete;
  // Runs until a stop signal has been handled and every connection is closed.
  void run();

 private:
  struct Connection {
    FileDescriptor fd;
    bool read_closed = false;  // the client sent EOF; do not poll for input any more
    bool want_write = false;   // output is queued that the socket did not take yet
    // Core said PauseReading (the client's line rate limit is spent): leave its input in the
    // socket, so its TCP window fills and the sender is held back, until ResumeReading.
    bool reading_paused = false;
    Interest watched;  // what the poller watches it for
  };

  int poll_timeout_ms(core::Instant now) const;
  void handle_ready(core::Instant now, const std::vector<Readiness>& ready);
  void watch_listener(core::Instant now);
  void update_interest(core::Instant now, core::ConnId id, Connection& conn);
  void accept_ready(core::Instant now);
  void read_ready(core::Instant now, core::ConnId id, Connection& conn);
  void flush(core::Instant now, core::ConnId id);
  void carry_out_actions(core::Instant now);
  void trim_heap_after_bursts(core::Instant now);
  void print_logs();
  void print_log(core::LogRecord record) const;
  // The cluster's bus, between poll and core (each does nothing without a bus).
  void watch_bus();
  void bus_ready(core::Instant now, int fd, const Readiness& ready);
  void pass_bus_events(core::Instant now);
  void pass_bus_requests(core::Instant now);
  void flush_bus_before_exit();
  void begin_shutdown(core::Instant now);
  void note(LogThreshold level, const std::string& text) const;

  core::Server& server_;
  Listener listener_;
  LogThreshold threshold_;
  Tap tap_;
  RedisLink* bus_;
  // The bus's sockets as the poller watches them, by descriptor (the link makes new ones when
  // it reconnects, and tells the shell before it closes one: see watch_bus()).
  std::map<int, Interest> bus_watched_;
  std::vector<pollfd> bus_fds_;  // watch_bus()'s scratch
  StopSignals signals_;
  std::unordered_map<std::uint64_t, Connection> connections_;
  Poller poller_;
  bool listener_watched_ = false;
  HeapTrim heap_trim_;
  bool accepting_ = true;
  core::Instant accept_paused_until_{};
  std::vector<char> read_buffer_;
  // flush()'s scratch for one writev, kept here rather than on its stack: an array of spans is
  // zero-filled whenever one is made, 16 KiB per flush, per connection, per wake.
  std::vector<core::ByteView> gather_views_;
  std::vector<iovec> gather_iov_;
};

}  // namespace teaparty::io
