#pragma once
// Everything core knows about one connection.

#include <string>

#include "core/actions.h"
#include "core/conn_id.h"
#include "core/held_input.h"
#include "core/input_decoder.h"
#include "core/outbox.h"
#include "core/rate_limit.h"
#include "core/telnet_options.h"
#include "core/time.h"

namespace teaparty::core {

struct Room;

enum class Phase {
  LoggingIn,  // connected, no name yet (the book's LoginRoom)
  Chatting,   // logged in and in the room
  Closing,    // on the way out: no input is read, queued output is still written
};

struct Session {
  Session(ConnId id_, std::string peer_, std::size_t max_line, Instant now)
      : id(id_), peer(std::move(peer_)), input(max_line), connected_at(now) {}

  ConnId id;
  std::string peer;  // the client's address, for logs
  InputDecoder input;
  TelnetOptions telnet;
  Outbox outbox;
  Phase phase = Phase::LoggingIn;
  std::string name;      // while logged in; empty otherwise
  Room* room = nullptr;  // while logged in: the room it is in (the world owns the room)
  Instant connected_at;
  CloseReason close_reason = CloseReason::Logout;  // meaningful once Closing

  // --- limits (core/rate_limit.h, core/admission.h, World's output cap) ---
  LineAllowance line_allowance;
  std::size_t unpaid_bytes = 0;  // input taken since the allowance last paid for a line
  // Input received while the line rate limit was spent, waiting to be decoded. Non-empty
  // exactly while reading is paused.
  HeldInput held_input;
  bool reading_paused = false;      // the shell was told PauseReading and not yet ResumeReading
  bool end_of_stream_held = false;  // the client closed behind held lines; act on it after them
  bool rate_limit_logged = false;   // the first pause is logged at info, later ones at debug
  Instant last_line_at;             // for the idle timeout
  bool admitted = false;            // counted against the connection caps
  bool over_output_cap = false;     // a slow consumer: nothing more is queued; closing it

  // --- clustered (core/cluster.h) ---
  bool awaiting_claim = false;  // its login's name claim is with the store; its input waits
  bool awaiting_echo = false;   // logged in; its own arrival has not come back from the store
};

}  // namespace teaparty::core
