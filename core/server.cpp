#include "core/server.h"

#include <cstdlib>
#include <string>
#include <utility>

namespace teaparty::core {
namespace {

template <typename T>
std::optional<T> pop_front(std::deque<T>& queue) {
  if (queue.empty()) return std::nullopt;
  T value = std::move(queue.front());
  queue.pop_front();
  return value;
}

}  // namespace

Server::Server(Config config) : config_(std::move(config)), dialect_(world_, config_) {}

void Server::check_contract(ConnId conn) const {
  // An id core never issued means the shell is broken; carrying on would hide it.
  if (conn.value == 0 || conn.value >= next_id_) std::abort();
}

ConnId Server::connect(Instant now, std::string_view peer) {
  const ConnId id{next_id_++};
  Session& session = world_.add_session(id, std::string(peer), config_.max_line, now);
  world_.log(now, LogLevel::Info, id, "connected from " + session.peer);
  dialect_.on_connect(session);
  return id;
}

void Server::receive(Instant now, ConnId conn, ByteView bytes) {
  check_contract(conn);
  Session* session = world_.find(conn);
  while (session && session->phase != Phase::Closing) {
    auto event = session->input.next(bytes);
    if (!event) break;
    handle(*session, *event, now);
    session = world_.find(conn);  // handling may have closed it
  }
}

void Server::handle(Session& session, const InputEvent& event, Instant now) {
  if (const auto* line = std::get_if<LineReceived>(&event)) {
    dialect_.on_line(session, line->text, now);
  } else if (const auto* too_long = std::get_if<LineTooLong>(&event)) {
    world_.log(now, LogLevel::Warning, session.id,
               "line over " + std::to_string(too_long->limit) + " bytes dropped");
    dialect_.on_line_too_long(session, too_long->limit);
  } else if (std::holds_alternative<EndOfTransmission>(event)) {
    dialect_.on_leave(session, now);
    world_.close_after_flush(session, CloseReason::Logout, now);
  } else if (const auto* negotiation = std::get_if<TelnetNegotiation>(&event)) {
    std::string reply;
    session.telnet.receive(negotiation->verb, negotiation->option, dialect_.telnet_policy(), reply);
    if (!reply.empty()) world_.send(session, reply);
  }
  // Subnegotiations: no option that has any is enabled yet.
}

void Server::peer_gone(Instant now, ConnId conn, PeerGone how) {
  check_contract(conn);
  Session* session = world_.find(conn);
  if (!session) return;
  dialect_.on_leave(*session, now);
  if (how == PeerGone::Broken) {
    world_.close_now(*session, CloseReason::PeerReset, now);
  } else if (session->phase != Phase::Closing) {
    world_.close_after_flush(*session, CloseReason::PeerClosed, now);
  }
}

void Server::wrote(Instant now, ConnId conn, std::size_t count) {
  check_contract(conn);
  if (Session* session = world_.find(conn)) world_.consume_output(*session, count, now);
}

void Server::tick(Instant now) {
  if (!shutting_down_ || now < shutdown_deadline_) return;
  for (ConnId id : world_.session_ids()) {
    if (Session* session = world_.find(id)) world_.close_now(*session, CloseReason::Shutdown, now);
  }
}

void Server::begin_shutdown(Instant now) {
  if (shutting_down_) return;
  shutting_down_ = true;
  shutdown_deadline_ = now + config_.shutdown_grace;
  world_.actions().push_back(StopAccepting{});
  world_.log(now, LogLevel::Info, ConnId{},
             "shutting down: " + std::to_string(world_.session_count()) + " connections");
  for (ConnId id : world_.session_ids()) {
    Session* session = world_.find(id);
    if (!session) continue;
    // Everyone hears it and leaves at once: announcing departures to people who are leaving
    // themselves would only delay their last message.
    dialect_.on_shutdown(*session);
    world_.log_out(*session);
    world_.close_after_flush(*session, CloseReason::Shutdown, now);
  }
}

std::optional<Action> Server::poll_action() {
  return pop_front(world_.actions());
}

std::optional<LogRecord> Server::poll_log() {
  return pop_front(world_.logs());
}

std::size_t Server::gather_output(ConnId conn, std::span<ByteView> out) const {
  const Session* session = world_.find(conn);
  return session ? session->outbox.gather(out) : 0;
}

std::size_t Server::queued_bytes(ConnId conn) const {
  const Session* session = world_.find(conn);
  return session ? session->outbox.bytes() : 0;
}

std::optional<Instant> Server::next_deadline() const {
  if (shutting_down_ && world_.session_count() > 0) return shutdown_deadline_;
  return std::nullopt;
}

}  // namespace teaparty::core
