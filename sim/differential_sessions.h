#pragma once
// Differential sessions: scenarios for tests/differential/classic_conformance.py, which plays
// each one over real sockets against teaparty's classic dialect and the book's server
// (../shared/reference/chatserver.py) and compares every byte.
//
// Everything stays inside the book's protocol, because the reference is the oracle only there:
// lines end in CR LF and hold printable text (UTF-8 allowed); a send may hold several lines or
// a line may be cut over consecutive sends, but never between its CR and its LF (teaparty ends a
// line at a lone CR, the book waits for the LF); nothing is sent after a connection's `logout`,
// so no send holds two (the reference crashes there by design).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace teaparty::sim {

struct SessionStep {
  enum class Kind { Connect, Send, Close, HalfClose };
  Kind kind = Kind::Connect;
  char client = 'a';
  std::string bytes;  // only for Send
};

struct DifferentialSession {
  std::string name;  // sim-sSEED-K
  std::vector<SessionStep> steps;
};

struct SessionOptions {
  std::uint64_t seed = 1;
  std::size_t count = 10;
  std::size_t clients = 3;  // 1 to 5: clients a, b, c, ...
  std::size_t steps = 20;   // steps per session, roughly (a split send adds a few)
};

constexpr std::size_t kMaxSessionClients = 5;

// The same options give the same sessions, on every machine.
std::vector<DifferentialSession> generate_sessions(const SessionOptions& options);

// One session as one line of JSON: {"name": ..., "steps": [["connect","a"], ["send","a",HEX],
// ["close","a"], ["half_close","a"]]}, the bytes of a send in lowercase hex.
std::string to_json_line(const DifferentialSession& session);

}  // namespace teaparty::sim
