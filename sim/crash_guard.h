#pragma once
// CrashGuard: if core crashes while it is in force, leave the evidence and a distinct exit code
// (exit_code::kCrash) rather than a bare "Segmentation fault". During a run it writes the
// transcript so far, which ends with the event that crashed core; during a replay it names the
// line of the event that did. One guard at a time; it puts back the handlers it found.
//
// The signal handler does only what is safe there: open(2), write(2) of buffers prepared
// beforehand, _exit(2). The transcript string must not be changing while core runs, which
// holds because the simulator appends an event before handing it to core, never during.

#include <atomic>
#include <cstddef>
#include <string>

namespace teaparty::sim {

struct CrashReport {
  std::string message;  // printed to stderr on a crash
  // If set, written to `path` on a crash; it must outlive the guard.
  const std::string* transcript = nullptr;
  std::string path;
  // If set, " (line N)" with its value at the time is printed after the message.
  const std::atomic<std::size_t>* line = nullptr;
};

class CrashGuard {
 public:
  explicit CrashGuard(CrashReport report);
  ~CrashGuard();
  CrashGuard(const CrashGuard&) = delete;
  CrashGuard& operator=(const CrashGuard&) = delete;
};

}  // namespace teaparty::sim
