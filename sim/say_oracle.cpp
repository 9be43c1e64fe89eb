#include "sim/say_oracle.h"

#include <algorithm>
#include <set>

#include "core/classic_texts.h"
#include "core/modern_texts.h"
#include "sim/queued_output.h"
#include "sim/room_lines.h"

namespace teaparty::sim {
namespace {

// Longer than any say core can send (a line of up to the line limit plus a name of as much):
// a longer run of bytes without a line end cannot be one.
constexpr std::size_t kLongestSayLine = std::size_t{1} << 20;

std::string name(core::ConnId conn) {
  return "connection " + std::to_string(conn.value);
}

// The one line a payload holds, CR LF cut off, if it holds exactly one.
std::optional<std::string_view> one_line(std::string_view payload) {
  if (!payload.ends_with("\r\n") || payload.find('\n') != payload.size() - 1) return std::nullopt;
  return payload.substr(0, payload.size() - 2);
}

// A say as core queues it: one payload holding one line, `NAME: TEXT [mN]` and CR LF. Replies
// that list names or echo a word are told apart by shape: a name or an unknown word can end
// with a marker when a client's bytes run two lines together.
std::optional<std::uint64_t> say_in(std::string_view payload) {
  const auto line = one_line(payload);
  if (!line || line->starts_with(core::classic_text::kUnknownPrefix)) return std::nullopt;
  if (line->find(": ") == std::string_view::npos) return std::nullopt;
  const auto ending = marker_at_end(*line);
  if (!ending || ending->whisper) return std::nullopt;
  return ending->number;
}

// A whisper as core queues it: one payload holding one line (sim/room_lines.h) and CR LF.
std::optional<WhisperLine> whisper_in(std::string_view payload) {
  const auto line = one_line(payload);
  if (!line) return std::nullopt;
  return classify_whisper(*line);
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

std::string SayOracle::whisper_marker(std::uint64_t number) {
  return "[w" + std::to_string(number) + "]";
}

std::string SayOracle::marker(Mark mark) {
  return mark.whisper ? whisper_marker(mark.number) : marker(mark.number);
}

// A room that is no longer there is gone for good: a room made later under its name is
// another room, with a history of its own.
void SayOracle::note_rooms(const core::Server& server) {
  std::set<std::string> present;
  for (const core::Room* room : server.world().rooms())
    present.insert(server.world().key_of(room->name));
  for (const std::string& key : rooms_present_) {
    if (!present.contains(key)) ++generations_[key];
  }
  rooms_present_ = std::move(present);
}

SayOracle::RoomRef SayOracle::current(const std::string& key) const {
  auto generation = generations_.find(key);
  return {key, generation == generations_.end() ? 0 : generation->second};
}

void SayOracle::before_input(const core::Server& server, std::optional<core::ConnId> receiver) {
  before_.clear();
  note_rooms(server);
  const bool rooms_change = server.config().dialect == core::DialectKind::Modern;
  for (core::ConnId id : server.world().session_ids()) {
    const core::Session* session = server.world().find(id);
    // A tick handles the lines the rate limit held back, whoever typed them.
    const bool acts =
        receiver ? *receiver == id : !session->held_input.empty() || session->end_of_stream_held;
    before_[id.value] = {server.queued_bytes(id), room_of(server, id), session->name, acts,
                         rooms_change && acts,    session->phase};
  }
}

// An input only appends output, so the payloads a connection was sent during it are the ones
// queued past what it had before.
std::vector<SayOracle::Sent> SayOracle::sent_during_input(
    const core::Server& server, std::vector<WhisperLine>& whispers) const {
  std::vector<Sent> sent;
  for (core::ConnId id : server.world().session_ids()) {
    auto before = before_.find(id.value);
    if (before == before_.end() || server.queued_bytes(id) <= before->second.queued) continue;
    Sent heard{id, {}, {}, {}};
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
        heard.in_order.push_back({false, *number});
      } else if (auto whisper = whisper_in(payload)) {
        whispers.push_back({id, whisper->number, whisper->echo, std::string(whisper->other),
                            std::string(whisper->text),
                            std::string(payload.substr(0, payload.size() - 1))});
        heard.in_order.push_back({true, whisper->number});
      }
    }
    if (!heard.in_order.empty()) sent.push_back(std::move(heard));
  }
  return sent;
}

SayOracle::Violation SayOracle::check_input(const core::Server& server,
                                            const std::vector<Sent>& sent) const {
  if (std::all_of(sent.begin(), sent.end(), [](const Sent& s) { return s.markers.empty(); }))
    return std::nullopt;
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

// Whether a connection that was there before the input is gone after it (closed with whatever
// it was queued, a slow consumer for one).
bool SayOracle::someone_left_during_input(const core::Server& server) const {
  return std::any_of(before_.begin(), before_.end(), [&](const auto& entry) {
    return server.world().find(core::ConnId{entry.first}) == nullptr;
  });
}

SayOracle::Violation SayOracle::check_whispers(const core::Server& server,
                                               const std::vector<WhisperLine>& whispers) const {
  const core::World& world = server.world();
  // Whether the connection was called `name` before or after the input.
  auto called = [&](core::ConnId conn, std::string_view name) {
    const std::string key = world.key_of(name);
    const core::Session* now = world.find(conn);
    auto before = before_.find(conn.value);
    return (now && !now->name.empty() && world.key_of(now->name) == key) ||
           (before != before_.end() && !before->second.name.empty() &&
            world.key_of(before->second.name) == key);
  };
  auto acted = [&](core::ConnId conn) {
    auto before = before_.find(conn.value);
    return before != before_.end() && before->second.acts;
  };
  std::set<std::uint64_t> numbers;
  for (const WhisperLine& w : whispers)
    numbers.insert(w.number);
  for (std::uint64_t number : numbers) {
    const std::string mark = whisper_marker(number);
    if (whispers_.contains(number)) return "whisper " + mark + " was handled a second time";
    const WhisperLine* heard = nullptr;
    const WhisperLine* echo = nullptr;
    for (const WhisperLine& w : whispers) {
      if (w.number != number) continue;
      const WhisperLine*& slot = w.echo ? echo : heard;
      if (slot) {
        return "whisper " + mark + " was sent to " + name(slot->conn) + " and to " + name(w.conn) +
               (w.echo ? " as its sender's echo" : " as its addressee");
      }
      slot = &w;
    }
    if (echo && !acted(echo->conn)) {
      return name(echo->conn) + " was sent the echo of whisper " + mark +
             " but none of its lines was handled";
    }
    if (heard && echo) {
      if (heard->conn == echo->conn) return name(heard->conn) + " whispered " + mark + " to itself";
      if (heard->text != echo->text) {
        return "whisper " + mark + " reads \"" + heard->text + "\" to its addressee but \"" +
               echo->text + "\" to its sender";
      }
      if (!acted(heard->conn) && !called(heard->conn, echo->other)) {
        return name(heard->conn) + " was sent whisper " + mark + " meant for " + echo->other;
      }
    } else if (heard) {
      // Its sender, being one of those whose lines were handled, must have gone meanwhile.
      const bool sender_left = std::any_of(before_.begin(), before_.end(), [&](const auto& e) {
        return e.second.acts && !world.find(core::ConnId{e.first});
      });
      if (!sender_left) {
        return name(heard->conn) + " was sent whisper " + mark + " from " + heard->other +
               ", who was not sent its echo";
      }
    } else {
      // Its addressee must have gone meanwhile (or be the sender's own connection, renamed).
      const core::Session* addressee = world.find_by_name(echo->other);
      if (addressee && addressee->id != echo->conn && !acted(addressee->id) &&
          before_.contains(addressee->id.value)) {
        return name(addressee->id) + " (" + addressee->name + ") was not sent whisper " + mark +
               ", which " + name(echo->conn) + " was told it sent";
      }
    }
  }
  return std::nullopt;
}

// Rooms that disappeared are noticed before the next input, not after this one: a history block
// shown during this input was of the room as it was then.
SayOracle::Violation SayOracle::after_input(const core::Server& server) {
  said_during_input_.clear();
  std::vector<WhisperLine> whispers;
  const std::vector<Sent> sent = sent_during_input(server, whispers);
  if (Violation violation = check_input(server, sent)) return violation;
  if (Violation violation = check_whispers(server, whispers)) return violation;
  for (const WhisperLine& w : whispers) {
    WhisperLines& lines = whispers_[w.number];
    (w.echo ? lines.echo : lines.heard) = w.line;
  }
  for (const Sent& s : sent) {
    std::deque<Mark>& owed = listeners_[s.conn.value].owed;
    owed.insert(owed.end(), s.in_order.begin(), s.in_order.end());
    const Before& before = before_.at(s.conn.value);
    const bool stayed =
        !before.may_move && !before.room.empty() && room_of(server, s.conn) == before.room;
    for (std::size_t i = 0; i < s.markers.size(); ++i) {
      if (said_.emplace(s.markers[i], s.lines[i]).second) said_during_input_.insert(s.markers[i]);
      if (stayed) said_in_.emplace(s.markers[i], current(before.room));
    }
  }
  if (Violation violation = learn_from_histories(server)) return violation;
  return check_history(server);
}

SayOracle::Violation SayOracle::learn_from_histories(const core::Server& server) {
  for (const core::Room* room : server.world().rooms()) {
    const RoomRef here = current(server.world().key_of(room->name));
    Violation violation;
    room->history.for_each([&](const core::Payload& payload) {
      const auto number = say_in(payload.text());
      if (violation || !number) return;
      if (said_.emplace(*number, payload.text().substr(0, payload.size() - 1)).second)
        said_during_input_.insert(*number);
      auto [known, learned] = said_in_.emplace(*number, here);
      if (!learned && !(known->second == here)) {
        violation = "say " + marker(*number) + " is remembered by \"" + here.key +
                    "\" but was heard in \"" + known->second.key + "\"" +
                    (known->second.key == here.key ? " (an earlier room of that name)" : "");
      }
    });
    if (violation) return violation;
  }
  return std::nullopt;
}

SayOracle::Violation SayOracle::check_history(const core::Server& server) const {
  for (core::ConnId id : server.world().session_ids()) {
    auto before = before_.find(id.value);
    if (before == before_.end() || server.queued_bytes(id) <= before->second.queued) continue;
    std::size_t offset = 0;
    std::optional<RoomRef> room;  // while in a block: its room
    std::size_t lines = 0;
    for (std::string_view payload : queued_views(server, id)) {
      offset += payload.size();
      if (offset <= before->second.queued) continue;
      if (auto header = history_header_room(payload)) {
        room = current(server.world().key_of(*header));
        lines = 0;
      } else if (payload == core::modern_text::kHistoryEnd) {
        room.reset();
      } else if (room) {
        if (++lines > server.world().history_limit()) {
          return name(id) + " was shown more than " +
                 std::to_string(server.world().history_limit()) + " lines of history of \"" +
                 room->key + "\"";
        }
        if (auto whisper = whisper_in(payload)) {
          return name(id) + " was shown whisper " + whisper_marker(whisper->number) +
                 " as history of \"" + room->key + "\"";
        }
        const auto number = say_in(payload);
        if (!number) continue;
        auto said_in = said_in_.find(*number);
        if (said_in == said_in_.end()) {
          // Said and forgotten again within this input, heard by nobody who stayed in its room
          // (or by nobody still here): its room cannot be known. Any other say is known.
          const bool heard_and_forgotten_now = said_during_input_.contains(*number);
          const bool unheard_now = !said_.contains(*number) && someone_left_during_input(server);
          if (heard_and_forgotten_now || unheard_now) continue;
          return name(id) + " was shown say " + marker(*number) + " as history of \"" + room->key +
                 "\", but no room remembered it";
        }
        if (!(said_in->second == *room)) {
          return name(id) + " was shown say " + marker(*number) + " said in \"" +
                 said_in->second.key + "\"" +
                 (said_in->second.key == room->key ? " (an earlier room of that name)" : "") +
                 " as history of \"" + room->key + "\"";
        }
      }
    }
  }
  return std::nullopt;
}

// A line the client read: if it is a say or a whisper the oracle saw core queue, it must be the
// next one this connection is owed. (It may follow bytes without a line end, a telnet answer
// say, so the line need only end with it.)
SayOracle::Violation SayOracle::check_line(core::ConnId conn, std::string_view line) {
  const auto ending = marker_at_end(line);
  if (!ending) return std::nullopt;
  const Mark mark{ending->whisper, ending->number};
  if (mark.whisper) {
    auto lines = whispers_.find(mark.number);
    auto ends_with = [&](const std::string& end) { return !end.empty() && line.ends_with(end); };
    if (lines == whispers_.end() ||
        !(ends_with(lines->second.heard) || ends_with(lines->second.echo)))
      return std::nullopt;
  } else {
    auto said = said_.find(mark.number);
    if (said == said_.end() || !line.ends_with(said->second)) return std::nullopt;
  }
  ++deliveries_checked_;
  std::deque<Mark>& owed = listeners_[conn.value].owed;
  if (owed.empty() || !(owed.front() == mark)) {
    return name(conn) + " received " + (mark.whisper ? "whisper " : "say ") + marker(mark) +
           " where it was owed " + (owed.empty() ? std::string("nothing") : marker(owed.front()));
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
  const Mark owed = it->second.owed.front();
  return name(conn) + " was written everything core queued for it but never received " +
         (owed.whisper ? "whisper " : "say ") + marker(owed);
}

}  // namespace teaparty::sim
