#include "core/world.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace teaparty::core {
namespace {

void erase_value(std::vector<ConnId>& ids, ConnId id) {
  auto it = std::find(ids.begin(), ids.end(), id);
  if (it != ids.end()) ids.erase(it);
}

}  // namespace

World::World()
    : main_key_(kMainRoom),
      main_room_(&rooms_.try_emplace(main_key_, std::string(kMainRoom), 0).first->second) {}

Session* World::find(ConnId id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it->second;
}

const Session* World::find(ConnId id) const {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it->second;
}

Session& World::add_session(ConnId id, std::string peer, std::size_t max_line, Instant now) {
  auto [it, inserted] = sessions_.try_emplace(id, id, std::move(peer), max_line, now);
  assert(inserted);
  return it->second;
}

std::vector<ConnId> World::session_ids() const {
  std::vector<ConnId> ids;
  ids.reserve(sessions_.size());
  for (const auto& [id, session] : sessions_)
    ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

void World::send(Session& to, Payload payload) {
  if (to.over_output_cap) return;  // it stopped reading; it is being closed
  const bool was_idle = to.outbox.empty();
  to.outbox.push(std::move(payload));
  if (was_idle && !to.outbox.empty()) actions_.push_back(WantWrite{to.id});
  if (limits_.max_output != 0 && to.outbox.bytes() > limits_.max_output) {
    to.over_output_cap = true;
    slow_consumers_.push_back(to.id);
  }
}

void World::admit(Session& session) {
  if (session.admitted) return;
  admission_.admit(address_of(session.peer));
  session.admitted = true;
}

void World::broadcast(std::span<const ConnId> members, const Payload& payload) {
  for (ConnId id : members) {
    if (Session* member = find(id)) send(*member, payload);
  }
}

std::string World::key_of(std::string_view name) const {
  return name_key_ ? name_key_(name) : std::string(name);
}

Session* World::find_by_name(std::string_view name) {
  auto it = by_name_.find(key_of(name));
  return it == by_name_.end() ? nullptr : find(it->second);
}

const Session* World::find_by_name(std::string_view name) const {
  auto it = by_name_.find(key_of(name));
  return it == by_name_.end() ? nullptr : find(it->second);
}

void World::log_in(Session& session, std::string name) {
  assert(session.phase == Phase::LoggingIn);
  by_name_.emplace(key_of(name), session.id);
  session.name = std::move(name);
  session.phase = Phase::Chatting;
  login_order_.push_back(session.id);
  enter(session, main_room());
}

void World::rename(Session& session, std::string name) {
  assert(!session.name.empty());
  by_name_.erase(key_of(session.name));
  by_name_.emplace(key_of(name), session.id);
  session.name = std::move(name);
}

void World::log_out(Session& session) {
  if (session.name.empty()) return;
  leave_room(session);
  erase_value(login_order_, session.id);
  by_name_.erase(key_of(session.name));
  session.name.clear();
  if (session.phase == Phase::Chatting) session.phase = Phase::LoggingIn;
}

const Room* World::find_room(std::string_view name) const {
  auto it = rooms_.find(key_of(name));
  return it == rooms_.end() ? nullptr : &it->second;
}

Room* World::find_room(std::string_view name) {
  auto it = rooms_.find(key_of(name));
  return it == rooms_.end() ? nullptr : &it->second;
}

Room& World::room_called(std::string_view name) {
  std::string key = key_of(name);
  auto it = rooms_.find(key);
  if (it == rooms_.end()) {
    it = rooms_.try_emplace(std::move(key), std::string(name), history_limit_).first;
  }
  return it->second;
}

void World::drop_if_unused(Room& room) {
  if (room.members.empty() && !room.held_elsewhere && &room != &main_room()) {
    rooms_.erase(key_of(room.name));
  }
}

Room& World::move_to(Session& session, std::string_view name) {
  assert(session.room);
  Room& room = room_called(name);
  if (session.room == &room) return room;
  leave_room(session);
  enter(session, room);
  return room;
}

void World::hold_room(std::string_view name, bool held_elsewhere) {
  if (held_elsewhere) {
    room_called(name).held_elsewhere = true;
  } else if (Room* room = find_room(name)) {
    room->held_elsewhere = false;
    drop_if_unused(*room);
  }
}

std::vector<const Room*> World::rooms() const {
  std::vector<const Room*> listed{&main_room()};
  for (const auto& [key, room] : rooms_) {
    if (key != main_key_) listed.push_back(&room);
  }
  return listed;
}

void World::set_history_limit(std::size_t limit) {
  history_limit_ = limit;
  // Only the main room can exist before the dialect sets the limit.
  main_room().history = History(limit);
}

void World::enter(Session& session, Room& room) {
  room.members.push_back(session.id);
  session.room = &room;
}

void World::leave_room(Session& session) {
  Room* room = std::exchange(session.room, nullptr);
  if (!room) return;
  erase_value(room->members, session.id);
  drop_if_unused(*room);
}

void World::close_after_flush(Session& session, CloseReason reason, Instant now) {
  session.phase = Phase::Closing;
  session.close_reason = reason;
  if (session.outbox.empty()) {
    finish(session, reason, now);
  } else if (limits_.close_grace > Duration::zero()) {
    deadlines_.set(session.id, DeadlineKind::CloseGrace, now + limits_.close_grace);
  }
}

void World::close_now(Session& session, CloseReason reason, Instant now) {
  session.outbox.clear();
  session.phase = Phase::Closing;
  finish(session, reason, now);
}

void World::consume_output(Session& session, std::size_t count, Instant now) {
  const std::size_t ring_before = session.outbox.ring_bytes();
  session.outbox.consume(std::min(count, session.outbox.bytes()));
  outbox_bytes_released_ += ring_before - session.outbox.ring_bytes();
  if (session.phase == Phase::Closing && session.outbox.empty()) {
    finish(session, session.close_reason, now);
  }
}

void World::finish(Session& session, CloseReason reason, Instant now) {
  log_out(session);  // no-op unless still in the room; dialects announce before this
  const ConnId id = session.id;
  deadlines_.cancel_all(id);
  if (session.admitted) admission_.release(address_of(session.peer));
  log(now, LogLevel::Info, id,
      "closed: " + std::string(describe(reason)) + " (" + session.peer + ")");
  actions_.push_back(CloseConnection{id, reason});
  sessions_.erase(id);
}

void World::log(Instant at, LogLevel level, ConnId conn, std::string text) {
  logs_.push_back(LogRecord{at, level, conn, std::move(text)});
}

}  // namespace teaparty::core
