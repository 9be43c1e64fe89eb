#pragma once
// ClusterOracle: what a multi-node run (sim/cluster_simulation.h) must show, checked from the
// lines each client receives and the place of each message in the store's one global order.
//
// A client's session is *checked* in a room from the moment its own arrival there comes back
// from the store (the message at place P, an Enter naming it and that room, is handed to its
// node) until it leaves that room by its own hand (logs out, moves to another room), its node's
// link goes down, it vanishes, or its connection is closed; a session that comes back to a room
// is checked again from its new arrival's place. (After a link breaks, a node's users are served
// locally and then re-announced: nothing there is about one global order.) A session arriving
// while its node is still settling after joining the store is not checked in that room: its
// node is still learning who is there from the rosters, and announces them as they come, which
// the others do not. While checked:
//   - every room line it receives (a say or /me, someone entering, someone leaving, a move, a
//     rename) must come from a message of the store about its room, handed to its node, never
//     from a local event, and the places of those messages must never go backwards (one global
//     order per room);
//   - it must not hear of an arrival of someone it knows to be present, nor of a departure of
//     someone it has already seen leave (nothing announced twice);
//   - every say published in its room after its own arrival must reach it, exactly once, when
//     its node is handed the say's message (a say carries a unique marker, "[m17]").
// Over its whole life, a client receives no say twice (history shown on arriving in a room, in
// the modern dialect, is what was said before, not heard again).
// At the end, any two checked periods in the same room are compared over the places both
// cover: the room lines of the two must be the same, line for line (the same says, arrivals,
// departures, moves and renames, in the same order), but for the lines about one of the two
// that it is not told itself (its own rename).
// And a killed node: every client checked from the kill until the deadline must have heard,
// by then, of the departure of each of the dead node's users it had seen arrive.
//
// The modern dialect adds one rule (awaiting_arrival): a session that has entered a room on its
// node, and whose arrival is still on its way round, hears nothing of that room's traffic yet:
// what other nodes place before its arrival is not its to hear, as in the classic dialect.
// Lines handed meanwhile reach it only as the room's history, when its arrival comes back.
// History is what was said in that very room, in the store's order: every say a history block
// shows whose message a node was handed must be of the block's room, and their places must go
// up.
//
// The classic dialect has one room, so there every period is in it and nothing is awaited; the
// checks are the same (sim/room_lines.h reads each dialect's words).

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/config.h"
#include "sim/room_lines.h"

namespace teaparty::sim {

// One connection of one client over a whole run: numbered by the simulator, never reused.
using SessionKey = std::size_t;
using Place = std::uint64_t;  // a message's place in the store's global order

struct ClusterOracleStats {
  std::size_t lines_checked = 0;     // room lines received by checked sessions
  std::size_t says_checked = 0;      // (say, checked session) pairs that had to arrive
  std::size_t windows_compared = 0;  // pairs of checked periods that overlapped
  std::size_t kills_checked = 0;     // (kill, checked session) pairs at a deadline
  std::size_t arrivals_awaited = 0;  // sessions held to hear nothing before their arrival
};

class ClusterOracle {
 public:
  // The room of the classic dialect, and the one a classic period is in.
  static constexpr std::string_view kMainRoom = "main";

  explicit ClusterOracle(core::DialectKind dialect = core::DialectKind::Classic);

  // A complete line the session received (without its CR LF), and the place of the message
  // whose handing-over produced it (nullopt: produced by anything else).
  void heard(SessionKey session, std::optional<Place> place, std::string_view line);
  // The session's own arrival in `room` (by key) came back at `place`: from now on it is
  // checked there.
  void confirmed(SessionKey session, std::size_t node, Place place,
                 std::string room = std::string(kMainRoom));
  // Modern: the session entered `room` on its node, and its arrival is on its way round.
  void awaiting_arrival(SessionKey session, std::size_t node, std::string room);
  // The node was handed the message at `place`, about `room` (by key; nullopt: about no one
  // room, or not known).
  void node_heard(std::size_t node, Place place, std::optional<std::string> room = std::nullopt);
  // The session stops being checked or awaited (see above).
  void unchecked(SessionKey session);
  // Every session the node has that is checked or awaited, for unchecking them all when its
  // link breaks.
  std::vector<SessionKey> checked_on(std::size_t node) const;
  // The room the session is checked in, if it is checked.
  std::optional<std::string> checked_room(SessionKey session) const;
  // The message at `place` is about the session itself, which is not told of it (its own
  // rename): periods are compared without it.
  void not_told(SessionKey session, Place place);
  // The node was handed the say with this marker, at this place, in `room` (nullopt: the
  // classic room): every session checked there on that node since before it must have heard
  // it just now.
  void say_delivered(std::size_t node, Place place, const std::string& marker,
                     const std::optional<std::string>& room = std::nullopt);

  // A node was killed; its users were these names. Returns a handle for the deadline check.
  std::size_t node_killed(std::vector<std::string> users);
  void kill_deadline(std::size_t kill, std::string_view describe_kill);

  // Ends every checked period and compares them pairwise.
  void finish();

  // The first violation, if any.
  const std::optional<std::string>& violation() const { return violation_; }
  const ClusterOracleStats& stats() const { return stats_; }

 private:
  struct Period {
    SessionKey session = 0;
    std::size_t node = 0;
    std::string room;  // by key
    Place from = 0;    // its own arrival; it hears what comes after
    Place to = 0;      // the last place its node was handed while it was checked
    std::vector<std::pair<Place, std::string>> lines;
    std::set<Place> not_told;
  };
  struct Checked {
    std::uint64_t serial = 0;  // tells this period from the session's later ones
    Period period;
    std::set<std::string> present;   // seen arriving, not leaving since
    std::set<std::string> departed;  // seen leaving, not arriving since
    std::map<std::string, Place> says_heard;
  };
  struct Awaited {
    std::size_t node = 0;
    std::string room;
  };
  struct Kill {
    std::vector<std::string> users;
    std::map<SessionKey, std::uint64_t> checked_then;  // session -> its period's serial
  };

  void fail(std::string what);
  std::optional<RoomLine> classify(SessionKey session, std::string_view line);
  void check_not_before_arrival(SessionKey session, Place place, std::string_view line);
  void follow(Checked& checked, const RoomLine& room_line, Place place, std::string_view line);
  void close_period(Checked& checked);
  void compare(const Period& a, const Period& b);

  core::DialectKind dialect_;
  std::map<SessionKey, Checked> checked_;
  std::map<SessionKey, Awaited> awaited_;
  // A history block being shown to a session: its room, and the place of its latest say.
  struct HistoryBlock {
    std::string room;
    Place last = 0;
  };
  void check_history_line(SessionKey session, HistoryBlock& block, std::string_view line);

  std::map<SessionKey, HistoryBlock> in_history_;  // sessions within a history block
  std::map<std::string, std::pair<Place, std::string>> says_placed_;  // marker -> place, room
  // Says some node told its users itself, its link broken (in its own order, not the store's):
  // its history may hold them anywhere among the store's.
  std::set<std::string> told_locally_;
  std::map<SessionKey, std::map<std::string, std::size_t>> says_ever_;  // marker -> times
  std::map<std::size_t, Place> node_last_place_;
  std::map<std::size_t, std::optional<std::string>> node_last_room_;  // of that message
  std::vector<Period> closed_;
  std::vector<Kill> kills_;
  std::uint64_t next_serial_ = 1;
  std::optional<std::string> violation_;
  ClusterOracleStats stats_;
};

}  // namespace teaparty::sim
