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

constexpr std::size_t kFixedSlots = 2;  // the stop-signal pipe, then the listener
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

Shell::Shell(core::Server& server, Listener listener, LogThreshold threshold, Tap tap,
             RedisLink* bus)
    : server_(server),
      listener_(std::move(listener)),
      threshold_(threshold),
      tap_(std::move(tap)),
      bus_(bus),
      read_buffer_(kReadBufferBytes),
      gather_views_(IOV_MAX),
      gather_iov_(IOV_MAX) {}

void Shell::run() {
  while (!server_.finished()) {
    build_poll_set();
    const int ready = ::poll(poll_set_.data(), poll_set_.size(), poll_timeout_ms(monotonic_now()));
    const Instant now = monotonic_now();
    if (ready < 0 && errno != EINTR) {
      std::fprintf(stderr, "%s error poll failed: %s\n", wall_clock_timestamp().c_str(),
                   std::strerror(errno));
      begin_shutdown(now);
    }
    if (ready > 0) {
      if (poll_set_[0].revents != 0 && signals_.drain()) begin_shutdown(now);
      for (std::size_t i = 0; i < poll_ids_.size(); ++i) {
        const short revents = poll_set_[i + kFixedSlots].revents;
        if (revents == 0) continue;
        const ConnId id = poll_ids_[i];
        auto it = connections_.find(id.value);
        if (it == connections_.end()) continue;
        if (revents & (POLLIN | POLLHUP | POLLERR)) read_ready(now, id, it->second);
        // A connection whose reading is paused learns of a reset by writing (poll reports
        // POLLHUP or POLLERR whatever it was asked), so errors go to flush as well.
        if (revents & (POLLOUT | POLLHUP | POLLERR)) flush(now, id);
      }
      if (poll_set_[1].revents & POLLIN) accept_ready(now);
      bus_ready(now);
    }
    if (bus_ != nullptr) bus_->tick(now);
    if (tap_.ticked) tap_.ticked(now);
    server_.tick(now);
    pass_bus_events(now);
    carry_out_actions(now);
    pass_bus_requests(now);
    print_logs();
  }
  flush_bus_before_exit();
}

void Shell::build_poll_set() {
  poll_set_.clear();
  poll_ids_.clear();
  poll_set_.push_back({signals_.fd(), POLLIN, 0});
  const bool listen_now =
      accepting_ && listener_.fd.valid() && monotonic_now() >= accept_paused_until_;
  poll_set_.push_back({listen_now ? listener_.fd.get() : -1, POLLIN, 0});
  for (const auto& [id, conn] : connections_) {
    short events = 0;
    if (!conn.read_closed && !conn.reading_paused) events |= POLLIN;
    if (conn.want_write) events |= POLLOUT;
    if (events == 0) continue;
    poll_set_.push_back({conn.fd.get(), events, 0});
    poll_ids_.push_back(ConnId{id});
  }
  const std::size_t before_bus = poll_set_.size();
  if (bus_ != nullptr) bus_->add_poll_fds(poll_set_);
  bus_slots_ = poll_set_.size() - before_bus;
}

int Shell::poll_timeout_ms(Instant now) const {
  std::optional<Instant> wake = server_.next_deadline();
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
        std::fprintf(stderr, "%s warning %s; pausing accepts\n", wall_clock_timestamp().c_str(),
                     error->what.c_str());
      }
      return;  // EAGAIN: nothing more waiting
    }
    auto& accepted = std::get<Accepted>(result);
    const ConnId id = server_.connect(now, accepted.peer);
    if (tap_.connected) tap_.connected(now, id, accepted.peer);
    connections_.emplace(id.value, Connection{std::move(accepted.fd)});
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
    } else if (const auto* close = std::get_if<core::CloseConnection>(&*action)) {
      auto it = connections_.find(close->conn.value);
      if (it == connections_.end()) continue;
      // Say we are done writing before closing, so the client sees an orderly end of stream.
      ::shutdown(it->second.fd.get(), SHUT_WR);
      if (tap_.closed) tap_.closed(now, close->conn);
      connections_.erase(it);
      // A descriptor is free: if accepting was paused for want of one, try again now.
      if (accept_paused_until_ > now) accept_paused_until_ = now;
    } else if (const auto* pause = std::get_if<core::PauseReading>(&*action)) {
      if (auto it = connections_.find(pause->conn.value); it != connections_.end())
        it->second.reading_paused = true;
    } else if (const auto* resume = std::get_if<core::ResumeReading>(&*action)) {
      if (auto it = connections_.find(resume->conn.value); it != connections_.end())
        it->second.reading_paused = false;
    } else if (std::holds_alternative<core::StopAccepting>(*action)) {
      accepting_ = false;
      listener_.fd.reset();
    }
  }
}

void Shell::begin_shutdown(Instant now) {
  if (tap_.shutdown_begun) tap_.shutdown_begun(now);
  server_.begin_shutdown(now);
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

void Shell::bus_ready(Instant now) {
  if (bus_ == nullptr || bus_slots_ == 0) return;
  bus_->handle_ready(now, poll_set_.data() + (poll_set_.size() - bus_slots_), bus_slots_);
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
