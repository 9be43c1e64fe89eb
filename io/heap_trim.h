#pragma once
// HeapTrim: when the shell gives freed heap back to the system.
//
// A burst (many clients logging in within one wake, a reader that lagged) grows outbox rings;
// core frees them once they are written out, but malloc keeps the freed memory in the process,
// so RSS stays as high as the burst made it: 2.8 KiB per idle connection instead of 0.9 when
// 256 clients logged in per wake (docs/performance.md). malloc_trim(0) returns it. It walks
// the whole heap, so it runs only once core reports that enough ring memory was freed since
// the last trim, and at most once a second; a trim held back by that second is due then (the
// shell wakes for it: next_deadline).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "core/time.h"

namespace teaparty::io {

class HeapTrim {
 public:
  static constexpr std::size_t kEnoughReleased = 256 * 1024;
  static constexpr core::Duration kMinInterval = std::chrono::seconds(1);

  // `released` is core's count of ring bytes freed so far (Server::outbox_bytes_released).
  // True if the heap should be trimmed now; it then counts as trimmed.
  bool due(core::Instant now, std::size_t released);
  // When a trim held back by the interval becomes due; nullopt if none is pending.
  std::optional<core::Instant> next_deadline() const;
  std::uint64_t trims() const { return trims_; }

 private:
  std::size_t released_seen_ = 0;
  std::size_t released_at_last_trim_ = 0;
  std::optional<core::Instant> last_trim_;
  std::uint64_t trims_ = 0;
};

// Gives freed heap back to the system where the C library can (glibc's malloc_trim).
void trim_heap();

}  // namespace teaparty::io
