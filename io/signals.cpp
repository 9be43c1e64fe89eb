#include "io/signals.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

namespace teaparty::io {
namespace {

int g_write_end = -1;  // the one piece of global state a signal handler cannot do without

extern "C" void on_stop_signal(int) {
  const int saved = errno;
  const char byte = 's';
  [[maybe_unused]] auto ignored = ::write(g_write_end, &byte, 1);
  errno = saved;
}

}  // namespace

StopSignals::StopSignals() {
  int ends[2];
  if (::pipe2(ends, O_NONBLOCK | O_CLOEXEC) == 0) {
    read_end_ = FileDescriptor(ends[0]);
    write_end_ = FileDescriptor(ends[1]);
    g_write_end = ends[1];
  }
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

StopSignals::~StopSignals() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  g_write_end = -1;
}

bool StopSignals::drain() {
  char buffer[64];
  bool stopped = false;
  while (::read(read_end_.get(), buffer, sizeof buffer) > 0)
    stopped = true;
  return stopped;
}

}  // namespace teaparty::io
