#include "io/shell.h"

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <limits>
#include <variant>

#include "core/terminal_safety.h"
#include "io/clock.h"

namespace teaparty::io {
namespace {

using core::ConnId;
using core::Instant;

// Poller tokens: a connection's is its id (core counts those up from 1).
constexpr std::uint64_t kSignalToken = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint64_t kListenerToken = kSignalToken - 1;
// A socket of the cluster's bus: this base less its descriptor (far above any connection id).
constexpr std::uint64_t kBusTokenBase = kListenerToken - 1;
constexpr std::uint64_t kBusTokenFloor = kBusTokenBase - (std::uint64_t{1} << 32);
constexpr std::size_t kReadBufferBytes = 64 * 1024;
// A client that keeps its socket full must not starve the others: after this many reads in
// one wake its remaining input waits for the next.
constexpr int kMaxReadsPerWake = 16;
constexpr int kMaxAcceptsPerWake = 256;
// Out of file descriptors: stop accepting for a moment rather than spin on EMFILE.
constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);
// At exit, how long the bus may take to write what core said last (its roster, its goodbyes).
constexpr auto kBusFlushAtExit = std::chrono::milliseconds(200);

bool is_transient(int code) {
  return code == EAGAIN || code == EWOULDBLOCK || code == EINTR;
}

core::LogLevel level_of(LogThreshold threshold) {
  return static_cast<core::LogLevel>(static_cast<int>(threshold));
}

std::string wall_clock_timestamp() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(millis));
  return text;
}

}  // namespace

Shell::Shell(core::Server& server, Listener listener, LogThreshold threshold, PollerKind poller,
             Tap tap, RedisLink* bus)
    : server_(server),
      listener_(std::move(listener)),
      threshold_(threshold),
      tap_(std::move(tap)),
      bus_(bus),
      poller_(poller),
      read_buffer_(kReadBufferBytes),
      gather_views_(IOV_MAX),
      gather_iov_(IOV_MAX) {
  // Out of the poller before the link closes a socket, as for connections: the number is
  // reused at once, by the next accept or the link's own reconnect.
  if (bus_ != nullptr) {
    bus_->on_close([this](int fd) {
      poller_.forget(fd);
      bus_watched_.erase(fd);
    });
  }
}

Shell::~Shell() {
  if (bus_ != nullptr) bus_->on_close(nullptr);  // the link outlives the shell
}

void Shell::run() {
  note(LogThreshold::Debug, "waiting for events with " + std::string(name_of(poller_.kind())));
  poller_.watch(signals_.fd(), kSignalToken, Interest{.read = true});
  while (!server_.finished()) {
    watch_listener(monotonic_now());
    watch_bus();
    const WaitResult result = poller_.wait(poll_timeout_ms(monotonic_now()));
    const Instant now = monotonic_now();
    if (result.error != 0 && result.error != EINTR) {
      note(LogThreshold::Error,
           std::string(name_of(poller_.kind())) + " failed: " + std::strerror(result.error));
      begin_shutdown(now);
    }
    handle_ready(now, *result.ready);
    if (bus_ != nullptr) bus_->tick(now);
    if (tap_.ticked) tap_.ticked(now);
    server_.tick(now);
    pass_bus_events(now);
    carry_out_actions(now);
    pass_bus_requests(now);
    trim_heap_after_bursts(now);
    print_logs();
  }
  flush_bus_before_exit();
}

void Shell::handle_ready(Instant now, const std::vector<Readiness>& ready) {
  // A stop signal first, so that what the clients sent meanwhile meets a server shutting down;
  // new connections last, once the ones already here are served.
  bool can_accept = false;
  for (const Readiness& event : ready) {
    if (event.token == kSignalToken && signals_.drain()) begin_shutdown(now);
    if (event.token == kListenerToken) can_accept = true;
  }
  for (const Readiness& event : ready) {
    if (event.token > kBusTokenFloor && event.token <= kBusTokenBase) {
      bus_ready(now, static_cast<int>(kBusTokenBase - event.token), event);
    }
  }
  for (const Readiness& event : ready) {
    auto it = connections_.find(event.token);
    if (it == connections_.end()) continue;
    const ConnId id{event.token};
    if (event.readable) read_ready(now, id, it->second);
    // A connection whose reading is paused learns of a reset by writing (both pollers report
    // a hang-up or an error whatever they were asked), so errors go to flush as well.
    if (event.writable) flush(now, id);
    update_interest(now, id, it->second);
  }
  if (can_accept) accept_ready(now);
}

void Shell::watch_listener(Instant now) {
  const bool listen_now = accepting_ && listener_.fd.valid() && now >= accept_paused_until_;
  if (listen_now == listener_watched_) return;
  poller_.watch(listener_.fd.get(), kListenerToken, Interest{.read = listen_now});
  listener_watched_ = listen_now;
}

void Shell::update_interest(Instant now, ConnId id, Connection& conn) {
  const Interest wanted{.read = !conn.read_closed && !conn.reading_paused,
                        .write = conn.want_write};
  if (wanted == conn.watched) return;
  if (poller_.watch(conn.fd.get(), id.value, wanted)) {
    conn.watched = wanted;
    return;
  }
  // The kernel will not watch it (epoll out of memory): a connection that is never woken
  // must not hang there; let core close it.
  note(LogThreshold::Warning,
       "conn=" + std::to_string(id.value) + " cannot be watched: " + std::strerror(errno));
  conn.read_closed = true;
  conn.want_write = false;
  conn.watched = Interest{};
  poller_.forget(conn.fd.get());
  if (tap_.gone) tap_.gone(now, id, core::PeerGone::Broken);
  server_.peer_gone(now, id, core::PeerGone::Broken);
}

void Shell::trim_heap_after_bursts(Instant now) {
  if (!heap_trim_.due(now, server_.outbox_bytes_released())) return;
  trim_heap();
  note(LogThreshold::Debug, "heap trimmed after a burst (" + std::to_string(heap_trim_.trims()) +
                                " so far): " + std::to_string(server_.outbox_bytes_released()) +
                                " bytes of outbox rings freed since the start");
}

int Shell::poll_timeout_ms(Instant now) const {
  std::optional<Instant> wake = server_.next_deadline();
  if (const auto trim = heap_trim_.next_deadline()) wake = wake ? std::min(*wake, *trim) : *trim;
  if (accepting_ && now < accept_paused_until_) {
    wake = wake ? std::min(*wake, accept_paused_until_) : accept_paused_until_;
  }
  if (bus_ != nullptr) {
    if (bus_->has_events()) return 0;
    if (const auto retry = bus_->next_deadline()) wake = wake ? std::min(*wake, *retry) : *retry;
  }
  if (!wake) return -1;
  if (*wake <= now) return 0;
  // Round up so we never wake a hair before the deadline and spin.
  const auto wait = std::chrono::ceil<std::chrono::milliseconds>(*wake - now).count();
  return static_cast<int>(std::min<long long>(wait, std::numeric_limits<int>::max()));
}

void Shell::accept_ready(Instant now) {
  for (int i = 0; i < kMaxAcceptsPerWake && accepting_; ++i) {
    auto result = accept_from(listener_.fd.get());
    if (auto* error = std::get_if<SystemError>(&result)) {
      if (error->code == EINTR || error->code == ECONNABORTED) continue;
      if (error->code == EMFILE || error->code == ENFILE || error->code == ENOBUFS ||
          error->code == ENOMEM) {
        accept_paused_until_ = now + kAcceptBackoff;
        note(LogThreshold::Warning, error->what + "; pausing accepts");
      }
      return;  // EAGAIN: nothing more waiting
    }
    auto& accepted = std::get<Accepted>(result);
    const ConnId id = server_.connect(now, accepted.peer);
    if (tap_.connected) tap_.connected(now, id, accepted.peer);
    Connection& conn = connections_[id.value];
    conn.fd = std::move(accepted.fd);
    update_interest(now, id, conn);
  }
}

void Shell::read_ready(Instant now, ConnId id, Connection& conn) {
  for (int reads = 0; reads < kMaxReadsPerWake; ++reads) {
    // Asked before every read, not only at the poll: the read that spent the client's line
    // allowance must be the last until core resumes it, which bounds what core holds.
    if (conn.read_closed || server_.reading_paused(id)) return;
    const ssize_t n = ::read(conn.fd.get(), read_buffer_.data(), read_buffer_.size());
    if (n > 0) {
      const core::ByteView bytes(reinterpret_cast<const std::byte*>(read_buffer_.data()),
                                 static_cast<std::size_t>(n));
      if (tap_.received) tap_.received(now, id, bytes);
      server_.receive(now, id, bytes);
      if (static_cast<std::size_t>(n) < read_buffer_.size()) return;  // drained
      continue;
    }
    if (n < 0 && is_transient(errno)) return;
    const core::PeerGone how = n == 0 ? core::PeerGone::EndOfStream : core::PeerGone::Broken;
    conn.read_closed = true;
    if (tap_.gone) tap_.gone(now, id, how);
    server_.peer_gone(now, id, how);
    return;
  }
}

// Writes everything core has queued for the connection, in as few writev calls as the socket
// allows (IOV_MAX views each).
void Shell::flush(Instant now, ConnId id) {
  auto it = connections_.find(id.value);
  if (it == connections_.end()) return;
  Connection& conn = it->second;
  const std::span<core::ByteView> views(gather_views_);
  std::vector<iovec>& iov = gather_iov_;
  conn.want_write = false;
  while (true) {
    const std::size_t count = server_.gather_output(id, views);
    if (count == 0) return;
    std::size_t total = 0;
    for (std::size_t i = 0; i < count; ++i) {
      iov[i] = {const_cast<std::byte*>(views[i].data()), views[i].size()};
      total += views[i].size();
    }
    const ssize_t n = ::writev(conn.fd.get(), iov.data(), static_cast<int>(count));
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        conn.want_write = true;
        return;
      }
      if (tap_.gone) tap_.gone(now, id, core::PeerGone::Broken);
      server_.peer_gone(now, id, core::PeerGone::Broken);
      return;
    }
    if (tap_.written) {
      std::size_t left = static_cast<std::size_t>(n);
      for (std::size_t i = 0; i < count && left > 0; ++i) {
        const std::size_t part = std::min(left, views[i].size());
        tap_.written(now, id, views[i].first(part));
        left -= part;
      }
    }
    server_.wrote(now, id, static_cast<std::size_t>(n));
    if (static_cast<std::size_t>(n) < total) {
      conn.want_write = true;  // the socket is full; poll tells us when it drains
      return;
    }
  }
}

void Shell::carry_out_actions(Instant now) {
  while (auto action = server_.poll_action()) {
    if (const auto* want = std::get_if<core::WantWrite>(&*action)) {
      flush(now, want->conn);
      if (auto it = connections_.find(want->conn.value); it != connections_.end())
        update_interest(now, want->conn, it->second);
    } else if (const auto* close = std::get_if<core::CloseConnection>(&*action)) {
      auto it = connections_.find(close->conn.value);
      if (it == connections_.end()) continue;
      // Out of the poller before the descriptor is closed: its number is reused at once.
      poller_.forget(it->second.fd.get());
      // Say we are done writing before closing, so the client sees an orderly end of stream.
      ::shutdown(it->second.fd.get(), SHUT_WR);
      if (tap_.closed) tap_.closed(now, close->conn);
      connections_.erase(it);
      // A descriptor is free: if accepting was paused for want of one, try again now.
      if (accept_paused_until_ > now) accept_paused_until_ = now;
    } else if (const auto* pause = std::get_if<core::PauseReading>(&*action)) {
      if (auto it = connections_.find(pause->conn.value); it != connections_.end()) {
        it->second.reading_paused = true;
        update_interest(now, pause->conn, it->second);
      }
    } else if (const auto* resume = std::get_if<core::ResumeReading>(&*action)) {
      if (auto it = connections_.find(resume->conn.value); it != connections_.end()) {
        it->second.reading_paused = false;
        update_interest(now, resume->conn, it->second);
      }
    } else if (std::holds_alternative<core::StopAccepting>(*action)) {
      accepting_ = false;
      if (listener_watched_) poller_.forget(listener_.fd.get());
      listener_watched_ = false;
      listener_.fd.reset();
    }
  }
}

void Shell::begin_shutdown(Instant now) {
  if (tap_.shutdown_begun) tap_.shutdown_begun(now);
  server_.begin_shutdown(now);
}

void Shell::note(LogThreshold level, const std::string& text) const {
  if (level < threshold_) return;
  std::fprintf(stderr, "%s %s %s\n", wall_clock_timestamp().c_str(),
               std::string(core::describe(level_of(level))).c_str(), text.c_str());
}

void Shell::print_logs() {
  while (auto record = server_.poll_log())
    print_log(std::move(*record));
  if (bus_ == nullptr) return;
  while (auto record = bus_->poll_log())
    print_log(std::move(*record));
}

void Shell::print_log(core::LogRecord record) const {
  if (record.level < level_of(threshold_)) return;
  // Log lines quote what clients typed (their names); an operator tailing the log must not
  // have their terminal driven by it, nor a forged line planted by an embedded newline.
  record.text = core::terminal_safe(record.text);
  const std::string stamp = wall_clock_timestamp();
  if (record.conn.value != 0) {
    std::fprintf(stderr, "%s %s conn=%llu %s\n", stamp.c_str(),
                 std::string(core::describe(record.level)).c_str(),
                 static_cast<unsigned long long>(record.conn.value), record.text.c_str());
  } else {
    std::fprintf(stderr, "%s %s %s\n", stamp.c_str(),
                 std::string(core::describe(record.level)).c_str(), record.text.c_str());
  }
}

// --- the cluster's bus ---

// The link says which of its sockets it waits on, for what (they change as it connects,
// writes and reconnects); the poller is told only of changes.
void Shell::watch_bus() {
  if (bus_ == nullptr) return;
  bus_fds_.clear();
  bus_->add_poll_fds(bus_fds_);
  for (const pollfd& entry : bus_fds_) {
    const Interest wanted{.read = (entry.events & POLLIN) != 0,
                          .write = (entry.events & POLLOUT) != 0};
    auto [it, fresh] = bus_watched_.try_emplace(entry.fd);
    if (!fresh && it->second == wanted) continue;
    if (!poller_.watch(entry.fd, kBusTokenBase - static_cast<std::uint64_t>(entry.fd), wanted)) {
      note(LogThreshold::Warning,
           std::string("the Redis link's socket cannot be watched: ") + std::strerror(errno));
    }
    it->second = wanted;
  }
}

void Shell::bus_ready(Instant now, int fd, const Readiness& ready) {
  pollfd entry{fd, 0, 0};
  if (ready.readable) entry.revents |= POLLIN;
  if (ready.writable) entry.revents |= POLLOUT;
  bus_->handle_ready(now, &entry, 1);
}

void Shell::pass_bus_events(Instant now) {
  if (bus_ == nullptr) return;
  while (auto event = bus_->poll_event())
    server_.bus_event(now, *event);
}

void Shell::pass_bus_requests(Instant now) {
  if (bus_ == nullptr) return;
  while (auto request = server_.poll_bus())
    bus_->submit(now, *request);
  bus_->flush(now);
}

// Core's last words to the cluster (queued as its connections closed) deserve a moment to
// reach Redis, but no more than that: a Redis that does not read must not hold the exit.
void Shell::flush_bus_before_exit() {
  if (bus_ == nullptr) return;
  pass_bus_requests(monotonic_now());
  const Instant give_up = monotonic_now() + kBusFlushAtExit;
  std::vector<pollfd> fds;
  for (Instant now = monotonic_now(); bus_->up() && !bus_->flushed() && now < give_up;
       now = monotonic_now()) {
    fds.clear();
    bus_->add_poll_fds(fds);
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(give_up - now).count();
    ::poll(fds.data(), fds.size(), static_cast<int>(wait));
    bus_->handle_ready(monotonic_now(), fds.data(), fds.size());
  }
  print_logs();
}

}  // namespace teaparty::io
