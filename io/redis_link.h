#pragma once
// RedisLink: a node's link to the Redis server that joins the nodes of a cluster (core/bus.h
// says what the bus promises; this is how Redis keeps those promises). It owns two
// non-blocking TCP connections to Redis, driven from the shell's own poll loop, no threads
// and no second event loop:
//   - the command connection carries core's requests: claims and releases as Lua scripts
//     (EVAL; atomic, so a claim sees and sets each key in one step), publishes as PUBLISH.
//     Redis answers in order on one connection, so replies are matched to requests in order.
//   - the subscriber connection says PSUBSCRIBE teaparty:* once and then only hears
//     messages, which become core::BusMessage.
// hiredis serves only as the RESP command formatter and reply reader, on our own sockets.
//
// The link is up (BusUp) once both connections are made and the subscription confirmed. Any
// failure (refused connect, EOF, a socket error, a reply that makes no sense, an error reply,
// a write queue past its cap because Redis stopped reading) closes both connections, forgets
// the requests not yet answered, reports BusDown once per outage, and retries after a
// backoff that doubles from 100 ms to 5 s (reset by the next BusUp). Requests handed in while
// the link is not up are dropped: core/bus.h promises nothing across a BusDown.
//
// Time comes from the caller (the shell's monotonic clock), like core's.

#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <poll.h>

#include "core/bus.h"
#include "core/log.h"
#include "core/time.h"
#include "io/socket.h"

struct redisReader;
struct redisReply;

namespace teaparty::io {

// Where Redis listens, resolved once at start (resolving in the loop could block it).
struct RedisAddress {
  sockaddr_storage address{};
  socklen_t length = 0;
  std::string text;  // "HOST:PORT" as given, for logs
};
// Parses "HOST:PORT" ("[::1]:6379" for IPv6) and resolves HOST; errors as a sentence.
std::variant<RedisAddress, std::string> resolve_redis_address(const std::string& host_port);

struct RedisLinkLimits {
  std::chrono::milliseconds first_backoff{100};
  std::chrono::milliseconds max_backoff{5000};
  // How long connecting and subscribing may take before the attempt counts as failed (a host
  // that drops SYNs would otherwise hold the link for minutes).
  std::chrono::milliseconds handshake_timeout{5000};
  // Bytes queued for Redis that it has not read; past this it is not keeping up: BusDown.
  std::size_t max_queued_bytes = std::size_t{64} << 20;
};

class RedisLink {
 public:
  RedisLink(RedisAddress address, std::string node_name, RedisLinkLimits limits = {});
  ~RedisLink();
  RedisLink(const RedisLink&) = delete;
  RedisLink& operator=(const RedisLink&) = delete;

  // Starts connecting (the first attempt is immediate; later ones follow the backoff).
  void start(core::Instant now);

  // --- for the shell's poll ---
  // Appends one pollfd per open connection, with the events the link waits for.
  void add_poll_fds(std::vector<pollfd>& out) const;
  // Handles what poll reported for the entries add_poll_fds appended (in that order).
  void handle_ready(core::Instant now, const pollfd* entries, std::size_t count);
  // Retries when the backoff is over, gives up a handshake that took too long.
  void tick(core::Instant now);
  // When tick() next has something to do; nullopt while up.
  std::optional<core::Instant> next_deadline() const;

  // --- between the link and core ---
  // Queues core's request for Redis. Dropped unless up. Nothing is written until flush():
  // a wake's requests (a PUBLISH per line said) go out in one write.
  void submit(core::Instant now, const core::BusRequest& request);
  // Writes what is queued, as far as the socket takes it (the rest when poll says it may).
  void flush(core::Instant now);
  // What happened, for core's bus_event, oldest first.
  std::optional<core::BusEvent> poll_event();
  bool has_events() const { return !events_.empty(); }
  // What the operator should know (the link going down and why, coming back).
  std::optional<core::LogRecord> poll_log();

  // Called with a socket's descriptor just before the link closes it (the shell takes it out
  // of its poller first: the number is reused at once).
  void on_close(std::function<void(int fd)> hook) { before_close_ = std::move(hook); }

  bool up() const { return state_ == State::Up; }
  // Nothing is waiting to be written to Redis (what a shutdown waits for).
  bool flushed() const;

 private:
  enum class State { Down, Connecting, Up };
  // One TCP connection to Redis: its socket, what is queued for it, and its reply reader.
  struct Connection {
    FileDescriptor fd;
    bool connected = false;  // the non-blocking connect completed
    std::string out;         // RESP bytes not yet written, from out_sent on
    std::size_t out_sent = 0;
    redisReader* reader = nullptr;
  };
  // What a reply on the command connection answers.
  struct AwaitClaim {
    std::uint64_t id;
    std::size_t keys;
  };
  struct AwaitNothing {};  // release, publish: the reply is only checked for an error
  using Awaiting = std::variant<AwaitClaim, AwaitNothing>;

  bool open(core::Instant now, Connection& conn);
  void close(Connection& conn);
  void broken(core::Instant now, const std::string& why);
  bool command(core::Instant now, Connection& conn, const std::vector<std::string>& args);
  bool write_out(core::Instant now, Connection& conn);
  bool connect_done(core::Instant now, Connection& conn);
  bool read_in(core::Instant now, Connection& conn);
  bool take_replies(core::Instant now, Connection& conn);
  bool on_command_reply(core::Instant now, const ::redisReply& reply);
  bool on_subscriber_reply(core::Instant now, const ::redisReply& reply);
  void maybe_up(core::Instant now);
  void log(core::Instant now, core::LogLevel level, std::string text);

  RedisAddress address_;
  std::string node_name_;
  RedisLinkLimits limits_;
  State state_ = State::Down;
  bool started_ = false;
  bool down_reported_ = false;  // BusDown said for this outage (or never up yet and failed)
  bool subscribed_ = false;
  core::Instant retry_at_{};
  core::Instant handshake_deadline_{};
  std::chrono::milliseconds backoff_;
  Connection commands_;
  Connection subscriber_;
  std::deque<Awaiting> awaiting_;
  std::deque<core::BusEvent> events_;
  std::deque<core::LogRecord> logs_;
  std::vector<char> read_buffer_;
  std::function<void(int fd)> before_close_;
};

}  // namespace teaparty::io
