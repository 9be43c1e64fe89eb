#pragma once
// Deadlines: every per-connection timer core keeps — the login timeout, the idle timeout, the
// moment a rate-limited connection may have its next line, the grace a closing connection gets
// to take its last output — in one ordered queue, so next_deadline() is the front of the queue
// and tick() pops what is due, however many connections there are.
//
// A connection has at most one deadline of each kind; setting one replaces the earlier one,
// and a connection's deadlines go when it does.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>

#include "core/conn_id.h"
#include "core/time.h"

namespace teaparty::core {

enum class DeadlineKind : std::uint8_t {
  LoginTimeout,  // not logged in by then: told and closed
  IdleTimeout,   // check whether a logged-in user has been quiet too long
  LineRefill,    // a rate-limited connection may have its next line
  CloseGrace,    // a closing connection has not taken its last output: close it anyway
};
inline constexpr std::size_t kDeadlineKinds = 4;

struct DueDeadline {
  ConnId conn;
  DeadlineKind kind;
  Instant at;
};

class Deadlines {
 public:
  void set(ConnId conn, DeadlineKind kind, Instant at);
  void cancel(ConnId conn, DeadlineKind kind);
  void cancel_all(ConnId conn);

  std::optional<Instant> earliest() const;
  // Removes and returns the earliest deadline at or before `now`, if any.
  std::optional<DueDeadline> pop_due(Instant now);

  std::size_t size() const { return queue_.size(); }
  std::optional<Instant> find(ConnId conn, DeadlineKind kind) const;

 private:
  using Entry = std::tuple<Instant, ConnId, DeadlineKind>;
  using PerConnection = std::array<std::optional<Instant>, kDeadlineKinds>;

  std::set<Entry> queue_;
  std::unordered_map<ConnId, PerConnection> by_conn_;  // to find a connection's entries
};

}  // namespace teaparty::core
