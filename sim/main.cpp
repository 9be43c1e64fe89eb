// teaparty-sim: runs the deterministic simulator and replays transcripts.
//
//   teaparty-sim run --seed S --clients N --steps K [--record FILE]
//   teaparty-sim replay FILE
//   teaparty-sim sessions --seed S --count N [--clients C] [--steps K]
//   teaparty-sim cluster --seed S --nodes 2..3 --clients N --steps K [--dialect D] [--trace FILE]
//
// `run` prints its seed and options first and a digest of the whole transcript last, so two
// runs can be compared by their last lines. Exit codes are in sim/exit_codes.h.

#include <CLI/CLI.hpp>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <variant>

#include "core/transcript.h"
#include "sim/cluster_simulation.h"
#include "sim/crash_guard.h"
#include "sim/differential_sessions.h"
#include "sim/exit_codes.h"
#include "sim/replay.h"
#include "sim/simulation.h"

namespace {

using namespace teaparty;
namespace transcript = core::transcript;

struct RunOptions {
  std::uint64_t seed = 1;
  std::size_t clients = 8;
  std::size_t steps = 10'000;
  std::size_t max_line = core::Config{}.max_line;
  std::string limits = "seed";
  std::string record;
  std::string dialect = "classic";
  std::size_t history = core::Config{}.history_lines;
};

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(text).str();
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  return static_cast<bool>(out);
}

void print_finding(const sim::Finding& finding) {
  if (const auto* violation = std::get_if<sim::Violation>(&finding)) {
    std::printf("VIOLATION: %s\n", violation->what.c_str());
  } else {
    const auto& difference = std::get<sim::Difference>(finding);
    std::printf("DIFFERENCE:\n  transcript: %s\n  core:       %s\n", difference.expected.c_str(),
                difference.actual.c_str());
  }
}

int exit_code_of(const sim::Finding& finding) {
  return std::holds_alternative<sim::Violation>(finding) ? sim::exit_code::kViolation
                                                         : sim::exit_code::kDifference;
}

sim::SimOptions simulation_options(const RunOptions& options) {
  sim::SimOptions sim_options;
  sim_options.seed = options.seed;
  sim_options.clients = options.clients;
  sim_options.steps = options.steps;
  sim_options.limits = options.limits == "on"    ? sim::Limits::On
                       : options.limits == "off" ? sim::Limits::Off
                                                 : sim::Limits::BySeed;
  sim_options.config.max_line = options.max_line;
  sim_options.config.dialect =
      options.dialect == "modern" ? core::DialectKind::Modern : core::DialectKind::Classic;
  sim_options.config.history_lines = options.history;
  return sim_options;
}

// The configuration the seed chose, on one line, as the transcript's header has it.
void print_config(const core::Config& config) {
  std::string line = "config:";
  const std::string header = transcript::format_header(config);
  std::string_view rest = header;
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    const std::string_view entry = rest.substr(0, end);
    if (entry.starts_with("config ")) line += " " + std::string(entry.substr(7));
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
  }
  std::printf("%s\n", line.c_str());
}

void print_stats(const sim::SimStats& s) {
  std::printf(
      "events=%zu connects=%zu closes=%zu bytes_in=%zu bytes_out=%zu ticks=%zu says=%zu "
      "whispers=%zu deliveries=%zu\n",
      s.events, s.connects, s.closes, s.bytes_in, s.bytes_out, s.ticks, s.says, s.whispers,
      s.deliveries);
}

int run(const RunOptions& options) {
  std::printf("SEED=%llu CLIENTS=%zu STEPS=%zu LIMITS=%s MAX_LINE=%zu\n",
              static_cast<unsigned long long>(options.seed), options.clients, options.steps,
              options.limits.c_str(), options.max_line);
  const sim::SimOptions sim_options = simulation_options(options);
  const std::string command = sim::command_line(sim_options);
  sim::Simulation simulation(sim_options);
  print_config(simulation.config());
  std::fflush(stdout);

  // Where the transcript goes if anything goes wrong: the requested file, or one named by seed.
  const std::string failure_path =
      options.record.empty() ? "teaparty-sim-" + std::to_string(options.seed) + ".transcript"
                             : options.record;
  const std::string seed_line = "SEED=" + std::to_string(options.seed) + " (" + command + ")";
  sim::CrashReport crash;
  crash.message = "CRASH: core died on the last event of " + failure_path + "\n  " + seed_line +
                  "\n  replay: teaparty-sim replay " + failure_path + "\n";
  crash.transcript = &simulation.transcript();
  crash.path = failure_path;
  const sim::CrashGuard guard(std::move(crash));
  const sim::SimResult result = simulation.run();

  print_stats(result.stats);
  int code = sim::exit_code::kPassed;
  if (result.finding) {
    print_finding(*result.finding);
    std::printf("  at %s\n  %s\n", result.where.c_str(), seed_line.c_str());
    if (write_file(failure_path, simulation.transcript())) {
      std::printf("  transcript: %s (teaparty-sim replay %s)\n", failure_path.c_str(),
                  failure_path.c_str());
    } else {
      std::printf("  could not write the transcript to %s\n", failure_path.c_str());
    }
    code = exit_code_of(*result.finding);
  } else if (!options.record.empty() && !write_file(options.record, simulation.transcript())) {
    std::fprintf(stderr, "teaparty-sim: cannot write %s\n", options.record.c_str());
    code = sim::exit_code::kUsage;
  }
  std::printf("DIGEST=%s\n", result.digest.c_str());
  return code;
}

int replay(const std::string& path) {
  const std::optional<std::string> text = read_file(path);
  if (!text) {
    std::fprintf(stderr, "teaparty-sim: cannot read %s\n", path.c_str());
    return sim::exit_code::kUsage;
  }
  auto parsed = transcript::parse(*text);
  if (const auto* error = std::get_if<transcript::ParseError>(&parsed)) {
    std::fprintf(stderr, "%s:%zu: %s\n", path.c_str(), error->line, error->message.c_str());
    return sim::exit_code::kUsage;
  }
  const auto& session = std::get<transcript::Transcript>(parsed);
  std::atomic<std::size_t> current_line = 0;
  sim::CrashReport crash;
  crash.message = "CRASH: core died replaying " + path;
  crash.line = &current_line;
  const sim::CrashGuard guard(std::move(crash));
  const sim::ReplayReport report =
      sim::replay(session, [&](const transcript::Event& event) { current_line.store(event.line); });
  if (!report.finding) {
    std::printf("%s: replayed %zu events, every output byte matches (%zu says checked)\n",
                path.c_str(), report.events_replayed, report.says_checked);
    return sim::exit_code::kPassed;
  }
  if (report.at) {
    std::printf("%s:%zu: event %zu (%s) does not replay\n", path.c_str(), report.at->line,
                report.events_replayed + 1, transcript::describe_event(*report.at).c_str());
  } else {
    std::printf("%s: the transcript ended, but core did more\n", path.c_str());
  }
  print_finding(*report.finding);
  return exit_code_of(*report.finding);
}

// Sessions for tests/differential/classic_conformance.py --sessions-from, one JSON line each.
int print_sessions(const sim::SessionOptions& options) {
  for (const sim::DifferentialSession& session : sim::generate_sessions(options))
    std::printf("%s\n", sim::to_json_line(session).c_str());
  return sim::exit_code::kPassed;
}

struct ClusterRunOptions {
  sim::ClusterOptions simulation;
  std::string dialect = "classic";
  std::string trace;
};

// Several nodes and a virtual Redis (sim/cluster_simulation.h). The trace, everything that
// happened one line each, is what the digest covers; it is written on a violation, or when
// asked for.
int run_cluster(ClusterRunOptions options) {
  options.simulation.dialect =
      options.dialect == "modern" ? core::DialectKind::Modern : core::DialectKind::Classic;
  const sim::ClusterOptions& o = options.simulation;
  std::printf("SEED=%llu NODES=%zu CLIENTS=%zu STEPS=%zu\n",
              static_cast<unsigned long long>(o.seed), o.nodes, o.clients, o.steps);
  sim::ClusterSimulation simulation(o);
  std::printf("node_timeout %s s\n",
              transcript::format_time(core::Instant{simulation.node_timeout()}).c_str());
  std::fflush(stdout);
  const std::string failure_path = options.trace.empty()
                                       ? "teaparty-sim-cluster-" + std::to_string(o.seed) + ".trace"
                                       : options.trace;
  const std::string seed_line =
      "SEED=" + std::to_string(o.seed) + " (" + sim::command_line(o) + ")";
  sim::CrashReport crash;
  crash.message = "CRASH: core died in " + seed_line + "\n  trace: " + failure_path + "\n";
  crash.transcript = &simulation.trace();
  crash.path = failure_path;
  const sim::CrashGuard guard(std::move(crash));
  const sim::ClusterResult result = simulation.run();

  const sim::ClusterStats& s = result.stats;
  std::printf(
      "steps=%zu connects=%zu lines=%zu says=%zu bus_requests=%zu bus_events=%zu kills=%zu "
      "cuts=%zu vanishes=%zu published=%zu lost=%zu\n",
      s.steps, s.connects, s.lines_typed, s.says, s.bus_requests, s.bus_events, s.kills, s.cuts,
      s.vanishes, s.store.published, s.store.lost);
  std::printf("checked: room_lines=%zu says=%zu windows=%zu kill_checks=%zu name_checks=%zu\n",
              s.oracle.lines_checked, s.oracle.says_checked, s.oracle.windows_compared,
              s.oracle.kills_checked, s.name_checks);
  if (o.dialect == core::DialectKind::Modern) {
    std::printf(
        "modern: arrivals_awaited=%zu whispers_sent=%zu whispers_heard=%zu "
        "whispers_due=%zu\n",
        s.oracle.arrivals_awaited, s.whispers.sent, s.whispers.heard, s.whispers.checked);
  }
  int code = sim::exit_code::kPassed;
  if (result.violation) {
    std::printf("VIOLATION: %s\n  at %s\n  %s\n", result.violation->c_str(), result.where.c_str(),
                seed_line.c_str());
    if (write_file(failure_path, simulation.trace())) {
      std::printf("  trace: %s\n", failure_path.c_str());
    } else {
      std::printf("  could not write the trace to %s\n", failure_path.c_str());
    }
    code = sim::exit_code::kViolation;
  } else if (!options.trace.empty() && !write_file(options.trace, simulation.trace())) {
    std::fprintf(stderr, "teaparty-sim: cannot write %s\n", options.trace.c_str());
    code = sim::exit_code::kUsage;
  }
  std::printf("DIGEST=%s\n", result.digest.c_str());
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"teaparty-sim: the deterministic simulator and transcript replayer"};
  app.require_subcommand(1);

  RunOptions run_options;
  CLI::App* run_command = app.add_subcommand("run", "Run virtual clients against core from a seed");
  run_command->add_option("--seed", run_options.seed, "The seed; the same seed gives the same run")
      ->capture_default_str();
  run_command->add_option("--clients", run_options.clients, "Virtual clients")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000}))
      ->capture_default_str();
  run_command->add_option("--steps", run_options.steps, "Steps before the closing shutdown")
      ->capture_default_str();
  run_command->add_option("--max-line", run_options.max_line, "Core's line limit in bytes")
      ->check(CLI::Range(std::size_t{16}, std::size_t{1} << 20))
      ->capture_default_str();
  run_command
      ->add_option("--limits", run_options.limits,
                   "Core's limits: on or off, or as the seed decides")
      ->check(CLI::IsMember({"seed", "on", "off"}))
      ->capture_default_str();
  run_command->add_option("--record", run_options.record, "Write the transcript to this file");
  run_command->add_option("--dialect", run_options.dialect, "What the clients speak")
      ->check(CLI::IsMember({"classic", "modern"}))
      ->capture_default_str();
  run_command
      ->add_option("--history", run_options.history,
                   "Lines each room remembers for newcomers (modern dialect)")
      ->capture_default_str();

  std::string replay_path;
  CLI::App* replay_command =
      app.add_subcommand("replay", "Replay a transcript through a fresh core, checking every byte");
  replay_command->add_option("FILE", replay_path, "The transcript")->required();

  sim::SessionOptions session_options;
  CLI::App* sessions_command = app.add_subcommand(
      "sessions", "Print CRLF sessions for the differential test against the book's server");
  sessions_command->add_option("--seed", session_options.seed, "The seed")->capture_default_str();
  sessions_command->add_option("--count", session_options.count, "Sessions")->capture_default_str();
  sessions_command->add_option("--clients", session_options.clients, "Clients per session")
      ->check(CLI::Range(std::size_t{1}, sim::kMaxSessionClients))
      ->capture_default_str();
  sessions_command->add_option("--steps", session_options.steps, "Steps per session, roughly")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000}))
      ->capture_default_str();

  ClusterRunOptions cluster_options;
  CLI::App* cluster_command = app.add_subcommand(
      "cluster", "Run several nodes joined by a virtual Redis, with nodes and the store failing");
  cluster_command->add_option("--seed", cluster_options.simulation.seed, "The seed")
      ->capture_default_str();
  cluster_command->add_option("--nodes", cluster_options.simulation.nodes, "Nodes")
      ->check(CLI::Range(std::size_t{2}, std::size_t{3}))
      ->capture_default_str();
  cluster_command->add_option("--clients", cluster_options.simulation.clients, "Virtual clients")
      ->check(CLI::Range(std::size_t{1}, std::size_t{200}))
      ->capture_default_str();
  cluster_command->add_option("--steps", cluster_options.simulation.steps, "Steps")
      ->capture_default_str();
  cluster_command->add_option("--dialect", cluster_options.dialect, "What the nodes speak")
      ->check(CLI::IsMember({"classic", "modern"}))
      ->capture_default_str();
  cluster_command->add_option("--trace", cluster_options.trace,
                              "Write everything that happened to this file");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : sim::exit_code::kUsage;
  }
  if (run_command->parsed()) return run(run_options);
  if (sessions_command->parsed()) return print_sessions(session_options);
  if (cluster_command->parsed()) return run_cluster(cluster_options);
  return replay(replay_path);
}
