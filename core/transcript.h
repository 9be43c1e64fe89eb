#pragma once
// Transcript: a session between a shell and core, written down so that it replays byte for
// byte. The live shell records one (`teaparty --record FILE`), the simulator records one
// (`teaparty-sim run --record FILE`), and `teaparty-sim replay FILE` feeds it through a fresh
// core and checks every byte core sends against it.
//
// Why replay is exact. Core is a pure function of its inputs, so a transcript is the list of
// every call the shell made into core, in order, with the `now` it passed:
//
//   connect   Server::connect(now, peer)       (the id core returned is written down too)
//   in        Server::receive(now, conn, bytes)
//   gone      Server::peer_gone(now, conn, eof|broken)
//   wrote     Server::wrote(now, conn, count)  (the shell's write result is an input to core)
//   tick      Server::tick(now)
//   shutdown  Server::begin_shutdown(now)
//
// and, interleaved where the shell saw them, what core produced, which replay checks:
//
//   out       bytes the shell took from gather_output() and wrote, in the order core queued
//             them; replay compares them with what a fresh core has queued at that point
//   close     core's CloseConnection for the connection (with its reason, when known)
//
// `out` is written when the shell writes, not when core queues, because only then does the
// shell see the bytes; since gather_output() shows output in the order it was produced and
// `wrote` consumes it from the front, checking each `out` against the front of what the fresh
// core has queued (past what earlier `out` lines already checked) checks every written byte
// in production order. Output core queued but nobody wrote (a connection reset, a transcript
// that stops) is not in the transcript and not checked. Log records and WantWrite actions are
// the shell's business, not part of the protocol, and are not recorded.
//
// The format, plain text so a transcript reads like a chat log and diffs well:
//
//   teaparty-transcript 1
//   # comments and blank lines are ignored
//   config server_name TestChat
//   config dialect classic
//   config max_line 4096
//   config shutdown_grace 2.000000000
//   ...                                      (one line for each field of Config)
//   0.000000000 1 connect 192.0.2.1:40000
//   0.000000000 1 out Welcome to TestChat\r\n
//   0.000000000 1 wrote 21
//   0.250000000 1 in login alice\r\n
//   3.000000000 - tick
//
// An event line is TIME CONN KIND [ARGUMENT]: TIME is seconds since the session began with
// nine decimals (core's nanoseconds, exactly), CONN the connection id or `-` for the whole
// server, and bytes are escaped readably: printable ASCII as is, `\r` `\n` `\\`, and `\xHH`
// for every other byte (and for a space that would end the line, so no editor can strip it).
// Config lines carry every Config field (a field left out keeps its default), so a transcript
// replays without the flags of the server that recorded it; a field Config gains needs its line
// in transcript.cpp's kConfigFields.
//
// Core only formats and parses text here; reading and writing files is the caller's job.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/actions.h"
#include "core/config.h"
#include "core/conn_id.h"
#include "core/time.h"

namespace teaparty::core::transcript {

inline constexpr std::string_view kFirstLine = "teaparty-transcript 1";

// --- inputs to core ---
struct Connected {
  std::string peer;
};
struct Received {
  std::string bytes;
};
struct PeerWentAway {
  PeerGone how = PeerGone::EndOfStream;
};
struct Wrote {
  std::size_t count = 0;
};
struct Ticked {};
struct ShutdownBegun {};
// --- what core produced ---
struct Sent {
  std::string bytes;
};
struct Closed {
  std::optional<CloseReason> reason;  // the live shell does not see the reason
};

using What =
    std::variant<Connected, Received, PeerWentAway, Wrote, Ticked, ShutdownBegun, Sent, Closed>;

struct Event {
  Instant at;
  ConnId conn;  // 0 for tick and shutdown, which concern the whole server
  What what;
  std::size_t line = 0;  // where a parsed event stood in its file, for messages; 0 if unknown
};

struct Transcript {
  Config config;
  std::vector<Event> events;
};

struct ParseError {
  std::size_t line = 0;
  std::string message;
};

// --- writing ---
// The first line and the config lines, each ending in '\n'.
std::string format_header(const Config& config);
// One event as one line ending in '\n'.
std::string format_event(const Event& event);
std::string format(const Transcript& transcript);

// --- reading ---
std::variant<Transcript, ParseError> parse(std::string_view text);

// --- the pieces, for messages and tests ---
std::string escape(std::string_view bytes);
std::optional<std::string> unescape(std::string_view text);
std::string format_time(Instant at);
std::string_view kind_name(const What& what);
// "0.250000000 1 in" — where an event happened, for messages that name it.
std::string describe_event(const Event& event);

}  // namespace teaparty::core::transcript
