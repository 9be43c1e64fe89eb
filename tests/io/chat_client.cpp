#include "tests/io/chat_client.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>
#include <utility>
#include <vector>

namespace teaparty::io_test {
namespace {

constexpr std::chrono::milliseconds kConnectLimit = 5s;

int milliseconds(std::chrono::milliseconds duration) {
  return static_cast<int>(duration.count());
}

// Waits for `events` on `fd`; returns the revents, or 0 when `limit` passed first.
short wait_for(int fd, short events, std::chrono::milliseconds limit) {
  pollfd entry{fd, events, 0};
  while (true) {
    const int ready = ::poll(&entry, 1, milliseconds(limit));
    if (ready < 0 && errno == EINTR) continue;
    return ready > 0 ? entry.revents : 0;
  }
}

}  // namespace

ChatClient::ChatClient(const std::string& host, std::uint16_t port, ClientOptions options) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return;
  fd_ = ::socket(found->ai_family, found->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ >= 0) {
    if (options.receive_buffer > 0) {
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &options.receive_buffer,
                   sizeof options.receive_buffer);
    }
    // Each write goes out at once, so single-byte writes really arrive as separate segments.
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const int rc = ::connect(fd_, found->ai_addr, found->ai_addrlen);
    if (rc == 0) {
      connected_ = true;
    } else if (errno == EINPROGRESS && (wait_for(fd_, POLLOUT, kConnectLimit) & POLLOUT)) {
      int code = 0;
      socklen_t length = sizeof code;
      ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &code, &length);
      connected_ = code == 0;
    }
  }
  ::freeaddrinfo(found);
}

std::string ChatClient::local_address() const {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (fd_ < 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return "?";
  }
  char host[INET6_ADDRSTRLEN] = "?";
  if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    ::inet_ntop(AF_INET6, &v6.sin6_addr, host, sizeof host);
    return "[" + std::string(host) + "]:" + std::to_string(ntohs(v6.sin6_port));
  }
  const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
  ::inet_ntop(AF_INET, &v4.sin_addr, host, sizeof host);
  return std::string(host) + ":" + std::to_string(ntohs(v4.sin_port));
}

ChatClient::~ChatClient() {
  close();
}

bool ChatClient::send(std::string_view bytes, std::chrono::milliseconds quiet) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
        (wait_for(fd_, POLLOUT, quiet) & POLLOUT)) {
      continue;
    }
    return false;
  }
  return true;
}

bool ChatClient::send_bytewise(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (!send(bytes.substr(i, 1))) return false;
    // Give the server a moment to read each byte on its own; the outcome must not depend on
    // it, only the realism of the test does.
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

bool ChatClient::receive_more(std::chrono::milliseconds quiet, std::size_t max_bytes) {
  if (fd_ < 0 || eof_) return false;
  const short revents = wait_for(fd_, POLLIN, quiet);
  if (revents == 0) return false;
  std::vector<char> buffer(max_bytes);
  while (true) {
    const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
    if (n > 0) {
      pending_.append(buffer.data(), static_cast<std::size_t>(n));
      return true;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;  // nothing after all
    eof_ = true;
    if (n < 0) error_ = errno;
    return false;
  }
}

std::string ChatClient::read_until(std::string_view needle, std::chrono::milliseconds quiet) {
  std::size_t searched = 0;  // bytes already known not to start a match
  while (true) {
    const std::size_t found = pending_.find(needle, searched);
    if (found != std::string::npos) {
      std::string taken = pending_.substr(0, found + needle.size());
      pending_.erase(0, found + needle.size());
      return taken;
    }
    searched = pending_.size() >= needle.size() ? pending_.size() - needle.size() + 1 : 0;
    if (!receive_more(quiet)) return std::exchange(pending_, {});
  }
}

std::string ChatClient::read_until_eof(std::chrono::milliseconds quiet) {
  while (receive_more(quiet)) {
  }
  return std::exchange(pending_, {});
}

std::string ChatClient::read_some(std::size_t max_bytes, std::chrono::milliseconds quiet) {
  if (pending_.empty()) receive_more(quiet, max_bytes);
  const std::size_t n = std::min(max_bytes, pending_.size());
  std::string taken = pending_.substr(0, n);
  pending_.erase(0, n);
  return taken;
}

void ChatClient::half_close() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

void ChatClient::reset() {
  if (fd_ < 0) return;
  const linger abortive{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive);
  close();
}

void ChatClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

}  // namespace teaparty::io_test
