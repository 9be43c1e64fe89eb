#pragma once
// Time as core sees it: a number the shell hands in. Core never reads a clock; the shell passes
// a monotonic reading and the simulator a virtual one, so the same inputs always give the same
// outputs.

#include <chrono>
#include <compare>
#include <cstdint>

namespace teaparty::core {

using Duration = std::chrono::nanoseconds;

struct Instant {
  Duration since_origin{};  // origin: whatever the shell chose when it started

  friend constexpr auto operator<=>(Instant, Instant) = default;
  friend constexpr Instant operator+(Instant t, Duration d) { return {t.since_origin + d}; }
  friend constexpr Duration operator-(Instant a, Instant b) {
    return a.since_origin - b.since_origin;
  }
};

}  // namespace teaparty::core
