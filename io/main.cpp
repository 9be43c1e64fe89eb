// teaparty: a multi-user chat server for telnet, nc and MUD clients.
// This file only turns flags into a configuration, opens the listener and runs the shell.

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include <unistd.h>

#include "core/server.h"
#include "io/clock.h"
#include "io/fd_limit.h"
#include "io/recorder.h"
#include "io/redis_link.h"
#include "io/shell.h"
#include "io/socket.h"

namespace {

constexpr const char* kVersion = "teaparty 0.1.0";

struct Options {
  std::string host = "0.0.0.0";
  int port = 5005;
  std::string name = "TestChat";
  std::string dialect = "modern";
  std::string telnet = "on";
  std::string record;  // a transcript of the session goes here (core/transcript.h)
  std::size_t history = 20;
  std::size_t max_line = 4096;
  teaparty::io::LogThreshold log_level = teaparty::io::LogThreshold::Info;
  teaparty::io::PollerKind poller = teaparty::io::kDefaultPoller;
  // Limits (docs/operations.md); 0 turns each off.
  double line_rate = teaparty::core::ProductionLimits::kLineRate;
  std::size_t line_burst = teaparty::core::ProductionLimits::kLineBurst;
  std::size_t max_output = teaparty::core::ProductionLimits::kMaxOutput;
  std::size_t max_connections = 0;  // set from the descriptor limit before parsing
  std::size_t max_per_address = teaparty::core::ProductionLimits::kMaxPerAddress;
  double login_timeout = teaparty::core::ProductionLimits::kLoginTimeout.count();
  double idle_timeout = teaparty::core::ProductionLimits::kIdleTimeout.count();
  // A cluster of nodes through Redis (issue 8); empty: a node of its own.
  std::string redis;
  std::string node_name;  // default: this host's name and the listening port
  double node_timeout = 6;
};

teaparty::core::Duration from_seconds(double seconds) {
  return std::chrono::duration_cast<teaparty::core::Duration>(
      std::chrono::duration<double>(seconds));
}

// An unsigned parse alone would take "-1" for a huge number.
CLI::Validator not_negative() {
  return CLI::Validator(
      [](std::string& value) {
        return value.starts_with('-') ? std::string("must not be negative") : std::string();
      },
      "", "NOT_NEGATIVE");
}

void add_limit_flags(CLI::App& app, Options& options) {
  app.add_option("--line-rate", options.line_rate,
                 "Lines per second a connection may send on average; excess lines wait (0: "
                 "no limit)")
      ->check(CLI::Range(0.0, 1e6))
      ->capture_default_str();
  app.add_option("--line-burst", options.line_burst,
                 "Lines a connection may send at once before the rate applies (0: no limit)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1'000'000}))
      ->capture_default_str();
  app.add_option("--max-output", options.max_output,
                 "Bytes queued for one client before it is closed as a slow consumer; "
                 "K/M suffixes (1K = 1024) (0: no cap)")
      ->check(not_negative())
      ->transform(CLI::AsSizeValue(false))
      ->default_str("1M");
  app.add_option("--max-connections", options.max_connections,
                 "Connections at once; more are told \"Server is full\" (0: no cap; default: "
                 "the descriptor limit less a reserve)")
      ->check(not_negative())
      ->capture_default_str();
  app.add_option("--max-per-address", options.max_per_address,
                 "Connections at once from one address (0: no cap)")
      ->check(not_negative())
      ->capture_default_str();
  app.add_option("--login-timeout", options.login_timeout,
                 "Seconds a connection may take to log in (0: no limit)")
      ->check(CLI::Range(0.0, 1e7))
      ->capture_default_str();
  app.add_option("--idle-timeout", options.idle_timeout,
                 "Seconds a logged-in user may stay silent (0: no limit)")
      ->check(CLI::Range(0.0, 1e7))
      ->capture_default_str();
}

void add_cluster_flags(CLI::App& app, Options& options) {
  app.add_option("--redis", options.redis,
                 "Join the cluster of nodes sharing the Redis server at HOST:PORT (every node of "
                 "a cluster must run the same dialect)");
  app.add_option("--node-name", options.node_name,
                 "This node's name in the cluster, unique in it (default: host name:port)")
      ->check([](const std::string& value) {
        return value.empty() || value.find_first_of("\r\n") != std::string::npos
                   ? std::string("the node name must be one non-empty line")
                   : std::string{};
      });
  app.add_option("--node-timeout", options.node_timeout,
                 "Seconds a node may be silent before the others announce its users as left; "
                 "also how long its claims on names live")
      ->check(CLI::Range(0.5, 3600.0))
      ->capture_default_str();
}

// The cluster flags that cannot work together with the others, as a sentence; empty if fine.
std::string cluster_conflict(const Options& options) {
  if (options.redis.empty()) {
    return options.node_name.empty() ? "" : "--node-name needs --redis";
  }
  if (!options.record.empty())
    return "--record cannot be used with --redis yet (transcripts do not hold the cluster's "
           "events)";
  return "";
}

// The default node name: this host's name and the port it listens on, "host:port".
std::string default_node_name(const std::string& listening_address) {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "teaparty");
  const auto colon = listening_address.rfind(':');
  return std::string(host) + listening_address.substr(colon);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace teaparty;
  Options options;
  // Raised before the flags are read, so --help shows the default it leads to.
  options.max_connections = io::connections_for(io::raise_descriptor_limit());
  CLI::App app{"teaparty: a multi-user chat server for telnet, nc and MUD clients"};
  app.set_version_flag("--version", kVersion);
  app.add_option("--host", options.host, "Address to listen on (IPv4 or IPv6)")
      ->capture_default_str();
  app.add_option("--port", options.port, "TCP port; 0 picks a free one")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  app.add_option("--name", options.name, "Server name shown in the welcome")
      ->check([](const std::string& value) {
        return value.find_first_of("\r\n") == std::string::npos ? std::string{}
                                                                : "the name must be one line";
      })
      ->capture_default_str();
  app.add_option("--dialect", options.dialect,
                 "Protocol dialect: modern (slash commands, rooms, MUD clients; docs/modern.md) "
                 "or classic (the book's, byte for byte)")
      ->check(CLI::IsMember({"modern", "classic"}))
      ->capture_default_str();
  app.add_option("--telnet", options.telnet,
                 "Speak telnet: offers and answers (on), or never send an IAC byte (off)")
      ->check(CLI::IsMember({"on", "off"}))
      ->capture_default_str();
  app.add_option("--history", options.history,
                 "Lines each room shows to those who enter it (modern dialect; 0: none)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1000}))
      ->capture_default_str();
  app.add_option("--max-line", options.max_line,
                 "Longest accepted line in bytes; longer lines are dropped with an error")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20))
      ->capture_default_str();
  const std::map<std::string, io::LogThreshold> levels{{"debug", io::LogThreshold::Debug},
                                                       {"info", io::LogThreshold::Info},
                                                       {"warning", io::LogThreshold::Warning},
                                                       {"error", io::LogThreshold::Error}};
  app.add_option("--record", options.record,
                 "Write every byte in and out, with its time, to FILE as a transcript "
                 "(replay it with teaparty-sim replay FILE)");
  app.add_option("--log-level", options.log_level, "Least severe log records printed to stderr")
      ->transform(CLI::CheckedTransformer(levels, CLI::ignore_case))
      ->default_str("info");
  std::map<std::string, io::PollerKind> pollers{{"poll", io::PollerKind::Poll}};
#if defined(TEAPARTY_HAS_EPOLL)
  pollers.emplace("epoll", io::PollerKind::Epoll);
#endif
  // The environment variable lets a test suite run every server it starts on each backend.
  app.add_option("--poller", options.poller,
                 "How the server waits for sockets: epoll (Linux; registers interest once) or "
                 "poll (portable; the kernel scans every connection at every wake)")
      ->transform(CLI::CheckedTransformer(pollers))
      ->envname("TEAPARTY_POLLER")
      ->default_str(std::string(io::name_of(io::kDefaultPoller)));
  add_limit_flags(app, options);
  add_cluster_flags(app, options);
  CLI11_PARSE(app, argc, argv);
  if (const std::string conflict = cluster_conflict(options); !conflict.empty()) {
    std::cerr << "teaparty: " << conflict << "\n";
    return 1;
  }
  std::optional<io::RedisAddress> redis_address;
  if (!options.redis.empty()) {
    auto resolved = io::resolve_redis_address(options.redis);
    if (auto* error = std::get_if<std::string>(&resolved)) {
      std::cerr << "teaparty: --redis: " << *error << "\n";
      return 1;
    }
    redis_address = std::move(std::get<io::RedisAddress>(resolved));
  }

  core::Config config;
  config.server_name = options.name;
  config.dialect =
      options.dialect == "classic" ? core::DialectKind::Classic : core::DialectKind::Modern;
  config.telnet = options.telnet == "on";
  config.history_lines = options.history;
  // For MSSP's UPTIME, which is the start time in Unix seconds: core reads no clock.
  config.started_unix_time = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
  config.max_line = options.max_line;
  config.line_rate = options.line_rate;
  config.line_burst = options.line_burst;
  config.max_output = options.max_output;
  config.max_connections = options.max_connections;
  config.max_per_address = options.max_per_address;
  config.login_timeout = from_seconds(options.login_timeout);
  config.idle_timeout = from_seconds(options.idle_timeout);

  auto listening = io::listen_on(options.host, static_cast<std::uint16_t>(options.port));
  if (auto* error = std::get_if<io::SystemError>(&listening)) {
    std::cerr << "teaparty: " << error->what << "\n";
    return 1;
  }
  auto& listener = std::get<io::Listener>(listening);
  const std::string address = listener.address;

  std::unique_ptr<io::RedisLink> bus;
  if (redis_address) {
    core::ClusterConfig cluster;
    cluster.node_name = options.node_name.empty() ? default_node_name(address) : options.node_name;
    cluster.node_timeout = from_seconds(options.node_timeout);
    // This run of the node, told from earlier runs under the same name: its start time.
    cluster.boot =
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
    bus = std::make_unique<io::RedisLink>(std::move(*redis_address), cluster.node_name);
    config.cluster = std::move(cluster);
  }

  core::Server server(config);
  std::unique_ptr<io::Recorder> recorder;
  if (!options.record.empty()) {
    auto opened = io::Recorder::open(options.record, server, io::monotonic_now());
    if (auto* error = std::get_if<io::SystemError>(&opened)) {
      std::cerr << "teaparty: " << error->what << "\n";
      return 1;
    }
    recorder = std::move(std::get<std::unique_ptr<io::Recorder>>(opened));
  }
  io::Shell shell(server, std::move(listener), options.log_level, options.poller,
                  recorder ? recorder->tap() : io::Tap{}, bus.get());
  if (bus) bus->start(io::monotonic_now());
  // Announced only once the shell handles SIGINT and SIGTERM (and ignores SIGPIPE): whoever
  // waits for this line may stop the server at once, and must get a graceful stop.
  std::printf("listening on %s\n", address.c_str());
  std::fflush(stdout);
  shell.run();
  return 0;
}
