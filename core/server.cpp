#include "core/server.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

namespace teaparty::core {
namespace {

template <typename Queue>
std::optional<typename Queue::value_type> pop_front(Queue& queue) {
  if (queue.empty()) return std::nullopt;
  typename Queue::value_type value = std::move(queue.front());
  queue.pop_front();
  return value;
}

// Lines are what the rate limit counts: a line dropped for its length still cost a reply.
bool is_line(const InputEvent& event) {
  return std::holds_alternative<LineReceived>(event) || std::holds_alternative<LineTooLong>(event);
}

std::string seconds(Duration d) {
  char text[32];
  std::snprintf(text, sizeof text, "%g s", std::chrono::duration<double>(d).count());
  return text;
}

std::string lines_per_second(double rate) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", rate);
  return text;
}

}  // namespace

namespace {

std::optional<Cluster> make_cluster(const Config& config, World& world) {
  if (!config.cluster) return std::nullopt;
  return std::optional<Cluster>(std::in_place, *config.cluster, world,
                                config.dialect == DialectKind::Modern);
}

}  // namespace

Server::Server(Config config)
    : config_(std::move(config)),
      cluster_(make_cluster(config_, world_)),
      dialect_(world_, config_, cluster_ ? &*cluster_ : nullptr),
      line_rate_(config_.line_rate, config_.line_burst) {
  world_.set_limits({config_.max_output, config_.close_grace});
}

void Server::check_contract(ConnId conn) const {
  // An id core never issued means the shell is broken; carrying on would hide it.
  if (conn.value == 0 || conn.value >= next_id_) std::abort();
}

ConnId Server::connect(Instant now, std::string_view peer) {
  const ConnId id{next_id_++};
  Session& session = world_.add_session(id, std::string(peer), config_.max_line, now);
  session.last_line_at = now;
  const ConnectionCaps caps{config_.max_connections, config_.max_per_address};
  const Verdict verdict = world_.admission().judge(address_of(session.peer), caps);
  if (verdict != Verdict::Admit) {
    refuse(session, verdict, now);
  } else {
    world_.admit(session);
    world_.log(now, LogLevel::Info, id, "connected from " + session.peer);
    if (config_.login_timeout > Duration::zero())
      world_.deadlines().set(id, DeadlineKind::LoginTimeout, now + config_.login_timeout);
    if (config_.idle_timeout > Duration::zero())
      world_.deadlines().set(id, DeadlineKind::IdleTimeout, now + config_.idle_timeout);
    dialect_.on_connect(session);
  }
  close_slow_consumers(now);
  return id;
}

// Seed 002's verify_request: the client hears why, and the connection closes once it has.
void Server::refuse(Session& session, Verdict verdict, Instant now) {
  const Admission& admission = world_.admission();
  const std::string_view address = address_of(session.peer);
  if (verdict == Verdict::ServerFull) {
    world_.log(now, LogLevel::Warning, session.id,
               "refused " + session.peer + ": server full (" + std::to_string(admission.total()) +
                   " connections, the cap)");
    dialect_.on_server_full(session);
  } else {
    world_.log(now, LogLevel::Warning, session.id,
               "refused " + session.peer + ": " + std::to_string(admission.from(address)) +
                   " connections from " + std::string(address) + " already, the cap");
    dialect_.on_too_many_from_address(session);
  }
  world_.close_after_flush(session, CloseReason::Refused, now);
}

void Server::receive(Instant now, ConnId conn, ByteView bytes) {
  check_contract(conn);
  Session* session = world_.find(conn);
  if (!session || session->phase == Phase::Closing) return;
  // Input behind held input waits its turn behind it (the shell read it before it saw the
  // PauseReading); otherwise act on what the allowance permits and hold the rest.
  if (session->held_input.empty()) {
    bytes = bytes.subspan(decode(conn, bytes, now));
    session = world_.find(conn);  // handling may have closed it
  }
  if (session && session->phase != Phase::Closing &&
      (!bytes.empty() || !session->held_input.empty()))
    hold(*session, bytes, now);
  close_slow_consumers(now);
}

// Decodes and handles events until the bytes are used up or the allowance is spent: a line
// that finds it spent is kept in the session's held input, and so are the bytes after it.
// One allowance pays for a line, or for bytes_per_line() bytes of input that ended no line
// (the tail of a line dropped for its length, a telnet storm), whichever comes first; so all
// input of a connection is held to the rate, not only its lines. Returns how many bytes it
// consumed: all of them unless something now waits (or the session closed, and the rest no
// longer matters).
std::size_t Server::decode(ConnId conn, ByteView bytes, Instant now) {
  const std::size_t total = bytes.size();
  const bool limited = line_rate_.limited();
  for (Session* session = world_.find(conn);
       session && session->phase != Phase::Closing && !session->awaiting_claim && !bytes.empty();
       session = world_.find(conn)) {
    if (limited && session->unpaid_bytes >= bytes_per_line()) {
      if (!line_rate_.allows(session->line_allowance, now)) break;
      line_rate_.take(session->line_allowance, now);
      session->unpaid_bytes -= bytes_per_line();
    }
    // The decoder sees no more than the allowance in hand pays for.
    ByteView slice =
        limited ? bytes.first(std::min(bytes.size(), bytes_per_line() - session->unpaid_bytes))
                : bytes;
    const std::size_t offered = slice.size();
    auto event = session->input.next(slice);
    const std::size_t used = offered - slice.size();
    bytes = bytes.subspan(used);
    if (limited) session->unpaid_bytes += used;
    if (!event) continue;
    if (is_line(*event)) {
      if (!line_rate_.allows(session->line_allowance, now)) {
        session->held_input.hold_line(WaitingLine::from(*event));
        break;
      }
      line_rate_.take(session->line_allowance, now);
      session->last_line_at = now;
      session->unpaid_bytes = 0;
    }
    handle(*session, *event, now);  // may close the session: it is looked up again
  }
  return total - bytes.size();
}

// Input waits (a line, or bytes the allowance does not cover): keep it, and have the shell
// stop reading until the allowance returns, so the sender's own TCP window holds the rest.
void Server::hold(Session& session, ByteView rest, Instant now) {
  session.held_input.append(rest);
  if (!session.reading_paused && session.awaiting_claim) {
    session.reading_paused = true;
    world_.actions().push_back(PauseReading{session.id});
    world_.log(now, LogLevel::Debug, session.id,
               "input after a login waits for the cluster's answer: reading paused");
  } else if (!session.reading_paused) {
    session.reading_paused = true;
    world_.actions().push_back(PauseReading{session.id});
    // A paste trips this once; a flood trips it on every read, so only the first is news.
    const LogLevel level =
        std::exchange(session.rate_limit_logged, true) ? LogLevel::Debug : LogLevel::Info;
    world_.log(now, level, session.id,
               "over the line rate limit (" + lines_per_second(config_.line_rate) +
                   " lines/s, burst " + std::to_string(config_.line_burst) + "): reading paused");
  }
  // Waiting for the store, not for the allowance: the claim's answer releases it.
  if (session.awaiting_claim) return;
  world_.deadlines().set(session.id, DeadlineKind::LineRefill,
                         line_rate_.next_line_at(session.line_allowance));
}

// The allowance has returned: the waiting line first, then the held bytes as far as it goes.
void Server::release_held_input(Session& session, Instant now) {
  // A session closed while its lines waited (timed out, shut down) acts on none of them: they
  // would be said by someone no longer logged in (tests/fuzz_regressions/server/modern_held_*).
  if (session.phase == Phase::Closing || session.awaiting_claim) return;
  const ConnId id = session.id;
  if (!line_rate_.allows(session.line_allowance, now)) {  // woken early: wait on
    world_.deadlines().set(id, DeadlineKind::LineRefill,
                           line_rate_.next_line_at(session.line_allowance));
    return;
  }
  if (session.held_input.has_line()) {
    line_rate_.take(session.line_allowance, now);
    session.last_line_at = now;
    session.unpaid_bytes = 0;
    const WaitingLine line = session.held_input.take_line();
    if (line.too_long_limit) {
      handle(session, LineTooLong{*line.too_long_limit}, now);
    } else {
      handle(session, LineReceived{line.text}, now);
    }
  }
  Session* still = world_.find(id);
  if (!still || still->phase == Phase::Closing) return;
  const std::size_t used = decode(id, still->held_input.bytes(), now);
  still = world_.find(id);
  if (!still || still->phase == Phase::Closing) return;
  still->held_input.take(used);
  if (!still->held_input.empty()) {
    // A line released here may have sent another claim to the store: its answer releases the
    // rest, not the allowance (tests/fuzz_regressions/bus/a_released_login_claims_again).
    if (still->awaiting_claim) return;
    world_.deadlines().set(id, DeadlineKind::LineRefill,
                           line_rate_.next_line_at(still->line_allowance));
    return;
  }
  still->reading_paused = false;
  if (still->end_of_stream_held) {
    gone(*still, PeerGone::EndOfStream, now);  // its last lines are done: now it leaves
    return;
  }
  world_.actions().push_back(ResumeReading{id});
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
    negotiate(session, *negotiation);
  } else if (const auto* sub = std::get_if<TelnetSubnegotiation>(&event)) {
    if (config_.telnet) dialect_.on_subnegotiation(session, *sub);
  }
  pass_on_cluster_news(now);
}

// What the cluster heard or decided goes to the dialect in the order it happened; a login
// whose claim was waiting for the store reads its held input again. Only such a one: a claim
// settled at once (the node cut off) comes back while its own line is being handled, maybe
// from inside the release of its held input, which must not be entered twice (found by
// fuzz/fuzz_bus.cpp: tests/fuzz_regressions/bus/claim_settled_inside_its_own_release); it
// stops waiting here all the same.
void Server::pass_on_cluster_news(Instant now) {
  if (!cluster_) return;
  while (auto news = cluster_->poll_news()) {
    const auto* settled = std::get_if<ClaimSettled>(&*news);
    const ConnId claimant = settled ? settled->conn : ConnId{};
    Session* waiting = settled ? world_.find(claimant) : nullptr;
    const bool was_waiting =
        waiting && std::exchange(waiting->awaiting_claim, false) && !settled->at_once;
    dialect_.on_cluster(*news, now);
    Session* session = was_waiting ? world_.find(claimant) : nullptr;
    if (session && session->reading_paused) release_held_input(*session, now);
  }
}

void Server::bus_event(Instant now, const BusEvent& event) {
  if (!cluster_) return;
  cluster_->on_event(now, event);
  pass_on_cluster_news(now);
  close_slow_consumers(now);
}

std::optional<BusRequest> Server::poll_bus() {
  if (!cluster_) return std::nullopt;
  return cluster_->poll_request();
}

void Server::negotiate(Session& session, const TelnetNegotiation& negotiation) {
  // With telnet off the server sends no IAC at all, answers included.
  if (!config_.telnet) return;
  const std::uint8_t option = negotiation.option;
  const bool was_local = session.telnet.local_enabled(option);
  const bool was_remote = session.telnet.remote_enabled(option);
  std::string reply;
  session.telnet.receive(negotiation.verb, option, dialect_.telnet_policy(), reply);
  if (!reply.empty()) world_.send(session, reply);
  if (was_local != session.telnet.local_enabled(option) ||
      was_remote != session.telnet.remote_enabled(option)) {
    dialect_.on_option_changed(session, option);
  }
}

void Server::peer_gone(Instant now, ConnId conn, PeerGone how) {
  check_contract(conn);
  Session* session = world_.find(conn);
  if (!session) return;
  if (how == PeerGone::EndOfStream && !session->held_input.empty() &&
      session->phase != Phase::Closing) {
    // The client closed behind lines still waiting for the rate limit: as in the book, every
    // complete line before the end counts, so the end waits for them.
    session->end_of_stream_held = true;
    return;
  }
  gone(*session, how, now);
  close_slow_consumers(now);
}

void Server::gone(Session& session, PeerGone how, Instant now) {
  dialect_.on_leave(session, now);
  if (how == PeerGone::Broken) {
    world_.close_now(session, CloseReason::PeerReset, now);
  } else if (session.phase != Phase::Closing) {
    world_.close_after_flush(session, CloseReason::PeerClosed, now);
  }
}

void Server::wrote(Instant now, ConnId conn, std::size_t count) {
  check_contract(conn);
  if (Session* session = world_.find(conn)) world_.consume_output(*session, count, now);
}

void Server::tick(Instant now) {
  last_tick_ = now;
  while (auto due = world_.deadlines().pop_due(now))
    fire(*due, now);
  if (cluster_) {
    cluster_->tick(now);
    pass_on_cluster_news(now);
  }
  if (shutting_down_ && now >= shutdown_deadline_) {
    for (ConnId id : world_.session_ids()) {
      if (Session* session = world_.find(id))
        world_.close_now(*session, CloseReason::Shutdown, now);
    }
  }
  close_slow_consumers(now);
}

void Server::fire(const DueDeadline& due, Instant now) {
  Session* session = world_.find(due.conn);
  if (!session) return;
  switch (due.kind) {
    case DeadlineKind::LoginTimeout:
      time_out_login(*session, now);
      return;
    case DeadlineKind::IdleTimeout:
      check_idle(*session, now);
      return;
    case DeadlineKind::LineRefill:
      if (session->reading_paused) release_held_input(*session, now);
      return;
    case DeadlineKind::CloseGrace:
      give_up_flushing(*session, now);
      return;
  }
}

void Server::time_out_login(Session& session, Instant now) {
  if (session.phase != Phase::LoggingIn) return;
  world_.log(now, LogLevel::Info, session.id,
             "not logged in after " + seconds(config_.login_timeout) + ": closing");
  dialect_.on_login_timeout(session);
  world_.close_after_flush(session, CloseReason::LoginTimeout, now);
}

// The idle deadline is not moved on every line (that would be a queue update per line); it
// is checked when it comes and set again from the last line if that was since.
void Server::check_idle(Session& session, Instant now) {
  if (session.phase == Phase::Closing) return;
  const Instant due = session.last_line_at + config_.idle_timeout;
  if (due > now || session.phase != Phase::Chatting) {
    world_.deadlines().set(session.id, DeadlineKind::IdleTimeout,
                           due > now ? due : now + config_.idle_timeout);
    return;
  }
  world_.log(now, LogLevel::Info, session.id,
             "idle for " + seconds(config_.idle_timeout) + ": closing");
  dialect_.on_idle_timeout(session);
  dialect_.on_leave(session, now);
  world_.close_after_flush(session, CloseReason::IdleTimeout, now);
}

void Server::give_up_flushing(Session& session, Instant now) {
  if (session.phase != Phase::Closing) return;
  world_.log(now, LogLevel::Info, session.id,
             "closing with " + std::to_string(session.outbox.bytes()) +
                 " bytes unread: the client did not read them within " +
                 seconds(config_.close_grace));
  world_.close_now(session, session.close_reason, now);
}

// Sessions found over the output cap while the last input was handled. Each one's leaving is
// announced like any other, which may find more.
void Server::close_slow_consumers(Instant now) {
  for (auto found = world_.take_slow_consumers(); !found.empty();
       found = world_.take_slow_consumers()) {
    for (ConnId id : found) {
      Session* session = world_.find(id);
      if (!session) continue;
      world_.log(now, LogLevel::Warning, id,
                 "slow consumer: " + std::to_string(session->outbox.bytes()) +
                     " bytes queued, over the cap of " + std::to_string(config_.max_output) +
                     ": closing (" + session->peer + ")");
      dialect_.on_leave(*session, now);
      world_.close_now(*session, CloseReason::SlowConsumer, now);
    }
  }
}

void Server::begin_shutdown(Instant now) {
  if (shutting_down_) return;
  shutting_down_ = true;
  shutdown_deadline_ = now + config_.shutdown_grace;
  world_.actions().push_back(StopAccepting{});
  if (cluster_) cluster_->shutting_down();
  world_.log(now, LogLevel::Info, ConnId{},
             "shutting down: " + std::to_string(world_.session_count()) + " connections");
  for (ConnId id : world_.session_ids()) {
    Session* session = world_.find(id);
    // One already on its way out (a logout still flushing) keeps its last words and reason.
    if (!session || session->phase == Phase::Closing) continue;
    // Everyone hears it and leaves at once: announcing departures to people who are leaving
    // themselves would only delay their last message.
    dialect_.on_shutdown(*session);
    world_.log_out(*session);
    world_.close_after_flush(*session, CloseReason::Shutdown, now);
  }
  close_slow_consumers(now);
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
  std::optional<Instant> next = world_.deadlines().earliest();
  if (shutting_down_ && world_.session_count() > 0 && (!next || shutdown_deadline_ < *next))
    next = shutdown_deadline_;
  if (const auto beat = cluster_ ? cluster_->next_deadline() : std::nullopt) {
    if (!next || *beat < *next) next = beat;
  }
  return next;
}

bool Server::reading_paused(ConnId conn) const {
  const Session* session = world_.find(conn);
  return session && session->reading_paused;
}

}  // namespace teaparty::core
