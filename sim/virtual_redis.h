#pragma once
// VirtualRedis: the shared store of a simulated cluster, in memory, on the simulator's virtual
// clock, with exactly the semantics core/bus.h asks of Redis, and every choice the real one
// leaves open drawn from a seed, so a multi-node run replays exactly.
//
// The model:
//   - Each node has a link. A request the node makes travels for a while (the latency, drawn
//     for each request) and is carried out when it arrives, after the node's earlier requests
//     (one connection: TCP keeps them in order). Requests made while the link is down are lost.
//   - Carrying out a request: ClaimKeys grants each key that is free (absent or expired) or
//     already the node's, and sets it to expire `ttl` after that moment; ReleaseKeys deletes
//     the keys still the node's; Publish appends the message to the inbound queue of every node
//     whose link is up at that moment, sender included. Requests of all nodes are carried out
//     one at a time in order of arrival, so every publish has one place in a single global order,
//     and every node is handed the messages in that order.
//   - What the store sends a node (answers, messages, BusUp, BusDown) also travels for a drawn
//     while. Answers and messages come on two connections in Redis (commands and the
//     subscriber), so each stream keeps its own order but the two may interleave either way;
//     BusUp and BusDown are barriers that nothing overtakes, in either stream.
//   - A link cut: the node hears BusDown after the latency and nothing more until a BusUp. What
//     it had not been handed yet is lost; of its requests still on their way, the seed (or the
//     caller) decides how many of the oldest the store got before the break: those are carried
//     out, the rest lost. Their answers never arrive. Both happen with real Redis.
//   - A node killed: its link goes without a word (no BusDown: nobody is there to hear it), its
//     requests on their way are carried out or lost as for a cut, its keys live out their ttl.
//   - The store vanishing: every link is cut as above, and all keys are lost or all kept (as
//     Redis with or without persistence; kept keys still expire on time). When it returns,
//     every link not cut on its own comes back up with a BusUp.
//
// The simulator asks `next_time()` when the store next has something to do, calls
// `carry_out(now)` at that time, and hands each node what `poll(node, now)` gives it.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bus.h"
#include "core/time.h"
#include "sim/random.h"

namespace teaparty::sim {

// A link between a node and the store; attach() hands them out from 0, never reused.
struct LinkId {
  std::size_t value = 0;
  friend bool operator==(LinkId, LinkId) = default;
};

struct Latency {
  core::Duration low{};
  core::Duration high{};
};

// How many of a link's requests still on their way the store got before the link broke:
// nullopt lets the seed choose (anything from none to all).
using CarriedOut = std::optional<std::size_t>;

struct VirtualRedisStats {
  std::size_t carried_out = 0;  // requests the store carried out
  std::size_t lost = 0;         // requests lost: made while down, or on their way at a break
  std::size_t published = 0;    // messages given a place in the global order
  std::size_t delivered = 0;    // events handed to nodes
  std::size_t dropped = 0;      // events on their way to a node when its link broke
};

class VirtualRedis {
 public:
  VirtualRedis(std::uint64_t seed, Latency latency);

  // A node joins (or a killed node starts again) under `node_name`, the value its claimed keys
  // hold. Its link comes up at once if the store is there: BusUp follows after the latency.
  LinkId attach(std::string node_name, core::Instant now);
  // The node died: its link is gone without a word (see above).
  void kill(LinkId link, core::Instant now, CarriedOut carried_out = std::nullopt);
  // The link breaks (BusDown to the node), and is restored (BusUp) later.
  void cut(LinkId link, core::Instant now, CarriedOut carried_out = std::nullopt);
  void restore(LinkId link, core::Instant now);
  // The whole store goes away, keeping its keys or not (nullopt: the seed decides), and
  // returns.
  void vanish(core::Instant now, std::optional<bool> keep_keys = std::nullopt);
  void come_back(core::Instant now);

  // The node asks something of the store (core's Server::poll_bus()).
  void request(LinkId link, core::Instant now, core::BusRequest request);
  // Carries out every request that has arrived by `now`, in order of arrival.
  void carry_out(core::Instant now);
  // The next event for the node that has arrived by `now`, if any.
  std::optional<core::BusEvent> poll(LinkId link, core::Instant now);
  // When the store next has something to carry out or hand over; nullopt: nothing pending.
  std::optional<core::Instant> next_time() const;

  // --- inspection, for the simulator's checks and the tests ---
  // Whether the link is up at the store's end (the node hears of changes later).
  bool link_up(LinkId link) const;
  bool store_up() const { return store_up_; }
  // The owner of a key at `now`, if it has one (an expired key has none).
  std::optional<std::string> owner_of(std::string_view key, core::Instant now) const;
  // How many messages have been published: the next one gets this place in the global order.
  std::uint64_t publish_count() const { return published_; }
  // The place in the global order of the message the latest poll() handed over, if it was one.
  std::optional<std::uint64_t> last_polled_place() const { return last_polled_place_; }
  // Every message published so far, in the global order.
  const std::vector<core::BusMessage>& published() const { return log_; }
  const VirtualRedisStats& stats() const { return stats_; }

 private:
  struct OnTheWay {
    core::Instant arrives;
    core::BusRequest request;
  };
  enum class Stream { Answers, Messages, Barrier };
  struct Inbound {
    core::Instant arrives;
    Stream stream;
    core::BusEvent event;
    std::optional<std::uint64_t> place;  // a message's place in the global order
  };
  struct Link {
    std::string node_name;
    bool alive = true;  // attached and not killed
    bool cut = false;   // cut on its own (the store may be gone as well)
    bool up = false;    // at the store's end: subscribed and carrying requests
    core::Instant last_request_arrives;
    std::deque<OnTheWay> requests;
    std::deque<Inbound> inbound;  // sorted by arrival, ties in the order queued
    core::Instant last_answer, last_message, last_barrier;
  };
  struct Key {
    std::string owner;
    core::Instant expires;
  };

  core::Duration latency();
  Link& link_of(LinkId link);
  const Link& link_of(LinkId link) const;
  void execute(Link& link, const core::BusRequest& request, core::Instant now);
  void hand(Link& link, Stream stream, core::BusEvent event, core::Instant now,
            std::optional<std::uint64_t> place = std::nullopt);
  // The link goes down at the store's end: what it had not heard is dropped, the oldest
  // `carried_out` requests on their way are carried out, the rest lost.
  void break_link(Link& link, core::Instant now, CarriedOut carried_out);
  void bring_up(Link& link, core::Instant now);
  bool key_free_for(const std::string& key, const std::string& node, core::Instant now) const;

  Random random_;
  Latency latency_;
  std::vector<Link> links_;
  std::map<std::string, Key, std::less<>> keys_;
  bool store_up_ = true;
  std::uint64_t published_ = 0;
  std::optional<std::uint64_t> last_polled_place_;
  std::vector<core::BusMessage> log_;
  VirtualRedisStats stats_;
};

}  // namespace teaparty::sim
