#include "tests/limits/live_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>
#include <utility>

namespace teaparty::limits_test {
namespace {

using Clock = std::chrono::steady_clock;

int temp_file() {
  char name[] = "/tmp/teaparty-limits-XXXXXX";
  const int fd = ::mkstemp(name);
  if (fd >= 0) ::unlink(name);
  return fd;
}

std::string read_whole(int fd) {
  std::string text;
  char buffer[65536];
  off_t at = 0;
  while (true) {
    const ssize_t n = ::pread(fd, buffer, sizeof buffer, at);
    if (n <= 0) return text;
    text.append(buffer, static_cast<std::size_t>(n));
    at += n;
  }
}

// Starts the binary with stdout and stderr into the given descriptors.
pid_t spawn(const std::vector<std::string>& args, std::optional<DescriptorLimit> descriptor_limit,
            int out_fd, int err_fd) {
  std::vector<std::string> argv_text{TEAPARTY_BINARY};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;  // built before fork: the child may not allocate
  for (std::string& arg : argv_text)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  // The child: only async-signal-safe calls from here to exec.
  ::dup2(out_fd, STDOUT_FILENO);
  ::dup2(err_fd, STDERR_FILENO);
  const int null = ::open("/dev/null", O_RDONLY);
  ::dup2(null, STDIN_FILENO);
  if (descriptor_limit) {
    const rlimit limit{descriptor_limit->soft, descriptor_limit->hard};
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
  for (int fd = 3; fd < 1024; ++fd)
    ::close(fd);
  ::execv(argv[0], argv.data());
  ::_exit(127);
}

}  // namespace

LiveServer::LiveServer(std::vector<std::string> flags,
                       std::optional<DescriptorLimit> descriptor_limit) {
  std::vector<std::string> args{"--host", "127.0.0.1", "--port", "0", "--dialect", "classic"};
  args.insert(args.end(), flags.begin(), flags.end());
  int out[2];
  if (::pipe(out) != 0) return;
  log_fd_ = temp_file();
  pid_ = spawn(args, descriptor_limit, out[1], log_fd_);
  ::close(out[1]);
  // The first stdout line is "listening on 127.0.0.1:PORT".
  std::string line;
  const auto deadline = Clock::now() + 10s;
  while (line.find('\n') == std::string::npos && Clock::now() < deadline) {
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buffer[256];
    const ssize_t n = ::read(out[0], buffer, sizeof buffer);
    if (n <= 0) break;
    line.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(out[0]);
  std::smatch match;
  if (std::regex_search(line, match, std::regex("listening on 127\\.0\\.0\\.1:(\\d+)")))
    port_ = static_cast<std::uint16_t>(std::stoi(match[1]));
}

LiveServer::~LiveServer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (log_fd_ >= 0) ::close(log_fd_);
}

bool LiveServer::alive() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == 0) return true;
  pid_ = -1;
  return false;
}

std::string LiveServer::log() const {
  return read_whole(log_fd_);
}

bool LiveServer::wait_for_log(std::string_view needle, Millis limit) const {
  const auto deadline = Clock::now() + limit;
  while (true) {
    if (log().find(needle) != std::string::npos) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
}

std::chrono::duration<double> LiveServer::cpu_time() const {
  std::ifstream stat("/proc/" + std::to_string(pid_) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may contain spaces) start after the last ')'.
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  unsigned long long utime = 0;
  unsigned long long stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return std::chrono::duration<double>(static_cast<double>(utime + stime) /
                                       static_cast<double>(::sysconf(_SC_CLK_TCK)));
}

Finished run_to_exit(std::vector<std::string> args,
                     std::optional<DescriptorLimit> descriptor_limit) {
  Finished finished;
  const int out = temp_file();
  const int err = temp_file();
  const pid_t pid = spawn(args, descriptor_limit, out, err);
  const auto deadline = Clock::now() + 10s;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (Clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      status = -1;
      break;
    }
    std::this_thread::sleep_for(10ms);
  }
  if (status != -1 && WIFEXITED(status)) finished.status = WEXITSTATUS(status);
  finished.out = read_whole(out);
  finished.err = read_whole(err);
  ::close(out);
  ::close(err);
  return finished;
}

LiveClient::LiveClient(std::uint16_t port, std::optional<int> receive_buffer) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  if (receive_buffer)
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &*receive_buffer, sizeof *receive_buffer);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  fd_ = fd;
}

LiveClient::LiveClient(LiveClient&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      received_(std::move(other.received_)),
      ended_(other.ended_) {}

LiveClient::~LiveClient() {
  if (fd_ >= 0) ::close(fd_);
}

bool LiveClient::send(std::string_view bytes, Millis limit) {
  const auto deadline = Clock::now() + limit;
  while (!bytes.empty()) {
    const std::size_t n = send_some(bytes);
    bytes.remove_prefix(n);
    if (bytes.empty()) return true;
    if (fd_ < 0 || Clock::now() >= deadline) return false;
    pollfd p{fd_, POLLOUT, 0};
    ::poll(&p, 1, 50);
  }
  return true;
}

std::size_t LiveClient::send_some(std::string_view bytes) {
  if (fd_ < 0) return 0;
  const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

bool LiveClient::read_available(Millis wait) {
  if (fd_ < 0 || ended_) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return true;
  char buffer[65536];
  while (true) {
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n > 0) {
      received_.append(buffer, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    ended_ = true;  // end of stream, or a reset
    return false;
  }
}

bool LiveClient::wait_for(std::string_view needle, Millis limit) {
  const auto deadline = Clock::now() + limit;
  while (received_.find(needle) == std::string::npos) {
    if (Clock::now() >= deadline) return false;
    if (!read_available(50ms) && received_.find(needle) == std::string::npos) return false;
  }
  return true;
}

bool LiveClient::wait_for_close(Millis limit) {
  const auto deadline = Clock::now() + limit;
  while (!ended_) {
    if (Clock::now() >= deadline) return false;
    read_available(50ms);
  }
  return true;
}

std::string LiveClient::take() {
  read_available(0ms);
  return std::exchange(received_, {});
}

void LiveClient::shutdown_write() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

void LiveClient::reset() {
  if (fd_ < 0) return;
  const linger abort{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
  ::close(fd_);
  fd_ = -1;
}

}  // namespace teaparty::limits_test
