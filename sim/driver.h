#pragma once
// Driver: plays transcript events into a core::Server and checks what comes out. It is the
// one place where events meet core, shared by the simulator (which invents events and plays
// them at once) and by replay (which reads them from a file), so a run and the replay of its
// transcript do exactly the same thing.
//
// An input event is performed (connect, receive, peer_gone, wrote, tick, begin_shutdown); an
// output event is compared with what core did (`out` with the front of the connection's queued
// output, `close` with core's next CloseConnection). After every event the driver checks core's
// invariants, the shell contract (no action for a connection core has closed) and the say
// oracle. Whatever it finds first is returned: a Difference (the transcript and core disagree)
// or a Violation (core broke a rule). Both stop the caller.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <variant>

#include "core/server.h"
#include "core/transcript.h"
#include "sim/say_oracle.h"

namespace teaparty::sim {

struct Difference {
  std::string expected;  // what the transcript says
  std::string actual;    // what core did
};
struct Violation {
  std::string what;
};
using Finding = std::variant<Difference, Violation>;

class Driver {
 public:
  explicit Driver(core::Config config);
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  std::optional<Finding> apply(const core::transcript::Event& event);
  // After the last event: a close core made that the transcript never showed.
  std::optional<Finding> finish() const;

  const core::Server& server() const { return server_; }
  // CloseConnection actions no `close` event has matched yet, oldest first.
  const std::deque<core::CloseConnection>& unmatched_closes() const { return closes_; }
  // The id the next connect() will return (core counts up from 1 and never reuses one).
  core::ConnId next_conn() const { return core::ConnId{connects_ + 1}; }
  bool accepting() const { return accepting_; }
  // Core said PauseReading for the connection and has not said ResumeReading since.
  bool reading_paused(core::ConnId conn) const { return paused_.contains(conn.value); }
  const SayOracle& oracle() const { return oracle_; }

 private:
  // One per kind of event: inputs are performed, outputs compared.
  std::optional<Finding> on(const core::transcript::Event& e, const core::transcript::Connected&);
  std::optional<Finding> on(const core::transcript::Event& e, const core::transcript::Received&);
  std::optional<Finding> on(const core::transcript::Event& e,
                            const core::transcript::PeerWentAway&);
  std::optional<Finding> on(const core::transcript::Event& e, const core::transcript::Wrote&);
  std::optional<Finding> on(const core::transcript::Event& e, const core::transcript::Ticked&);
  std::optional<Finding> on(const core::transcript::Event& e,
                            const core::transcript::ShutdownBegun&);
  std::optional<Finding> on(const core::transcript::Event& e, const core::transcript::Sent&);
  std::optional<Finding> on(const core::transcript::Event& e, const core::transcript::Closed&);
  std::optional<Finding> take_actions();

  core::Server server_;
  SayOracle oracle_;
  std::uint64_t connects_ = 0;
  std::set<std::uint64_t> open_;    // connections core has issued and not yet closed
  std::set<std::uint64_t> paused_;  // connections whose reading core has paused
  std::deque<core::CloseConnection> closes_;
  // Bytes at the front of each connection's queued output that `out` events have already
  // matched but no `wrote` has consumed yet.
  std::unordered_map<std::uint64_t, std::size_t> matched_;
  bool accepting_ = true;
};

}  // namespace teaparty::sim
