#include "sim/room_lines.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/modern_texts.h"

namespace teaparty::sim {

namespace {

namespace text = core::modern_text;

constexpr std::string_view kEntered = " has entered the room.";
constexpr std::string_view kLeft = " has left the room.";
constexpr std::string_view kSaySeparator = ": ";

// A text from modern_texts.h without its line end: lines reach the oracle without theirs.
constexpr std::string_view unended(std::string_view with_end) {
  return with_end.substr(0, with_end.size() - text::kLineEnd.size());
}

bool is_name(std::string_view name) {
  return !name.empty() && name.find_first_of(" :") == std::string_view::npos;
}

// `NAME: TEXT`, the speaker's name holding no space (unlike "Unknown command: x", "In tea (2):
// ann" or "FROM whispers: x"), so it is all before the first ": ".
std::optional<RoomLine> say_line(std::string_view line) {
  const std::size_t separator = line.find(kSaySeparator);
  if (separator == std::string_view::npos || separator == 0 ||
      line.substr(0, separator).find(' ') != std::string_view::npos) {
    return std::nullopt;
  }
  return RoomLine{RoomLine::Kind::Say, std::string(line.substr(0, separator)),
                  say_marker(line.substr(separator + kSaySeparator.size())).value_or("")};
}

// `NAME` + suffix: the name, if the line is that.
std::optional<std::string> name_before(std::string_view line, std::string_view suffix) {
  if (!line.ends_with(suffix)) return std::nullopt;
  const std::string_view name = line.substr(0, line.size() - suffix.size());
  if (!is_name(name)) return std::nullopt;
  return std::string(name);
}

// `NAME` + middle + `ROOM.`: the name, if the line is that.
std::optional<std::string> name_before_room(std::string_view line, std::string_view middle) {
  if (!line.ends_with(unended(text::kMoveSuffix))) return std::nullopt;
  const std::size_t at = line.find(middle);
  if (at == std::string_view::npos) return std::nullopt;
  const std::string_view name = line.substr(0, at);
  if (!is_name(name)) return std::nullopt;
  return std::string(name);
}

}  // namespace

std::optional<Marker> marker_at_end(std::string_view line) {
  if (line.ends_with('\r')) line.remove_suffix(1);
  if (!line.ends_with(']')) return std::nullopt;
  const std::size_t open = line.rfind('[');
  if (open == std::string_view::npos || open + 2 >= line.size()) return std::nullopt;
  const char kind = line[open + 1];
  if (kind != 'm' && kind != 'w') return std::nullopt;
  const std::string_view digits = line.substr(open + 2, line.size() - open - 3);
  if (digits.empty() ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  std::uint64_t number = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (error != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return Marker{kind == 'w', number};
}

std::optional<std::string> say_marker(std::string_view text) {
  const std::optional<Marker> marker = marker_at_end(text);
  if (!marker || marker->whisper || text.ends_with('\r')) return std::nullopt;
  return std::string(text.substr(text.rfind('[')));
}

std::optional<RoomLine> classify_room_line(std::string_view line) {
  if (std::optional<RoomLine> say = say_line(line)) return say;
  if (line.ends_with(kEntered) && line.size() > kEntered.size())
    return RoomLine{RoomLine::Kind::Entered,
                    std::string(line.substr(0, line.size() - kEntered.size())), ""};
  if (line.ends_with(kLeft) && line.size() > kLeft.size())
    return RoomLine{RoomLine::Kind::Left, std::string(line.substr(0, line.size() - kLeft.size())),
                    ""};
  return std::nullopt;
}

std::optional<RoomLine> classify_modern_room_line(std::string_view line) {
  if (classify_whisper(line)) return std::nullopt;
  // `* NAME ACTION`: a /me, which the oracle follows like a say (its marker ends it).
  if (line.starts_with(text::kEmotePrefix)) {
    const std::string_view rest = line.substr(text::kEmotePrefix.size());
    const std::size_t gap = rest.find(text::kEmoteSeparator);
    if (gap != std::string_view::npos && is_name(rest.substr(0, gap))) {
      return RoomLine{RoomLine::Kind::Say, std::string(rest.substr(0, gap)),
                      say_marker(rest).value_or("")};
    }
  }
  if (std::optional<RoomLine> say = say_line(line)) return say;
  if (auto name = name_before(line, unended(text::kJoinedChatSuffix)))
    return RoomLine{RoomLine::Kind::Entered, *name, ""};
  if (auto name = name_before_room(line, text::kCameInFromMiddle))
    return RoomLine{RoomLine::Kind::Entered, *name, ""};
  if (auto name = name_before(line, unended(text::kLeftChatSuffix)))
    return RoomLine{RoomLine::Kind::Left, *name, ""};
  if (auto name = name_before_room(line, text::kWentToMiddle))
    return RoomLine{RoomLine::Kind::Left, *name, ""};
  // `OLD is now known as NEW.` (the renamed user is told `You are now known as NEW.`).
  const std::size_t middle = line.find(text::kRenamedMiddle);
  if (middle != std::string_view::npos && line.ends_with(unended(text::kRenamedSuffix))) {
    const std::string_view old_name = line.substr(0, middle);
    const std::size_t from = middle + text::kRenamedMiddle.size();
    const std::string_view new_name =
        line.substr(from, line.size() - from - unended(text::kRenamedSuffix).size());
    if (is_name(old_name) && is_name(new_name)) {
      return RoomLine{RoomLine::Kind::Renamed, std::string(new_name), "", std::string(old_name)};
    }
  }
  return std::nullopt;
}

bool starts_history(std::string_view line) {
  return line.starts_with(text::kHistoryPrefix) && line.ends_with(unended(text::kHistorySuffix));
}

std::string history_room(std::string_view first_line) {
  std::string_view room = first_line.substr(text::kHistoryPrefix.size());
  room.remove_suffix(unended(text::kHistorySuffix).size());
  std::string key(room);
  for (char& c : key)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return key;
}

bool ends_history(std::string_view line) {
  return line == unended(text::kHistoryEnd);
}

std::optional<WhisperLine> classify_whisper(std::string_view line) {
  if (line.ends_with('\r')) line.remove_suffix(1);
  const std::optional<Marker> marker = marker_at_end(line);
  if (!marker || !marker->whisper) return std::nullopt;
  WhisperLine found{marker->number, false, {}, {}};
  if (line.starts_with(text::kWhisperToPrefix)) {
    found.echo = true;
    const std::string_view rest = line.substr(text::kWhisperToPrefix.size());
    const std::size_t split = rest.find(text::kWhisperToSeparator);
    if (split == std::string_view::npos) return std::nullopt;
    found.other = rest.substr(0, split);
    found.text = rest.substr(split + text::kWhisperToSeparator.size());
  } else {
    const std::size_t split = line.find(text::kWhisperFromSuffix);
    if (split == std::string_view::npos) return std::nullopt;
    found.other = line.substr(0, split);
    found.text = line.substr(split + text::kWhisperFromSuffix.size());
  }
  if (!is_name(found.other)) return std::nullopt;
  return found;
}

}  // namespace teaparty::sim
