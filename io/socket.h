#pragma once
// Thin RAII wrappers over the socket calls the shell needs. Failures are values (an errno and
// a sentence), never exceptions.

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace teaparty::io {

class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept;
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset();

 private:
  int fd_ = -1;
};

struct SystemError {
  int code = 0;
  std::string what;  // which call failed, on what, and strerror(code)
};

struct Listener {
  FileDescriptor fd;
  std::string address;  // as printed: "127.0.0.1:5005" or "[::1]:5005"
};

// Binds and listens (non-blocking, close-on-exec, SO_REUSEADDR) on host:port; port 0 picks one.
std::variant<Listener, SystemError> listen_on(const std::string& host, std::uint16_t port);

struct Accepted {
  FileDescriptor fd;
  std::string peer;  // the client's address, "ADDR:PORT"
};
// One accept4 (non-blocking, close-on-exec, TCP_NODELAY). EAGAIN and the like come back as
// SystemError with their errno so the caller can decide.
std::variant<Accepted, SystemError> accept_from(int listener_fd);

bool set_nonblocking(int fd);

}  // namespace teaparty::io
