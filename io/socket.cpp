#include "io/socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace teaparty::io {
namespace {

constexpr int kSendBuffer = 64 * 1024;  // the kernel doubles it for its own bookkeeping

SystemError error_from(int code, const std::string& what) {
  return SystemError{code, what + ": " + std::strerror(code)};
}

std::string format_address(const sockaddr_storage& address) {
  char host[INET6_ADDRSTRLEN] = "?";
  std::uint16_t port = 0;
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    inet_ntop(AF_INET, &v4.sin_addr, host, sizeof host);
    port = ntohs(v4.sin_port);
    return std::string(host) + ":" + std::to_string(port);
  }
  if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    inet_ntop(AF_INET6, &v6.sin6_addr, host, sizeof host);
    port = ntohs(v6.sin6_port);
    return "[" + std::string(host) + "]:" + std::to_string(port);
  }
  return "unknown";
}

}  // namespace

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void FileDescriptor::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  return flags >= 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

std::variant<Listener, SystemError> listen_on(const std::string& host, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    return SystemError{0, "cannot resolve host \"" + host + "\": " + ::gai_strerror(rc)};
  }
  SystemError last{0, "no address to listen on for \"" + host + "\""};
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    FileDescriptor fd(
        ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol));
    if (!fd.valid()) {
      last = error_from(errno, "socket");
      continue;
    }
    const int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0) {
      last = error_from(errno, "cannot listen on " + host + " port " + service);
      continue;
    }
    if (::listen(fd.get(), SOMAXCONN) != 0) {
      last = error_from(errno, "listen");
      continue;
    }
    sockaddr_storage bound{};
    socklen_t length = sizeof bound;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&bound), &length);
    ::freeaddrinfo(found);
    return Listener{std::move(fd), format_address(bound)};
  }
  ::freeaddrinfo(found);
  return last;
}

std::variant<Accepted, SystemError> accept_from(int listener_fd) {
  sockaddr_storage peer{};
  socklen_t length = sizeof peer;
  const int fd = ::accept4(listener_fd, reinterpret_cast<sockaddr*>(&peer), &length,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) return error_from(errno, "accept");
  // We gather a whole wake's output into one writev ourselves; Nagle would only add delay.
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  // A fixed send buffer instead of the kernel's autotuning, which grows it to tcp_wmem's
  // maximum (megabytes) for a client that does not read: that is kernel memory per connection
  // no cap of ours would see, and it delays the output cap (--max-output) by as much. A
  // stream of chat lines needs no large window.
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &kSendBuffer, sizeof kSendBuffer);
  return Accepted{FileDescriptor(fd), format_address(peer)};
}

}  // namespace teaparty::io
