#pragma once
// Everything core knows about one connection.

#include <string>

#include "core/actions.h"
#include "core/conn_id.h"
#include "core/input_decoder.h"
#include "core/outbox.h"
#include "core/telnet_options.h"
#include "core/time.h"

namespace teaparty::core {

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
  std::string name;  // while logged in; empty otherwise
  Instant connected_at;
  CloseReason close_reason = CloseReason::Logout;  // meaningful once Closing
};

}  // namespace teaparty::core
