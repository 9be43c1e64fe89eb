#pragma once
// Cluster: several teaparty nodes, one chat. Each node keeps its own connections; what makes
// them one chat goes through a shared store (core/bus.h: Redis in production):
//
//   - Names. A login claims its name in the store (granted when free or already this node's);
//     a node claims all its names again every heartbeat, so the names of a node that dies or is
//     cut off are free again within the node timeout.
//   - The room. A line said, someone entering, someone leaving: each is published on the room's
//     channel and acted on by every node, the sender too, when it comes back from the store,
//     never before; so every member on every node sees the room's events in the store's one
//     order.
//   - Who is there. Every node keeps the cluster's members in the order the bus told of them:
//     Enter and Leave as they pass, a node's roster (everyone on it) when it joins the bus or
//     asks for everyone's (Hello), and an obituary (Gone) for a node silent longer than the
//     node timeout. Obituaries are published and acted on when they come back, too, so a dead
//     node's users leave at the same point of the order everywhere.
//   - Losing the store. The node tells its users, announces the other nodes' users as left,
//     carries on as a chat of its own (lines it had sent but not yet heard back are delivered
//     to its own users then), and when the link returns says Hello with its roster and claims
//     its names again. A name that another node took meanwhile is lost: its local holder is
//     told and logged out, and may log in again under another name.
//
// Cluster decides; the dialect words. What the dialect must act on comes out as ClusterNews,
// which the server hands to the dialect after each input; what the store must do comes out as
// BusRequests, which the shell carries.
//
// Both dialects run clustered. The classic one has one room, "main". The modern one has rooms
// (`with_rooms`): each room's traffic goes on that room's channel, every member is known with
// the room they are in, a move between rooms is a Leave on the old room's channel then an
// Enter on the new one's, /nick claims the new name like a login and tells the room (Rename),
// and /msg to a user on another node travels to that node (Whisper; Unheard back if they
// left meanwhile). Every node keeps the history of every room anyone is in (RoomHeld), a
// newcomer hears a room from its own arrival on, and a node that joins is told each room's
// history by those that were there (Said). A cluster runs one dialect: messages of the
// other's shape are dropped.

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include "core/bus.h"
#include "core/cluster_message.h"
#include "core/config.h"
#include "core/payload.h"
#include "core/session.h"
#include "core/time.h"
#include "core/world.h"

namespace teaparty::core {

// --- what the dialect must act on ---
// A line said in a room, by anyone on any node: deliver it to the room. `talker` and `room`
// are the modern dialect's (who said it, for GMCP; which room); empty in the classic one.
struct HeardLine {
  Payload line;
  std::string talker = {};
  std::string room = {};
};
// Someone entered a room. `own` is the local session it was, if it is one of ours: it does
// not hear its own arrival, and (classic) it hears the room from now on. Modern: `room` is the
// room entered, `from` the room they came from, or empty when they logged in.
struct HeardEnter {
  std::string name;
  ConnId own;
  std::string room = {};
  std::string from = {};
};
// Someone left a room (logged out, disconnected, or their node died or was cut off). Modern:
// `room` is the room left, `to` the room they went to, or empty when they left the chat;
// `own`: the mover's session, if ours (by then, another of ours may have their name).
struct HeardLeave {
  std::string name;
  std::string room = {};
  std::string to = {};
  ConnId own = {};
};
// Modern: someone in `room` took a new name (`own`: the local session, if ours).
struct HeardRename {
  std::string old_name;
  std::string new_name;
  std::string room;
  ConnId own;
};
// Modern: a private message for a local session, from a user on another node.
struct HeardWhisper {
  ConnId to;
  std::string from;
  std::string text;
};
// Modern: a whisper this node's session sent to another node found nobody of that name
// there any more (they left while it travelled): the sender is told it was not delivered.
struct WhisperUndelivered {
  ConnId from;
  std::string to;
};
// Modern: members of other nodes are now in the room (`held`), or no longer any: while held,
// this node keeps the room and its history though nobody here is in it.
struct RoomHeld {
  std::string room;
  bool held = false;
};
// Modern: what was said in `room` before this node joined, as a node that was there heard it
// (`earlier`, oldest first), and how many of the room's lines this node has heard itself since
// (`recent`): the room's history is those, then these.
struct HistoryHeard {
  std::string room;
  std::vector<Payload> earlier;
  std::size_t recent = 0;
};
// The store answered a login's claim (or the link broke first, and the node granted it on its
// own). The session's input is held until this comes. Modern: also the answer to /nick, for a
// session already logged in.
struct ClaimSettled {
  ConnId conn;
  std::string name;
  bool granted = false;
  // Settled inside the claim itself (the node is cut off): the line that claimed is still
  // being handled, and no input was held for it.
  bool at_once = false;
};
// Another node holds the name of this logged-in session now (taken while this node was cut
// off): the session must be told and logged out.
struct NameLost {
  ConnId conn;
};
// The link to the store broke / came back.
struct LinkLost {};
struct LinkBack {};
using ClusterNews =
    std::variant<HeardLine, HeardEnter, HeardLeave, HeardRename, HeardWhisper, WhisperUndelivered,
                 RoomHeld, HistoryHeard, ClaimSettled, NameLost, LinkLost, LinkBack>;

// Modern: a member of the cluster and the room they are in, as /look, /who and /rooms list.
struct PlacedMember {
  std::string name;
  std::string room;
  // When they entered that room, in the bus's order (the same on every node); sorting by it
  // lists a room in order of entry. Largest for this node's arrivals still on their way round.
  std::uint64_t since = 0;
};

class Cluster {
 public:
  Cluster(ClusterConfig config, World& world, bool with_rooms = false);

  const ClusterConfig& config() const { return config_; }
  bool linked() const { return linked_; }

  // --- asked by the dialect ---
  // Whether a user on another node goes by this name (by the world's name key).
  bool name_held_elsewhere(std::string_view name) const;
  // Asks the store for the name; ClaimSettled follows. Holds the session's input till then.
  void claim(Session& session, std::string name, Instant now);
  // A granted name nobody here wants any more (its session left while the claim was out).
  void release(std::string_view name);
  // The session just logged in under its granted name / is leaving (still has its name).
  void entered(Session& session);
  void leaving(Session& session);
  // A line said in the room, rendered by the dialect.
  void say(Payload line);
  // Every member of the room on every node, in the order the bus told of them, then this
  // node's newcomers whose arrival is still on its way round.
  std::vector<std::string> member_names() const;
  // Delivers a line to this node's members of the room, except `except` and newcomers who
  // have not heard their own arrival yet (what came before it is not theirs to hear).
  void deliver(const Payload& line, ConnId except = {});
  // After HeardEnter of its own session: from here on it hears the room (true), unless another
  // arrival of it (a later move) is still on its way round, or it was not waiting for one.
  bool confirm(ConnId own);

  // --- asked by the modern dialect (with_rooms) ---
  // A line said in `room` (its name as written), rendered by the dialect; HeardLine follows
  // on every node with members there.
  void say_in(std::string_view room, std::string_view talker, Payload line);
  // The session (already moved by the world) went from room `from` to its room now.
  void moved(Session& session, std::string_view from);
  // The session (already renamed by the world, its new name granted) was called `old`.
  void renamed(Session& session, std::string_view old);
  // A member of another node called `name` (by key): their name as written and their node.
  struct Elsewhere {
    std::string name;
    std::string node;
  };
  std::optional<Elsewhere> find_elsewhere(std::string_view name) const;
  // Sends a private message to `to` (found by find_elsewhere); HeardWhisper follows there.
  void whisper(const Elsewhere& to, std::string_view from, std::string_view text);
  // Everyone in the cluster with their room: in the order the bus told of them, then this
  // node's newcomers whose arrival is still on its way round. This node's members are listed
  // as they are now here (a move or a rename in flight already shows).
  std::vector<PlacedMember> placed_members() const;
  // Whether members of other nodes are in the room called `room` (by key).
  bool room_held_elsewhere(std::string_view room) const;
  // The name of the room called `room` (by key) as the cluster knows it, if anyone is there.
  std::optional<std::string> room_named(std::string_view room) const;

  // --- from the server ---
  void on_event(Instant now, const BusEvent& event);
  void tick(Instant now);
  // The node is stopping: tell the others its users are gone and free their names.
  void shutting_down();
  std::optional<Instant> next_deadline() const;
  std::optional<BusRequest> poll_request();
  std::optional<ClusterNews> poll_news();

 private:
  struct Member {
    std::string node;
    std::string name;
    std::string room;  // its name as written (classic: always the main room)
    // The room whose members were last told it is there: empty between a move's Leave and its
    // Enter (which a broken link can lose), when no room has been told of it.
    std::string announced;
    std::string left;         // between a move's Leave and its Enter: the room it left
    ConnId own;               // this node's session, if it is one of ours
    std::uint64_t since = 0;  // entered `room` at this count of arrivals (PlacedMember)
  };
  struct NodeState {
    std::uint64_t boot = 0;
    std::uint64_t incarnation = 0;
    Instant last_heard;
    bool obituary_sent = false;
  };
  // One of this node's room messages, published and not yet heard back: what to do locally if
  // the link breaks before it comes.
  struct Unechoed {
    ClusterKind kind;
    Payload line;                     // Line
    std::vector<std::string> fields;  // as published (Line: without the text)
    ConnId conn;                      // Enter, Rename
    bool done_here = false;           // acted on here already (a rename told on return)
  };
  struct PendingClaim {
    ConnId conn;
    std::string name;
  };

  NodeRun me() const { return {config_.node_name, config_.boot, incarnation_}; }
  std::string name_key(std::string_view name) const;
  std::string room_channel(std::string_view room = World::kMainRoom) const;
  void publish(std::string_view channel, ClusterKind kind, std::vector<std::string> fields);
  void publish_room(ClusterKind kind, std::string field);
  // Modern: publishes on `room`'s channel, and remembers it as ours until it comes back.
  void publish_in(std::string_view room, ClusterKind kind, std::vector<std::string> fields,
                  ConnId conn = {}, Payload line = {});
  bool fits(const ClusterMessage& message) const;
  void publish_roster(const std::vector<std::string>& lost = {});
  std::uint64_t claim_all_names();
  void rejoin();
  void release_names_let_go();
  std::unordered_set<std::string> names_known_elsewhere() const;
  void note_rename_while_cut(std::string_view old, const std::string& now);
  void tell_renames_while_cut(const std::vector<std::string>& lost);
  std::vector<std::string> local_names() const;
  Duration heartbeat() const { return config_.node_timeout / 3; }

  void link_up(Instant now);
  void link_down(Instant now);
  void answered(const ClaimAnswer& answer);
  void heard(Instant now, const BusMessage& message);
  void note_alive(const NodeRun& from, Instant now);
  void heard_line(const ClusterMessage& message, bool ours);
  void heard_enter(const ClusterMessage& message, bool ours);
  void heard_leave(const ClusterMessage& message, bool ours);
  void heard_rename(const ClusterMessage& message, bool ours);
  void heard_whisper(const ClusterMessage& message);
  void heard_unheard(const ClusterMessage& message);
  void heard_hello(const ClusterMessage& message, bool ours, Instant now);
  // Modern: tells a node that just joined what was said in each room so far (Said).
  void tell_history(const NodeRun& joiner);
  void heard_said(const ClusterMessage& message);
  // Holds the session's delivery until its arrival in its room comes back (confirm).
  void await_echo(Session& session);
  // What an Enter, a Leave or a Rename of `node` does, heard back or (ours, the link broken
  // before it came) acted on locally.
  void apply_enter(const std::string& node, const std::vector<std::string>& fields, ConnId own);
  void apply_leave(const std::string& node, const std::vector<std::string>& fields);
  void apply_rename(const std::string& node, const std::vector<std::string>& fields, ConnId own);
  void heard_roster(const ClusterMessage& message, Instant now);
  void moved_unheard(Member& member, std::string_view room, bool ours);
  void heard_obituary(const ClusterMessage& message);
  void check_silences(Instant now);
  std::optional<Unechoed> take_unechoed(ClusterKind kind);
  void act_locally(Unechoed unechoed);

  void add_member(std::string node, std::string name, ConnId own,
                  std::string room = std::string(World::kMainRoom), std::string from = {});
  void remove_member(std::string_view node, std::string_view name);
  Member* find_member(std::string_view node, std::string_view name);
  // Puts the member in `room` (empty: out of every room, before removing it), keeping
  // in_rooms_elsewhere_ true.
  void place(Member& member, std::string room);
  // The roster's field list: names (classic), or names and rooms (modern).
  std::vector<std::string> roster_fields(const std::vector<std::string>& lost) const;
  void remove_node(std::string_view node);
  void announce_departures(std::string_view node, std::vector<std::string> names);
  ConnId local_session_named(std::string_view name) const;

  ClusterConfig config_;
  World& world_;
  bool with_rooms_;
  bool linked_ = false;
  bool ever_linked_ = false;
  std::uint64_t incarnation_ = 0;
  std::uint64_t linked_since_ = 0;  // the incarnation in which the link last came up
  Instant linked_at_;
  // Modern, since our own Hello came back: the lines heard in each room (by key), and the rooms
  // whose earlier history a node that was there has told us (Said; the first one counts).
  bool hello_back_ = false;
  std::unordered_map<std::string, std::size_t> heard_since_hello_;
  std::unordered_set<std::string> history_taken_;
  Instant next_heartbeat_;
  std::uint64_t next_claim_id_ = 1;
  std::map<std::uint64_t, PendingClaim> login_claims_;
  std::map<std::uint64_t, std::vector<std::string>> refresh_claims_;  // id -> the names asked
  // The claims a node makes on joining (or coming back to life): its roster waits for their
  // answer and lists only the names granted, so no node hears of a user whose name it holds.
  std::optional<std::uint64_t> rejoin_claim_;
  std::vector<std::string> lost_names_;  // lost to another node: their leaving is not news
  // The names this node held in the store when its link broke; those given up while it was
  // cut off (at most all of them) are released on return.
  std::unordered_set<std::string> claimed_when_cut_;
  std::unordered_set<std::string> names_at_cut_;  // all of them, for tell_renames_while_cut
  std::vector<std::string> unreleased_;
  // Modern: /nick while cut off, by name now -> the name the others knew at the cut.
  std::map<std::string, std::string> renamed_while_cut_;
  std::vector<Member> members_;  // in the bus's order
  std::uint64_t arrivals_ = 0;   // members entering a room, so far
  // How many members of other nodes go by each name key (two, briefly, after an outage).
  std::unordered_map<std::string, std::size_t> held_elsewhere_;
  // How many members of other nodes are in each room, by room key (modern).
  std::unordered_map<std::string, std::size_t> in_rooms_elsewhere_;
  std::map<std::string, NodeState> nodes_;  // other nodes heard of
  std::deque<Unechoed> unechoed_;
  std::size_t newcomers_ = 0;  // sessions with awaiting_echo
  std::vector<ConnId> scratch_;
  std::deque<BusRequest> requests_;
  std::deque<ClusterNews> news_;
};

}  // namespace teaparty::core
