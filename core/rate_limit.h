#pragma once
// The input rate limit: a token bucket per connection, `burst` lines deep, refilled at `rate`
// lines a second. (A token also pays for two lines' worth of bytes that end no line, so input
// that is not lines — a line too long being skipped, a telnet storm — is held to the rate too;
// Server::decode applies that.) Typing never empties it; a pasted block or a flood does, and then
// its lines wait (IRC servers call it "fake lag") rather than vanish: core stops decoding that
// connection's input and asks the shell to stop reading it, so TCP pushes back on the sender,
// and takes the next line when the bucket has refilled.
//
// The bucket is kept as one instant per connection, the generic cell rate algorithm's
// "theoretical arrival time": each line pushes `paid_until` one interval (1/rate) later, and
// a line may be taken while `paid_until` lies less than burst intervals ahead of now. That is
// the same rule as counting tokens, in integer nanoseconds, with nothing to refill on a
// timer.

#include <cstddef>

#include "core/time.h"

namespace teaparty::core {

// One connection's state: its lines are paid for up to this instant.
struct LineAllowance {
  Instant paid_until{};
};

class LineRateLimit {
 public:
  // No limit at all.
  LineRateLimit() = default;
  // `lines_per_second` on average, up to `burst` lines at once. Either one zero (or less)
  // means no limit.
  LineRateLimit(double lines_per_second, std::size_t burst);

  bool limited() const { return interval_ > Duration::zero(); }
  // Whether the connection may have a line now.
  bool allows(const LineAllowance& allowance, Instant now) const;
  // Spends one line.
  void take(LineAllowance& allowance, Instant now) const;
  // The earliest instant at which allows() holds again.
  Instant next_line_at(const LineAllowance& allowance) const;

  Duration interval() const { return interval_; }

 private:
  Duration interval_{};        // zero: unlimited
  Duration burst_headroom_{};  // (burst - 1) intervals
};

}  // namespace teaparty::core
