#include "sim/say_oracle.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "core/classic_texts.h"
#include "core/modern_texts.h"
#include "sim/queued_output.h"

namespace teaparty::sim {
namespace {

// Longer than any say core can send (a line of up to the line limit plus a name of as much):
// a longer run of bytes without a line end cannot be one.
constexpr std::size_t kLongestSayLine = std::size_t{1} << 20;

std::string name(core::ConnId conn) {
  return "connection " + std::to_string(conn.value);
}

// The number of the marker a line ends with, if it ends with one ("alice: hi [m17]").
std::optional<std::uint64_t> marker_at_end(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.empty() || line.back() != ']') return std::nullopt;
  const std::size_t open = line.rfind("[m");
  if (open == std::string_view::npos) return std::nullopt;
  const std::string_view digits = line.substr(open + 2, line.size() - open - 3);
  const bool all_digits = !digits.empty() && std::all_of(digits.begin(), digits.end(), [](char c) {
    return c >= '0' && c <= '9';
  });
  std::uint64_t number = 0;
  if (!all_digits) return std::nullopt;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (error != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return number;
}

// A say as core queues it: one payload holding one line, `NAME: TEXT [mN]` and CR LF. Replies
// that list names or echo a word are told apart by shape: a name or an unknown word can end
// with a marker when a client's bytes run two lines together.
std::optional<std::uint64_t> say_in(std::string_view payload) {
  if (!payload.ends_with("\r\n") || payload.find('\n') != payload.size() - 1) return std::nullopt;
  if (payload.starts_with(core::classic_text::kUnknownPrefix)) return std::nullopt;
  const std::string_view line = payload.substr(0, payload.size() - 2);
  if (line.find(": ") == std::string_view::npos) return std::nullopt;
  return marker_at_end(line);
}

// The key of the room the connection is in, or empty if it is in none.
std::string room_of(const core::Server& server, core::ConnId conn) {
  for (const core::Room* room : server.world().rooms()) {
    if (std::find(room->members.begin(), room->members.end(), conn) != room->members.end())
      return server.world().key_of(room->name);
  }
  return {};
}

// A history block is one payload of header, the remembered lines, and one payload of end.
std::optional<std::string_view> history_header_room(std::string_view payload) {
  if (!payload.starts_with(core::modern_text::kHistoryPrefix) ||
      !payload.ends_with(core::modern_text::kHistorySuffix)) {
    return std::nullopt;
  }
  payload.remove_prefix(core::modern_text::kHistoryPrefix.size());
  payload.remove_suffix(core::modern_text::kHistorySuffix.size());
  return payload;
}

}  // namespace

std::string SayOracle::marker(std::uint64_t number) {
  return "[m" + std::to_string(number) + "]";
}

void SayOracle::before_input(const core::Server& server, std::optional<core::ConnId> receiver) {
  before_.clear();
  const bool rooms_change = server.config().dialect == core::DialectKind::Modern;
  for (core::ConnId id : server.world().session_ids()) {
    const core::Session* session = server.world().find(id);
    // A tick handles the lines the rate limit held back, whoever typed them.
    const bool acts =
        receiver ? *receiver == id : !session->held_input.empty() || session->end_of_stream_held;
    before_[id.value] = {server.queued_bytes(id), room_of(server, id), rooms_change && acts,
                         session->phase};
  }
}

// An input only appends output, so the payloads a connection was sent during it are the ones
// queued past what it had before.
std::vector<SayOracle::Sent> SayOracle::says_sent_during_input(const core::Server& server) const {
  std::vector<Sent> sent;
  for (core::ConnId id : server.world().session_ids()) {
    auto before = before_.find(id.value);
    if (before == before_.end() || server.queued_bytes(id) <= before->second.queued) continue;
    Sent heard{id, {}, {}};
    std::size_t offset = 0;
    bool in_history = false;
    for (std::string_view payload : queued_views(server, id)) {
      offset += payload.size();
      if (offset <= before->second.queued) continue;
      if (history_header_room(payload)) in_history = true;
      if (payload == core::modern_text::kHistoryEnd) in_history = false;
      if (in_history) continue;
      if (auto number = say_in(payload)) {
        heard.markers.push_back(*number);
        heard.lines.emplace_back(payload.substr(0, payload.size() - 1));
      }
    }
    if (!heard.markers.empty()) sent.push_back(std::move(heard));
  }
  return sent;
}

SayOracle::Violation SayOracle::check_input(const core::Server& server,
                                            const std::vector<Sent>& sent) const {
  // Once per connection, once ever.
  std::set<std::uint64_t> all;
  for (const Sent& s : sent) {
    std::set<std::uint64_t> seen;
    for (std::uint64_t m : s.markers) {
      if (!seen.insert(m).second) return name(s.conn) + " was sent say " + marker(m) + " twice";
      if (said_.contains(m)) return "say " + marker(m) + " was handled a second time";
      all.insert(m);
    }
  }
  // One order for all: whoever heard the most sets it, and everyone else's must agree.
  const Sent& reference = *std::max_element(sent.begin(), sent.end(), [](auto& a, auto& b) {
    return a.markers.size() < b.markers.size();
  });
  for (const Sent& s : sent) {
    std::size_t last = 0;
    for (std::uint64_t m : s.markers) {
      auto at = std::find(reference.markers.begin(), reference.markers.end(), m);
      if (at == reference.markers.end()) continue;
      const auto index = static_cast<std::size_t>(at - reference.markers.begin()) + 1;
      if (index < last) {
        return name(s.conn) + " was sent say " + marker(m) + " after " +
               marker(reference.markers[last - 1]) + ", " + name(reference.conn) +
               " the other way round";
      }
      last = index;
    }
  }
  // The room each say was said in: the one its hearers stayed in throughout. Everyone in that
  // room throughout heard it; nobody who never was in a room heard any of it.
  auto sent_to = [&](std::uint64_t conn) -> const Sent* {
    for (const Sent& s : sent)
      if (s.conn.value == conn) return &s;
    return nullptr;
  };
  auto stayed_in = [&](std::uint64_t conn, const Before& before) -> std::string {
    if (before.may_move || before.room.empty()) return {};
    return room_of(server, core::ConnId{conn}) == before.room ? before.room : std::string();
  };
  for (std::uint64_t m : all) {
    std::optional<std::string> said_in;
    for (const Sent& s : sent) {
      if (std::find(s.markers.begin(), s.markers.end(), m) == s.markers.end()) continue;
      auto before = before_.find(s.conn.value);
      const std::string room = stayed_in(s.conn.value, before->second);
      if (room.empty()) continue;
      if (said_in && *said_in != room) {
        return "say " + marker(m) + " reached rooms \"" + *said_in + "\" and \"" + room + "\"";
      }
      said_in = room;
    }
    if (!said_in) continue;
    for (const auto& [conn, before] : before_) {
      if (stayed_in(conn, before) != *said_in) continue;
      const Sent* heard = sent_to(conn);
      if (!heard ||
          std::find(heard->markers.begin(), heard->markers.end(), m) == heard->markers.end()) {
        return name(core::ConnId{conn}) + " was in the room throughout but was not sent say " +
               marker(m) + " (room \"" + *said_in + "\")";
      }
    }
  }
  for (const auto& [conn, before] : before_) {
    const core::Session* session = server.world().find(core::ConnId{conn});
    const Sent* heard = sent_to(conn);
    const bool never_in_room = before.room.empty() && room_of(server, core::ConnId{conn}).empty() &&
                               (before.phase == core::Phase::Closing ||
                                (session && session->phase == core::Phase::LoggingIn));
    if (heard && never_in_room) {
      return name(core::ConnId{conn}) + " was sent say " + marker(heard->markers.front()) +
             " but was not in the room";
    }
  }
  return std::nullopt;
}

SayOracle::Violation SayOracle::after_input(const core::Server& server) {
  const std::vector<Sent> sent = says_sent_during_input(server);
  if (sent.empty()) return std::nullopt;
  if (Violation violation = check_input(server, sent)) return violation;
  for (const Sent& s : sent) {
    std::deque<std::uint64_t>& owed = listeners_[s.conn.value].owed;
    const Before& before = before_.at(s.conn.value);
    const bool stayed =
        !before.may_move && !before.room.empty() && room_of(server, s.conn) == before.room;
    for (std::size_t i = 0; i < s.markers.size(); ++i) {
      said_.emplace(s.markers[i], s.lines[i]);
      if (stayed) said_in_.emplace(s.markers[i], before.room);
      owed.push_back(s.markers[i]);
    }
  }
  return check_history(server);
}

SayOracle::Violation SayOracle::check_history(const core::Server& server) const {
  for (core::ConnId id : server.world().session_ids()) {
    auto before = before_.find(id.value);
    if (before == before_.end() || server.queued_bytes(id) <= before->second.queued) continue;
    std::size_t offset = 0;
    std::optional<std::string> room;  // while in a block: its room's key
    std::size_t lines = 0;
    for (std::string_view payload : queued_views(server, id)) {
      offset += payload.size();
      if (offset <= before->second.queued) continue;
      if (auto header = history_header_room(payload)) {
        room = server.world().key_of(*header);
        lines = 0;
      } else if (payload == core::modern_text::kHistoryEnd) {
        room.reset();
      } else if (room) {
        if (++lines > server.world().history_limit()) {
          return name(id) + " was shown more than " +
                 std::to_string(server.world().history_limit()) + " lines of history of \"" +
                 *room + "\"";
        }
        const auto number = say_in(payload);
        if (!number) continue;
        auto said_in = said_in_.find(*number);
        if (said_in != said_in_.end() && said_in->second != *room) {
          return name(id) + " was shown say " + marker(*number) + " said in \"" + said_in->second +
                 "\" as history of \"" + *room + "\"";
        }
      }
    }
  }
  return std::nullopt;
}

// A line the client read: if it is a say the oracle saw core queue, it must be the next one
// this connection is owed. (The say may follow bytes without a line end, a telnet answer say,
// so the line need only end with it.)
SayOracle::Violation SayOracle::check_line(core::ConnId conn, std::string_view line) {
  const auto number = marker_at_end(line);
  if (!number) return std::nullopt;
  auto said = said_.find(*number);
  if (said == said_.end() || !line.ends_with(said->second)) return std::nullopt;
  ++deliveries_checked_;
  std::deque<std::uint64_t>& owed = listeners_[conn.value].owed;
  if (owed.empty() || owed.front() != *number) {
    return name(conn) + " received say " + marker(*number) + " where it was owed " +
           (owed.empty() ? std::string("nothing") : marker(owed.front()));
  }
  owed.pop_front();
  return std::nullopt;
}

SayOracle::Violation SayOracle::on_written(core::ConnId conn, std::string_view bytes) {
  std::string& partial = listeners_[conn.value].partial_line;
  while (!bytes.empty()) {
    const std::size_t end = bytes.find('\n');
    partial.append(bytes.substr(0, end));
    if (end == std::string_view::npos) break;
    bytes.remove_prefix(end + 1);
    // History lines were said before: what they carry is not owed again.
    Listener& listener = listeners_[conn.value];
    // (A line may follow bytes without a line end, a GMCP message say, so only its end counts.)
    const bool history = listener.in_history;
    const std::string_view header_end = core::modern_text::kHistorySuffix;
    const std::string_view block_end = core::modern_text::kHistoryEnd;
    if (partial.find(core::modern_text::kHistoryPrefix) != std::string::npos &&
        partial.ends_with(header_end.substr(0, header_end.size() - 1))) {
      listener.in_history = true;
    }
    if (partial.ends_with(block_end.substr(0, block_end.size() - 1))) listener.in_history = false;
    Violation violation = history ? std::nullopt : check_line(conn, partial);
    partial.clear();
    if (violation) return violation;
  }
  if (partial.size() > kLongestSayLine) partial.clear();
  return std::nullopt;
}

SayOracle::Violation SayOracle::after_writing_everything(core::ConnId conn) {
  auto it = listeners_.find(conn.value);
  if (it == listeners_.end() || it->second.owed.empty()) return std::nullopt;
  return name(conn) + " was written everything core queued for it but never received say " +
         marker(it->second.owed.front());
}

}  // namespace teaparty::sim
