#include "core/rate_limit.h"

#include <algorithm>
#include <chrono>

namespace teaparty::core {
namespace {

// A rate so slow that one line an hour is slower still would only overflow the arithmetic.
constexpr Duration kLongestInterval = std::chrono::hours(1);

}  // namespace

LineRateLimit::LineRateLimit(double lines_per_second, std::size_t burst) {
  if (!(lines_per_second > 0) || burst == 0) return;
  const auto exact = std::chrono::duration<double>(1.0 / lines_per_second);
  interval_ = exact >= kLongestInterval
                  ? kLongestInterval
                  : std::max(Duration(1), std::chrono::round<Duration>(exact));
  // The headroom is capped too: a burst of millions is the same as no limit, not an overflow.
  const std::size_t extra = std::min<std::size_t>(burst - 1, 1'000'000);
  burst_headroom_ = interval_ * static_cast<Duration::rep>(extra);
}

bool LineRateLimit::allows(const LineAllowance& allowance, Instant now) const {
  return !limited() || allowance.paid_until <= now + burst_headroom_;
}

void LineRateLimit::take(LineAllowance& allowance, Instant now) const {
  if (!limited()) return;
  allowance.paid_until = std::max(allowance.paid_until, now) + interval_;
}

Instant LineRateLimit::next_line_at(const LineAllowance& allowance) const {
  return Instant{allowance.paid_until.since_origin - burst_headroom_};
}

}  // namespace teaparty::core
