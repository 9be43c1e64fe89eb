#include "sim/crash_guard.h"

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <iterator>
#include <memory>
#include <utility>

#include "sim/exit_codes.h"

namespace teaparty::sim {
namespace {

constexpr int kSignals[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};

// What the handler needs, set up before any signal can arrive. A signal handler can reach
// nothing else, so this is the one place in sim/ with process-wide state.
struct Armed {
  CrashReport report;
  // Put back when the guard ends.
  struct sigaction previous[std::size(kSignals)];
  stack_t previous_stack;
};
std::unique_ptr<Armed> armed;
// A stack of its own, so even a stack overflow in core gets its report.
alignas(16) char alternate_stack[64 * 1024];

void write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n <= 0) return;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

// " (line N)\n", without anything that might allocate.
void write_line_number(std::size_t line) {
  char digits[32];
  std::size_t at = sizeof digits;
  do {
    digits[--at] = static_cast<char>('0' + line % 10);
    line /= 10;
  } while (line > 0 && at > 0);
  write_all(STDERR_FILENO, " (line ", 7);
  write_all(STDERR_FILENO, digits + at, sizeof digits - at);
  write_all(STDERR_FILENO, ")\n", 2);
}

extern "C" void on_crash(int) {
  if (armed) {
    const CrashReport& report = armed->report;
    if (report.transcript) {
      const int fd = ::open(report.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd >= 0) {
        write_all(fd, report.transcript->data(), report.transcript->size());
        ::close(fd);
      }
    }
    write_all(STDERR_FILENO, report.message.data(), report.message.size());
    if (report.line) write_line_number(report.line->load());
  }
  ::_exit(exit_code::kCrash);
}

}  // namespace

CrashGuard::CrashGuard(CrashReport report) {
  armed = std::make_unique<Armed>();
  armed->report = std::move(report);
  stack_t stack{};
  stack.ss_sp = alternate_stack;
  stack.ss_size = sizeof alternate_stack;
  ::sigaltstack(&stack, &armed->previous_stack);
  struct sigaction action {};
  action.sa_handler = on_crash;
  action.sa_flags = SA_ONSTACK | SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  for (std::size_t i = 0; i < std::size(kSignals); ++i)
    ::sigaction(kSignals[i], &action, &armed->previous[i]);
}

CrashGuard::~CrashGuard() {
  for (std::size_t i = 0; i < std::size(kSignals); ++i)
    ::sigaction(kSignals[i], &armed->previous[i], nullptr);
  ::sigaltstack(&armed->previous_stack, nullptr);
  armed.reset();
}

}  // namespace teaparty::sim
