#include "io/redis_link.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

namespace teaparty::io {
namespace {

using core::Instant;

constexpr std::size_t kReadBufferBytes = 64 * 1024;
// Redis must not starve the clients: after this many reads in one wake the rest waits.
constexpr int kMaxReadsPerWake = 16;
// Written bytes are cut off the front of a queue only now and then, not on every write.
constexpr std::size_t kCompactAfterBytes = std::size_t{1} << 20;

// Grants each key (KEYS) that is free or already this node's (ARGV[1]), with a time to live of
// ARGV[2] ms; one verdict per key, 1 or 0. A script runs atomically: no other client's command
// comes between the GET and the SET.
constexpr const char* kClaimScript = R"lua(
local verdicts = {}
for i, key in ipairs(KEYS) do
  local owner = redis.call('GET', key)
  if owner == false or owner == ARGV[1] then
    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
    verdicts[i] = 1
  else
    verdicts[i] = 0
  end
end
return verdicts
)lua";

// Deletes each key (KEYS) still owned by this node (ARGV[1]); another node's is left alone.
constexpr const char* kReleaseScript = R"lua(
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key) end
end
return 0
)lua";

struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

std::string_view text_of(const redisReply& reply) {
  return {reply.str, reply.len};
}

bool is_string(const redisReply& reply) {
  return reply.type == REDIS_REPLY_STRING || reply.type == REDIS_REPLY_STATUS;
}

std::vector<std::string> script_call(const char* script, const std::vector<std::string>& keys,
                                     std::initializer_list<std::string> argv) {
  std::vector<std::string> args{"EVAL", script, std::to_string(keys.size())};
  args.insert(args.end(), keys.begin(), keys.end());
  args.insert(args.end(), argv);
  return args;
}

std::string errno_text(int code) {
  return std::strerror(code);
}

}  // namespace

std::variant<RedisAddress, std::string> resolve_redis_address(const std::string& host_port) {
  const auto colon = host_port.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == host_port.size())
    return "expected HOST:PORT, got \"" + host_port + "\"";
  std::string host = host_port.substr(0, colon);
  const std::string port = host_port.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      port.size() > 5 || std::stoi(port) < 1 || std::stoi(port) > 65535)
    return "bad port \"" + port + "\" in \"" + host_port + "\"";
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int code = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); code != 0)
    return "cannot resolve \"" + host + "\": " + ::gai_strerror(code);
  RedisAddress address;
  std::memcpy(&address.address, found->ai_addr, found->ai_addrlen);
  address.length = found->ai_addrlen;
  address.text = host_port;
  ::freeaddrinfo(found);
  return address;
}

RedisLink::RedisLink(RedisAddress address, std::string node_name, RedisLinkLimits limits)
    : address_(std::move(address)),
      node_name_(std::move(node_name)),
      limits_(limits),
      backoff_(limits.first_backoff),
      read_buffer_(kReadBufferBytes) {}

RedisLink::~RedisLink() {
  close(commands_);
  close(subscriber_);
}

void RedisLink::start(Instant now) {
  started_ = true;
  retry_at_ = now;
  tick(now);
}

bool RedisLink::flushed() const {
  return commands_.out.size() == commands_.out_sent &&
         subscriber_.out.size() == subscriber_.out_sent;
}

// --- connecting and breaking ---

bool RedisLink::open(Instant now, Connection& conn) {
  const int fd =
      ::socket(address_.address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    broken(now, "socket: " + errno_text(errno));
    return false;
  }
  conn.fd = FileDescriptor(fd);
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  conn.reader = redisReaderCreate();
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address_.address), address_.length) == 0) {
    conn.connected = true;
  } else if (errno != EINPROGRESS) {
    broken(now, "connect: " + errno_text(errno));
    return false;
  }
  return true;
}

void RedisLink::close(Connection& conn) {
  if (conn.fd.valid() && before_close_) before_close_(conn.fd.get());
  conn.fd.reset();
  conn.connected = false;
  conn.out.clear();
  conn.out_sent = 0;
  if (conn.reader != nullptr) redisReaderFree(conn.reader);
  conn.reader = nullptr;
}

void RedisLink::broken(Instant now, const std::string& why) {
  if (state_ == State::Down) return;
  close(commands_);
  close(subscriber_);
  awaiting_.clear();
  subscribed_ = false;
  state_ = State::Down;
  retry_at_ = now + backoff_;
  const std::string text = "redis " + address_.text + " unreachable: " + why + "; retrying in " +
                           std::to_string(backoff_.count()) + " ms";
  backoff_ = std::min(backoff_ * 2, limits_.max_backoff);
  if (down_reported_) {
    log(now, core::LogLevel::Debug, text);
    return;
  }
  down_reported_ = true;
  events_.push_back(core::BusDown{});
  log(now, core::LogLevel::Warning, text);
}

void RedisLink::tick(Instant now) {
  if (state_ == State::Connecting && now >= handshake_deadline_) {
    broken(now, "no answer within " + std::to_string(limits_.handshake_timeout.count()) + " ms");
  }
  if (state_ != State::Down || !started_ || now < retry_at_) return;
  state_ = State::Connecting;
  handshake_deadline_ = now + limits_.handshake_timeout;
  if (!open(now, commands_) || !open(now, subscriber_)) return;
  // Queued now, written once the connection is made.
  command(now, subscriber_, {"PSUBSCRIBE", std::string(core::bus::kChannelPattern)});
}

std::optional<Instant> RedisLink::next_deadline() const {
  if (state_ == State::Connecting) return handshake_deadline_;
  if (state_ == State::Down && started_) return retry_at_;
  return std::nullopt;
}

void RedisLink::maybe_up(Instant now) {
  if (state_ != State::Connecting || !commands_.connected || !subscribed_) return;
  state_ = State::Up;
  backoff_ = limits_.first_backoff;
  down_reported_ = false;
  events_.push_back(core::BusUp{});
  log(now, core::LogLevel::Info, "redis " + address_.text + " up, as node " + node_name_);
}

// --- the poll loop's side ---

void RedisLink::add_poll_fds(std::vector<pollfd>& out) const {
  for (const Connection* conn : {&commands_, &subscriber_}) {
    if (!conn->fd.valid()) continue;
    short events = POLLOUT;
    if (conn->connected) {
      events = POLLIN;
      if (conn->out.size() > conn->out_sent) events |= POLLOUT;
    }
    out.push_back({conn->fd.get(), events, 0});
  }
}

void RedisLink::handle_ready(Instant now, const pollfd* entries, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    const pollfd& entry = entries[i];
    if (entry.revents == 0) continue;
    // An earlier entry may have broken the link (and closed this socket) already.
    Connection* conn = nullptr;
    if (commands_.fd.valid() && entry.fd == commands_.fd.get()) conn = &commands_;
    if (subscriber_.fd.valid() && entry.fd == subscriber_.fd.get()) conn = &subscriber_;
    if (conn == nullptr) continue;
    if (!conn->connected) {
      if (!connect_done(now, *conn)) continue;
      if (!write_out(now, *conn)) continue;
      maybe_up(now);
      continue;
    }
    if ((entry.revents & (POLLIN | POLLHUP | POLLERR)) && !read_in(now, *conn)) continue;
    if (entry.revents & POLLOUT) write_out(now, *conn);
  }
}

bool RedisLink::connect_done(Instant now, Connection& conn) {
  int error = 0;
  socklen_t length = sizeof error;
  if (::getsockopt(conn.fd.get(), SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
  if (error != 0) {
    broken(now, "connect: " + errno_text(error));
    return false;
  }
  conn.connected = true;
  return true;
}

bool RedisLink::read_in(Instant now, Connection& conn) {
  for (int reads = 0; reads < kMaxReadsPerWake; ++reads) {
    const ssize_t n = ::read(conn.fd.get(), read_buffer_.data(), read_buffer_.size());
    if (n > 0) {
      redisReaderFeed(conn.reader, read_buffer_.data(), static_cast<std::size_t>(n));
      if (!take_replies(now, conn)) return false;
      if (static_cast<std::size_t>(n) < read_buffer_.size()) return true;  // drained
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return true;
    broken(now, n == 0 ? std::string("Redis closed the connection") : "read: " + errno_text(errno));
    return false;
  }
  return true;
}

bool RedisLink::take_replies(Instant now, Connection& conn) {
  while (true) {
    void* raw = nullptr;
    if (redisReaderGetReply(conn.reader, &raw) != REDIS_OK) {
      broken(now, std::string("bad reply: ") + conn.reader->errstr);
      return false;
    }
    if (raw == nullptr) return true;  // no whole reply yet
    const ReplyPtr reply(static_cast<redisReply*>(raw));
    const bool fine =
        &conn == &commands_ ? on_command_reply(now, *reply) : on_subscriber_reply(now, *reply);
    if (!fine) return false;
  }
}

bool RedisLink::on_command_reply(Instant now, const redisReply& reply) {
  if (awaiting_.empty()) {
    broken(now, "a reply to no request");
    return false;
  }
  const Awaiting awaited = awaiting_.front();
  awaiting_.pop_front();
  if (reply.type == REDIS_REPLY_ERROR) {
    broken(now, "Redis answered " + std::string(text_of(reply)));
    return false;
  }
  const auto* claim = std::get_if<AwaitClaim>(&awaited);
  if (claim == nullptr) return true;
  if (reply.type != REDIS_REPLY_ARRAY || reply.elements != claim->keys) {
    broken(now, "a claim answered with something else than one verdict per key");
    return false;
  }
  core::ClaimAnswer answer{claim->id, {}};
  answer.granted.reserve(reply.elements);
  for (std::size_t i = 0; i < reply.elements; ++i) {
    const redisReply& verdict = *reply.element[i];
    if (verdict.type != REDIS_REPLY_INTEGER) {
      broken(now, "a claim verdict that is not a number");
      return false;
    }
    answer.granted.push_back(verdict.integer == 1);
  }
  events_.push_back(std::move(answer));
  return true;
}

bool RedisLink::on_subscriber_reply(Instant now, const redisReply& reply) {
  if (reply.type != REDIS_REPLY_ARRAY || reply.elements == 0 || !is_string(*reply.element[0])) {
    broken(now, "the subscription sent something else than a message");
    return false;
  }
  const std::string_view kind = text_of(*reply.element[0]);
  if (kind == "psubscribe") {
    subscribed_ = true;
    maybe_up(now);
    return true;
  }
  if (kind == "pmessage" && reply.elements == 4 && is_string(*reply.element[2]) &&
      is_string(*reply.element[3])) {
    events_.push_back(core::BusMessage{std::string(text_of(*reply.element[2])),
                                       std::string(text_of(*reply.element[3]))});
    return true;
  }
  broken(now, "an unexpected \"" + std::string(kind) + "\" on the subscription");
  return false;
}

// --- requests ---

void RedisLink::submit(Instant now, const core::BusRequest& request) {
  if (state_ != State::Up) return;  // core/bus.h: nothing is carried while the link is down
  if (const auto* claim = std::get_if<core::ClaimKeys>(&request)) {
    const auto ttl_ms = std::max<std::int64_t>(
        1, std::chrono::duration_cast<std::chrono::milliseconds>(claim->ttl).count());
    awaiting_.push_back(AwaitClaim{claim->id, claim->keys.size()});
    if (!command(now, commands_,
                 script_call(kClaimScript, claim->keys, {node_name_, std::to_string(ttl_ms)})))
      return;
  } else if (const auto* release = std::get_if<core::ReleaseKeys>(&request)) {
    awaiting_.push_back(AwaitNothing{});
    if (!command(now, commands_, script_call(kReleaseScript, release->keys, {node_name_}))) return;
  } else if (const auto* publish = std::get_if<core::Publish>(&request)) {
    awaiting_.push_back(AwaitNothing{});
    if (!command(now, commands_, {"PUBLISH", publish->channel, publish->message})) return;
  }
}

void RedisLink::flush(Instant now) {
  if (state_ == State::Up && commands_.out.size() > commands_.out_sent) write_out(now, commands_);
}

bool RedisLink::command(Instant now, Connection& conn, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  char* formatted = nullptr;
  const int length = redisFormatCommandArgv(&formatted, static_cast<int>(argv.size()), argv.data(),
                                            lengths.data());
  if (length < 0) {
    broken(now, "out of memory formatting a command");
    return false;
  }
  conn.out.append(formatted, static_cast<std::size_t>(length));
  redisFreeCommand(formatted);
  if (conn.out.size() - conn.out_sent > limits_.max_queued_bytes) {
    broken(now, "Redis is not reading (" + std::to_string(conn.out.size() - conn.out_sent) +
                    " bytes queued)");
    return false;
  }
  return true;
}

bool RedisLink::write_out(Instant now, Connection& conn) {
  while (conn.connected && conn.out_sent < conn.out.size()) {
    const ssize_t n = ::send(conn.fd.get(), conn.out.data() + conn.out_sent,
                             conn.out.size() - conn.out_sent, MSG_NOSIGNAL);
    if (n >= 0) {
      conn.out_sent += static_cast<std::size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    broken(now, "write: " + errno_text(errno));
    return false;
  }
  if (conn.out_sent == conn.out.size()) {
    conn.out.clear();
    conn.out_sent = 0;
  } else if (conn.out_sent >= kCompactAfterBytes && conn.out_sent * 2 >= conn.out.size()) {
    conn.out.erase(0, conn.out_sent);
    conn.out_sent = 0;
  }
  return true;
}

// --- what comes out ---

std::optional<core::BusEvent> RedisLink::poll_event() {
  if (events_.empty()) return std::nullopt;
  core::BusEvent event = std::move(events_.front());
  events_.pop_front();
  return event;
}

std::optional<core::LogRecord> RedisLink::poll_log() {
  if (logs_.empty()) return std::nullopt;
  core::LogRecord record = std::move(logs_.front());
  logs_.pop_front();
  return record;
}

void RedisLink::log(Instant now, core::LogLevel level, std::string text) {
  logs_.push_back(core::LogRecord{now, level, core::ConnId{}, std::move(text)});
}

}  // namespace teaparty::io
