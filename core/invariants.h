#pragma once
// The invariants core keeps whatever its shell and its clients do. The simulator checks them
// after every step, the property tests after every input and the fuzzers after every
// operation; a violation means a bug in core, never in the input that exposed it.
//
// They speak only of what a Server shows from outside, so the check runs on any state core
// reaches:
//   - sessions: a name exactly while logged in, a room exactly while logged in; a closing
//     session still owes output (or nothing would ever remove it);
//   - names: unique by the dialect's key, each claimed once in the index, nothing else claimed;
//   - rooms: every logged-in user in exactly one, the one it points at; nobody else in any;
//     a room other than the main one only while someone is in it;
//   - bounds: the decoder holds at most a line and a subnegotiation; queued output passes the
//     bound below only by the chunk that crossed it, and gather_output shows exactly what is
//     queued (the rate limit's held input is bounded by the shell's read size, not here);
//   - limits: nobody stuck — a paused connection holds input and has a deadline to resume, a
//     closing one a deadline to be closed anyway, a logged-in one an idle deadline (when those
//     limits are on); a slow consumer is gone by the end of the input that made it one;
//   - nothing addressed to a closed connection: no pending action after its CloseConnection,
//     none for a connection that is gone unless its CloseConnection is still to come, no
//     deadline owned by one;
//   - time: the next deadline is never before the last tick.

#include <cstddef>
#include <optional>
#include <string>

#include "core/config.h"
#include "core/input_decoder.h"
#include "core/server.h"

namespace teaparty::core {

// The most a connection's decoder may hold: a partial line up to the limit plus a partial
// subnegotiation up to its cap (the two can be pending at once: a line, then IAC SB ...).
constexpr std::size_t input_buffer_bound(const Config& config) {
  return config.max_line + InputDecoder::kMaxSubnegotiation;
}

// The most output a connection may have queued before the newest chunk was added. With the
// output cap on, that is the cap: a connection that passes it is a slow consumer and gets
// nothing more, so only the chunk that crossed the line may lie beyond it. With the cap off
// (Config{}), a generous ceiling that no test-sized run reaches honestly (a fuzz input of
// 8 KiB makes at most a few MiB of replies) but that a runaway — a reply loop, a broadcast
// that repeats itself — reaches at once.
constexpr std::size_t queued_output_bound(const Config& config) {
  return config.max_output > 0 ? config.max_output : std::size_t{64} << 20;
}

// Describes the first invariant the server violates, or nullopt if every one holds.
std::optional<std::string> check_invariants(const Server& server);

}  // namespace teaparty::core
