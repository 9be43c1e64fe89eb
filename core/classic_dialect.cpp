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

ClassicDialect::ClassicDialect(World& world, std::string_view server_name)
    : world_(world),
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
    world_.broadcast(world_.room_members(),
                     Payload::concat(SafeText(session.name), text::kSaySeparator,
                                     SafeText(argument), text::kLineEnd));
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
  } else if (world_.name_taken(name)) {
    world_.send(session,
                Payload::concat(text::kNameTakenPrefix, SafeText(name), text::kNameTakenSuffix));
  } else {
    // The book announces to the room before the newcomer joins it.
    world_.broadcast(world_.room_members(), Payload::concat(SafeText(name), text::kEnteredSuffix));
    world_.log_in(session, std::string(name));
    world_.log(now, LogLevel::Info, session.id, "logged in as \"" + session.name + "\"");
  }
}

void ClassicDialect::on_leave(Session& session, Instant now) {
  if (session.name.empty()) return;
  const std::string name = session.name;
  // The book announces after the leaver is out of the room, so the leaver does not hear it.
  world_.log_out(session);
  world_.broadcast(world_.room_members(), Payload::concat(SafeText(name), text::kLeftSuffix));
  world_.log(now, LogLevel::Info, session.id, "logged out \"" + name + "\"");
}

void ClassicDialect::look(Session& session) {
  list_names(session, text::kLookHeader, world_.room_members());
}

void ClassicDialect::who(Session& session) {
  list_names(session, text::kWhoHeader, world_.logged_in());
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
