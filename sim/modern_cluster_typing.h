#pragma once
// What a client of a modern cluster types (teaparty-sim cluster --dialect modern): one whole
// line each time, as the cluster simulation's classic clients do, in the modern dialect's words
// (core/modern_dialect.h). Unlike sim/behaviours.h, nothing careless: the cluster simulation is
// about the nodes agreeing, and the single-node simulator already throws every odd byte at
// core.
//
// Before logging in: a name, alone or after /login (now and then a line said too early, or a
// blank one). Logged in: mostly lines said to the room (plain, /say or /me, each ending with a
// unique marker, "[m17]"), /join among a few rooms written in varying letter case (so two nodes
// may make one room under two spellings), /leave, /msg to a name of the pool wherever they are
// (marked "[w4]"), /nick, /who, /look, /rooms and /quit.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "sim/random.h"

namespace teaparty::sim {

struct ModernTyping {
  bool chatting = false;
  std::size_t slot = 0;                   // the client's number, in what it says
  std::function<std::string()> name;      // a name from the pool, for a login, /nick or /msg
  std::uint64_t* next_say = nullptr;      // the next say ends with "[m<this>]"
  std::uint64_t* next_whisper = nullptr;  // the next /msg ends with "[w<this>]"
};

struct TypedLine {
  std::string line;  // without its line end
  bool say = false;  // carries a say marker
  // A /msg: its marker's number and the name it is sent to.
  std::optional<std::uint64_t> whisper;
  std::string whisper_to;
};

TypedLine modern_cluster_line(Random& random, const ModernTyping& typing);

}  // namespace teaparty::sim
