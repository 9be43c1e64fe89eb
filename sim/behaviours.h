#pragma once
// Behaviours: what a virtual client types. Everything real clients send (../shared/
// real-clients.md) and everything a careless or hostile one could: logins with good, empty,
// taken and odd names, say, look, who, unknown words, blank lines, logout, Ctrl-D; every line
// end in the wild (LF, CR LF, CR NUL, a lone CR), erasures with DEL, BS and IAC EC, telnet
// negotiations and subnegotiations, IAC IAC, telnet's Ctrl-C, over-long lines and random junk.
//
// The modern dialect's clients type a name at the prompt, chat without a command, /say, /me,
// /join and /leave a few rooms, /rooms, /look, /who, /msg to present and absent names, /nick,
// /help, unknown /commands, //text and /quit, and every careless byte the classic ones do.
//
// How the bytes are cut into reads, and when they arrive, is the network's business
// (sim/simulation.h); this only decides what is typed.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "core/config.h"
#include "sim/random.h"

namespace teaparty::sim {

// Where the client stands with core, as far as choosing what to type goes. A client mostly
// types what makes sense there, and sometimes what does not.
enum class Standing { LoggingIn, Chatting };

struct TypingContext {
  Standing standing = Standing::LoggingIn;
  std::span<const std::string> names_in_use;  // to try a taken name
  std::size_t max_line = 4096;
  std::uint64_t say_number = 0;  // the next say ends with SayOracle::marker(say_number++)
  // The next private message ends with SayOracle::whisper_marker(whisper_number++).
  std::uint64_t whisper_number = 0;
  // What the client speaks: the classic dialect's words, or the modern dialect's names at the
  // prompt, implicit chat and /commands (core/modern_dialect.h).
  core::DialectKind dialect = core::DialectKind::Classic;
};

// What the client types this time: one act, or now and then a burst of several.
std::string compose_typing(Random& random, TypingContext& context);

}  // namespace teaparty::sim
