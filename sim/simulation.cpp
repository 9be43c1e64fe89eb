#include "sim/simulation.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <utility>

#include "sim/queued_output.h"

namespace teaparty::sim {
namespace {

namespace transcript = core::transcript;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

// Socket buffers from tiny (every write is partial) to roomy.
constexpr std::array<std::size_t, 5> kSocketCapacities = {16, 64, 512, 4096, 65536};
// A client types no more while this much of what it typed is still on its way.
constexpr std::size_t kMaxTypedInFlight = 64 * 1024;
// The closing phase: how often the clock moves, and a bound on how long it may take.
constexpr auto kWindDownTick = milliseconds(100);
constexpr std::size_t kMaxWindDownRounds = 10'000;

// How often each kind of step is chosen.
constexpr std::array<unsigned, 5> kStepWeights = {30, 30, 20, 15, 5};

nanoseconds random_between(Random& random, nanoseconds low, nanoseconds high) {
  return nanoseconds(static_cast<std::int64_t>(random.between(
      static_cast<std::uint64_t>(low.count()), static_cast<std::uint64_t>(high.count()))));
}

// Small limits, so that a run of a few thousand steps meets every one of them: lines wait for
// the rate limit, a client that stops reading is closed as a slow consumer, connections are
// refused over the caps, and logins and silences time out.
core::Config with_limits(core::Config config, Random& random, std::size_t clients) {
  config.line_rate = static_cast<double>(random.between(1, 40)) / 4;  // 0.25 to 10 lines/s
  config.line_burst = random.between(1, 20);
  config.max_output = random.between(1, 64) * 1024;
  config.max_connections = random.percent(50) ? clients : random.between(1, clients);
  config.max_per_address = random.between(1, 3);
  config.login_timeout = random_between(random, seconds(2), seconds(60));
  config.idle_timeout =
      random.percent(50) ? nanoseconds(0) : random_between(random, seconds(5), seconds(120));
  config.close_grace = random_between(random, milliseconds(500), seconds(10));
  return config;
}

core::Config choose_config(const SimOptions& options, Random& random) {
  const bool limits =
      options.limits == Limits::On || (options.limits == Limits::BySeed && random.percent(50));
  return limits ? with_limits(options.config, random, std::max<std::size_t>(options.clients, 1))
                : options.config;
}

}  // namespace

std::string command_line(const SimOptions& options) {
  std::string command = "teaparty-sim run --seed " + std::to_string(options.seed) + " --clients " +
                        std::to_string(options.clients) + " --steps " +
                        std::to_string(options.steps);
  if (options.limits != Limits::BySeed) {
    command += options.limits == Limits::On ? " --limits on" : " --limits off";
  }
  if (options.config.dialect == core::DialectKind::Modern) command += " --dialect modern";
  if (options.config.history_lines != core::Config{}.history_lines) {
    command += " --history " + std::to_string(options.config.history_lines);
  }
  if (options.config.max_line != core::Config{}.max_line) {
    command += " --max-line " + std::to_string(options.config.max_line);
  }
  return command;
}

Simulation::Simulation(SimOptions options)
    : options_(std::move(options)),
      random_(options_.seed),
      config_(choose_config(options_, random_)),
      driver_(config_),
      clients_(std::max<std::size_t>(options_.clients, 1)) {
  for (std::size_t slot = 0; slot < clients_.size(); ++slot)
    clients_[slot].slot = slot;
  addresses_ = random_.between(1, clients_.size());
  typing_.max_line = config_.max_line;
  typing_.dialect = config_.dialect;
  if (options_.steps > 1 && random_.percent(35)) {
    shutdown_step_ = random_.between(options_.steps / 2, options_.steps - 1);
  }
  transcript_ = transcript::format_header(config_);
  transcript_ += "# " + command_line(options_) + "\n";
  digest_.add(transcript_);
}

SimResult Simulation::run() {
  bool going = true;
  for (step_ = 0; going && step_ < options_.steps; ++step_)
    going = step();
  if (going) wind_down();
  result_.stats.says = driver_.oracle().says_seen();
  result_.stats.whispers = driver_.oracle().whispers_seen();
  result_.stats.deliveries = driver_.oracle().deliveries_checked();
  result_.digest = digest_.hex();
  return result_;
}

template <typename Wanted>
std::vector<Simulation::VirtualClient*> Simulation::clients_where(Wanted wanted) {
  std::vector<VirtualClient*> chosen;
  for (VirtualClient& client : clients_) {
    if (client.conn && wanted(client)) chosen.push_back(&client);
  }
  return chosen;
}

bool Simulation::step() {
  if (shutdown_step_ == step_ && !begin_shutdown()) return false;

  auto kind = static_cast<StepKind>(random_.weighted(kStepWeights));
  std::vector<VirtualClient*> candidates;
  switch (kind) {
    case StepKind::NetworkDelivers:
      candidates = clients_where([this](const VirtualClient& c) {
        // The shell does not read a connection whose reading core has paused.
        return (!c.typed.empty() || (c.closing && !c.end_of_stream_sent)) &&
               !driver_.reading_paused(*c.conn);
      });
      if (!candidates.empty()) return deliver(*candidates[random_.below(candidates.size())]);
      break;
    case StepKind::ShellWrites:
      candidates = clients_where([this](const VirtualClient& c) {
        return c.unread < c.socket_capacity && driver_.server().queued_bytes(*c.conn) > 0;
      });
      if (!candidates.empty()) {
        // Drawn one after the other: a function's arguments are evaluated in no fixed order.
        VirtualClient& client = *candidates[random_.below(candidates.size())];
        return write_to(client, random_.percent(50));
      }
      break;
    case StepKind::ClientReads:
      candidates = clients_where(
          [this](const VirtualClient& c) { return c.unread > 0 && now_ >= c.reading_again_at; });
      if (!candidates.empty()) {
        VirtualClient& client = *candidates[random_.below(candidates.size())];
        read(client, random_.percent(50));
        return true;
      }
      break;
    case StepKind::TimePasses:
      return time_passes(random_delay());
    case StepKind::ClientActs:
      break;
  }
  // Nothing of the chosen kind can happen now: a client acts instead.
  return client_acts(clients_[random_.below(clients_.size())]);
}

bool Simulation::client_acts(VirtualClient& client) {
  if (!client.conn) {
    const bool may_connect = driver_.accepting() && !shutdown_began_;
    return may_connect && random_.percent(60) ? connect(client) : true;
  }
  if (client.closing) return true;  // it said all it will say
  const std::uint64_t roll = random_.below(100);
  if (roll < 3) return feed(*client.conn, transcript::PeerWentAway{core::PeerGone::Broken});
  if (roll < 6) {
    client.closing = true;
    return true;
  }
  if (roll < 12) {
    client.reading_again_at = now_ + random_between(random_, milliseconds(100), seconds(20));
    return true;
  }
  return type(client);
}

bool Simulation::connect(VirtualClient& client) {
  const core::ConnId conn = driver_.next_conn();
  client.forget_connection();
  client.conn = conn;
  client.socket_capacity = kSocketCapacities[random_.below(kSocketCapacities.size())];
  ++client.connects;
  slot_of_[conn.value] = client.slot;
  ++result_.stats.connects;
  const std::string peer = "192.0.2." + std::to_string(client.slot % addresses_ % 250 + 1) + ":" +
                           std::to_string(40000 + client.slot * 100 + client.connects);
  return feed(conn, transcript::Connected{peer});
}

bool Simulation::type(VirtualClient& client) {
  if (client.typed.size() >= kMaxTypedInFlight) return true;
  const core::World& world = driver_.server().world();
  const core::Session* session = world.find(*client.conn);
  typing_.standing =
      session && session->phase == core::Phase::Chatting ? Standing::Chatting : Standing::LoggingIn;
  std::vector<std::string> names;
  for (core::ConnId id : world.logged_in()) {
    if (const core::Session* other = world.find(id)) names.push_back(other->name);
  }
  typing_.names_in_use = names;
  client.typed += compose_typing(random_, typing_);
  typing_.names_in_use = {};
  return true;
}

bool Simulation::deliver(VirtualClient& client) {
  if (client.typed.empty()) {
    client.end_of_stream_sent = true;
    return feed(*client.conn, transcript::PeerWentAway{core::PeerGone::EndOfStream});
  }
  const std::size_t available = client.typed.size();
  std::size_t count = available;
  const std::uint64_t roll = random_.below(10);
  if (roll < 3) {
    count = random_.between(1, std::min<std::size_t>(3, available));  // byte by byte
  } else if (roll < 7) {
    count = random_.between(1, available);  // a cut anywhere
  }
  std::string bytes = client.typed.substr(0, count);
  client.typed.erase(0, count);
  result_.stats.bytes_in += count;
  return feed(*client.conn, transcript::Received{std::move(bytes)});
}

// One write by the shell: the queued output from the front, as much as the socket takes (or
// a random part of that, as a busy socket would).
bool Simulation::write_to(VirtualClient& client, bool as_much_as_possible) {
  const core::ConnId conn = *client.conn;
  const std::size_t room = client.socket_capacity - client.unread;
  const std::size_t queued = driver_.server().queued_bytes(conn);
  std::size_t count = std::min(room, queued);
  if (count == 0) return true;
  if (!as_much_as_possible) count = random_.between(1, count);
  std::string bytes = queued_output(driver_.server(), conn, count);
  client.unread += count;
  result_.stats.bytes_out += count;
  if (!feed(conn, transcript::Sent{std::move(bytes)})) return false;
  return feed(conn, transcript::Wrote{count});
}

void Simulation::read(VirtualClient& client, bool everything) {
  client.unread -= everything ? client.unread : random_.between(1, client.unread);
}

core::Duration Simulation::random_delay() {
  const std::uint64_t roll = random_.below(100);
  if (roll < 40) return random_between(random_, milliseconds(1), milliseconds(10));
  if (roll < 70) return random_between(random_, milliseconds(10), milliseconds(500));
  if (roll < 85) return random_between(random_, milliseconds(500), seconds(5));
  if (roll < 90) return random_between(random_, seconds(5), seconds(60));
  // To core's next deadline, or a nanosecond either side of it.
  const std::optional<core::Instant> deadline = driver_.server().next_deadline();
  if (!deadline || *deadline <= now_) return milliseconds(1);
  const core::Duration to_deadline = *deadline - now_;
  switch (random_.below(3)) {
    case 0:
      return to_deadline - nanoseconds(1);
    case 1:
      return to_deadline;
    default:
      return to_deadline + nanoseconds(1);
  }
}

bool Simulation::time_passes(core::Duration by) {
  now_ = now_ + by;
  ++result_.stats.ticks;
  if (!feed(core::ConnId{}, transcript::Ticked{})) return false;
  return check_shutdown_finished();
}

bool Simulation::begin_shutdown() {
  shutdown_began_ = now_;
  return feed(core::ConnId{}, transcript::ShutdownBegun{});
}

// Every run ends the way a server's life does: shutdown, clients take what they can until the
// grace period ends, and those that cannot are closed. Clients that stopped reading stay
// stopped until their time, so some runs close them at the deadline with output still queued.
bool Simulation::wind_down() {
  if (!shutdown_began_ && !begin_shutdown()) return false;
  for (std::size_t round = 0; round < kMaxWindDownRounds; ++round) {
    if (driver_.server().finished()) return true;
    for (VirtualClient& client : clients_) {
      if (!client.conn || now_ < client.reading_again_at) continue;
      read(client, true);
      if (driver_.server().queued_bytes(*client.conn) > 0 && !write_to(client, true)) return false;
    }
    if (!time_passes(kWindDownTick)) return false;
  }
  const transcript::Event last{now_, core::ConnId{}, transcript::Ticked{}};
  stop(Violation{"the shutdown never finished"}, last);
  return false;
}

// A shutdown's grace period is a promise: once it has passed and core has been ticked, every
// connection is closed.
bool Simulation::check_shutdown_finished() {
  if (!shutdown_began_ || now_ < *shutdown_began_ + config_.shutdown_grace) return true;
  if (driver_.server().finished()) return true;
  const transcript::Event last{now_, core::ConnId{}, transcript::Ticked{}};
  stop(Violation{"the shutdown grace period has passed and core was ticked, but " +
                 std::to_string(driver_.server().world().session_count()) +
                 " connections are still open"},
       last);
  return false;
}

// Records the event, plays it into core, and serves the closes it caused.
bool Simulation::feed(core::ConnId conn, transcript::What what) {
  return play({now_, conn, std::move(what)}) && settle_closes();
}

// Records the event, plays it into core and checks the result.
bool Simulation::play(const transcript::Event& event) {
  // Written before core sees it, so a crash inside core leaves a transcript that ends with
  // the event that crashed it.
  record(event);
  if (auto finding = driver_.apply(event)) {
    stop(std::move(*finding), event);
    return false;
  }
  if (options_.extra_check) {
    if (auto broken = options_.extra_check(driver_.server())) {
      stop(Violation{std::move(*broken)}, event);
      return false;
    }
  }
  return true;
}

// The shell's side of a CloseConnection: record it and forget the connection; the client
// finds its connection gone.
bool Simulation::settle_closes() {
  while (!driver_.unmatched_closes().empty()) {
    const core::CloseConnection close = driver_.unmatched_closes().front();
    if (!play({now_, close.conn, transcript::Closed{close.reason}})) return false;
    ++result_.stats.closes;
    auto slot = slot_of_.find(close.conn.value);
    if (slot == slot_of_.end()) continue;
    VirtualClient& client = clients_[slot->second];
    client.forget_connection();
    slot_of_.erase(slot);
  }
  return true;
}

void Simulation::record(const transcript::Event& event) {
  const std::string line = transcript::format_event(event);
  digest_.add(line);
  transcript_ += line;
  ++result_.stats.events;
}

void Simulation::stop(Finding finding, const transcript::Event& event) {
  result_.finding = std::move(finding);
  result_.where = "step " + std::to_string(step_) + ", event " + transcript::describe_event(event);
}

}  // namespace teaparty::sim
