#include "sim/cluster_simulation.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <utility>

#include "core/cluster_message.h"
#include "core/transcript.h"
#include "sim/modern_cluster_typing.h"
#include "sim/queued_output.h"
#include "sim/room_lines.h"

namespace teaparty::sim {

namespace {

using core::transcript::escape;
using core::transcript::format_time;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

// How often each kind of step is chosen: a client acts, time passes, a fault may begin.
constexpr std::array<unsigned, 3> kStepWeights = {55, 40, 5};
// Node timeouts and the worst latency of the store (each way), as the seed picks them.
constexpr std::array<std::int64_t, 3> kNodeTimeoutsMs = {2000, 3000, 6000};
constexpr std::array<std::int64_t, 3> kMaxLatencyUs = {1000, 20'000, 200'000};
// Core asked to be woken, was ticked, and asks for the same moment again: give up after this.
constexpr std::size_t kMaxRoundsAtOneInstant = 10'000;

nanoseconds random_between(Random& random, nanoseconds low, nanoseconds high) {
  return nanoseconds(static_cast<std::int64_t>(random.between(
      static_cast<std::uint64_t>(low.count()), static_cast<std::uint64_t>(high.count()))));
}

core::Config cluster_config(Random& random, core::DialectKind dialect) {
  core::Config config;
  config.dialect = dialect;
  core::ClusterConfig cluster;
  cluster.node_timeout = milliseconds(kNodeTimeoutsMs[random.below(kNodeTimeoutsMs.size())]);
  config.cluster = cluster;
  return config;
}

Latency store_latency(Random& random) {
  const std::int64_t high = kMaxLatencyUs[random.below(kMaxLatencyUs.size())];
  return {std::chrono::microseconds(100), std::chrono::microseconds(high)};
}

std::string describe(const core::BusRequest& request) {
  if (const auto* claim = std::get_if<core::ClaimKeys>(&request)) {
    std::string text = "claim " + std::to_string(claim->id);
    for (const std::string& key : claim->keys)
      text += " " + escape(key);
    return text + " ttl " + format_time(core::Instant{claim->ttl});
  }
  if (const auto* release = std::get_if<core::ReleaseKeys>(&request)) {
    std::string text = "release";
    for (const std::string& key : release->keys)
      text += " " + escape(key);
    return text;
  }
  const auto& publish = std::get<core::Publish>(request);
  return "publish " + escape(publish.channel) + " " + escape(publish.message);
}

std::string describe(const core::BusEvent& event) {
  if (std::holds_alternative<core::BusUp>(event)) return "up";
  if (std::holds_alternative<core::BusDown>(event)) return "down";
  if (const auto* answer = std::get_if<core::ClaimAnswer>(&event)) {
    std::string text = "answer " + std::to_string(answer->id);
    for (bool granted : answer->granted)
      text += granted ? " yes" : " no";
    return text;
  }
  const auto& message = std::get<core::BusMessage>(event);
  return "message " + escape(message.channel) + " " + escape(message.message);
}

// The marker of the say a room message carries, if it is a room line with one (its text comes
// first in either dialect).
std::optional<std::string> carried_say(const core::ClusterMessage& message) {
  if (message.kind != core::ClusterKind::Line || message.fields.empty()) return std::nullopt;
  std::string_view line = message.fields.front();
  while (line.ends_with('\n') || line.ends_with('\r'))
    line.remove_suffix(1);
  return say_marker(line);
}

std::optional<std::string> carried_say(const core::BusEvent& event) {
  const auto* message = std::get_if<core::BusMessage>(&event);
  if (!message) return std::nullopt;
  const std::optional<core::ClusterMessage> decoded =
      core::decode_cluster_message(message->message);
  return decoded ? carried_say(*decoded) : std::nullopt;
}

// The room a modern room message is told in, as written: Line [text, talker, room], Enter
// [name, room, from]. A Leave [name, room, to] or Rename [old, new, room] is told wherever the
// receiving node last knew that user to be, which is another room when they moved while their
// node was cut off from it and its roster had not come yet: none is said for those.
std::optional<std::string> room_of(const core::ClusterMessage& message) {
  if (message.fields.size() != 3) return std::nullopt;
  switch (message.kind) {
    case core::ClusterKind::Line:
      return message.fields[2];
    case core::ClusterKind::Enter:
      return message.fields[1];
    default:
      return std::nullopt;
  }
}

// The whisper marker's number a text ends with, if any.
std::optional<std::uint64_t> whisper_number(std::string_view text) {
  const std::optional<Marker> marker = marker_at_end(text);
  if (!marker || !marker->whisper) return std::nullopt;
  return marker->number;
}

}  // namespace

std::string command_line(const ClusterOptions& options) {
  return "teaparty-sim cluster --seed " + std::to_string(options.seed) + " --nodes " +
         std::to_string(options.nodes) + " --clients " + std::to_string(options.clients) +
         " --steps " + std::to_string(options.steps) +
         (options.dialect == core::DialectKind::Modern ? " --dialect modern" : "");
}

ClusterSimulation::ClusterSimulation(ClusterOptions options)
    : options_(options),
      random_(options_.seed),
      config_(cluster_config(random_, options_.dialect)),
      redis_{random_.next(), store_latency(random_)},  // braced: drawn left to right
      oracle_(options_.dialect),
      clients_(std::max<std::size_t>(options_.clients, 1)) {
  for (std::size_t slot = 0; slot < clients_.size(); ++slot)
    clients_[slot].slot = slot;
  static constexpr std::array<std::string_view, 12> kNames = {
      "ann", "bob", "cy", "dee", "eve", "fay", "gus", "hal", "ivy", "jo", "kit", "lu"};
  const std::size_t pool = std::clamp<std::size_t>(clients_.size() * 2 / 3, 2, kNames.size());
  for (std::size_t i = 0; i < pool; ++i)
    name_pool_.emplace_back(kNames[i]);
  note("# " + command_line(options_));
  note("# node_timeout " + format_time(core::Instant{node_timeout()}));
  nodes_.resize(std::clamp<std::size_t>(options_.nodes, 1, 9));
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    nodes_[i].name = "node" + std::to_string(i);
    start_node(i);
  }
}

core::Duration ClusterSimulation::kill_bound() const {
  // Silent for the node timeout after its last heartbeat, noticed at a survivor's next
  // heartbeat, the obituary's round trip through the store, and the latency of each leg.
  return node_timeout() + node_timeout() / 3 + seconds(1);
}

core::Duration ClusterSimulation::settle_time() const {
  // The BusUp, the claims again, their answers and a heartbeat to spare.
  return node_timeout() / 3 + seconds(1);
}

ClusterResult ClusterSimulation::run() {
  for (step_ = 0; step_ < options_.steps && !failed(); ++step_)
    step();
  if (!failed()) wind_down();
  result_.stats.steps = step_;
  result_.stats.store = redis_.stats();
  result_.stats.oracle = oracle_.stats();
  result_.stats.whispers = whispers_.stats();
  result_.digest = digest_.hex();
  return result_;
}

void ClusterSimulation::note(const std::string& line) {
  std::string entry = format_time(now_) + " " + line + "\n";
  digest_.add(entry);
  trace_ += entry;
}

void ClusterSimulation::fail(std::string what) {
  if (failed()) return;
  result_.violation = std::move(what);
  result_.where = "step " + std::to_string(step_) + " at " + format_time(now_) + " s";
  note("VIOLATION " + *result_.violation);
}

std::vector<std::size_t> ClusterSimulation::live_nodes() const {
  std::vector<std::size_t> live;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].server) live.push_back(i);
  }
  return live;
}

void ClusterSimulation::step() {
  switch (random_.weighted(kStepWeights)) {
    case 0:
      client_acts(clients_[random_.below(clients_.size())]);
      break;
    case 1: {
      const int roll = static_cast<int>(random_.below(10));
      const core::Duration most = roll < 5   ? core::Duration(milliseconds(100))
                                  : roll < 9 ? core::Duration(seconds(1))
                                             : node_timeout();
      advance_to(now_ + random_between(random_, nanoseconds(1), most));
      break;
    }
    default:
      if (fault_ == Fault::None && now_ >= quiet_until_) start_fault();
      break;
  }
  if (!failed()) check_names();
  if (!failed() && oracle_.violation()) fail(*oracle_.violation());
  if (!failed() && whispers_.violation()) fail(*whispers_.violation());
}

// --- clients ---

void ClusterSimulation::client_acts(Client& client) {
  if (!client.node) return connect(client);
  if (random_.percent(3)) return vanish(client);
  type(client, choose_line(client));
}

void ClusterSimulation::connect(Client& client) {
  std::vector<std::size_t> open;
  for (std::size_t i : live_nodes()) {
    if (!nodes_[i].server->finished()) open.push_back(i);
  }
  if (open.empty()) return;
  const std::size_t index = open[random_.below(open.size())];
  Node& node = nodes_[index];
  const std::string peer = "192.0.2." + std::to_string(client.slot + 1) + ":40000";
  client.conn = node.server->connect(now_, peer);
  client.node = index;
  client.session = next_session_++;
  client.partial.clear();
  node.client_of[client.conn.value] = client.slot;
  ++result_.stats.connects;
  note(node.name + " " + std::to_string(client.conn.value) + " connect session " +
       std::to_string(client.session));
  pump(index, std::nullopt);
}

std::string ClusterSimulation::choose_name() {
  std::vector<std::string> free;
  for (const std::string& name : name_pool_) {
    if (!reserved_names_.contains(name)) free.push_back(name);
  }
  if (free.empty()) return "zed" + std::to_string(random_.below(100));
  return free[random_.below(free.size())];
}

std::string ClusterSimulation::choose_line(const Client& client) {
  if (modern()) return choose_modern_line(client);
  const core::Session* session = nodes_[*client.node].server->world().find(client.conn);
  const bool chatting = session && session->phase == core::Phase::Chatting;
  const auto say = [&] {
    ++result_.stats.says;
    return "say hello from " + std::to_string(client.slot) + " [m" +
           std::to_string(next_marker_++) + "]";
  };
  if (!chatting) {
    const std::uint64_t roll = random_.below(10);
    if (roll < 8) return "login " + choose_name();
    return roll == 8 ? say() : std::string();
  }
  static constexpr std::array<unsigned, 7> kWeights = {60, 10, 10, 4, 3, 3, 5};
  switch (random_.weighted(kWeights)) {
    case 0:
      return say();
    case 1:
      return "look";
    case 2:
      return "who";
    case 3:
      return "logout";
    case 4:
      return "login " + choose_name();
    case 5:
      return "";
    default:
      return "dance";
  }
}

std::string ClusterSimulation::choose_modern_line(const Client& client) {
  const core::Session* session = nodes_[*client.node].server->world().find(client.conn);
  ModernTyping typing;
  typing.chatting = session && session->phase == core::Phase::Chatting;
  typing.slot = client.slot;
  typing.name = [this] { return choose_name(); };
  typing.next_say = &next_marker_;
  typing.next_whisper = &next_whisper_;
  TypedLine typed = modern_cluster_line(random_, typing);
  if (typed.say) ++result_.stats.says;
  if (typed.whisper) {
    const std::string to = nodes_[*client.node].server->world().key_of(typed.whisper_to);
    whispers_.sent(*typed.whisper, client.session, to);
  }
  return typed.line;
}

void ClusterSimulation::type(Client& client, const std::string& line) {
  const std::size_t index = *client.node;
  Node& node = nodes_[index];
  // Leaving by its own hand: from here the room is no longer its to hear.
  if (line == "logout") oracle_.unchecked(client.session);
  ++result_.stats.lines_typed;
  note(node.name + " " + std::to_string(client.conn.value) + " in " + escape(line + "\r\n"));
  node.server->receive(now_, client.conn, core::as_bytes(line + "\r\n"));
  pump(index, std::nullopt);
}

void ClusterSimulation::vanish(Client& client) {
  const std::size_t index = *client.node;
  Node& node = nodes_[index];
  oracle_.unchecked(client.session);
  note(node.name + " " + std::to_string(client.conn.value) + " gone");
  node.server->peer_gone(now_, client.conn, core::PeerGone::Broken);
  pump(index, std::nullopt);
  if (client.node) client_gone(client);  // core closed it without a word to the shell
}

void ClusterSimulation::client_gone(Client& client) {
  oracle_.unchecked(client.session);
  if (client.node) nodes_[*client.node].client_of.erase(client.conn.value);
  client.node.reset();
  client.conn = core::ConnId{};
  client.partial.clear();
}

// --- faults ---

void ClusterSimulation::start_fault() {
  const std::vector<std::size_t> live = live_nodes();
  if (live.empty()) return;
  // A kill needs a survivor to check; the store vanishes only when it is there.
  const std::array<unsigned, 3> weights = {live.size() >= 2 ? 1u : 0u, 1u,
                                           redis_.store_up() ? 1u : 0u};
  const core::Duration outage = random_between(random_, milliseconds(100), 2 * node_timeout());
  switch (random_.weighted(weights)) {
    case 0: {
      fault_ = Fault::Kill;
      fault_node_ = live[random_.below(live.size())];
      kill(fault_node_);
      timers_.push_back(
          {now_ + kill_bound() + random_between(random_, nanoseconds(0), kill_bound()),
           Timer::What::EndFault,
           0,
           {},
           {}});
      break;
    }
    case 1:
      fault_ = Fault::Cut;
      fault_node_ = live[random_.below(live.size())];
      ++result_.stats.cuts;
      note("FAULT cut " + nodes_[fault_node_].name);
      redis_.cut(nodes_[fault_node_].link, now_);
      timers_.push_back({now_ + outage, Timer::What::EndFault, 0, {}, {}});
      break;
    default:
      fault_ = Fault::Vanish;
      ++result_.stats.vanishes;
      note("FAULT store vanishes");
      redis_.vanish(now_);
      timers_.push_back({now_ + outage, Timer::What::EndFault, 0, {}, {}});
      break;
  }
}

void ClusterSimulation::end_fault() {
  switch (fault_) {
    case Fault::Kill:
      note("FAULT " + nodes_[fault_node_].name + " starts again");
      start_node(fault_node_);
      break;
    case Fault::Cut:
      note("FAULT restore " + nodes_[fault_node_].name);
      redis_.restore(nodes_[fault_node_].link, now_);
      break;
    case Fault::Vanish:
      note("FAULT store returns");
      redis_.come_back(now_);
      break;
    case Fault::None:
      break;
  }
  fault_ = Fault::None;
  quiet_until_ = now_ + kill_bound();
  std::erase_if(timers_, [](const Timer& timer) { return timer.what == Timer::What::EndFault; });
}

void ClusterSimulation::kill(std::size_t index) {
  Node& node = nodes_[index];
  std::vector<std::string> users;
  for (core::ConnId id : node.server->world().logged_in()) {
    if (const core::Session* session = node.server->world().find(id))
      users.push_back(session->name);
  }
  ++result_.stats.kills;
  std::string about = node.name + " killed at " + format_time(now_) + " s with";
  for (const std::string& user : users) {
    about += " " + user;
    reserved_names_.insert(user);  // nobody takes them before the check
  }
  about += "; by the deadline, " + format_time(now_ + kill_bound()) + " s";
  note("FAULT kill " + node.name);
  const std::size_t kill = oracle_.node_killed(users);
  if (modern()) own_arrivals_.forget(index);
  timers_.push_back({now_ + kill_bound(), Timer::What::KillDeadline, kill, about, users});
  for (Client& client : clients_) {
    if (client.node == index) client_gone(client);
  }
  node.server.reset();
  node.linked = false;
  node.client_of.clear();
  redis_.kill(node.link, now_);
}

void ClusterSimulation::start_node(std::size_t index) {
  Node& node = nodes_[index];
  core::Config config = config_;
  config.cluster->node_name = node.name;
  config.cluster->boot = node.boot = next_boot_++;
  node.server = std::make_unique<core::Server>(std::move(config));
  node.linked = false;
  node.client_of.clear();
  node.link = redis_.attach(node.name, now_);
  note(node.name + " starts, boot " + std::to_string(node.boot));
}

// --- time, the store and the nodes ---

void ClusterSimulation::advance_to(core::Instant target) {
  std::size_t rounds_here = 0;
  core::Instant last = now_;
  while (!failed()) {
    std::optional<core::Instant> next = redis_.next_time();
    const auto consider = [&](std::optional<core::Instant> t) {
      if (t && (!next || *t < *next)) next = t;
    };
    for (const Node& node : nodes_) {
      if (node.server) consider(node.server->next_deadline());
    }
    for (const Timer& timer : timers_)
      consider(timer.at);
    if (!next || *next > target) break;
    now_ = std::max(now_, *next);
    rounds_here = now_ == last ? rounds_here + 1 : 0;
    last = now_;
    if (rounds_here > kMaxRoundsAtOneInstant) {
      fail("time stands still: core keeps asking to be woken at " + format_time(now_) +
           " s, already past");
      return;
    }
    redis_.carry_out(now_);
    for (std::size_t i = 0; i < nodes_.size() && !failed(); ++i) {
      while (nodes_[i].server && !failed()) {
        std::optional<core::BusEvent> event = redis_.poll(nodes_[i].link, now_);
        if (!event) break;
        hand_over(i, *event, redis_.last_polled_place());
      }
    }
    for (std::size_t i = 0; i < nodes_.size() && !failed(); ++i) {
      Node& node = nodes_[i];
      const std::optional<core::Instant> due =
          node.server ? node.server->next_deadline() : std::nullopt;
      if (!due || *due > now_) continue;
      node.server->tick(now_);
      pump(i, std::nullopt);
    }
    for (std::size_t t = 0; t < timers_.size() && !failed();) {
      if (timers_[t].at > now_) {
        ++t;
        continue;
      }
      const Timer timer = timers_[t];
      timers_.erase(timers_.begin() + static_cast<std::ptrdiff_t>(t));
      if (timer.what == Timer::What::EndFault) {
        end_fault();
        t = 0;
      } else {
        note("CHECK " + timer.about);
        oracle_.kill_deadline(timer.index, timer.about);
        for (const std::string& name : timer.names)
          reserved_names_.erase(name);
      }
    }
    if (!failed() && oracle_.violation()) fail(*oracle_.violation());
    if (!failed() && whispers_.violation()) fail(*whispers_.violation());
  }
  if (!failed()) now_ = std::max(now_, target);
}

void ClusterSimulation::hand_over(std::size_t index, const core::BusEvent& event,
                                  std::optional<Place> place) {
  Node& node = nodes_[index];
  ++result_.stats.bus_events;
  note(node.name + " bus " + describe(event));
  if (std::holds_alternative<core::BusUp>(event)) {
    node.linked = true;
    node.linked_since = now_;
  } else if (std::holds_alternative<core::BusDown>(event)) {
    // Unchecked first: what the node does on losing the link is local, not the global order.
    for (SessionKey session : oracle_.checked_on(index))
      oracle_.unchecked(session);
    node.linked = false;
    if (modern()) own_arrivals_.forget(index);
  }
  const bool message = std::holds_alternative<core::BusMessage>(event) && place;
  std::optional<core::ClusterMessage> decoded;
  if (message && modern()) {
    decoded = core::decode_cluster_message(std::get<core::BusMessage>(event).message);
    const std::optional<std::string> room = decoded ? room_of(*decoded) : std::nullopt;
    oracle_.node_heard(index, *place,
                       room ? std::optional(node.server->world().key_of(*room)) : std::nullopt);
  } else if (message) {
    oracle_.node_heard(index, *place);
  }
  std::vector<core::ConnId> awaiting_echo;
  for (core::ConnId id : node.server->world().logged_in()) {
    const core::Session* session = node.server->world().find(id);
    if (session && session->awaiting_echo) awaiting_echo.push_back(id);
  }
  node.server->bus_event(now_, event);
  pump(index, message ? place : std::nullopt);
  if (!message) return;
  if (modern()) {
    if (decoded) follow_room_message(index, *decoded, *place);
    return;
  }
  // A node that has just (re)joined learns the others' users from their rosters as they come
  // back, and announces them to its own: lines about its view catching up, not the global
  // order. A session arriving then is left unchecked (core/cluster.h, "Losing the store").
  if (now_ - node.linked_since < settle_time()) awaiting_echo.clear();
  for (core::ConnId id : awaiting_echo) {
    const core::Session* session = node.server->world().find(id);
    const auto slot = node.client_of.find(id.value);
    if (!session || session->awaiting_echo || session->phase != core::Phase::Chatting ||
        slot == node.client_of.end())
      continue;
    oracle_.confirmed(clients_[slot->second].session, index, *place);
  }
  if (const std::optional<std::string> marker = carried_say(event))
    oracle_.say_delivered(index, *place, *marker);
}

bool ClusterSimulation::settled(const Node& node) const {
  return node.linked && now_ - node.linked_since >= settle_time();
}

std::optional<SessionKey> ClusterSimulation::session_named(std::size_t index,
                                                           std::string_view name) const {
  const Node& node = nodes_[index];
  const core::Session* session = node.server->world().find_by_name(name);
  if (!session) return std::nullopt;
  const auto slot = node.client_of.find(session->id.value);
  if (slot == node.client_of.end()) return std::nullopt;
  return clients_[slot->second].session;
}

void ClusterSimulation::follow_room_message(std::size_t index, const core::ClusterMessage& message,
                                            Place place) {
  Node& node = nodes_[index];
  const core::World& world = node.server->world();
  const bool ours = message.from.node == node.name && message.from.boot == node.boot;
  const std::optional<std::string> room = room_of(message);
  if (message.kind == core::ClusterKind::Enter && ours && room) {
    // A session's own arrival: checked in that room from here, if it is its latest and it is
    // still there (a node still settling announces what it learns: see the classic case).
    const OwnArrivals::Back back = own_arrivals_.heard_back(index);
    if (!back.session || !back.latest) return;
    const Client* client = nullptr;
    for (const Client& c : clients_) {
      if (c.session == *back.session && c.node == index) client = &c;
    }
    const core::Session* session = client ? world.find(client->conn) : nullptr;
    if (!session || session->phase != core::Phase::Chatting || !session->room ||
        world.key_of(session->room->name) != world.key_of(*room) || !settled(node)) {
      oracle_.unchecked(*back.session);
      return;
    }
    oracle_.confirmed(*back.session, index, place, world.key_of(*room));
  } else if (message.kind == core::ClusterKind::Rename && ours && message.fields.size() == 3) {
    if (const auto renamed = own_arrivals_.rename_back(index)) oracle_.not_told(*renamed, place);
  } else if (const std::optional<std::string> marker = carried_say(message); marker && room) {
    oracle_.say_delivered(index, place, *marker, world.key_of(*room));
  } else if (message.kind == core::ClusterKind::Whisper && message.fields.size() == 4 &&
             message.fields[0] == node.name) {
    // [node, from, to, text]: the addressee here, if logged in under that name, gets it now.
    const std::optional<std::uint64_t> number = whisper_number(message.fields[3]);
    const core::Session* to = world.find_by_name(message.fields[2]);
    if (number && to && to->phase == core::Phase::Chatting) {
      if (const auto session = session_named(index, message.fields[2]))
        whispers_.due(*session, *number);
    }
  }
}

// A checked session no longer in its room (moved, left the chat, gone) stops being checked
// before anything queued for it is read: what follows is not that room's.
void ClusterSimulation::follow_moves(std::size_t index) {
  const Node& node = nodes_[index];
  const core::World& world = node.server->world();
  for (const auto& [conn, slot] : node.client_of) {
    const SessionKey key = clients_[slot].session;
    const core::Session* session = world.find(core::ConnId{conn});
    const bool chatting = session && session->phase == core::Phase::Chatting && session->room;
    const std::optional<std::string> room = oracle_.checked_room(key);
    if (!chatting || (room && world.key_of(session->room->name) != *room)) oracle_.unchecked(key);
  }
}

// An Enter this node publishes is someone on its way into a room; a settled node's newcomer
// must hear nothing of that room till it comes back (ClusterOracle::awaiting_arrival).
void ClusterSimulation::follow_publish(std::size_t index, const core::BusRequest& request) {
  const auto* publish = std::get_if<core::Publish>(&request);
  if (!publish) return;
  const std::optional<core::ClusterMessage> message =
      core::decode_cluster_message(publish->message);
  if (!message || message->fields.size() != 3) return;
  if (message->kind == core::ClusterKind::Rename) {  // [old, new, room]: renamed already here
    own_arrivals_.published_rename(index, session_named(index, message->fields[1]));
    return;
  }
  if (message->kind != core::ClusterKind::Enter) return;
  const std::optional<SessionKey> session = session_named(index, message->fields[0]);
  own_arrivals_.published(index, session);
  if (session && settled(nodes_[index])) {
    oracle_.awaiting_arrival(*session, index,
                             nodes_[index].server->world().key_of(message->fields[1]));
  }
}

// A whisper to someone on the sender's own node is delivered at once, with the sender's copy.
void ClusterSimulation::follow_local_whispers(std::size_t index) {
  const Node& node = nodes_[index];
  for (const WhisperCheck::Echo& echo : whispers_.take_echoes()) {
    const core::Session* to = node.server->world().find_by_name(echo.to);
    if (!to || to->phase != core::Phase::Chatting) continue;
    const auto slot = node.client_of.find(to->id.value);
    if (slot != node.client_of.end()) whispers_.due(clients_[slot->second].session, echo.number);
  }
}

void ClusterSimulation::pump(std::size_t index, std::optional<Place> place) {
  Node& node = nodes_[index];
  if (modern() && node.server) follow_moves(index);
  bool busy = true;
  while (busy && node.server) {
    busy = false;
    while (std::optional<core::Action> action = node.server->poll_action()) {
      const auto* close = std::get_if<core::CloseConnection>(&*action);
      if (!close) continue;
      note(node.name + " " + std::to_string(close->conn.value) + " close " +
           std::string(core::describe(close->reason)));
      const auto slot = node.client_of.find(close->conn.value);
      if (slot != node.client_of.end()) client_gone(clients_[slot->second]);
      busy = true;
    }
    while (std::optional<core::BusRequest> request = node.server->poll_bus()) {
      ++result_.stats.bus_requests;
      note(node.name + " ask " + describe(*request));
      if (modern()) follow_publish(index, *request);
      redis_.request(node.link, now_, std::move(*request));
    }
    while (std::optional<core::LogRecord> record = node.server->poll_log())
      note(node.name + " log " + escape(record->text));
    std::vector<std::uint64_t> conns;
    for (const auto& entry : node.client_of)
      conns.push_back(entry.first);
    std::sort(conns.begin(), conns.end());
    for (std::uint64_t conn : conns) {
      if (node.server->queued_bytes(core::ConnId{conn}) == 0) continue;
      take_output(node, node.client_of.at(conn), place);
      busy = true;
    }
  }
  if (modern() && node.server) follow_local_whispers(index);
}

void ClusterSimulation::take_output(Node& node, std::size_t slot, std::optional<Place> place) {
  Client& client = clients_[slot];
  const std::string bytes = queued_output(*node.server, client.conn);
  note(node.name + " " + std::to_string(client.conn.value) + " out " + escape(bytes));
  node.server->wrote(now_, client.conn, bytes.size());
  client.partial += bytes;
  std::size_t end;
  const core::Session* session = modern() ? node.server->world().find(client.conn) : nullptr;
  const std::string name =
      session && !session->name.empty() ? node.server->world().key_of(session->name) : "";
  while ((end = client.partial.find("\r\n")) != std::string::npos) {
    const std::string_view line = std::string_view(client.partial).substr(0, end);
    oracle_.heard(client.session, place, line);
    if (modern()) whispers_.heard(client.session, name, line);
    client.partial.erase(0, end + 2);
  }
}

void ClusterSimulation::check_names() {
  ++result_.stats.name_checks;
  std::unordered_map<std::string, std::size_t> holder;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const Node& node = nodes_[i];
    if (!node.server || !node.linked || now_ - node.linked_since < settle_time()) continue;
    for (core::ConnId id : node.server->world().logged_in()) {
      const core::Session* session = node.server->world().find(id);
      if (!session) continue;
      const auto [other, fresh] = holder.emplace(session->name, i);
      if (!fresh) {
        fail("the name " + session->name + " is logged in on " + nodes_[other->second].name +
             " and on " + node.name + ", both linked to the store for at least " +
             format_time(core::Instant{settle_time()}) + " s");
        return;
      }
    }
  }
}

void ClusterSimulation::wind_down() {
  note("WIND DOWN");
  if (fault_ != Fault::None) end_fault();
  // Long enough for every pending kill deadline and for the nodes to settle.
  advance_to(now_ + kill_bound() + settle_time());
  if (failed()) return;
  check_names();
  for (std::size_t i = 0; i < nodes_.size() && !failed(); ++i) {
    if (!nodes_[i].server) continue;
    for (SessionKey session : oracle_.checked_on(i))
      oracle_.unchecked(session);
    note(nodes_[i].name + " shutdown");
    nodes_[i].server->begin_shutdown(now_);
    pump(i, std::nullopt);
  }
  advance_to(now_ + config_.shutdown_grace + seconds(1));
  oracle_.finish();
  if (!failed() && oracle_.violation()) fail(*oracle_.violation());
  if (!failed() && whispers_.violation()) fail(*whispers_.violation());
}

}  // namespace teaparty::sim
