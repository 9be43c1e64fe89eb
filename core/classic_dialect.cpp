#include "core/classic_dialect.h"

#include <string>

#include "core/classic_texts.h"
#include "core/terminal_safety.h"

namespace teaparty::core {
namespace {

namespace text = classic_text;

constexpr std::string_view kBookWhitespace = " \t\n\r\v\f";

struct CommandLine {
  std::string_view word;
  std::string_view argument;
};

// The book's parse: the word ends at the first space (a TAB does not separate), the argument
// is the rest, stripped.
CommandLine split_command(std::string_view line) {
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos) return {line, {}};
  return {line.substr(0, space), strip_book_whitespace(line.substr(space + 1))};
}

}  // namespace

std::string_view strip_book_whitespace(std::string_view text) {
  const std::size_t first = text.find_first_not_of(kBookWhitespace);
  if (first == std::string_view::npos) return {};
  const std::size_t last = text.find_last_not_of(kBookWhitespace);
  return text.substr(first, last - first + 1);
}

ClassicDialect::ClassicDialect(World& world, std::string_view server_name, Cluster* cluster)
    : world_(world),
      cluster_(cluster),
      welcome_(Payload::concat(text::kWelcomePrefix, server_name, text::kLineEnd)),
      please_log_in_(Payload::copy_of(text::kPleaseLogIn)),
      shutting_down_(Payload::copy_of(text::kShuttingDown)) {}

void ClassicDialect::on_connect(Session& session) {
  world_.send(session, welcome_);
}

void ClassicDialect::on_line(Session& session, std::string_view line, Instant now) {
  if (strip_book_whitespace(line).empty()) return;
  const auto [word, argument] = split_command(line);

  if (word == "logout") {
    on_leave(session, now);
    world_.close_after_flush(session, CloseReason::Logout, now);
    return;
  }
  if (session.phase == Phase::LoggingIn) {
    if (word == "login") {
      login(session, argument, now);
    } else {
      world_.send(session, please_log_in_);
    }
    return;
  }
  if (word == "say") {
    Payload said = Payload::concat(SafeText(session.name), text::kSaySeparator, SafeText(argument),
                                   text::kLineEnd);
    if (cluster_) {
      cluster_->say(std::move(said));  // heard by everyone, us too, when it comes back
    } else {
      world_.broadcast(world_.room_members(), said);
    }
  } else if (word == "look") {
    look(session);
  } else if (word == "who") {
    who(session);
  } else {
    world_.send(session, Payload::concat(text::kUnknownPrefix, SafeText(word), text::kLineEnd));
  }
}

void ClassicDialect::login(Session& session, std::string_view name, Instant now) {
  if (name.empty()) {
    world_.send(session, text::kPleaseEnterName);
  } else if (world_.name_taken(name) || (cluster_ && cluster_->name_held_elsewhere(name))) {
    world_.send(session,
                Payload::concat(text::kNameTakenPrefix, SafeText(name), text::kNameTakenSuffix));
  } else if (cluster_) {
    cluster_->claim(session, std::string(name), now);  // ClaimSettled goes on
  } else {
    // The book announces to the room before the newcomer joins it.
    world_.broadcast(world_.room_members(), entered(name));
    finish_login(session, std::string(name), now);
  }
}

void ClassicDialect::finish_login(Session& session, std::string name, Instant now) {
  world_.log_in(session, std::move(name));
  world_.log(now, LogLevel::Info, session.id, "logged in as \"" + session.name + "\"");
  if (cluster_) cluster_->entered(session);  // announced when it comes back
}

Payload ClassicDialect::entered(std::string_view name) const {
  return Payload::concat(SafeText(name), text::kEnteredSuffix);
}

Payload ClassicDialect::left(std::string_view name) const {
  return Payload::concat(SafeText(name), text::kLeftSuffix);
}

void ClassicDialect::on_leave(Session& session, Instant now) {
  if (session.name.empty()) return;
  const std::string name = session.name;
  if (cluster_) cluster_->leaving(session);  // announced when it comes back
  // The book announces after the leaver is out of the room, so the leaver does not hear it.
  world_.log_out(session);
  if (!cluster_) world_.broadcast(world_.room_members(), left(name));
  world_.log(now, LogLevel::Info, session.id, "logged out \"" + name + "\"");
}

void ClassicDialect::look(Session& session) {
  if (cluster_) return list_cluster_names(session, text::kLookHeader);
  list_names(session, text::kLookHeader, world_.room_members());
}

void ClassicDialect::who(Session& session) {
  if (cluster_) return list_cluster_names(session, text::kWhoHeader);
  list_names(session, text::kWhoHeader, world_.logged_in());
}

// One room, everyone logged in is in it: `look` and `who` list the same people, on every node
// in the same order (the order the store told of their arrival).
void ClassicDialect::list_cluster_names(Session& session, std::string_view header) {
  std::string reply(header);
  for (const std::string& name : cluster_->member_names()) {
    append_terminal_safe(reply, name);
    reply += text::kLineEnd;
  }
  world_.send(session, reply);
}

void ClassicDialect::on_cluster(const ClusterNews& news, Instant now) {
  if (const auto* line = std::get_if<HeardLine>(&news)) {
    cluster_->deliver(line->line);
  } else if (const auto* enter = std::get_if<HeardEnter>(&news)) {
    cluster_->deliver(entered(enter->name), enter->own);
    cluster_->confirm(enter->own);
  } else if (const auto* leave = std::get_if<HeardLeave>(&news)) {
    cluster_->deliver(left(leave->name));
  } else if (const auto* settled = std::get_if<ClaimSettled>(&news)) {
    settle_claim(*settled, now);
  } else if (const auto* lost = std::get_if<NameLost>(&news)) {
    lose_name(lost->conn, now);
  } else if (std::holds_alternative<LinkLost>(news)) {
    tell_everyone(text::kClusterLost);
  } else if (std::holds_alternative<LinkBack>(news)) {
    tell_everyone(text::kClusterBack);
  }
}

void ClassicDialect::settle_claim(const ClaimSettled& settled, Instant now) {
  Session* session = world_.find(settled.conn);
  const bool still_wants_it = session && session->phase == Phase::LoggingIn;
  // Taken meanwhile on this node (the link broke and another login got in first), or from
  // the store's point of view: either way, the book's answer.
  const bool taken = !settled.granted || world_.name_taken(settled.name) ||
                     cluster_->name_held_elsewhere(settled.name);
  if (!still_wants_it) {  // gone or closing: nobody here wants the name any more
    if (settled.granted && !world_.name_taken(settled.name)) cluster_->release(settled.name);
    return;
  }
  if (taken) {
    world_.send(*session, Payload::concat(text::kNameTakenPrefix, SafeText(settled.name),
                                          text::kNameTakenSuffix));
    return;
  }
  finish_login(*session, settled.name, now);
}

void ClassicDialect::lose_name(ConnId conn, Instant now) {
  Session* session = world_.find(conn);
  if (!session || session->phase != Phase::Chatting) return;
  const std::string name = session->name;
  world_.log(now, LogLevel::Warning, conn,
             "\"" + name + "\" was claimed by another node while the store was out of reach: " +
                 "logged out");
  on_leave(*session, now);
  world_.send(*session,
              Payload::concat(text::kNameLostPrefix, SafeText(name), text::kNameLostSuffix));
}

void ClassicDialect::tell_everyone(std::string_view notice) {
  const Payload line = Payload::copy_of(notice);
  world_.broadcast(world_.logged_in(), line);
}

void ClassicDialect::list_names(Session& session, std::string_view header,
                                std::span<const ConnId> ids) {
  std::string reply(header);
  for (ConnId id : ids) {
    if (const Session* other = world_.find(id)) {
      append_terminal_safe(reply, other->name);
      reply += text::kLineEnd;
    }
  }
  world_.send(session, reply);
}

void ClassicDialect::on_line_too_long(Session& session, std::size_t limit) {
  world_.send(session, Payload::concat(text::kLineTooLongPrefix, std::to_string(limit),
                                       text::kLineTooLongSuffix));
}

void ClassicDialect::on_shutdown(Session& session) {
  world_.send(session, shutting_down_);
}

void ClassicDialect::on_server_full(Session& session) {
  world_.send(session, text::kServerFull);
}

void ClassicDialect::on_too_many_from_address(Session& session) {
  world_.send(session, text::kTooManyFromAddress);
}

void ClassicDialect::on_login_timeout(Session& session) {
  world_.send(session, text::kLoginTimedOut);
}

void ClassicDialect::on_idle_timeout(Session& session) {
  world_.send(session, text::kIdleTimedOut);
}

}  // namespace teaparty::core
