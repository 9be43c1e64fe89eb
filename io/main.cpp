// teaparty: a multi-user chat server for telnet, nc and MUD clients.
// This file only turns flags into a configuration, opens the listener and runs the shell.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <variant>

#include "core/server.h"
#include "io/shell.h"
#include "io/socket.h"

namespace {

constexpr const char* kVersion = "teaparty 0.1.0";

struct Options {
  std::string host = "0.0.0.0";
  int port = 5005;
  std::string name = "TestChat";
  std::string dialect = "classic";
  std::size_t max_line = 4096;
  teaparty::io::LogThreshold log_level = teaparty::io::LogThreshold::Info;
};

}  // namespace

int main(int argc, char** argv) {
  using namespace teaparty;
  Options options;
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
  app.add_option("--dialect", options.dialect, "Protocol dialect")
      ->check(CLI::IsMember({"classic"}))
      ->capture_default_str();
  app.add_option("--max-line", options.max_line,
                 "Longest accepted line in bytes; longer lines are dropped with an error")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20))
      ->capture_default_str();
  const std::map<std::string, io::LogThreshold> levels{{"debug", io::LogThreshold::Debug},
                                                       {"info", io::LogThreshold::Info},
                                                       {"warning", io::LogThreshold::Warning},
                                                       {"error", io::LogThreshold::Error}};
  app.add_option("--log-level", options.log_level, "Least severe log records printed to stderr")
      ->transform(CLI::CheckedTransformer(levels, CLI::ignore_case))
      ->default_str("info");
  CLI11_PARSE(app, argc, argv);

  core::Config config;
  config.server_name = options.name;
  config.dialect = core::DialectKind::Classic;
  config.max_line = options.max_line;

  auto listening = io::listen_on(options.host, static_cast<std::uint16_t>(options.port));
  if (auto* error = std::get_if<io::SystemError>(&listening)) {
    std::cerr << "teaparty: " << error->what << "\n";
    return 1;
  }
  auto& listener = std::get<io::Listener>(listening);
  std::printf("listening on %s\n", listener.address.c_str());
  std::fflush(stdout);

  core::Server server(config);
  io::Shell shell(server, std::move(listener), options.log_level);
  shell.run();
  return 0;
}
