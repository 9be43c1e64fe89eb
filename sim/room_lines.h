#pragma once
// What a line a client receives says about the room it is in, for each dialect: the cluster
// oracle (sim/cluster_oracle.h) reads every line a client gets through one of these, so that
// it checks one thing, the room's one order, whatever words the dialect puts it in.
//
// Every function takes a complete line without its CR LF. The simulator's names and rooms have
// neither spaces nor ": ", which is what tells a room line from a reply, a listing or a notice.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace teaparty::sim {

// A line a client receives that belongs to the room, and what it says.
struct RoomLine {
  // Renamed: modern only (`name` was known as `old_name`).
  enum class Kind { Say, Entered, Left, Renamed };
  Kind kind;
  std::string name;    // the arriving, departing or renamed name (not Say)
  std::string marker;  // "[m17]" (Say), empty if the say carries none
  std::string old_name = {};
};

// Classic's room lines (a say, `X has entered the room.`, `X has left the room.`); nullopt for
// anything else (replies, notices, listings).
std::optional<RoomLine> classify_room_line(std::string_view line);

// The modern dialect's room lines (core/modern_texts.h): says and /me, `X has joined the
// chat.`, `X has left the chat.`, moves `X has come in from R.` / `X has gone to R.`, and
// `OLD is now known as NEW.`. Whispers and history blocks are not room lines (see below).
std::optional<RoomLine> classify_modern_room_line(std::string_view line);

// The modern dialect's history block, shown on arriving in a room: lines said before, which
// are not heard again (`--- the last lines said in R ---` up to `--- end of history ---`).
bool starts_history(std::string_view line);
bool ends_history(std::string_view line);
// The room a history block's first line names, by key (the simulator's rooms are ASCII, so
// their key is their name in lower case).
std::string history_room(std::string_view first_line);

// The marker the simulator ends a say ("[m17]") or a private message ("[w4]") with, if the
// line ends with one (a CR after it is let pass: payloads as core queues them have one).
struct Marker {
  bool whisper = false;
  std::uint64_t number = 0;
};
std::optional<Marker> marker_at_end(std::string_view line);
// The say marker a text ends with ("[m17]"), if any.
std::optional<std::string> say_marker(std::string_view text);

// A private message as the modern dialect shows it, ending with a whisper marker ("[w4]"):
// `FROM whispers: TEXT [w4]` to the addressee, `You whisper to TO: TEXT [w4]` to the sender.
// The views point into `line`.
struct WhisperLine {
  std::uint64_t number = 0;  // of its marker
  bool echo = false;         // the sender's copy
  std::string_view other;    // TO in an echo, FROM otherwise
  std::string_view text;     // what was whispered, the marker included
};
std::optional<WhisperLine> classify_whisper(std::string_view line);

}  // namespace teaparty::sim
