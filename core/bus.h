#pragma once
// The bus: what core asks of the shared store that joins several teaparty nodes into one chat
// (Redis, in production; a virtual one in the simulator), and what the store answers. Core
// neither knows nor cares how these travel: the shell (io/redis_link) turns each request into
// Redis commands on its own non-blocking sockets, the simulator (sim/virtual_redis) carries
// them in memory. Both must give them the semantics written here; the key and channel names
// below are where the two meet, defined once.
//
// What core relies on:
//   - Claims are atomic per key: a key is granted to a node when it is free or already that
//     node's, and then lives `ttl` from the moment the store handled the request. A key whose
//     owner stops refreshing it is free again after its ttl.
//   - Every message published on any channel under kChannelPrefix reaches every subscribed
//     node, in one order, the same for all (Redis: one subscriber connection per node, with a
//     pattern subscription; Redis sends each message to its subscribers as it executes the
//     PUBLISH, so every node sees all channels interleaved the same way). A node hears its own
//     messages too: that echo is how it knows where its line fell in the order.
//   - Requests of one node are carried out in the order they were made.
//   - Nothing is promised across a BusDown: messages published while a node was cut off are
//     never delivered to it, and a request in flight when the link broke may or may not have
//     been carried out (pub/sub is at most once). Core recovers from that with rosters and
//     claims again on BusUp (core/cluster.h).

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/time.h"

namespace teaparty::core {

namespace bus {

// Redis key of a claimed name; the value is the owning node's name.
inline constexpr std::string_view kNameKeyPrefix = "teaparty:name:";
// Every channel the nodes talk on starts with this; a node subscribes to the pattern.
inline constexpr std::string_view kChannelPrefix = "teaparty:";
inline constexpr std::string_view kChannelPattern = "teaparty:*";
// Presence: nodes saying hello, sending rosters, heartbeats and obituaries.
inline constexpr std::string_view kNodesChannel = "teaparty:nodes";
// A room's traffic: lines said, people entering and leaving. Then the room's key.
inline constexpr std::string_view kRoomChannelPrefix = "teaparty:room:";

}  // namespace bus

// Grants each key in `keys` to this node if it is free or already ours, and (re)sets its time
// to live; answered by ClaimAnswer with the same id, one verdict per key in the same order.
// Also how a node keeps its names alive: it claims them all again every heartbeat.
struct ClaimKeys {
  std::uint64_t id = 0;
  std::vector<std::string> keys;
  Duration ttl{};
};
// Deletes each key that is still ours. Not answered.
struct ReleaseKeys {
  std::vector<std::string> keys;
};
// Publishes `message` on `channel`. Not answered: the echo is the answer.
struct Publish {
  std::string channel;
  std::string message;
};
using BusRequest = std::variant<ClaimKeys, ReleaseKeys, Publish>;

// The link is up and subscribed: from now on every published message reaches this node.
struct BusUp {};
// The link broke (or could not be made): nothing is heard or carried until the next BusUp.
// Requests not yet answered never will be.
struct BusDown {};
struct ClaimAnswer {
  std::uint64_t id = 0;
  std::vector<bool> granted;
};
struct BusMessage {
  std::string channel;
  std::string message;
};
using BusEvent = std::variant<BusUp, BusDown, ClaimAnswer, BusMessage>;

}  // namespace teaparty::core
