#pragma once
// The real binary for the socket-side limits tests: LiveServer starts build/teaparty on
// 127.0.0.1 port 0 (optionally under a lower descriptor limit) and always kills it; LiveClient
// is a raw TCP client that can misbehave — never read, shrink its receive window, reset, close
// half its connection.
//
// Every wait is bounded and only waits for something to be present; nothing here asserts on
// how fast anything happened.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace teaparty::limits_test {

using namespace std::chrono_literals;
using Millis = std::chrono::milliseconds;

// RLIMIT_NOFILE for the server process.
struct DescriptorLimit {
  unsigned soft = 0;
  unsigned hard = 0;
};

class LiveServer {
 public:
  // Starts the binary with `--host 127.0.0.1 --port 0 --dialect classic` and `flags`,
  // under `descriptor_limit` if given.
  explicit LiveServer(std::vector<std::string> flags,
                      std::optional<DescriptorLimit> descriptor_limit = std::nullopt);
  LiveServer(const LiveServer&) = delete;
  LiveServer& operator=(const LiveServer&) = delete;
  ~LiveServer();

  bool ready() const { return port_ != 0; }
  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  bool alive();
  // What the server wrote to stderr so far.
  std::string log() const;
  bool wait_for_log(std::string_view needle, Millis limit = 10s) const;
  // CPU time (user + system) the process has used so far.
  std::chrono::duration<double> cpu_time() const;

 private:
  pid_t pid_ = -1;
  int log_fd_ = -1;
  std::uint16_t port_ = 0;
};

// Runs the binary with `args` to its end (for --help and bad flags): exit status and stdout.
struct Finished {
  int status = -1;  // the exit code, or -1 if it did not exit normally within the limit
  std::string out;
  std::string err;
};
Finished run_to_exit(std::vector<std::string> args,
                     std::optional<DescriptorLimit> descriptor_limit = std::nullopt);

class LiveClient {
 public:
  // Connects to 127.0.0.1:port. A receive buffer, if given, is set before connecting, so
  // the window the server sees is small from the start.
  explicit LiveClient(std::uint16_t port, std::optional<int> receive_buffer = std::nullopt);
  LiveClient(const LiveClient&) = delete;
  LiveClient& operator=(const LiveClient&) = delete;
  LiveClient(LiveClient&& other) noexcept;
  ~LiveClient();

  bool connected() const { return fd_ >= 0; }
  // Sends all of `bytes` (waiting for room, up to `limit`).
  bool send(std::string_view bytes, Millis limit = 10s);
  // Sends without waiting: as much as the socket takes now. Returns the bytes taken; 0 when
  // the socket is full.
  std::size_t send_some(std::string_view bytes);
  // Reads until `needle` has arrived since the last take() (or the limit passes, or the
  // connection ends). Returns whether it arrived.
  bool wait_for(std::string_view needle, Millis limit = 10s);
  // Reads until the server closes the connection (end of stream or reset).
  bool wait_for_close(Millis limit = 10s);
  // Everything received since the last take(), and forgets it.
  std::string take();
  const std::string& received() const { return received_; }
  bool closed_by_server() const { return ended_; }

  void shutdown_write();
  // Closes with SO_LINGER 0: the server sees a reset, whatever was in flight.
  void reset();

 private:
  // Reads what is there, waiting up to `wait` for the first byte; false once the stream ended.
  bool read_available(Millis wait);

  int fd_ = -1;
  std::string received_;
  bool ended_ = false;
};

}  // namespace teaparty::limits_test
