#include "tests/io/server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>

extern char** environ;

namespace teaparty::io_test {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kListeningPrefix = "listening on ";

struct Pipe {
  int read_end = -1;
  int write_end = -1;
};

Pipe make_pipe() {
  int ends[2];
  if (::pipe2(ends, O_CLOEXEC) != 0) std::abort();  // a test machine without pipes is broken
  return {ends[0], ends[1]};
}

ExitStatus status_from(int raw) {
  if (WIFEXITED(raw)) return {true, WEXITSTATUS(raw), 0};
  return {false, -1, WIFSIGNALED(raw) ? WTERMSIG(raw) : 0};
}

// The child starts with the default disposition of every signal the server cares about and
// nothing blocked, so what the test sees is the server's own signal handling, not ours.
pid_t spawn(const std::vector<std::string>& args, int out_fd, int err_fd) {
  std::vector<std::string> argv_storage{teaparty_binary()};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_storage)
    argv.push_back(arg.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);

  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int signal : {SIGPIPE, SIGINT, SIGTERM})
    sigaddset(&defaults, signal);
  sigset_t nothing;
  sigemptyset(&nothing);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setsigmask(&attributes, &nothing);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, argv[0], &actions, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  return rc == 0 ? pid : -1;
}

}  // namespace

std::string describe(const ExitStatus& status) {
  if (status.exited) return "exit status " + std::to_string(status.code);
  return "killed by signal " + std::to_string(status.signal);
}

std::string teaparty_binary() {
  return TEAPARTY_BINARY;
}

ServerProcess::ServerProcess(std::vector<std::string> args) {
  const Pipe out = make_pipe();
  const Pipe err = make_pipe();
  pid_ = spawn(args, out.write_end, err.write_end);
  // Our copies of the write ends must go, or the reader would never see end of file.
  ::close(out.write_end);
  ::close(err.write_end);
  if (pid_ < 0) pipes_closed_ = true;
  reader_ = std::thread([this, out, err] { drain_pipes(out.read_end, err.read_end); });
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0 && !status_) {
    ::kill(pid_, SIGKILL);
    int raw = 0;
    while (::waitpid(pid_, &raw, 0) < 0 && errno == EINTR) {
    }
  }
  if (reader_.joinable()) reader_.join();
  // Under TEAPARTY_SANITIZE a memory error or undefined behaviour in the server is reported on
  // its stderr; whatever the test checked, that is a failure.
  for (std::string_view report :
       {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"}) {
    if (stderr_.find(report) != std::string::npos) {
      ADD_FAILURE() << "the server reported a sanitizer error:\n" << stderr_;
      break;
    }
  }
}

std::unique_ptr<ServerProcess> ServerProcess::on_loopback(std::vector<std::string> flags,
                                                          std::string host,
                                                          std::chrono::milliseconds limit) {
  std::vector<std::string> args{"--host", std::move(host), "--port", "0"};
  args.insert(args.end(), flags.begin(), flags.end());
  auto server = std::make_unique<ServerProcess>(std::move(args));
  server->wait_until_listening(limit);
  return server;
}

// Runs on its own thread until the child has closed both pipes (it exited or was killed).
void ServerProcess::drain_pipes(int out_fd, int err_fd) {
  std::array<pollfd, 2> fds{pollfd{out_fd, POLLIN, 0}, pollfd{err_fd, POLLIN, 0}};
  std::array<std::string*, 2> sinks{&stdout_, &stderr_};
  std::array<char, 4096> buffer;
  int open = 2;
  while (open > 0) {
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;  // poll ignores negative descriptors
        --open;
        continue;
      }
      std::lock_guard lock(mutex_);
      sinks[i]->append(buffer.data(), static_cast<std::size_t>(n));
      output_arrived_.notify_all();
    }
  }
  std::lock_guard lock(mutex_);
  pipes_closed_ = true;
  output_arrived_.notify_all();
}

template <typename Predicate>
bool ServerProcess::wait_for_output(Predicate done, std::chrono::milliseconds limit) {
  std::unique_lock lock(mutex_);
  return output_arrived_.wait_for(lock, limit, [&] { return done() || pipes_closed_; }) && done();
}

bool ServerProcess::wait_until_listening(std::chrono::milliseconds limit) {
  if (!wait_for_output([this] { return stdout_.find('\n') != std::string::npos; }, limit)) {
    return false;
  }
  std::string line;
  {
    std::lock_guard lock(mutex_);
    line = stdout_.substr(0, stdout_.find('\n'));
  }
  if (!line.starts_with(kListeningPrefix)) return false;
  const std::string address = line.substr(kListeningPrefix.size());
  const std::size_t colon = address.rfind(':');
  if (colon == std::string::npos) return false;
  host_ = address.substr(0, colon);
  if (host_.size() >= 2 && host_.front() == '[' && host_.back() == ']') {
    host_ = host_.substr(1, host_.size() - 2);  // "[::1]" is how IPv6 addresses are printed
  }
  const long port = std::strtol(address.c_str() + colon + 1, nullptr, 10);
  if (port <= 0 || port > 65535) return false;
  port_ = static_cast<std::uint16_t>(port);
  return true;
}

std::string ServerProcess::stdout_text() const {
  std::lock_guard lock(mutex_);
  return stdout_;
}

std::string ServerProcess::stderr_text() const {
  std::lock_guard lock(mutex_);
  return stderr_;
}

bool ServerProcess::wait_for_stderr(std::string_view needle, std::chrono::milliseconds limit) {
  return wait_for_output([&] { return stderr_.find(needle) != std::string::npos; }, limit);
}

void ServerProcess::send_signal(int signal) const {
  if (pid_ > 0 && !status_) ::kill(pid_, signal);
}

std::optional<ExitStatus> ServerProcess::wait_for_exit(std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (!status_ && pid_ > 0) {
    int raw = 0;
    const pid_t reaped = ::waitpid(pid_, &raw, WNOHANG);
    if (reaped == pid_) {
      status_ = status_from(raw);
      break;
    }
    if (reaped < 0 && errno != EINTR) break;
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(5ms);
  }
  if (status_) {
    // The process is gone, so its pipes are closing: let the reader take the last of its
    // output, so that stdout_text() and stderr_text() are complete from here on.
    std::unique_lock lock(mutex_);
    output_arrived_.wait_for(lock, 5s, [this] { return pipes_closed_; });
  }
  return status_;
}

bool ServerProcess::running() {
  return pid_ > 0 && !wait_for_exit(0ms);
}

Finished run_to_exit(std::vector<std::string> args, std::chrono::milliseconds limit) {
  std::optional<ExitStatus> status;
  std::string out;
  std::string err;
  {
    ServerProcess process(std::move(args));
    status = process.wait_for_exit(limit);
    // Killed now if it outlived the limit; its pipes then close and the reader finishes.
    process.send_signal(SIGKILL);
    process.wait_for_exit(limit);
    out = process.stdout_text();
    err = process.stderr_text();
  }
  return {status, std::move(out), std::move(err)};
}

}  // namespace teaparty::io_test
