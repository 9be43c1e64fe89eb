#pragma once
// World: the state every dialect acts on — the sessions, who is logged in under which name,
// the rooms and who is in each — and the only way text leaves core: into a session's outbox, with
// the shell told by an action.
//
// Order is part of the protocol (the book lists `look` in order of entry and `who` in order of
// login), so members and logins are kept in vectors in that order; the hash maps only find
// things and are never iterated for output.

#include <deque>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/action_queue.h"
#include "core/actions.h"
#include "core/admission.h"
#include "core/deadlines.h"
#include "core/log.h"
#include "core/payload.h"
#include "core/room.h"
#include "core/session.h"

namespace teaparty::core {

class World {
 public:
  World();
  // Sessions point at rooms the world owns: a copy would point into the original.
  World(const World&) = delete;
  World& operator=(const World&) = delete;

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

  // The output cap and the close grace (Config says what each means; zero is off), kept here
  // because output is queued here and sessions end here. A session whose queue passes
  // max_output becomes a slow consumer: nothing more is queued for it, and the server closes
  // it once the input in hand is dealt with (closing it in the middle of a broadcast would
  // change the room under the loop).
  struct Limits {
    std::size_t max_output = 0;
    Duration close_grace{};
  };
  void set_limits(Limits limits) { limits_ = limits; }
  // The sessions found to be slow consumers since the last call, in the order found.
  std::vector<ConnId> take_slow_consumers() { return std::exchange(slow_consumers_, {}); }

  // Per-connection deadlines and the connection caps; a session leaves both when it ends.
  Deadlines& deadlines() { return deadlines_; }
  const Deadlines& deadlines() const { return deadlines_; }
  const Admission& admission() const { return admission_; }
  // Counts the session against the connection caps from now until it ends.
  void admit(Session& session);

  // Names. Two names are the same when their keys are; the key function is the dialect's
  // (classic: the name itself, byte for byte; modern: names::key, without regard to case).
  using NameKey = std::string (*)(std::string_view name);
  void set_name_key(NameKey key) { name_key_ = key; }
  std::string key_of(std::string_view name) const;
  bool name_taken(std::string_view name) const { return by_name_.contains(key_of(name)); }
  std::size_t claimed_name_count() const { return by_name_.size(); }  // for invariant checks
  // The logged-in session called `name` (by key), if any.
  Session* find_by_name(std::string_view name);
  const Session* find_by_name(std::string_view name) const;
  // Claims the name and appends the session to the main room; announcing is the dialect's
  // business.
  void log_in(Session& session, std::string name);
  // Gives a logged-in session a new name (free, or its own in another case).
  void rename(Session& session, std::string name);
  // Takes the session out of its room and frees its name.
  void log_out(Session& session);
  std::span<const ConnId> logged_in() const { return login_order_; }

  // Rooms. The main room always exists; another room is made by the first to enter it and
  // is gone, with its history, once the last one leaves (and no other node holds it). Room names
  // compare by key, too.
  static constexpr std::string_view kMainRoom = "main";
  const Room& main_room() const { return *main_room_; }
  Room& main_room() { return *main_room_; }
  std::span<const ConnId> room_members() const { return main_room().members; }  // the main room
  const Room* find_room(std::string_view name) const;
  Room* find_room(std::string_view name);
  // Moves a logged-in session to the room called `name`, making it if need be.
  Room& move_to(Session& session, std::string_view name);
  // Clustered: whether members on other nodes hold the room called `name` open here (made if
  // need be, with that name); once nobody holds it and nobody here is in it, it is gone.
  void hold_room(std::string_view name, bool held_elsewhere);
  // The main room first, then the others in the order of their keys.
  std::vector<const Room*> rooms() const;
  std::size_t room_count() const { return rooms_.size(); }
  // The number of lines each room remembers for newcomers (0: none).
  void set_history_limit(std::size_t limit);
  std::size_t history_limit() const { return history_limit_; }

  // Leaving. After either call the session is Closing; it is gone from core once the shell
  // has been told to close it.
  void close_after_flush(Session& session, CloseReason reason, Instant now);
  void close_now(Session& session, CloseReason reason, Instant now);
  // The shell wrote `count` bytes; a Closing session whose outbox empties is closed.
  void consume_output(Session& session, std::size_t count, Instant now);
  // Bytes of outbox rings freed so far because a burst that grew them was written out (a
  // drained ring larger than a connection keeps is given back). Only ever grows.
  std::size_t outbox_bytes_released() const { return outbox_bytes_released_; }

  // Outputs to the shell.
  ActionQueue& actions() { return actions_; }
  const ActionQueue& actions() const { return actions_; }  // pending, for inspection
  std::deque<LogRecord>& logs() { return logs_; }
  void log(Instant at, LogLevel level, ConnId conn, std::string text);

 private:
  void finish(Session& session, CloseReason reason, Instant now);
  void enter(Session& session, Room& room);
  void leave_room(Session& session);
  Room& room_called(std::string_view name);
  void drop_if_unused(Room& room);

  std::unordered_map<ConnId, Session> sessions_;
  std::size_t outbox_bytes_released_ = 0;
  NameKey name_key_ = nullptr;  // nullptr: the name is its own key
  std::unordered_map<std::string, ConnId> by_name_;
  std::vector<ConnId> login_order_;
  // By key. A std::map, not a hash map: sessions point at their room, and the listing of
  // rooms is in key order. Its nodes never move.
  std::map<std::string, Room> rooms_;
  std::string main_key_;
  Room* main_room_;  // in rooms_, for ever
  std::size_t history_limit_ = 0;
  ActionQueue actions_;
  std::deque<LogRecord> logs_;
  Limits limits_;
  std::vector<ConnId> slow_consumers_;  // found over the cap, not yet closed
  Deadlines deadlines_;
  Admission admission_;
};

}  // namespace teaparty::core
