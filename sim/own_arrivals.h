#pragma once
// OwnArrivals: whose arrival each Enter a node publishes is, so that the simulator knows when a
// session's own arrival in its room comes back from the store (sim/cluster_oracle.h checks it
// in that room from there). The modern dialect moves a session between rooms without waiting,
// and a session may move again before its first Enter is back, so what counts is its latest
// Enter: until that one is back, the session is on its way into a room.
//
// A node's own messages come back to it in the order it published them (one connection to the
// store, one subscriber), so the Enters it hears from itself are matched to its publications in
// order. What a node had on its way when its link broke, or when it died, never counts: some of
// it may come back to nobody, or not at all.

#include <cstddef>
#include <deque>
#include <map>
#include <optional>

#include "sim/cluster_oracle.h"

namespace teaparty::sim {

class OwnArrivals {
 public:
  // The node published an Enter of this session (nullopt: of nobody the simulator follows).
  void published(std::size_t node, std::optional<SessionKey> session);
  // The node heard one of its own Enters back: whose it was, and whether it was that session's
  // latest (none of its Enters is still on its way).
  struct Back {
    std::optional<SessionKey> session;
    bool latest = false;
  };
  Back heard_back(std::size_t node);
  // The node's link broke, or it died: nothing it had on its way counts any more.
  void forget(std::size_t node);

  // Renames, likewise: the renamed session is not told its own rename, and may rename again
  // before the first comes back, so the name in the message does not find it then.
  void published_rename(std::size_t node, std::optional<SessionKey> session);
  std::optional<SessionKey> rename_back(std::size_t node);

 private:
  std::map<std::size_t, std::deque<std::optional<SessionKey>>> renames_on_the_way_;  // by node
  std::map<std::size_t, std::deque<std::optional<SessionKey>>> on_the_way_;          // by node
  std::map<SessionKey, std::size_t> outstanding_;  // Enters of each session on their way
};

}  // namespace teaparty::sim
