#pragma once
// What core asks of its shell. Actions are values the shell pulls with Server::poll_action();
// core never performs them itself.

#include <string_view>
#include <variant>

#include "core/conn_id.h"

namespace teaparty::core {

enum class CloseReason {
  Logout,      // the user left (logout, Ctrl-D)
  PeerClosed,  // the client closed or half-closed its side
  PeerReset,   // the connection broke (reset, write error)
  Shutdown,    // the server is stopping
  // Limits (see docs/operations.md):
  SlowConsumer,  // its queued output passed the cap: it stopped reading while others talked
  Refused,       // over the connection caps: told so and closed at once
  LoginTimeout,  // connected but did not log in in time
  IdleTimeout,   // logged in but silent for too long
};

std::string_view describe(CloseReason reason);

// The connection has output queued where there was none: the shell should write it
// (Server::gather_output) and report what it wrote (Server::wrote).
struct WantWrite {
  ConnId conn;
};
// Close the socket now. Core has already forgotten the connection; its queued output, if it
// mattered, has been written (or the reason says why it could not be).
struct CloseConnection {
  ConnId conn;
  CloseReason reason;
};
// The server is shutting down: accept no more connections.
struct StopAccepting {};
// The connection's line rate limit is spent and core holds input it has not decoded yet:
// stop reading it (drop it from the read interest; writing goes on), so TCP pushes back on
// the sender. Core asks Server::reading_paused() as well, so a shell that reads a socket
// several times a wake can stop after the read that filled the limit.
struct PauseReading {
  ConnId conn;
};
// Core has decoded everything it held: read the connection again.
struct ResumeReading {
  ConnId conn;
};

using Action = std::variant<WantWrite, CloseConnection, StopAccepting, PauseReading, ResumeReading>;

// How the shell learned that a client is gone.
enum class PeerGone {
  EndOfStream,  // read returned 0: the client closed or half-closed; it may still read
  Broken,       // reset or write error: nothing more can be delivered
};

}  // namespace teaparty::core
