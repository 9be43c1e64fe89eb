#include "core/invariants.h"

#include <algorithm>
#include <string_view>
#include <unordered_set>
#include <variant>
#include <vector>

#include "core/deadlines.h"

namespace teaparty::core {
namespace {

using Violation = std::optional<std::string>;

std::string conn(ConnId id) {
  return "connection " + std::to_string(id.value);
}

std::string_view describe(Phase phase) {
  switch (phase) {
    case Phase::LoggingIn:
      return "logging in";
    case Phase::Chatting:
      return "chatting";
    case Phase::Closing:
      return "closing";
  }
  return "?";
}

// What gather_output shows must be exactly what queued_bytes counts, in non-empty pieces (the
// shell writes from those views and reports counts against that total), and only the newest
// piece may lie beyond the output bound.
Violation check_output(const Server& server, const Session& session) {
  std::vector<ByteView> views(session.outbox.chunks());
  const std::size_t filled = server.gather_output(session.id, views);
  if (filled != views.size()) {
    return conn(session.id) + ": gather_output filled " + std::to_string(filled) + " of " +
           std::to_string(views.size()) + " queued chunks";
  }
  std::size_t total = 0;
  for (ByteView view : views) {
    if (view.empty()) return conn(session.id) + ": an empty chunk is queued for writing";
    total += view.size();
  }
  if (total != server.queued_bytes(session.id)) {
    return conn(session.id) + ": gathered " + std::to_string(total) + " bytes but " +
           std::to_string(server.queued_bytes(session.id)) + " are queued";
  }
  const std::size_t bound = queued_output_bound(server.config());
  if (!views.empty() && total - views.back().size() > bound) {
    return conn(session.id) + " has " + std::to_string(total) +
           " output bytes queued, over the bound of " + std::to_string(bound) +
           " before its newest chunk";
  }
  return std::nullopt;
}

// The limits leave nobody stuck: a paused connection has held input and a time to resume, a
// closing one a time to be closed anyway, a logged-in one a time to be checked for idling;
// and a slow consumer is gone by the end of the input that made it one.
Violation check_limits(const Server& server, const Session& session) {
  const Config& config = server.config();
  const Deadlines& deadlines = server.world().deadlines();
  const ConnId id = session.id;
  if (session.over_output_cap) return conn(id) + " passed the output cap but is still open";
  if (session.phase == Phase::Closing) {
    if (config.close_grace > Duration::zero() && !deadlines.find(id, DeadlineKind::CloseGrace)) {
      return conn(id) +
             " is closing with no close-grace deadline: a client that never reads "
             "would hold it";
    }
    return std::nullopt;
  }
  if (session.reading_paused == session.held_input.empty()) {
    return conn(id) + (session.reading_paused ? " is paused with no input held"
                                              : " holds input but reading is not paused");
  }
  // (A login waiting for the cluster's store resumes on the store's answer instead.)
  if (session.reading_paused && !session.awaiting_claim &&
      !deadlines.find(id, DeadlineKind::LineRefill)) {
    return conn(id) + " is paused with no deadline to resume it";
  }
  if (session.phase == Phase::Chatting && config.idle_timeout > Duration::zero() &&
      !deadlines.find(id, DeadlineKind::IdleTimeout)) {
    return conn(id) + " is logged in with no idle deadline";
  }
  return std::nullopt;
}

Violation check_session(const Server& server, ConnId id) {
  const Session* session = server.world().find(id);
  if (!session) return conn(id) + " is listed but cannot be found";
  if (session->id != id) return conn(id) + " is stored as " + conn(session->id);

  const bool chatting = session->phase == Phase::Chatting;
  const std::string phase(describe(session->phase));
  if (session->name.empty() == chatting) {
    return conn(id) + " is " + phase +
           (chatting ? " but has no name" : " but has the name \"" + session->name + "\"");
  }
  if ((session->room != nullptr) != chatting) {
    return conn(id) + " is " + phase + (chatting ? " but in no room" : " but in a room");
  }
  // A closing session stays only to write what it still owes; with nothing owed it should
  // already be gone, and nothing would ever remove it.
  if (session->phase == Phase::Closing && session->outbox.empty()) {
    return conn(id) + " is closing with no output left, so it will never close";
  }
  if (auto violation = check_limits(server, *session)) return violation;
  const std::size_t input_bound = input_buffer_bound(server.config());
  if (session->input.buffered_bytes() > input_bound) {
    return conn(id) + " buffers " + std::to_string(session->input.buffered_bytes()) +
           " input bytes in its decoder, over the bound of " + std::to_string(input_bound);
  }
  return check_output(server, *session);
}

Violation check_sessions(const Server& server, std::span<const ConnId> ids) {
  for (ConnId id : ids) {
    if (id.value == 0) return std::string("a session has the id 0, which is never issued");
    if (auto violation = check_session(server, id)) return violation;
  }
  return std::nullopt;
}

// Logged-in users: live, chatting, each name (by the dialect's key) held by one of them and
// claimed in the index, which claims nothing else.
Violation check_names(const Server& server, std::size_t chatting) {
  const World& world = server.world();
  std::unordered_set<ConnId> users;
  std::unordered_set<std::string> keys;
  for (ConnId id : world.logged_in()) {
    const Session* session = world.find(id);
    if (!session) return conn(id) + " is logged in but closed";
    if (session->phase != Phase::Chatting) {
      return conn(id) + " is logged in while " + std::string(describe(session->phase));
    }
    if (!users.insert(id).second) return conn(id) + " is logged in twice";
    if (!keys.insert(world.key_of(session->name)).second) {
      return "the name \"" + session->name + "\" is logged in twice";
    }
    if (!world.name_taken(session->name)) {
      return conn(id) + " is logged in as \"" + session->name + "\" but the name is free";
    }
  }
  if (users.size() != chatting) {
    return std::to_string(chatting) + " sessions are chatting but " + std::to_string(users.size()) +
           " are logged in";
  }
  if (world.claimed_name_count() != users.size()) {
    return std::to_string(world.claimed_name_count()) + " names are claimed by " +
           std::to_string(users.size()) + " logged-in users";
  }
  return std::nullopt;
}

// Every logged-in user is in exactly one room, the one it points at; rooms hold nobody else;
// a room other than the main one exists only while someone is in it (here, or on another node
// of a cluster).
Violation check_rooms(const Server& server) {
  const World& world = server.world();
  std::unordered_set<ConnId> members;
  const std::vector<const Room*> rooms = world.rooms();
  if (rooms.size() != world.room_count()) {
    return std::to_string(world.room_count()) + " rooms exist but " + std::to_string(rooms.size()) +
           " are listed";
  }
  for (const Room* room : rooms) {
    const std::string where = "room \"" + room->name + "\"";
    if (world.find_room(room->name) != room) return where + " is not found by its own name";
    if (room != &world.main_room() && room->members.empty() && !room->held_elsewhere)
      return where + " is empty but kept";
    for (ConnId id : room->members) {
      if (!members.insert(id).second)
        return conn(id) + " is in a room twice (again in " + where + ")";
      const Session* session = world.find(id);
      if (!session) return conn(id) + " is closed but still in " + where;
      if (session->phase != Phase::Chatting)
        return conn(id) + " is in " + where + " without being logged in";
      if (session->room != room)
        return conn(id) + " is in " + where + " but points at another room";
    }
  }
  if (members.size() != world.logged_in().size()) {
    return std::to_string(world.logged_in().size()) + " users are logged in but " +
           std::to_string(members.size()) + " are in rooms";
  }
  return std::nullopt;
}

// The connection an action is about; nullopt for StopAccepting.
std::optional<ConnId> addressee(const Action& action) {
  return std::visit(
      [](const auto& a) -> std::optional<ConnId> {
        if constexpr (requires { a.conn; }) {
          return a.conn;
        } else {
          return std::nullopt;
        }
      },
      action);
}

std::string action_name(const Action& action) {
  if (std::holds_alternative<WantWrite>(action)) return "WantWrite";
  return "the action of kind " + std::to_string(action.index());
}

// Actions waiting for the shell. A CloseConnection is the last word about a connection: it
// names one core has forgotten, and nothing may follow it. Any other action for a connection
// that is gone is only fair if its CloseConnection is still to come.
Violation check_pending_actions(const Server& server) {
  const World& world = server.world();
  const auto& actions = world.actions();
  std::unordered_set<ConnId> closed;
  std::size_t stops = 0;
  for (auto it = actions.begin(); it != actions.end(); ++it) {
    const std::optional<ConnId> id = addressee(*it);
    if (!id) {
      if (++stops > 1) return std::string("StopAccepting is pending twice");
      continue;
    }
    if (const auto* close = std::get_if<CloseConnection>(&*it)) {
      if (!closed.insert(close->conn).second) return conn(*id) + " is closed twice";
      if (world.find(*id)) return conn(*id) + " is closed but still has a session";
      continue;
    }
    if (closed.contains(*id)) {
      return action_name(*it) + " for " + conn(*id) + " after its close";
    }
    const bool close_follows = std::any_of(std::next(it), actions.end(), [&](const Action& later) {
      const auto* close = std::get_if<CloseConnection>(&later);
      return close && close->conn == *id;
    });
    if (!world.find(*id) && !close_follows) {
      return action_name(*it) + " for closed " + conn(*id);
    }
  }
  return std::nullopt;
}

// Every deadline belongs to a connection core still has.
Violation check_deadline_owners(const Server& server, std::span<const ConnId> ids) {
  const Deadlines& deadlines = server.world().deadlines();
  std::size_t owned = 0;
  for (ConnId id : ids) {
    for (std::size_t kind = 0; kind < kDeadlineKinds; ++kind) {
      if (deadlines.find(id, static_cast<DeadlineKind>(kind))) ++owned;
    }
  }
  if (owned != deadlines.size()) {
    return std::to_string(deadlines.size() - owned) + " deadlines belong to closed connections";
  }
  return std::nullopt;
}

// After tick(now) every deadline at or before `now` has fired, and later inputs only set
// deadlines from their own (later) `now`: so the next deadline is never before the last tick.
Violation check_deadline(const Server& server) {
  const auto deadline = server.next_deadline();
  const auto last_tick = server.last_tick();
  if (deadline && last_tick && *deadline < *last_tick) {
    return "the next deadline (" + std::to_string(deadline->since_origin.count()) +
           " ns) lies before the last tick (" + std::to_string(last_tick->since_origin.count()) +
           " ns)";
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> check_invariants(const Server& server) {
  const World& world = server.world();
  const std::vector<ConnId> ids = world.session_ids();
  if (auto violation = check_sessions(server, ids)) return violation;
  const auto chatting = static_cast<std::size_t>(std::count_if(
      ids.begin(), ids.end(), [&](ConnId id) { return world.find(id)->phase == Phase::Chatting; }));
  if (auto violation = check_names(server, chatting)) return violation;
  if (auto violation = check_rooms(server)) return violation;
  if (auto violation = check_pending_actions(server)) return violation;
  if (auto violation = check_deadline_owners(server, ids)) return violation;
  return check_deadline(server);
}

}  // namespace teaparty::core
