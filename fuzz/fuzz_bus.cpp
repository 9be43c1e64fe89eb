// Fuzz target: a clustered node (core/cluster.h) against whatever its bus may deliver. The
// store is shared with other nodes, any of which may run another version or be broken, so a
// node must survive any message on any channel, answers to claims it never made, the link
// going down and up at any moment, and all of it interleaved with its own clients logging in,
// talking, moving and leaving. The input's first byte picks the dialect (odd: modern); the
// rest is a script: each step's first byte picks what happens, the bytes after it say how.
// After every step the model shell checks core's invariants and the contract with the shell;
// at the end a client logged in while the link is down must still be served.

#include <string>
#include <string_view>
#include <vector>

#include "core/bus.h"
#include "core/cluster_message.h"
#include "fuzz/fuzz_target.h"
#include "tests/props/model_shell.h"

namespace teaparty::fuzz {
namespace {

class Script {
 public:
  Script(const std::uint8_t* data, std::size_t size) : rest_(data), end_(data + size) {}
  bool done() const { return rest_ == end_; }
  std::uint8_t byte() { return done() ? 0 : *rest_++; }
  // A piece of the input, its length the byte before it.
  std::string chunk() {
    const std::size_t length = std::min<std::size_t>(byte(), end_ - rest_);
    std::string piece(reinterpret_cast<const char*>(rest_), length);
    rest_ += length;
    return piece;
  }

 private:
  const std::uint8_t* rest_;
  const std::uint8_t* end_;
};

constexpr std::string_view kNodes[] = {"me", "other", "third"};
constexpr std::string_view kRooms[] = {"main", "Tea", "tea", ""};
constexpr core::ClusterKind kKinds[] = {
    core::ClusterKind::Line,   core::ClusterKind::Enter,   core::ClusterKind::Leave,
    core::ClusterKind::Hello,  core::ClusterKind::Roster,  core::ClusterKind::Alive,
    core::ClusterKind::Gone,   core::ClusterKind::Rename,  core::ClusterKind::Whisper,
    core::ClusterKind::Placed, core::ClusterKind::Unheard, core::ClusterKind::Said,
};
// What clients type: a few lines each dialect knows, so that logins, moves and renames happen.
constexpr std::string_view kClassicLines[] = {"login alice", "login bob", "say hi",
                                              "look",        "who",       "logout"};
constexpr std::string_view kModernLines[] = {
    "alice",         "bob",         "hi",   "/join Tea", "/join tea", "/leave", "/msg bob hi",
    "/msg alice yo", "/nick carol", "/who", "/rooms",    "/look",     "/quit"};

std::string room(Script& script) {
  return std::string(kRooms[script.byte() % std::size(kRooms)]);
}

// A message that parses, so the script reaches the cluster's logic rather than its parser.
// Room messages take either dialect's shape: a node must drop the other's.
std::string well_formed(Script& script) {
  core::ClusterMessage message;
  message.kind = kKinds[script.byte() % std::size(kKinds)];
  message.from = {std::string(kNodes[script.byte() % std::size(kNodes)]), script.byte() % 2u,
                  script.byte() % 4u};
  switch (message.kind) {
    case core::ClusterKind::Line:
    case core::ClusterKind::Enter:
    case core::ClusterKind::Leave:
      message.fields.push_back(script.chunk());
      if (script.byte() % 2) {
        message.fields.push_back(room(script));
        message.fields.push_back(room(script));
      }
      break;
    case core::ClusterKind::Rename:
      message.fields.push_back(script.chunk());
      message.fields.push_back(script.chunk());
      message.fields.push_back(room(script));
      break;
    case core::ClusterKind::Whisper:
    case core::ClusterKind::Unheard:  // [node, from, to, text] and [node, from, to]
      message.fields.emplace_back(kNodes[script.byte() % std::size(kNodes)]);
      for (int i = message.kind == core::ClusterKind::Whisper ? 3 : 2; i > 0; --i)
        message.fields.push_back(script.chunk());
      break;
    case core::ClusterKind::Placed:
      for (int count = script.byte() % 4; count > 0; --count) {
        message.fields.push_back(script.chunk());
        message.fields.push_back(room(script));
      }
      break;
    case core::ClusterKind::Roster:
      for (int count = script.byte() % 4; count > 0; --count)
        message.fields.push_back(script.chunk());
      break;
    case core::ClusterKind::Said:  // [node, incarnation, room, line...]
      message.fields = {std::string(kNodes[script.byte() % std::size(kNodes)]),
                        std::to_string(script.byte() % 4), room(script)};
      for (int count = script.byte() % 4; count > 0; --count)
        message.fields.push_back(script.chunk());
      break;
    case core::ClusterKind::Gone:
      message.fields = {std::string(kNodes[script.byte() % std::size(kNodes)]),
                        std::to_string(script.byte() % 2), std::to_string(script.byte() % 4)};
      break;
    default:
      break;
  }
  return core::encode(message);
}

std::string channel(Script& script) {
  return script.byte() % 2 ? std::string(core::bus::kNodesChannel)
                           : std::string(core::bus::kRoomChannelPrefix) + "main";
}

void check(const harness::ModelShell& shell) {
  if (shell.violation()) fail(*shell.violation());
}

}  // namespace

void fuzz_one_input(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return;
  const bool modern = data[0] % 2 == 1;
  core::Config config;
  if (modern) config.dialect = core::DialectKind::Modern;
  config.cluster = core::ClusterConfig{"me", std::chrono::seconds(3), 1};
  harness::ModelShell shell(config);
  shell.bus(core::BusUp{});
  std::vector<core::ConnId> clients;
  Script script(data + 1, size - 1);
  for (int steps = 0; !script.done() && steps < 2000; ++steps) {
    const std::uint8_t op = script.byte();
    switch (op % 8) {
      case 0: {
        const std::string on = channel(script);
        shell.bus(core::BusMessage{on, script.chunk()});
        break;
      }
      case 1: {
        const std::string on = channel(script);
        shell.bus(core::BusMessage{on, well_formed(script)});
        break;
      }
      case 2: {
        core::ClaimAnswer answer{script.byte() % 16u, {}};
        for (int count = script.byte() % 4; count > 0; --count)
          answer.granted.push_back(script.byte() % 2);
        shell.bus(answer);
        break;
      }
      case 3:
        shell.bus(script.byte() % 2 ? core::BusEvent{core::BusDown{}} : core::BusUp{});
        break;
      case 4:
        if (clients.size() < 4) {
          if (auto conn = shell.connect()) clients.push_back(*conn);
        }
        break;
      case 5:
        if (!clients.empty()) {
          const core::ConnId who = clients[script.byte() % clients.size()];
          std::string line = script.chunk();
          if (line.size() == 1) {  // a line the dialect knows, picked by that byte
            const auto known = static_cast<std::uint8_t>(line[0]);
            line = modern ? kModernLines[known % std::size(kModernLines)]
                          : kClassicLines[known % std::size(kClassicLines)];
          }
          if (shell.is_open(who)) shell.receive(who, line + "\r\n");
        }
        break;
      case 6:
        shell.advance(std::chrono::milliseconds(100) * script.byte());
        break;
      case 7:
        if (!clients.empty()) {
          const core::ConnId who = clients[script.byte() % clients.size()];
          if (shell.is_open(who)) shell.peer_gone(who, core::PeerGone::EndOfStream);
        }
        break;
    }
    shell.flush_all();
    check(shell);
  }

  // Cut off, a node is a chat of its own: a newcomer is served at once, under any name its own
  // users do not hold (the script's clients may have taken any; four names cannot take five).
  shell.bus(core::BusDown{});
  std::string name;
  for (std::string_view candidate :
       {"fuzz-last-1", "fuzz-last-2", "fuzz-last-3", "fuzz-last-4", "fuzz-last-5"}) {
    if (!shell.server().world().name_taken(candidate)) {
      name = candidate;
      break;
    }
  }
  const auto last = shell.connect();
  if (!last) fail("a connection was refused");
  shell.receive(*last, modern ? name + "\r\nserved\r\n" : "login " + name + "\r\nsay served\r\n");
  shell.flush_all();
  check(shell);
  if (shell.delivered(*last).find(name + ": served\r\n") == std::string::npos) {
    fail("a node cut off from its store did not serve a newcomer as " + name +
         " on its own; it was sent:\n" + shell.delivered(*last));
  }
}

}  // namespace teaparty::fuzz
