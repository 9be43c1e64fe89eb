#pragma once
// SayOracle: every `say` reaches each member of the room exactly once, and all members see
// the says in the same order.
//
// The simulator's clients end every say with a marker, `[m17]`, unique to that say, so a said
// line can be recognised wherever it turns up. The oracle watches the session as a transcript
// shows it, plus what core has queued, so it runs the same way during a simulation and during
// the replay of a transcript that a simulation wrote:
//
// - Around each input that can make core handle lines (a receive, and a tick, which releases
//   lines the rate limit held back, possibly several connections' in one go) it notes who was
//   in the room and what each connection had queued; afterwards the markers in what each
//   connection was queued meanwhile are the says it was sent. Then:
//     - a connection that was in the room before and after the input was in it throughout
//       (in the classic dialect a connection enters the room once and leaves it once), so it
//       must have been sent every say of the input;
//     - a connection that was not in the room at any moment must have been sent none;
//     - no connection may be sent a say twice, no say may be handled by two inputs, and all
//       connections sent two says must have been sent them in the same order.
//   Each connection now owes what it was sent, in order.
// - Each byte written to a connection is read as its client would; a marker received must be
//   the first one that connection is owed (so none is skipped, doubled or reordered on the
//   way out), and once the shell has written everything core queued for a connection, it
//   must owe nothing.
//
// Says without a marker (a human's, in a recorded session) are not checked; neither is output
// that core was entitled to drop (a reset connection, a slow consumer, a deadline that ran
// out).
//
// Rooms: "the room" is the room a connection is in, so the same rules hold in the modern
// dialect, where a say reaches the members of the speaker's room only: everyone who heard a say
// and stayed in one room throughout must have been in the same room, and everyone in that room
// throughout must have heard it. A connection whose own lines the input handled may have moved
// (/join, /leave), so it is only held to hearing nothing while it never was in a room. History
// blocks shown on entering a room are not says: their lines are checked apart, at most the
// room's history limit and each one said earlier in that same room.

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/server.h"

namespace teaparty::sim {

class SayOracle {
 public:
  using Violation = std::optional<std::string>;

  // The marker the simulator appends to the say with this number.
  static std::string marker(std::uint64_t number);

  // Around an input that may make core handle lines.
  // `receiver`: the connection whose bytes the input is, if one; in the modern dialect its own
  // lines may move it between rooms during the input.
  void before_input(const core::Server& server, std::optional<core::ConnId> receiver = {});
  Violation after_input(const core::Server& server);

  Violation on_written(core::ConnId conn, std::string_view bytes);
  // The shell has now written everything core had queued for the connection.
  Violation after_writing_everything(core::ConnId conn);
  // Whatever it was still owed may have been dropped with it (a reset, a slow consumer, a
  // grace period that ran out): only what was written counts.
  void on_closed(core::ConnId conn) { listeners_.erase(conn.value); }

  std::size_t says_seen() const { return said_.size(); }
  std::size_t deliveries_checked() const { return deliveries_checked_; }

 private:
  struct Before {
    std::size_t queued = 0;
    std::string room;       // the key of the room it was in; empty for none
    bool may_move = false;  // its own lines may have moved it between rooms meanwhile
    core::Phase phase = core::Phase::LoggingIn;
  };
  // The says one connection was sent during an input, in the order core queued them.
  struct Sent {
    core::ConnId conn;
    std::vector<std::uint64_t> markers;
    std::vector<std::string> lines;  // each say's line, CR included, LF not
  };
  struct Listener {
    std::deque<std::uint64_t> owed;  // markers sent to it and not yet written, in order
    std::string partial_line;        // the tail of what it received after the last LF
    bool in_history = false;         // between a history block's header and its end
  };

  std::vector<Sent> says_sent_during_input(const core::Server& server) const;
  Violation check_input(const core::Server& server, const std::vector<Sent>& sent) const;
  Violation check_line(core::ConnId conn, std::string_view line);
  // History shown during the input: at most the room's limit, only lines said in that room.
  Violation check_history(const core::Server& server) const;

  std::map<std::uint64_t, Before> before_;  // by connection, taken by before_input
  std::unordered_map<std::uint64_t, Listener> listeners_;
  std::unordered_map<std::uint64_t, std::string> said_;     // every say seen queued, by marker
  std::unordered_map<std::uint64_t, std::string> said_in_;  // the key of each say's room
  std::size_t deliveries_checked_ = 0;
};

}  // namespace teaparty::sim
