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
// (/join, /leave), so it is only held to hearing nothing while it never was in a room.
//
// History: after each input the oracle also reads what each room remembers, so it learns the
// room of every say, even one that nobody received (its speaker and every other member were
// slow consumers, closed with their queues at the end of the input). A say remembered by one
// room and heard in another is a violation. History blocks shown on entering a room are not
// says: each holds at most the room's history limit, and each of its lines must be a say
// remembered by that very room (not by an earlier room of the same name, which disappeared
// when it emptied). The one say whose room it cannot know is one said and forgotten again
// within the input that showed it; such a line is let pass in that input only.
//
// Whispers (the modern dialect's /msg) end with a marker of their own, `[w4]`. The addressee is
// sent `FROM whispers: TEXT [w4]`, the sender `You whisper to TO: TEXT [w4]`; each at most once,
// in the input that handled it and never again, to nobody else, with the same TEXT, and both
// whenever both connections are still there after the input. Both lines are then owed to
// their connection like a say, in order with the says, and never shown as history.

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
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
  // The marker the simulator appends to the private message with this number.
  static std::string whisper_marker(std::uint64_t number);

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
  std::size_t whispers_seen() const { return whispers_.size(); }
  std::size_t deliveries_checked() const { return deliveries_checked_; }

 private:
  // A marker as it ends a line: [m17] (a say) or [w4] (a whisper).
  struct Mark {
    bool whisper = false;
    std::uint64_t number = 0;
    bool operator==(const Mark&) const = default;
  };
  // A room as the oracle knows it: its key, and how many rooms of that key disappeared before
  // it (a room other than the main one is gone once empty, and a new one may take its name).
  struct RoomRef {
    std::string key;
    std::uint64_t generation = 0;
    bool operator==(const RoomRef&) const = default;
  };
  struct Before {
    std::size_t queued = 0;
    std::string room;       // the key of the room it was in; empty for none
    std::string name;       // its name; empty before it chose one
    bool acts = false;      // the input may handle its lines
    bool may_move = false;  // its own lines may have moved it between rooms meanwhile
    core::Phase phase = core::Phase::LoggingIn;
  };
  // One whisper line core queued during an input.
  struct WhisperLine {
    core::ConnId conn;
    std::uint64_t number = 0;
    bool echo = false;  // "You whisper to TO: ..." rather than "FROM whispers: ..."
    std::string other;  // TO in an echo, FROM otherwise
    std::string text;   // what was whispered, the marker included
    std::string line;   // CR included, LF not
  };
  // What one connection was sent during an input, in the order core queued it.
  struct Sent {
    core::ConnId conn;
    std::vector<std::uint64_t> markers;  // the says
    std::vector<std::string> lines;      // each say's line, CR included, LF not
    std::vector<Mark> in_order;          // says and whispers: what it now owes
  };
  struct Listener {
    std::deque<Mark> owed;     // marked lines sent to it and not yet written, in order
    std::string partial_line;  // the tail of what it received after the last LF
    bool in_history = false;   // between a history block's header and its end
  };
  // The two lines of a whisper; empty for one core did not queue.
  struct WhisperLines {
    std::string heard;
    std::string echo;
  };

  static std::string marker(Mark mark);
  void note_rooms(const core::Server& server);
  RoomRef current(const std::string& key) const;
  std::vector<Sent> sent_during_input(const core::Server& server,
                                      std::vector<WhisperLine>& whispers) const;
  Violation check_input(const core::Server& server, const std::vector<Sent>& sent) const;
  Violation check_whispers(const core::Server& server,
                           const std::vector<WhisperLine>& whispers) const;
  bool someone_left_during_input(const core::Server& server) const;
  // Learns each say's room from what the rooms remember; a say heard in another room is a
  // violation.
  Violation learn_from_histories(const core::Server& server);
  Violation check_line(core::ConnId conn, std::string_view line);
  // History shown during the input: at most the room's limit, only says that room remembered.
  Violation check_history(const core::Server& server) const;

  std::map<std::uint64_t, Before> before_;  // by connection, taken by before_input
  std::unordered_map<std::uint64_t, Listener> listeners_;
  std::unordered_map<std::uint64_t, std::string> said_;       // every say seen, by marker
  std::unordered_map<std::uint64_t, RoomRef> said_in_;        // the room of each say, once known
  std::set<std::uint64_t> said_during_input_;                 // says first seen in this input
  std::unordered_map<std::uint64_t, WhisperLines> whispers_;  // every whisper seen, by marker
  std::set<std::string> rooms_present_;                       // the keys of the rooms last seen
  std::map<std::string, std::uint64_t> generations_;          // rooms of each key that disappeared
  std::size_t deliveries_checked_ = 0;
};

}  // namespace teaparty::sim
