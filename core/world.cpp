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
  const bool was_idle = to.outbox.empty();
  to.outbox.push(std::move(payload));
  if (was_idle && !to.outbox.empty()) actions_.push_back(WantWrite{to.id});
}

void World::broadcast(std::span<const ConnId> members, const Payload& payload) {
  for (ConnId id : members) {
    if (Session* member = find(id)) send(*member, payload);
  }
}

void World::log_in(Session& session, std::string name) {
  assert(session.phase == Phase::LoggingIn);
  by_name_.emplace(name, session.id);
  session.name = std::move(name);
  session.phase = Phase::Chatting;
  login_order_.push_back(session.id);
  room_.push_back(session.id);
}

void World::log_out(Session& session) {
  if (session.name.empty()) return;
  erase_value(room_, session.id);
  erase_value(login_order_, session.id);
  by_name_.erase(session.name);
  session.name.clear();
  if (session.phase == Phase::Chatting) session.phase = Phase::LoggingIn;
}

void World::close_after_flush(Session& session, CloseReason reason, Instant now) {
  session.phase = Phase::Closing;
  session.close_reason = reason;
  if (session.outbox.empty()) finish(session, reason, now);
}

void World::close_now(Session& session, CloseReason reason, Instant now) {
  session.outbox.clear();
  session.phase = Phase::Closing;
  finish(session, reason, now);
}

void World::consume_output(Session& session, std::size_t count, Instant now) {
  session.outbox.consume(std::min(count, session.outbox.bytes()));
  if (session.phase == Phase::Closing && session.outbox.empty()) {
    finish(session, session.close_reason, now);
  }
}

void World::finish(Session& session, CloseReason reason, Instant now) {
  log_out(session);  // no-op unless still in the room; dialects announce before this
  const ConnId id = session.id;
  log(now, LogLevel::Info, id,
      "closed: " + std::string(describe(reason)) + " (" + session.peer + ")");
  actions_.push_back(CloseConnection{id, reason});
  sessions_.erase(id);
}

void World::log(Instant at, LogLevel level, ConnId conn, std::string text) {
  logs_.push_back(LogRecord{at, level, conn, std::move(text)});
}

}  // namespace teaparty::core
