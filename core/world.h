#pragma once
// World: the state every dialect acts on — the sessions, who is logged in under which name,
// who is in the room — and the only way text leaves core: into a session's outbox, with the
// shell told by an action.
//
// Order is part of the protocol (the book lists `look` in order of entry and `who` in order of
// login), so members and logins are kept in vectors in that order; the hash maps only find
// things and are never iterated for output.

#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/actions.h"
#include "core/log.h"
#include "core/payload.h"
#include "core/session.h"

namespace teaparty::core {

class World {
 public:
  Session* find(ConnId id);
  const Session* find(ConnId id) const;
  Session& add_session(ConnId id, std::string peer, std::size_t max_line, Instant now);
  std::size_t session_count() const { return sessions_.size(); }
  // Ids of every open session, oldest first.
  std::vector<ConnId> session_ids() const;

  // Delivery. A payload is shared, never copied, however many sessions it goes to.
  void send(Session& to, Payload payload);
  void send(Session& to, std::string_view text) { send(to, Payload::copy_of(text)); }
  void broadcast(std::span<const ConnId> members, const Payload& payload);

  // Names and the room.
  bool name_taken(std::string_view name) const { return by_name_.contains(std::string(name)); }
  // Claims the name and appends the session to the room; announcing is the dialect's business.
  void log_in(Session& session, std::string name);
  // Takes the session out of the room and frees its name.
  void log_out(Session& session);
  std::span<const ConnId> room_members() const { return room_; }
  std::span<const ConnId> logged_in() const { return login_order_; }

  // Leaving. After either call the session is Closing; it is gone from core once the shell
  // has been told to close it.
  void close_after_flush(Session& session, CloseReason reason, Instant now);
  void close_now(Session& session, CloseReason reason, Instant now);
  // The shell wrote `count` bytes; a Closing session whose outbox empties is closed.
  void consume_output(Session& session, std::size_t count, Instant now);

  // Outputs to the shell.
  std::deque<Action>& actions() { return actions_; }
  std::deque<LogRecord>& logs() { return logs_; }
  void log(Instant at, LogLevel level, ConnId conn, std::string text);

 private:
  void finish(Session& session, CloseReason reason, Instant now);

  std::unordered_map<ConnId, Session> sessions_;
  std::unordered_map<std::string, ConnId> by_name_;
  std::vector<ConnId> login_order_;
  std::vector<ConnId> room_;  // in order of entry
  std::deque<Action> actions_;
  std::deque<LogRecord> logs_;
};

}  // namespace teaparty::core
