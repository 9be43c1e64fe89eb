#pragma once
// The shell's one clock: monotonic, so core's deadlines survive changes of the wall clock.

#include <chrono>

#include "core/time.h"

namespace teaparty::io {

inline core::Instant monotonic_now() {
  return core::Instant{std::chrono::duration_cast<core::Duration>(
      std::chrono::steady_clock::now().time_since_epoch())};
}

}  // namespace teaparty::io
