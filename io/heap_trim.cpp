#include "io/heap_trim.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace teaparty::io {

bool HeapTrim::due(core::Instant now, std::size_t released) {
  released_seen_ = released;
  if (released - released_at_last_trim_ < kEnoughReleased) return false;
  if (last_trim_ && now < *last_trim_ + kMinInterval) return false;
  last_trim_ = now;
  released_at_last_trim_ = released;
  ++trims_;
  return true;
}

std::optional<core::Instant> HeapTrim::next_deadline() const {
  if (!last_trim_ || released_seen_ - released_at_last_trim_ < kEnoughReleased) return std::nullopt;
  return *last_trim_ + kMinInterval;
}

void trim_heap() {
#if defined(__GLIBC__)
  ::malloc_trim(0);
#endif
}

}  // namespace teaparty::io
