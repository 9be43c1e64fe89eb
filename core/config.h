#pragma once
// What the operator decides at start-up, as core sees it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/time.h"

namespace teaparty::core {

enum class DialectKind {
  Classic,  // the book's protocol, byte for byte
  Modern,   // slash commands, rooms, private messages, MUD-client manners
};

// Joining a cluster of nodes through a shared store (core/bus.h, core/cluster.h). Without it
// (Config::cluster empty) a server is a chat of its own and never asks anything of a bus.
struct ClusterConfig {
  // Names the node in the store and in logs; unique in the cluster.
  std::string node_name;
  // How long a node may be silent before the others announce its users as left, and how long
  // its claims on names live unless refreshed. It says alive three times in that span.
  Duration node_timeout = std::chrono::seconds(6);
  // Tells this run of the node from earlier runs under the same name (the shell passes its
  // start time; the simulator a number of its own): rosters and obituaries carry it, so an
  // old obituary cannot remove the users of a node that started again.
  std::uint64_t boot = 0;
};

struct Config {
  std::string server_name = "TestChat";
  DialectKind dialect = DialectKind::Classic;
  std::size_t max_line = 4096;  // bytes of one line, without its line end
  // Whether to speak telnet at all. Off: never an IAC byte out (no offers, no answers, no
  // prompt marks); what clients send is still decoded as telnet.
  bool telnet = true;
  // Lines each room remembers for those who enter it later (modern dialect; 0: none).
  std::size_t history_lines = 20;
  // When the server started, in seconds since the Unix epoch, as the shell read it (for MSSP's
  // UPTIME; core reads no clock). 0: unknown, and MSSP leaves UPTIME out.
  std::int64_t started_unix_time = 0;
  // How long a shutdown waits for clients to take their last output before closing anyway.
  Duration shutdown_grace = std::chrono::seconds(2);

  // --- limits (see docs/operations.md). Config{} leaves every limit off, so a test or the
  // simulator meets only the limits it asks for; the server's flags turn them on with the
  // production defaults in ProductionLimits below. Zero means off throughout.
  // Lines per second a connection may send on average, and how many at once; excess lines
  // wait (the shell stops reading that connection) rather than being dropped.
  double line_rate = 0;
  std::size_t line_burst = 0;
  // Bytes queued for one connection beyond which it is a slow consumer and is closed.
  std::size_t max_output = 0;
  // Connections admitted at once, in all and from one address (the address without the port).
  std::size_t max_connections = 0;
  std::size_t max_per_address = 0;
  // A connection that has not logged in this long after connecting is told and closed.
  Duration login_timeout{};
  // A logged-in user who has sent no line for this long is told and closed.
  Duration idle_timeout{};
  // How long a closing connection may take to read its last output before it is closed anyway
  // (a client that logs out and never reads would otherwise hold its socket for ever).
  Duration close_grace = std::chrono::seconds(10);

  // Several nodes, one chat (either dialect). Empty: a node of its own.
  std::optional<ClusterConfig> cluster;
};

// The defaults of the server's flags: what a server on the open internet runs with.
// max_connections has none here: the shell derives it from the file descriptor limit.
struct ProductionLimits {
  static constexpr double kLineRate = 10;
  static constexpr std::size_t kLineBurst = 20;
  static constexpr std::size_t kMaxOutput = std::size_t{1} << 20;
  static constexpr std::size_t kMaxPerAddress = 20;
  static constexpr auto kLoginTimeout = std::chrono::seconds(60);
  static constexpr auto kIdleTimeout = std::chrono::seconds(0);
};

}  // namespace teaparty::core
