#pragma once
// ClusterOracle: what a multi-node run (sim/cluster_simulation.h) must show, checked from the
// lines each client receives and the place of each message in the store's one global order.
//
// A client's session is *checked* from the moment its own arrival comes back from the store
// (its node's core confirms it: the session stops awaiting its echo when the message at place
// P is handed to the node) until its node's link goes down, it logs out, vanishes, or its
// connection is closed; once unchecked it stays so (after a link breaks, a node's users are
// served locally and then re-announced: nothing there is about one global order). While
// checked (a session that arrives while its node is still settling after joining the store is
// never checked: its node is still learning who is there from the rosters, and announces them
// as they come, which the others do not):
//   - every room line it receives (a say, someone entering, someone leaving) must come from a
//     message of the store, handed to its node, never from a local event, and the places of
//     those messages must never go backwards (one global order);
//   - it must not hear of an arrival of someone it knows to be present, nor of a departure of
//     someone it has already seen leave (nothing announced twice);
//   - every say published after its own arrival must reach it, exactly once, when its node is
//     handed the say's message (a say carries a unique marker, "[m17]").
// Over its whole life, a client receives no say twice.
// At the end, any two checked periods are compared over the places both cover: the room lines
// of the two must be the same, line for line (the same says, arrivals and departures, in the
// same order).
// And a killed node: every client checked from the kill until the deadline must have heard,
// by then, of the departure of each of the dead node's users it had seen arrive.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace teaparty::sim {

// One connection of one client over a whole run: numbered by the simulator, never reused.
using SessionKey = std::size_t;
using Place = std::uint64_t;  // a message's place in the store's global order

// A line a client receives that belongs to the room, and what it says.
struct RoomLine {
  enum class Kind { Say, Entered, Left };
  Kind kind;
  std::string name;    // the arriving or departing name (Entered, Left)
  std::string marker;  // "[m17]" (Say), empty if the say carries none
};
// Classic's room lines; nullopt for anything else (replies, notices, listings).
std::optional<RoomLine> classify_room_line(std::string_view line);
// The say marker a text ends with ("[m17]"), if any.
std::optional<std::string> say_marker(std::string_view text);

struct ClusterOracleStats {
  std::size_t lines_checked = 0;     // room lines received by checked sessions
  std::size_t says_checked = 0;      // (say, checked session) pairs that had to arrive
  std::size_t windows_compared = 0;  // pairs of checked periods that overlapped
  std::size_t kills_checked = 0;     // (kill, checked session) pairs at a deadline
};

class ClusterOracle {
 public:
  // A complete line the session received (without its CR LF), and the place of the message
  // whose handing-over produced it (nullopt: produced by anything else).
  void heard(SessionKey session, std::optional<Place> place, std::string_view line);
  // The session's own arrival came back at `place`: from now on it is checked.
  void confirmed(SessionKey session, std::size_t node, Place place);
  // The node was handed the message at `place`.
  void node_heard(std::size_t node, Place place);
  // The session stops being checked (see above), for good.
  void unchecked(SessionKey session);
  // Every session the node has that is checked, for unchecking them all when its link breaks.
  std::vector<SessionKey> checked_on(std::size_t node) const;
  // The node was handed the say with this marker, at this place: every session checked on
  // that node since before it must have heard it just now.
  void say_delivered(std::size_t node, Place place, const std::string& marker);

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
    Place from = 0;  // its own arrival; it hears what comes after
    Place to = 0;    // the last place its node was handed while it was checked
    std::vector<std::pair<Place, std::string>> lines;
  };
  struct Checked {
    Period period;
    std::set<std::string> present;   // seen arriving, not leaving since
    std::set<std::string> departed;  // seen leaving, not arriving since
    std::map<std::string, Place> says_heard;
  };
  struct Kill {
    std::vector<std::string> users;
    std::set<SessionKey> checked_then;
  };

  void fail(std::string what);
  void close_period(Checked& checked);
  void compare(const Period& a, const Period& b);

  std::map<SessionKey, Checked> checked_;
  std::map<SessionKey, std::map<std::string, std::size_t>> says_ever_;  // marker -> times
  std::map<std::size_t, Place> node_last_place_;
  std::vector<Period> closed_;
  std::vector<Kill> kills_;
  std::optional<std::string> violation_;
  ClusterOracleStats stats_;
};

}  // namespace teaparty::sim
