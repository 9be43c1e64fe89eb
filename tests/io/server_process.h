#pragma once
// ServerProcess: the real teaparty binary, started for one test and always killed at the end.
// It runs with its stdout and stderr on pipes that a background thread keeps draining (so a
// chatty server never blocks on a full pipe) into buffers the test can inspect at any time.
//
// Every wait here is bounded, and a bound only ever limits how long we wait for something to
// be *present*; nothing asserts on how fast it arrived.

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace teaparty::io_test {

using namespace std::chrono_literals;

// How the process ended: an exit code, or the signal that killed it.
struct ExitStatus {
  bool exited = false;  // ended by exit(); otherwise killed by `signal`
  int code = -1;
  int signal = 0;

  bool exited_with(int expected) const { return exited && code == expected; }
};
std::string describe(const ExitStatus& status);

// The path of the binary under test (from CMake).
std::string teaparty_binary();

class ServerProcess {
 public:
  // Starts the binary with exactly `args` (not including argv[0]); does not wait for anything.
  explicit ServerProcess(std::vector<std::string> args);
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  // Kills the process if it still runs, reaps it and joins the pipe reader.
  ~ServerProcess();

  // Starts a server on `host` port 0 with `flags` added, and waits (up to `limit`) for its
  // `listening on HOST:PORT` line. Check listening() before using port().
  static std::unique_ptr<ServerProcess> on_loopback(std::vector<std::string> flags = {},
                                                    std::string host = "127.0.0.1",
                                                    std::chrono::milliseconds limit = 5s);

  // Waits for the first line on stdout and parses `listening on HOST:PORT` from it.
  bool wait_until_listening(std::chrono::milliseconds limit = 5s);
  bool listening() const { return port_ != 0; }
  std::uint16_t port() const { return port_; }
  const std::string& host() const { return host_; }

  // Everything the process wrote so far.
  std::string stdout_text() const;
  std::string stderr_text() const;
  // Waits until stderr contains `needle`; returns whether it does.
  bool wait_for_stderr(std::string_view needle, std::chrono::milliseconds limit = 5s);

  pid_t pid() const { return pid_; }
  void send_signal(int signal) const;
  // Waits (up to `limit`) for the process to end and reaps it.
  std::optional<ExitStatus> wait_for_exit(std::chrono::milliseconds limit = 10s);
  // Whether the process is still running (reaps it if it has ended).
  bool running();

 private:
  void drain_pipes(int out_fd, int err_fd);
  template <typename Predicate>
  bool wait_for_output(Predicate done, std::chrono::milliseconds limit);

  pid_t pid_ = -1;
  std::optional<ExitStatus> status_;
  std::uint16_t port_ = 0;
  std::string host_;

  mutable std::mutex mutex_;
  std::condition_variable output_arrived_;
  std::string stdout_;
  std::string stderr_;
  bool pipes_closed_ = false;
  std::thread reader_;
};

// A run of the binary to its end, for flags that make it exit by itself (--help, bad flags).
struct Finished {
  std::optional<ExitStatus> status;  // nullopt: it did not end within the limit and was killed
  std::string out;
  std::string err;
};
Finished run_to_exit(std::vector<std::string> args, std::chrono::milliseconds limit = 10s);

}  // namespace teaparty::io_test
