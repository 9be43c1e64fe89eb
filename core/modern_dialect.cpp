#include "core/modern_dialect.h"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <string>

#include "core/charset.h"
#include "core/gmcp.h"
#include "core/modern_texts.h"
#include "core/mssp.h"
#include "core/names.h"
#include "core/telnet.h"
#include "core/terminal_safety.h"

namespace teaparty::core {
namespace {

namespace text = modern_text;

// The options we agree to perform when asked (we offer the first three ourselves), and the one
// we let the client perform.
constexpr std::array<std::uint8_t, 3> kOffers{telnet::kOptEOR, telnet::kOptGMCP, telnet::kOptMSSP};

TelnetPolicy make_policy() {
  TelnetPolicy policy;
  for (std::uint8_t option : kOffers)
    policy.local.set(option);
  policy.local.set(telnet::kOptCharset);
  policy.remote.set(telnet::kOptCharset);
  return policy;
}

std::string_view strip(std::string_view s) {
  constexpr std::string_view kBlank = " \t\v\f";
  const std::size_t first = s.find_first_not_of(kBlank);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kBlank) - first + 1);
}

// Splits "word rest" at the first space or TAB; the rest is stripped.
std::pair<std::string_view, std::string_view> split_word(std::string_view s) {
  const std::size_t gap = s.find_first_of(" \t");
  if (gap == std::string_view::npos) return {s, {}};
  return {s.substr(0, gap), strip(s.substr(gap + 1))};
}

char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equal_ignoring_ascii_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

// What a line asks for: a command (word and argument) or something to say.
struct ParsedLine {
  bool is_command = false;
  std::string_view word;      // a command's name, without the slash
  std::string_view argument;  // a command's argument, stripped; or the text to say
};

bool is_book_word(std::string_view word) {
  return word == "say" || word == "look" || word == "who" || word == "login" || word == "logout";
}

ParsedLine parse(std::string_view line) {
  if (line.starts_with("//")) return {false, {}, line.substr(1)};
  if (line.starts_with('/')) {
    const auto [word, argument] = split_word(line.substr(1));
    return {true, word, argument};
  }
  const auto [word, argument] = split_word(line);
  if (is_book_word(word)) return {true, word, argument};
  return {false, {}, line};
}

// How a refused character is shown: printable ASCII quoted, a space named, anything else by
// its code point (it might be invisible, or reorder the line).
std::string shown(char32_t c) {
  if (c == ' ') return std::string(text::kSpaceShown);
  if (c > 0x20 && c < 0x7F) return std::string{'"', static_cast<char>(c), '"'};
  constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string digits;
  for (char32_t v = c; v != 0 || digits.size() < 4; v >>= 4)
    digits.insert(digits.begin(), kHex[v & 0xF]);
  return "U+" + digits;
}

// Why a name (or a room name: `subject` says which) was refused, in a line.
Payload problem_text(const names::Problem& problem, std::string_view subject) {
  struct Render {
    std::string_view subject;
    Payload operator()(const names::Empty&) const {
      return Payload::concat(subject, text::kEmptySuffix);
    }
    Payload operator()(const names::TooLong& p) const {
      return Payload::concat(subject, text::kTooLongMiddle, std::to_string(p.length),
                             text::kTooLongSuffix);
    }
    Payload operator()(const names::NotAllowed& p) const {
      return Payload::concat(subject, text::kNotAllowedMiddle, shown(p.character),
                             text::kNotAllowedSuffix);
    }
    Payload operator()(const names::MixedScripts& p) const {
      return Payload::concat(subject, text::kMixedScriptsMiddle, unicode::script_name(p.first),
                             text::kMixedScriptsWith, unicode::script_name(p.other),
                             text::kMixedScriptsSuffix);
    }
    Payload operator()(const names::StrayMark& p) const {
      return Payload::concat(subject, text::kStrayMarkMiddle, shown(p.mark),
                             text::kStrayMarkSuffix);
    }
    Payload operator()(const names::MarkOnPrecomposed& p) const {
      return Payload::concat(subject, text::kMarkOnPrecomposedMiddle, shown(p.mark),
                             text::kMarkOnPrecomposedOn, unicode::script_name(p.script),
                             text::kMarkOnPrecomposedSuffix);
    }
  };
  return std::visit(Render{subject}, problem);
}

// The /help list, rendered once: "  /name usage" padded to one column, then the summary.
std::string render_help() {
  std::size_t width = 0;
  for (const auto& c : text::kCommands)
    width = std::max(width, c.name.size() + (c.usage.empty() ? 0 : 1 + c.usage.size()));
  std::string out(text::kHelpHeader);
  for (const auto& c : text::kCommands) {
    std::string usage(c.name);
    if (!c.usage.empty()) usage += ' ' + std::string(c.usage);
    out += text::kHelpItemIndent;
    out += usage;
    out.append(width - usage.size(), ' ');
    out += text::kHelpSummaryGap;
    out += c.summary;
    if (!c.alias.empty()) {
      out += text::kHelpAliasPrefix;
      out += c.alias;
      out += text::kHelpAliasSuffix;
    }
    out += text::kLineEnd;
  }
  out += text::kHelpFooter;
  return out;
}

const text::CommandHelp* find_help(std::string_view name) {
  for (const auto& c : text::kCommands) {
    if (equal_ignoring_ascii_case(name, c.name) ||
        (!c.alias.empty() && equal_ignoring_ascii_case(name, c.alias))) {
      return &c;
    }
  }
  return nullptr;
}

std::string without_line_end(const Payload& line) {
  std::string_view t = line.text();
  if (t.ends_with(text::kLineEnd)) t.remove_suffix(text::kLineEnd.size());
  return std::string(t);
}

}  // namespace

ModernDialect::ModernDialect(World& world, const Config& config, Cluster* cluster)
    : world_(world),
      cluster_(cluster),
      server_name_(config.server_name),
      telnet_(config.telnet),
      started_unix_time_(config.started_unix_time),
      prompt_(Payload::copy_of(text::kNamePrompt)),
      help_(Payload::copy_of(render_help())),
      telnet_policy_(make_policy()) {
  world_.set_name_key(&names::key);
  world_.set_history_limit(config.history_lines);
  std::string greeting;
  if (telnet_) {
    TelnetOptions scratch;  // only for the bytes: each session records its own offers
    for (std::uint8_t option : kOffers)
      scratch.offer_local(option, greeting);
  }
  greeting += text::kWelcomePrefix;
  greeting += server_name_;
  greeting += text::kWelcomeSuffix;
  greeting += text::kNamePrompt;
  greeting_ = Payload::copy_of(greeting);
  const char eor[] = {static_cast<char>(telnet::kIAC), static_cast<char>(telnet::kEOR)};
  end_of_record_ = Payload::copy_of(std::string_view(eor, sizeof eor));
}

// --- arriving ---

void ModernDialect::on_connect(Session& session) {
  if (telnet_) {
    std::string offers;  // the same bytes as in greeting_, which every session shares
    for (std::uint8_t option : kOffers)
      session.telnet.offer_local(option, offers);
  }
  world_.send(session, greeting_);
}

void ModernDialect::prompt(Session& session) {
  world_.send(session, prompt_);
  if (session.telnet.local_enabled(telnet::kOptEOR)) world_.send(session, end_of_record_);
}

void ModernDialect::on_line(Session& session, std::string_view raw, Instant now) {
  // Stripped first, then made safe: a line of printable text is used as it came.
  const SafeText safe(strip(raw));
  const std::string_view line = safe.view();
  const ConnId id = session.id;
  if (line.empty()) {
    if (session.phase == Phase::LoggingIn) prompt(session);
    return;
  }
  const ParsedLine parsed = parse(line);
  if (parsed.is_command) {
    run_command(session, parsed.word, parsed.argument, now);
  } else if (session.phase == Phase::LoggingIn) {
    login(session, parsed.argument, now);
  } else {
    say(session, parsed.argument, now);
  }
  // A command may have closed the session; one still choosing a name is asked again.
  // One whose name is with the store is asked again only if the store refuses it.
  Session* still = world_.find(id);
  if (still && still->phase == Phase::LoggingIn && !still->awaiting_claim) prompt(*still);
}

void ModernDialect::run_command(Session& session, std::string_view word, std::string_view argument,
                                Instant now) {
  struct Command {
    std::string_view name;
    Handler handler;
    bool before_login;  // usable while still choosing a name
  };
  static constexpr std::array<Command, 14> kTable{{
      {"say", &ModernDialect::say, false},
      {"me", &ModernDialect::emote, false},
      {"msg", &ModernDialect::whisper, false},
      {"tell", &ModernDialect::whisper, false},
      {"join", &ModernDialect::join, false},
      {"leave", &ModernDialect::leave, false},
      {"rooms", &ModernDialect::list_rooms, true},
      {"look", &ModernDialect::look, false},
      {"who", &ModernDialect::who, true},
      {"nick", &ModernDialect::nick, false},
      {"login", &ModernDialect::login, true},
      {"help", &ModernDialect::help, true},
      {"quit", &ModernDialect::quit, true},
      {"logout", &ModernDialect::quit, true},
  }};
  const auto it = std::find_if(kTable.begin(), kTable.end(), [word](const Command& c) {
    return equal_ignoring_ascii_case(word, c.name);
  });
  if (it == kTable.end()) {
    world_.send(session, Payload::concat(text::kUnknownPrefix, word, text::kUnknownSuffix));
  } else if (session.phase == Phase::LoggingIn && !it->before_login) {
    world_.send(session, text::kLogInFirst);
  } else {
    (this->*(it->handler))(session, argument, now);
  }
}

bool ModernDialect::acceptable_name(Session& session, std::string_view name,
                                    std::string_view subject) {
  const auto problem = names::check(name);
  if (problem) world_.send(session, problem_text(*problem, subject));
  return !problem;
}

void ModernDialect::login(Session& session, std::string_view name, Instant now) {
  if (session.phase != Phase::LoggingIn) {
    world_.send(session, Payload::concat(text::kAlreadyLoggedInPrefix, session.name,
                                         text::kAlreadyLoggedInSuffix));
    return;
  }
  if (name.empty()) {
    world_.send(session, text::kLoginUsage);
    return;
  }
  if (!acceptable_name(session, name, text::kNameSubject)) return;
  if (name_taken(name, nullptr)) {
    world_.send(session, Payload::concat(text::kNameTakenPrefix, name, text::kNameTakenSuffix));
    return;
  }
  if (cluster_) {
    cluster_->claim(session, std::string(name), now);  // ClaimSettled goes on
    return;
  }
  finish_login(session, std::string(name), now);
}

// Held by another session here, or by anyone on another node; `self` may hold it (in another
// case) and take it again.
bool ModernDialect::name_taken(std::string_view name, const Session* self) const {
  const Session* holder = world_.find_by_name(name);
  if (holder && holder != self) return true;
  return cluster_ && cluster_->name_held_elsewhere(name);
}

void ModernDialect::finish_login(Session& session, std::string name, Instant now) {
  Room& main = world_.main_room();
  // Clustered, the arrival is announced on every node when it comes back from the store.
  if (!cluster_) announce(main, Payload::concat(name, text::kJoinedChatSuffix));
  world_.log_in(session, std::move(name));
  world_.send(session, Payload::concat(text::kHelloPrefix, session.name, text::kHelloMiddle,
                                       main.name, text::kHelloSuffix));
  if (!cluster_) show_history(session, main);  // clustered: when the arrival comes back
  if (takes_gmcp(session)) send_gmcp_name(session);
  world_.log(now, LogLevel::Info, session.id, "logged in as \"" + session.name + "\"");
  if (cluster_) cluster_->entered(session);
}

// --- talking ---

bool ModernDialect::takes_gmcp(const Session& session) const {
  return session.telnet.local_enabled(telnet::kOptGMCP);
}

void ModernDialect::send_gmcp_name(Session& session) {
  world_.send(session, gmcp::char_name(session.name));
}

void ModernDialect::tell_room(Room& room, std::string_view talker, const Payload& line) {
  std::optional<Payload> gmcp_line;  // rendered for the first member who takes GMCP
  for (ConnId id : room.members) {
    Session* member = world_.find(id);
    if (!member || member->awaiting_echo) continue;  // it comes in their history
    world_.send(*member, line);
    if (!takes_gmcp(*member)) continue;
    if (!gmcp_line) gmcp_line = gmcp::channel_text(room.name, talker, without_line_end(line));
    world_.send(*member, *gmcp_line);
  }
  room.history.add(line);
}

void ModernDialect::announce(const Room& room, const Payload& notice, ConnId except) {
  for (ConnId id : room.members) {
    if (id == except) continue;
    Session* member = world_.find(id);
    // Clustered, a newcomer hears the room from its own arrival on, in the bus's order.
    if (member && !member->awaiting_echo) world_.send(*member, notice);
  }
}

void ModernDialect::say(Session& session, std::string_view said, Instant) {
  if (said.empty()) {
    world_.send(session, text::kSayUsage);
    return;
  }
  Payload line = Payload::concat(session.name, text::kSaySeparator, said, text::kLineEnd);
  if (cluster_) {
    cluster_->say_in(session.room->name, session.name, std::move(line));  // told on the echo
  } else {
    tell_room(*session.room, session.name, line);
  }
}

void ModernDialect::emote(Session& session, std::string_view action, Instant) {
  if (action.empty()) {
    world_.send(session, text::kEmoteUsage);
    return;
  }
  Payload line = Payload::concat(text::kEmotePrefix, session.name, text::kEmoteSeparator, action,
                                 text::kLineEnd);
  if (cluster_) {
    cluster_->say_in(session.room->name, session.name, std::move(line));  // told on the echo
  } else {
    tell_room(*session.room, session.name, line);
  }
}

void ModernDialect::whisper(Session& session, std::string_view argument, Instant) {
  const auto [name, said] = split_word(argument);
  if (name.empty() || said.empty()) {
    world_.send(session, text::kMsgUsage);
    return;
  }
  Session* to = world_.find_by_name(name);
  if (!to && cluster_) {
    if (const auto elsewhere = cluster_->find_elsewhere(name)) {
      cluster_->whisper(*elsewhere, session.name, said);  // delivered on the addressee's node
      echo_whisper(session, elsewhere->name, said);
      return;
    }
  }
  if (!to) {
    world_.send(session, Payload::concat(text::kNoSuchUserPrefix, name, text::kNoSuchUserSuffix));
    return;
  }
  if (to == &session) {
    world_.send(session, text::kWhisperToSelf);
    return;
  }
  deliver_whisper(*to, session.name, said);
  echo_whisper(session, to->name, said);
}

void ModernDialect::deliver_whisper(Session& to, std::string_view from, std::string_view said) {
  const Payload heard = Payload::concat(from, text::kWhisperFromSuffix, said, text::kLineEnd);
  world_.send(to, heard);
  if (takes_gmcp(to)) {
    world_.send(to, gmcp::channel_text(text::kGmcpTellChannel, from, without_line_end(heard)));
  }
}

void ModernDialect::echo_whisper(Session& session, std::string_view to, std::string_view said) {
  const Payload echoed =
      Payload::concat(text::kWhisperToPrefix, to, text::kWhisperToSeparator, said, text::kLineEnd);
  world_.send(session, echoed);
  if (takes_gmcp(session)) {
    world_.send(session,
                gmcp::channel_text(text::kGmcpTellChannel, session.name, without_line_end(echoed)));
  }
}

// --- rooms ---

void ModernDialect::show_history(Session& session, const Room& room) {
  if (room.history.empty()) return;
  world_.send(session, Payload::concat(text::kHistoryPrefix, room.name, text::kHistorySuffix));
  room.history.for_each([&](const Payload& line) { world_.send(session, line); });
  world_.send(session, text::kHistoryEnd);
}

void ModernDialect::join(Session& session, std::string_view name, Instant now) {
  if (name.empty()) {
    world_.send(session, text::kJoinUsage);
    return;
  }
  if (!acceptable_name(session, name, text::kRoomSubject)) return;
  if (world_.key_of(name) == world_.key_of(session.room->name)) {
    world_.send(session, Payload::concat(text::kAlreadyInPrefix, session.room->name,
                                         text::kAlreadyInSuffix));
    return;
  }
  const std::string from = session.room->name;
  const Room* existing = world_.find_room(name);
  std::string to = existing ? existing->name : std::string(name);
  // A room only other nodes have members in goes by the name it has there.
  if (!existing && cluster_) to = cluster_->room_named(name).value_or(to);
  if (!cluster_) {
    announce(*session.room,
             Payload::concat(session.name, text::kWentToMiddle, to, text::kMoveSuffix), session.id);
  }
  Room& room = world_.move_to(session, to);  // the room left may be gone now
  if (cluster_) {
    cluster_->moved(session, from);  // both rooms are told on every node on the echo
  } else {
    announce(room, Payload::concat(session.name, text::kCameInFromMiddle, from, text::kMoveSuffix),
             session.id);
  }
  world_.send(session, Payload::concat(text::kNowInPrefix, room.name, text::kNowInSuffix));
  if (!cluster_) show_history(session, room);  // clustered: when the arrival comes back
  world_.log(now, LogLevel::Debug, session.id, "\"" + session.name + "\" went to " + room.name);
}

void ModernDialect::leave(Session& session, std::string_view, Instant now) {
  const Room& main = world_.main_room();
  if (session.room == &main) {
    world_.send(session,
                Payload::concat(text::kAlreadyInPrefix, main.name, text::kAlreadyInSuffix));
    return;
  }
  join(session, main.name, now);
}

std::size_t ModernDialect::player_count() const {
  return cluster_ ? cluster_->placed_members().size() : world_.logged_in().size();
}

std::vector<PlacedMember> ModernDialect::everyone() const {
  if (cluster_) return cluster_->placed_members();
  std::vector<PlacedMember> placed;
  for (ConnId id : world_.logged_in()) {
    const Session* other = world_.find(id);
    if (other && other->room) placed.push_back({other->name, other->room->name});
  }
  return placed;
}

void ModernDialect::list_rooms(Session& session, std::string_view, Instant) {
  // By key: the main room first, then the others in key order, as World::rooms() lists them.
  struct Listed {
    std::string name;
    std::size_t count = 0;
  };
  std::map<std::string, Listed> listed;
  const std::string main_key = world_.key_of(world_.main_room().name);
  listed.try_emplace(main_key, Listed{world_.main_room().name, 0});
  if (cluster_) {
    for (const PlacedMember& member : cluster_->placed_members())
      ++listed.try_emplace(world_.key_of(member.room), Listed{member.room, 0}).first->second.count;
  } else {
    for (const Room* room : world_.rooms())
      listed.insert_or_assign(world_.key_of(room->name), Listed{room->name, room->members.size()});
  }
  auto render = [](std::string& reply, const Listed& room) {
    reply += text::kListIndent;
    reply += room.name;
    reply += text::kCountOpen;
    reply += std::to_string(room.count);
    reply += text::kCountClose;
  };
  std::string reply(text::kRoomsHeader);
  render(reply, listed.at(main_key));
  for (const auto& [key, room] : listed) {
    if (key != main_key) render(reply, room);
  }
  world_.send(session, reply);
}

void ModernDialect::look(Session& session, std::string_view, Instant) {
  const Room& room = *session.room;
  std::vector<std::string> names;
  if (cluster_) {  // in order of entry, as the bus told of it
    const std::string key = world_.key_of(room.name);
    std::vector<PlacedMember> here = cluster_->placed_members();
    std::erase_if(here, [&](const PlacedMember& m) { return world_.key_of(m.room) != key; });
    std::stable_sort(here.begin(), here.end(), [](const PlacedMember& x, const PlacedMember& y) {
      return x.since < y.since;
    });
    for (PlacedMember& member : here)
      names.push_back(std::move(member.name));
  } else {
    for (ConnId id : room.members) {
      if (const Session* member = world_.find(id)) names.push_back(member->name);
    }
  }
  std::string reply(text::kLookPrefix);
  reply += room.name;
  reply += text::kCountOpen;
  reply += std::to_string(names.size());
  reply += text::kLookCountClose;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) reply += text::kNameSeparator;
    reply += names[i];
  }
  reply += text::kLineEnd;
  world_.send(session, reply);
}

void ModernDialect::who(Session& session, std::string_view, Instant) {
  const std::vector<PlacedMember> placed = everyone();
  std::string reply(text::kWhoHeaderPrefix);
  reply += std::to_string(placed.size());
  reply += text::kWhoHeaderSuffix;
  for (const PlacedMember& other : placed) {
    reply += text::kListIndent;
    reply += other.name;
    reply += text::kWhoInRoom;
    reply += other.room;
    reply += text::kLineEnd;
  }
  world_.send(session, reply);
}

// --- names ---

void ModernDialect::nick(Session& session, std::string_view name, Instant now) {
  if (name.empty()) {
    world_.send(session, text::kNickUsage);
    return;
  }
  if (name == session.name) {
    world_.send(session,
                Payload::concat(text::kAlreadyCalledPrefix, name, text::kAlreadyCalledSuffix));
    return;
  }
  if (!acceptable_name(session, name, text::kNameSubject)) return;
  // The same name in another case is the user's own, and free to take.
  if (name_taken(name, &session)) {
    world_.send(session, Payload::concat(text::kNameTakenPrefix, name, text::kNameTakenSuffix));
    return;
  }
  if (cluster_) {
    cluster_->claim(session, std::string(name), now);  // ClaimSettled goes on
    return;
  }
  finish_nick(session, std::string(name), now);
}

void ModernDialect::finish_nick(Session& session, std::string name, Instant now) {
  const std::string old = session.name;
  world_.rename(session, std::move(name));
  world_.send(session,
              Payload::concat(text::kNowKnownAsPrefix, session.name, text::kNowKnownAsSuffix));
  if (cluster_) {
    cluster_->renamed(session, old);  // the room is told on every node on the echo
  } else {
    announce(*session.room,
             Payload::concat(old, text::kRenamedMiddle, session.name, text::kRenamedSuffix),
             session.id);
  }
  if (takes_gmcp(session)) send_gmcp_name(session);
  world_.log(now, LogLevel::Info, session.id, "\"" + old + "\" is now \"" + session.name + "\"");
}

// --- help ---

void ModernDialect::help(Session& session, std::string_view command, Instant) {
  if (command.empty()) {
    world_.send(session, help_);
    return;
  }
  if (command.starts_with('/')) command.remove_prefix(1);
  const text::CommandHelp* found = find_help(command);
  if (!found) {
    world_.send(session,
                Payload::concat(text::kNoSuchCommandPrefix, command, text::kNoSuchCommandSuffix));
    return;
  }
  std::string reply = "/" + std::string(found->name);
  if (!found->usage.empty()) reply += " " + std::string(found->usage);
  if (!found->alias.empty()) {
    reply += text::kHelpAliasPrefix;
    reply += found->alias;
    reply += text::kHelpAliasSuffix;
  }
  reply += text::kHelpDetailSeparator;
  reply += found->details;
  reply += text::kLineEnd;
  world_.send(session, reply);
}

// --- leaving ---

void ModernDialect::quit(Session& session, std::string_view, Instant now) {
  if (session.name.empty()) {
    world_.send(session, Payload::concat(text::kGoodbyePrefix, text::kGoodbyeSuffix));
  } else {
    world_.send(session, Payload::concat(text::kGoodbyePrefix, text::kGoodbyeNameSeparator,
                                         session.name, text::kGoodbyeSuffix));
  }
  on_leave(session, now);
  world_.close_after_flush(session, CloseReason::Logout, now);
}

void ModernDialect::on_leave(Session& session, Instant now) {
  if (session.name.empty()) return;
  const std::string name = session.name;
  const std::string room_name = session.room ? session.room->name : std::string();
  if (cluster_) cluster_->leaving(session);  // announced on every node on the echo
  world_.log_out(session);  // the room may be gone now, if the leaver was its last member
  const Room* room = cluster_ ? nullptr : world_.find_room(room_name);
  if (room) announce(*room, Payload::concat(name, text::kLeftChatSuffix));
  world_.log(now, LogLevel::Info, session.id, "logged out \"" + name + "\"");
}

void ModernDialect::on_line_too_long(Session& session, std::size_t limit) {
  world_.send(session, Payload::concat(text::kLineTooLongPrefix, std::to_string(limit),
                                       text::kLineTooLongSuffix));
  if (session.phase == Phase::LoggingIn) prompt(session);
}

void ModernDialect::on_shutdown(Session& session) {
  world_.send(session, text::kShuttingDown);
}

void ModernDialect::on_server_full(Session& session) {
  world_.send(session, text::kServerFull);
}

void ModernDialect::on_too_many_from_address(Session& session) {
  world_.send(session, text::kTooManyFromAddress);
}

void ModernDialect::on_login_timeout(Session& session) {
  world_.send(session, text::kLoginTimedOut);
}

void ModernDialect::on_idle_timeout(Session& session) {
  world_.send(session, text::kIdleTimedOut);
}

// --- clustered ---

void ModernDialect::on_cluster(const ClusterNews& news, Instant now) {
  if (const auto* heard = std::get_if<HeardLine>(&news)) {
    if (Room* room = world_.find_room(heard->room)) tell_room(*room, heard->talker, heard->line);
  } else if (const auto* enter = std::get_if<HeardEnter>(&news)) {
    if (const Room* room = world_.find_room(enter->room)) {
      announce(*room,
               enter->from.empty() ? Payload::concat(enter->name, text::kJoinedChatSuffix)
                                   : Payload::concat(enter->name, text::kCameInFromMiddle,
                                                     enter->from, text::kMoveSuffix),
               enter->own);
    }
    arrived(enter->own);
  } else if (const auto* held = std::get_if<RoomHeld>(&news)) {
    world_.hold_room(held->room, held->held);
  } else if (const auto* history = std::get_if<HistoryHeard>(&news)) {
    if (Room* room = world_.find_room(history->room))
      room->history.take_earlier(history->earlier, history->recent);
  } else if (const auto* leave = std::get_if<HeardLeave>(&news)) {
    // A mover already back in the room they left does not hear themselves go.
    if (const Room* room = world_.find_room(leave->room)) {
      announce(*room,
               leave->to.empty() ? Payload::concat(leave->name, text::kLeftChatSuffix)
                                 : Payload::concat(leave->name, text::kWentToMiddle, leave->to,
                                                   text::kMoveSuffix),
               leave->own);
    }
  } else if (const auto* rename = std::get_if<HeardRename>(&news)) {
    if (const Room* room = world_.find_room(rename->room)) {
      announce(*room,
               Payload::concat(rename->old_name, text::kRenamedMiddle, rename->new_name,
                               text::kRenamedSuffix),
               rename->own);
    }
  } else if (const auto* whisper = std::get_if<HeardWhisper>(&news)) {
    if (Session* to = world_.find(whisper->to)) deliver_whisper(*to, whisper->from, whisper->text);
  } else if (const auto* undelivered = std::get_if<WhisperUndelivered>(&news)) {
    if (Session* from = world_.find(undelivered->from)) {
      world_.send(*from, Payload::concat(text::kUndeliveredPrefix, undelivered->to,
                                         text::kUndeliveredSuffix));
    }
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

// One of ours came back into its room (logged in or moved): it hears the room from here on,
// and what was said there before, as everyone who was there heard it.
void ModernDialect::arrived(ConnId own) {
  if (own == ConnId{} || !cluster_->confirm(own)) return;
  Session* session = world_.find(own);
  if (session && session->room) show_history(*session, *session->room);
}

// The store answered a login's claim (the session is choosing a name) or a /nick's (it is
// chatting); either may have gone meanwhile.
void ModernDialect::settle_claim(const ClaimSettled& settled, Instant now) {
  Session* session = world_.find(settled.conn);
  const bool logging_in = session && session->phase == Phase::LoggingIn;
  const bool renaming = session && session->phase == Phase::Chatting;
  if (!logging_in && !renaming) {  // gone or closing: nobody here wants the name any more
    if (settled.granted && !world_.name_taken(settled.name)) cluster_->release(settled.name);
    return;
  }
  // Taken meanwhile on this node (the link broke and another got in first), or elsewhere.
  if (!settled.granted || name_taken(settled.name, renaming ? session : nullptr)) {
    world_.send(*session,
                Payload::concat(text::kNameTakenPrefix, settled.name, text::kNameTakenSuffix));
    if (logging_in) prompt(*session);
    return;
  }
  if (logging_in) {
    finish_login(*session, settled.name, now);
  } else {
    finish_nick(*session, settled.name, now);
  }
}

void ModernDialect::lose_name(ConnId conn, Instant now) {
  Session* session = world_.find(conn);
  if (!session || session->phase != Phase::Chatting) return;
  const std::string name = session->name;
  world_.log(now, LogLevel::Warning, conn,
             "\"" + name + "\" was claimed by another node while the store was out of reach: " +
                 "logged out");
  on_leave(*session, now);
  world_.send(*session, Payload::concat(text::kNameLostPrefix, name, text::kNameLostSuffix));
  prompt(*session);
}

void ModernDialect::tell_everyone(std::string_view notice) {
  world_.broadcast(world_.logged_in(), Payload::copy_of(notice));
}

// --- telnet ---

void ModernDialect::on_option_changed(Session& session, std::uint8_t option) {
  const bool ours = session.telnet.local_enabled(option);
  switch (option) {
    case telnet::kOptEOR:
      // The name prompt is already on the screen: mark it now that the client reads marks.
      if (ours && session.phase == Phase::LoggingIn) world_.send(session, end_of_record_);
      break;
    case telnet::kOptMSSP:
      if (ours) {
        world_.send(session, mssp::report({server_name_, player_count(), started_unix_time_}));
      }
      break;
    case telnet::kOptGMCP:
      if (ours && session.phase == Phase::Chatting) send_gmcp_name(session);
      break;
    case telnet::kOptCharset:
      // The client asked us to do CHARSET (DO): we make the request. If it offered to do it
      // itself (WILL), it sends the request and we answer in on_subnegotiation.
      if (ours) world_.send(session, charset::request_utf8());
      break;
    default:
      break;
  }
}

void ModernDialect::on_subnegotiation(Session& session, const TelnetSubnegotiation& sub) {
  if (sub.option != telnet::kOptCharset || sub.truncated || sub.data.empty()) return;
  const bool agreed = session.telnet.local_enabled(telnet::kOptCharset) ||
                      session.telnet.remote_enabled(telnet::kOptCharset);
  if (agreed && static_cast<std::uint8_t>(sub.data[0]) == charset::kRequest) {
    world_.send(session, charset::answer_request(sub.data));
  }
  // ACCEPTED or REJECTED answers to our request need nothing: text is UTF-8 either way. GMCP
  // from the client (Core.Hello, Core.Supports.Set) asks for nothing teaparty has.
}

}  // namespace teaparty::core
