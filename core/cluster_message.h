#pragma once
// What nodes say to each other on the bus (core/bus.h), and its wire form. Every message names
// its sender, that run of the sender (boot) and its incarnation (how many times that run has
// joined the bus): rosters and obituaries are only believed for the incarnation they are about.
//
// The wire form is a kind byte, then netstrings ("5:hello"): sender, boot, incarnation, then
// the kind's fields. Binary-safe, so names and lines travel byte for byte; anything that does
// not parse is dropped (another version, or not ours), never trusted.
//
//   Line    [bytes]            a line said in the room, rendered once by the sender's dialect
//   Enter   [name]             someone logged in on the sender
//   Leave   [name]             someone on the sender left
//   Hello   []                 the sender joined the bus: everyone, send your roster
//   Roster  [name...]          everyone logged in on the sender now, in order of login
//   Alive   []                 the heartbeat
//   Gone    [node, boot, inc]  the sender has not heard that node for too long
//
// The modern dialect has rooms, so its room messages name the room (its channel is the room's,
// by key; the field is the room's name as written) and the rest of the move:
//
//   Line    [bytes, talker, room]   a line said in that room (talker: for GMCP)
//   Enter   [name, room, from]      entered the room: logged in (from empty) or came from `from`
//   Leave   [name, room, to]        left the room: logged out (to empty) or went to `to`
//   Rename  [old, new, room]        /nick, told in the renamed user's room
//   Whisper [node, from, to, text]  /msg to a user on `node` (on the nodes channel)
//   Unheard [node, from, to]        that whisper found nobody called `to` (they left while it
//                                   travelled): back to the sender's `node`
//   Placed  [name, room, ...]       the modern roster: everyone on the sender and their room
//   Said    [node, inc, room, line...]  for `node` just joined (its Hello of incarnation
//                                   `inc`): the room's history as the sender heard it then
//
// A cluster runs one dialect: a node drops the other dialect's shapes (Cluster::fits).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace teaparty::core {

enum class ClusterKind : char {
  Line = 'L',
  Enter = 'E',
  Leave = 'X',
  Hello = 'H',
  Roster = 'R',
  Alive = 'A',
  Gone = 'G',
  Rename = 'N',
  Whisper = 'W',
  Unheard = 'U',
  Placed = 'P',
  Said = 'S',
};

struct NodeRun {
  std::string node;
  std::uint64_t boot = 0;
  std::uint64_t incarnation = 0;
  friend bool operator==(const NodeRun&, const NodeRun&) = default;
};

struct ClusterMessage {
  ClusterKind kind = ClusterKind::Alive;
  NodeRun from;
  std::vector<std::string> fields;
};

std::string encode(const ClusterMessage& message);
std::optional<ClusterMessage> decode_cluster_message(std::string_view wire);
// A field that holds a count (a boot, an incarnation): decimal digits only.
std::optional<std::uint64_t> parse_count(std::string_view text);

}  // namespace teaparty::core
