#pragma once
// ClusterSimulation: two or three nodes (core::Server with Config::cluster, of one dialect)
// joined by a virtual Redis (sim/virtual_redis.h), virtual clients spread over them, and a
// seeded schedule of faults, all on one virtual clock from one seed.
//
// Each step one thing happens: a client connects to a node, types a line (login with a name
// from a small pool, so names collide across nodes; say with a unique marker; look; who;
// logout; a blank line; in the modern dialect, sim/modern_cluster_typing.h: rooms, /msg, /nick)
// or vanishes without a word; time passes (the store carries out
// requests and hands over events, and every node's deadlines fire, in time order); or, when no
// fault is under way and the last one is long enough ago, a fault begins:
//   - a node is killed: its Server is dropped and its link goes without a word; it starts again
//     (the same name, a new boot) a while later;
//   - a node's link is cut, and restored a while later (shorter or longer than the node timeout);
//   - the store vanishes (keys kept or lost) and comes back a while later.
// The network between clients and nodes is not the subject here (the single-node simulator
// covers it): every byte a node queues is written and read at once.
//
// Checked after every step: the names of logged-in users are unique across the nodes that
// have been linked for a while (claims settled); and everything sim/cluster_oracle.h checks:
// one global order, says exactly once, a killed node's users announced as left in time; in the
// modern dialect, per room, and whispers (sim/whisper_check.h). Where the classic dialect's
// core marks a newcomer (Session::awaiting_echo) until its own arrival comes back, the modern
// one's arrivals are followed from the Enters each node publishes (sim/own_arrivals.h).
// The same seed gives the same run: the digest covers every byte in and out and every bus
// request and event.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/cluster_message.h"
#include "core/config.h"
#include "core/server.h"
#include "sim/cluster_oracle.h"
#include "sim/digest.h"
#include "sim/own_arrivals.h"
#include "sim/random.h"
#include "sim/virtual_redis.h"
#include "sim/whisper_check.h"

namespace teaparty::sim {

struct ClusterOptions {
  std::uint64_t seed = 1;
  std::size_t nodes = 3;
  std::size_t clients = 9;
  std::size_t steps = 3000;
  core::DialectKind dialect = core::DialectKind::Classic;
};

// The teaparty-sim command line that makes this run.
std::string command_line(const ClusterOptions& options);

struct ClusterStats {
  std::size_t steps = 0;
  std::size_t connects = 0;
  std::size_t lines_typed = 0;
  std::size_t says = 0;
  std::size_t bus_requests = 0;
  std::size_t bus_events = 0;
  std::size_t kills = 0;
  std::size_t cuts = 0;
  std::size_t vanishes = 0;
  std::size_t name_checks = 0;  // times the names of settled nodes were compared
  VirtualRedisStats store;
  ClusterOracleStats oracle;
  WhisperCheckStats whispers;
};

struct ClusterResult {
  std::optional<std::string> violation;
  std::string where;  // "step 812 at 41.250000000 s"
  ClusterStats stats;
  std::string digest;
};

class ClusterSimulation {
 public:
  explicit ClusterSimulation(ClusterOptions options);
  ClusterSimulation(const ClusterSimulation&) = delete;
  ClusterSimulation& operator=(const ClusterSimulation&) = delete;

  ClusterResult run();
  // The configuration every node shares (its ClusterConfig differs by name and boot).
  const core::Config& config() const { return config_; }
  core::Duration node_timeout() const { return config_.cluster->node_timeout; }
  // How long after a kill every surviving node must have announced the dead node's users.
  core::Duration kill_bound() const;
  // How long a node must have been linked before its names are settled.
  core::Duration settle_time() const;
  // Everything that happened, one line each: what the digest covers.
  const std::string& trace() const { return trace_; }

 private:
  struct Node {
    std::string name;
    std::uint64_t boot = 0;
    std::unique_ptr<core::Server> server;  // empty while dead
    LinkId link;
    bool linked = false;  // handed BusUp, and no BusDown since
    core::Instant linked_since;
    std::unordered_map<std::uint64_t, std::size_t> client_of;  // connection -> client slot
  };
  struct Client {
    std::size_t slot = 0;
    std::optional<std::size_t> node;  // while connected
    core::ConnId conn;
    SessionKey session = 0;
    std::string partial;  // received bytes after the last line end
  };
  enum class Fault { None, Kill, Cut, Vanish };
  struct Timer {
    core::Instant at;
    enum class What { EndFault, KillDeadline } what;
    std::size_t index = 0;  // the kill, for KillDeadline
    std::string about;
    std::vector<std::string> names;  // the killed node's users, reserved till the deadline
  };

  void step();
  void client_acts(Client& client);
  void connect(Client& client);
  void type(Client& client, const std::string& line);
  void vanish(Client& client);
  std::string choose_line(const Client& client);
  std::string choose_modern_line(const Client& client);
  std::string choose_name();
  bool modern() const { return options_.dialect == core::DialectKind::Modern; }
  bool settled(const Node& node) const;

  void start_fault();
  void end_fault();
  void kill(std::size_t node);
  void start_node(std::size_t node);

  void advance_to(core::Instant target);
  void hand_over(std::size_t node, const core::BusEvent& event, std::optional<Place> place);
  void pump(std::size_t node, std::optional<Place> place);
  void take_output(Node& node, std::size_t index, std::optional<Place> place);
  // Modern: what the handing of a room message at `place` tells the oracle (hand_over).
  void follow_room_message(std::size_t node, const core::ClusterMessage& message, Place place);
  // Modern: a session that left its room by its own hand (or left the chat) is no longer
  // checked there; an Enter the node publishes is a session on its way into a room.
  void follow_moves(std::size_t node);
  void follow_publish(std::size_t node, const core::BusRequest& request);
  void follow_local_whispers(std::size_t node);
  std::optional<SessionKey> session_named(std::size_t node, std::string_view name) const;
  void client_gone(Client& client);
  void check_names();
  void wind_down();

  std::vector<std::size_t> live_nodes() const;
  void note(const std::string& line);
  void fail(std::string what);
  bool failed() const { return result_.violation.has_value(); }

  ClusterOptions options_;
  Random random_;
  core::Config config_;
  VirtualRedis redis_;
  ClusterOracle oracle_;
  OwnArrivals own_arrivals_;
  WhisperCheck whispers_;
  core::Instant now_;
  std::vector<Node> nodes_;
  std::vector<Client> clients_;
  std::vector<std::string> name_pool_;
  std::set<std::string> reserved_names_;  // a killed node's users, until its deadline
  SessionKey next_session_ = 1;
  std::uint64_t next_marker_ = 1;
  std::uint64_t next_whisper_ = 1;
  std::uint64_t next_boot_ = 1;
  Fault fault_ = Fault::None;
  std::size_t fault_node_ = 0;
  core::Instant quiet_until_;
  std::vector<Timer> timers_;
  std::size_t step_ = 0;
  std::string trace_;
  Digest digest_;
  ClusterResult result_;
};

}  // namespace teaparty::sim
