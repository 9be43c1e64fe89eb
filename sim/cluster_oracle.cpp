#include "sim/cluster_oracle.h"

#include <algorithm>

namespace teaparty::sim {

namespace {

constexpr std::string_view kEntered = " has entered the room.";
constexpr std::string_view kLeft = " has left the room.";
constexpr std::string_view kSaySeparator = ": ";

std::string session_name(SessionKey session) {
  return "session " + std::to_string(session);
}

}  // namespace

std::optional<std::string> say_marker(std::string_view text) {
  if (!text.ends_with(']')) return std::nullopt;
  const std::size_t open = text.rfind("[m");
  if (open == std::string_view::npos || open + 3 > text.size() - 1) return std::nullopt;
  const std::string_view digits = text.substr(open + 2, text.size() - 1 - (open + 2));
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::string(text.substr(open));
}

std::optional<RoomLine> classify_room_line(std::string_view line) {
  // A say first: the simulator's names have neither spaces nor ": ", so a speaker's name is
  // all before the first ": " and holds no space (unlike "Unknown command: x").
  const std::size_t separator = line.find(kSaySeparator);
  if (separator != std::string_view::npos && separator > 0 &&
      line.substr(0, separator).find(' ') == std::string_view::npos) {
    return RoomLine{RoomLine::Kind::Say, std::string(line.substr(0, separator)),
                    say_marker(line.substr(separator + kSaySeparator.size())).value_or("")};
  }
  if (line.ends_with(kEntered) && line.size() > kEntered.size())
    return RoomLine{RoomLine::Kind::Entered,
                    std::string(line.substr(0, line.size() - kEntered.size())), ""};
  if (line.ends_with(kLeft) && line.size() > kLeft.size())
    return RoomLine{RoomLine::Kind::Left, std::string(line.substr(0, line.size() - kLeft.size())),
                    ""};
  return std::nullopt;
}

void ClusterOracle::fail(std::string what) {
  if (!violation_) violation_ = std::move(what);
}

void ClusterOracle::heard(SessionKey session, std::optional<Place> place, std::string_view line) {
  const std::optional<RoomLine> room_line = classify_room_line(line);
  if (!room_line) return;
  if (room_line->kind == RoomLine::Kind::Say && !room_line->marker.empty()) {
    if (++says_ever_[session][room_line->marker] > 1) {
      fail(session_name(session) + " heard the say " + room_line->marker + " twice: \"" +
           std::string(line) + "\"");
    }
  }
  const auto found = checked_.find(session);
  if (found == checked_.end()) return;
  Checked& checked = found->second;
  ++stats_.lines_checked;
  if (!place) {
    fail(session_name(session) + " on node " + std::to_string(checked.period.node) +
         ", linked, got the room line \"" + std::string(line) +
         "\" from a local event, not from the store: it is outside the global order");
    return;
  }
  if (!checked.period.lines.empty() && *place < checked.period.lines.back().first) {
    fail(session_name(session) + " got \"" + std::string(line) + "\" from the store's message " +
         std::to_string(*place) + " after a line from message " +
         std::to_string(checked.period.lines.back().first) + ": out of the global order");
  }
  checked.period.lines.emplace_back(*place, std::string(line));
  if (room_line->kind == RoomLine::Kind::Say && !room_line->marker.empty()) {
    checked.says_heard[room_line->marker] = *place;
  } else if (room_line->kind == RoomLine::Kind::Entered) {
    if (!checked.present.insert(room_line->name).second) {
      fail(session_name(session) + " was told \"" + std::string(line) + "\" (message " +
           std::to_string(*place) + ") but " + room_line->name +
           " had already arrived and not left since: announced twice");
    }
    checked.departed.erase(room_line->name);
  } else if (room_line->kind == RoomLine::Kind::Left) {
    if (!checked.departed.insert(room_line->name).second) {
      fail(session_name(session) + " was told \"" + std::string(line) + "\" (message " +
           std::to_string(*place) + ") but " + room_line->name +
           " had already left and not come back since: announced twice");
    }
    checked.present.erase(room_line->name);
  }
}

void ClusterOracle::confirmed(SessionKey session, std::size_t node, Place place) {
  Checked checked;
  checked.period.session = session;
  checked.period.node = node;
  checked.period.from = place;
  checked.period.to = place;
  checked_.insert_or_assign(session, std::move(checked));
}

void ClusterOracle::node_heard(std::size_t node, Place place) {
  node_last_place_[node] = place;
}

std::vector<SessionKey> ClusterOracle::checked_on(std::size_t node) const {
  std::vector<SessionKey> sessions;
  for (const auto& [session, checked] : checked_) {
    if (checked.period.node == node) sessions.push_back(session);
  }
  return sessions;
}

void ClusterOracle::close_period(Checked& checked) {
  checked.period.to = std::max(checked.period.from, node_last_place_[checked.period.node]);
  for (const Period& other : closed_)
    compare(checked.period, other);
  closed_.push_back(std::move(checked.period));
}

void ClusterOracle::unchecked(SessionKey session) {
  const auto found = checked_.find(session);
  if (found == checked_.end()) return;
  close_period(found->second);
  checked_.erase(found);
}

void ClusterOracle::say_delivered(std::size_t node, Place place, const std::string& marker) {
  for (const auto& [session, checked] : checked_) {
    if (checked.period.node != node || checked.period.from >= place) continue;
    ++stats_.says_checked;
    const auto heard = checked.says_heard.find(marker);
    if (heard == checked.says_heard.end() || heard->second != place) {
      fail(session_name(session) + " on node " + std::to_string(node) +
           ", in the room since message " + std::to_string(checked.period.from) +
           ", did not hear the say " + marker + " (message " + std::to_string(place) +
           ") when its node was handed it");
    }
  }
}

std::size_t ClusterOracle::node_killed(std::vector<std::string> users) {
  Kill kill{std::move(users), {}};
  for (const auto& [session, checked] : checked_)
    kill.checked_then.insert(session);
  kills_.push_back(std::move(kill));
  return kills_.size() - 1;
}

void ClusterOracle::kill_deadline(std::size_t index, std::string_view describe_kill) {
  const Kill& kill = kills_.at(index);
  for (SessionKey session : kill.checked_then) {
    const auto found = checked_.find(session);
    if (found == checked_.end()) continue;  // not checked throughout
    ++stats_.kills_checked;
    for (const std::string& user : kill.users) {
      if (found->second.present.contains(user)) {
        fail(session_name(session) + " on node " + std::to_string(found->second.period.node) +
             " saw " + user + " arrive and was still not told " + user + " left, " +
             std::string(describe_kill));
      }
    }
  }
}

// Two periods, over the places both cover (after both arrivals, up to the earlier end), must
// hold the same room lines.
void ClusterOracle::compare(const Period& a, const Period& b) {
  const Place from = std::max(a.from, b.from);
  const Place to = std::min(a.to, b.to);
  if (from >= to) return;
  ++stats_.windows_compared;
  const auto within = [&](const Period& period) {
    std::vector<std::pair<Place, std::string>> lines;
    for (const auto& line : period.lines) {
      if (line.first > from && line.first <= to) lines.push_back(line);
    }
    return lines;
  };
  const auto lines_a = within(a);
  const auto lines_b = within(b);
  if (lines_a == lines_b) return;
  std::size_t i = 0;
  while (i < lines_a.size() && i < lines_b.size() && lines_a[i] == lines_b[i])
    ++i;
  const auto show = [&](const std::vector<std::pair<Place, std::string>>& lines) {
    return i < lines.size()
               ? "\"" + lines[i].second + "\" (message " + std::to_string(lines[i].first) + ")"
               : std::string("nothing more");
  };
  fail("over messages " + std::to_string(from + 1) + " to " + std::to_string(to) + ", " +
       session_name(a.session) + " on node " + std::to_string(a.node) + " and " +
       session_name(b.session) + " on node " + std::to_string(b.node) +
       " heard different room lines: after " + std::to_string(i) + " in common, " + show(lines_a) +
       " against " + show(lines_b));
}

void ClusterOracle::finish() {
  while (!checked_.empty())
    unchecked(checked_.begin()->first);
}

}  // namespace teaparty::sim
