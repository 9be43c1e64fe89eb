#pragma once
// Simulation: many virtual clients talk to one core on a virtual clock, every choice drawn
// from one seeded Random, so a seed is a complete description of a run.
//
// Each step one thing happens, as it could in the world:
//   - a client acts: connects (at any time), types something (sim/behaviours.h), stops
//     reading for a while, closes its side, or vanishes without a word;
//   - the network delivers part of what a client typed: one byte, a random cut, or all of it
//     (so lines arrive split anywhere, and several to a read), then an end of stream after a
//     client's close;
//   - the shell writes part of a connection's queued output, as much as that client's socket
//     buffer takes (a client that stopped reading fills it, and core's queue grows);
//   - a client reads part of its socket buffer, unless it has stopped reading;
//   - time passes by a random amount, sometimes exactly to core's next deadline or a
//     nanosecond either side, and core's tick() runs.
// Now and then, at a step the seed picks, the server begins to shut down; every run ends by
// shutting down and letting the grace period expire, so every connection ends in a close.
//
// Every event goes through a Driver (sim/driver.h), which checks core's invariants, the shell
// contract and the say oracle after each one, and into the transcript. On the first finding
// the run stops; the transcript up to that point replays it.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/config.h"
#include "core/transcript.h"
#include "sim/behaviours.h"
#include "sim/digest.h"
#include "sim/driver.h"
#include "sim/random.h"

namespace teaparty::sim {

// Core's limits (rate limit, output cap, connection caps, timeouts) in a run: the seed picks
// them, on with small random values or off, unless told.
enum class Limits { BySeed, Off, On };

struct SimOptions {
  std::uint64_t seed = 1;
  std::size_t clients = 8;
  std::size_t steps = 10'000;
  Limits limits = Limits::BySeed;
  core::Config config;  // the base; the limits are set on it as above
  // A further check after every event, beside the driver's: a dialect's own rules, or a test
  // that needs a run to fail.
  std::function<std::optional<std::string>(const core::Server&)> extra_check;
};

// The teaparty-sim command line that makes this run.
std::string command_line(const SimOptions& options);

struct SimStats {
  std::size_t events = 0;
  std::size_t connects = 0;
  std::size_t closes = 0;
  std::size_t bytes_in = 0;
  std::size_t bytes_out = 0;
  std::size_t ticks = 0;
  std::size_t says = 0;        // markers core broadcast
  std::size_t whispers = 0;    // private messages core sent (to either end)
  std::size_t deliveries = 0;  // said lines the oracle checked on arrival
};

struct SimResult {
  // The first finding, if any, and where: "step 812, event 3.141592653 4 in".
  std::optional<Finding> finding;
  std::string where;
  SimStats stats;
  std::string digest;  // Digest::hex() of the whole transcript
};

class Simulation {
 public:
  explicit Simulation(SimOptions options);
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  SimResult run();
  const core::Config& config() const { return config_; }
  // The transcript so far, header included; kept whole so a failure can be written out.
  const std::string& transcript() const { return transcript_; }

 private:
  struct VirtualClient {
    std::size_t slot = 0;
    std::optional<core::ConnId> conn;  // while connected
    std::string typed;                 // sent, not yet delivered to the server
    bool closing = false;              // closed its side: an end of stream follows `typed`
    bool end_of_stream_sent = false;
    std::size_t socket_capacity = 0;  // what the client's socket buffer holds
    std::size_t unread = 0;           // written by the shell, not yet read by the client
    core::Instant reading_again_at;   // it reads nothing before this
    std::size_t connects = 0;

    // Back to not connected: what belonged to the last connection is gone with it.
    void forget_connection() {
      const std::size_t keep_slot = slot;
      const std::size_t keep_connects = connects;
      *this = VirtualClient{};
      slot = keep_slot;
      connects = keep_connects;
    }
  };
  enum class StepKind { ClientActs, NetworkDelivers, ShellWrites, ClientReads, TimePasses };

  bool step();
  bool wind_down();
  bool client_acts(VirtualClient& client);
  bool connect(VirtualClient& client);
  bool type(VirtualClient& client);
  bool deliver(VirtualClient& client);
  bool write_to(VirtualClient& client, bool as_much_as_possible);
  void read(VirtualClient& client, bool everything);
  bool time_passes(core::Duration by);
  core::Duration random_delay();
  bool begin_shutdown();
  // The connected clients for which `wanted(client)` holds, in slot order.
  template <typename Wanted>
  std::vector<VirtualClient*> clients_where(Wanted wanted);

  bool feed(core::ConnId conn, core::transcript::What what);
  bool play(const core::transcript::Event& event);
  bool settle_closes();
  bool check_shutdown_finished();
  void record(const core::transcript::Event& event);
  void stop(Finding finding, const core::transcript::Event& event);

  SimOptions options_;
  Random random_;
  core::Config config_;
  Driver driver_;
  core::Instant now_;
  std::vector<VirtualClient> clients_;
  std::size_t addresses_ = 1;  // clients share this many addresses, for the per-address cap
  std::unordered_map<std::uint64_t, std::size_t> slot_of_;  // connection id → client slot
  TypingContext typing_;
  std::size_t step_ = 0;
  std::optional<std::size_t> shutdown_step_;
  std::optional<core::Instant> shutdown_began_;
  std::string transcript_;
  Digest digest_;
  SimResult result_;
};

}  // namespace teaparty::sim
