#include "sim/cluster_oracle.h"

#include <algorithm>

namespace teaparty::sim {

namespace {

std::string session_name(SessionKey session) {
  return "session " + std::to_string(session);
}

}  // namespace

ClusterOracle::ClusterOracle(core::DialectKind dialect) : dialect_(dialect) {}

void ClusterOracle::fail(std::string what) {
  if (!violation_) violation_ = std::move(what);
}

// The room line a received line is, if any; modern history blocks are skipped whole.
std::optional<RoomLine> ClusterOracle::classify(SessionKey session, std::string_view line) {
  if (dialect_ == core::DialectKind::Classic) return classify_room_line(line);
  if (starts_history(line)) {
    in_history_.insert_or_assign(session, HistoryBlock{history_room(line), 0});
    return std::nullopt;
  }
  if (ends_history(line)) {
    in_history_.erase(session);
    return std::nullopt;
  }
  if (const auto block = in_history_.find(session); block != in_history_.end()) {
    check_history_line(session, block->second, line);
    return std::nullopt;
  }
  return classify_modern_room_line(line);
}

// A say shown as history whose place is known (a node was handed it: one said while its node
// was cut off has none) was said in the block's room, after the block's previous one.
void ClusterOracle::check_history_line(SessionKey session, HistoryBlock& block,
                                       std::string_view line) {
  const std::optional<RoomLine> said = classify_modern_room_line(line);
  if (!said || said->kind != RoomLine::Kind::Say || said->marker.empty()) return;
  const auto placed = says_placed_.find(said->marker);
  if (placed == says_placed_.end()) return;
  const auto& [place, room] = placed->second;
  if (room != block.room) {
    fail("HISTORY: " + session_name(session) + " was shown \"" + std::string(line) +
         "\" as history of room \"" + block.room + "\", but it was said in \"" + room + "\"");
  } else if (told_locally_.contains(said->marker)) {
    return;  // in its node's order, not the store's
  } else if (place <= block.last) {
    fail("HISTORY: " + session_name(session) + " was shown \"" + std::string(line) +
         "\" (message " + std::to_string(place) + ") as history of room \"" + block.room +
         "\" after a say of message " + std::to_string(block.last) + ": out of the global order");
  }
  block.last = std::max(block.last, place);
}

void ClusterOracle::heard(SessionKey session, std::optional<Place> place, std::string_view line) {
  const std::optional<RoomLine> room_line = classify(session, line);
  if (!room_line) return;
  if (room_line->kind == RoomLine::Kind::Say && !room_line->marker.empty()) {
    if (!place) told_locally_.insert(room_line->marker);
    if (++says_ever_[session][room_line->marker] > 1) {
      fail(session_name(session) + " heard the say " + room_line->marker + " twice: \"" +
           std::string(line) + "\"");
    }
  }
  if (place) check_not_before_arrival(session, *place, line);
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
  const std::optional<std::string>& about = node_last_room_[checked.period.node];
  if (about && *about != checked.period.room) {
    fail(session_name(session) + ", in room \"" + checked.period.room + "\", got \"" +
         std::string(line) + "\" from the store's message " + std::to_string(*place) +
         ", about room \"" + *about + "\"");
  }
  if (!checked.period.lines.empty() && *place < checked.period.lines.back().first) {
    fail(session_name(session) + " got \"" + std::string(line) + "\" from the store's message " +
         std::to_string(*place) + " after a line from message " +
         std::to_string(checked.period.lines.back().first) + ": out of the global order");
  }
  checked.period.lines.emplace_back(*place, std::string(line));
  follow(checked, *room_line, *place, line);
}

// THE ARRIVAL RULE (modern, clustered): a session hears a room from its own arrival's place
// on, like everyone on every other node; whatever the store placed before that reaches it only
// as history. A line from the store while its arrival is still on its way round is one the
// other nodes' members heard before they heard of it.
void ClusterOracle::check_not_before_arrival(SessionKey session, Place place,
                                             std::string_view line) {
  const auto awaited = awaited_.find(session);
  if (awaited == awaited_.end()) return;
  fail("BEFORE ITS OWN ARRIVAL: " + session_name(session) + " on node " +
       std::to_string(awaited->second.node) + " entered room \"" + awaited->second.room +
       "\" and, with its arrival still on its way round, got \"" + std::string(line) +
       "\" from the store's message " + std::to_string(place) +
       ", which the other nodes place before its arrival");
}

// What a room line tells the session about who is there.
void ClusterOracle::follow(Checked& checked, const RoomLine& room_line, Place place,
                           std::string_view line) {
  const SessionKey session = checked.period.session;
  if (room_line.kind == RoomLine::Kind::Say && !room_line.marker.empty()) {
    checked.says_heard[room_line.marker] = place;
  } else if (room_line.kind == RoomLine::Kind::Entered) {
    if (!checked.present.insert(room_line.name).second) {
      fail(session_name(session) + " was told \"" + std::string(line) + "\" (message " +
           std::to_string(place) + ") but " + room_line.name +
           " had already arrived and not left since: announced twice");
    }
    checked.departed.erase(room_line.name);
  } else if (room_line.kind == RoomLine::Kind::Left) {
    if (!checked.departed.insert(room_line.name).second) {
      fail(session_name(session) + " was told \"" + std::string(line) + "\" (message " +
           std::to_string(place) + ") but " + room_line.name +
           " had already left and not come back since: announced twice");
    }
    checked.present.erase(room_line.name);
  } else if (room_line.kind == RoomLine::Kind::Renamed) {
    // Seen arriving under the old name, present under the new one.
    if (checked.present.erase(room_line.old_name) > 0) checked.present.insert(room_line.name);
    checked.departed.erase(room_line.name);
  }
}

void ClusterOracle::confirmed(SessionKey session, std::size_t node, Place place, std::string room) {
  awaited_.erase(session);
  Checked checked;
  checked.serial = next_serial_++;
  checked.period.session = session;
  checked.period.node = node;
  checked.period.room = std::move(room);
  checked.period.from = place;
  checked.period.to = place;
  checked_.insert_or_assign(session, std::move(checked));
}

void ClusterOracle::awaiting_arrival(SessionKey session, std::size_t node, std::string room) {
  ++stats_.arrivals_awaited;
  // On its way into a room (again, maybe the one it is in: a move there and back): its node
  // tells it nothing of any room till the arrival is back, and then the history.
  if (const auto found = checked_.find(session); found != checked_.end()) {
    close_period(found->second);
    checked_.erase(found);
  }
  awaited_.insert_or_assign(session, Awaited{node, std::move(room)});
}

void ClusterOracle::node_heard(std::size_t node, Place place, std::optional<std::string> room) {
  node_last_place_[node] = place;
  node_last_room_[node] = std::move(room);
}

std::vector<SessionKey> ClusterOracle::checked_on(std::size_t node) const {
  std::vector<SessionKey> sessions;
  for (const auto& [session, checked] : checked_) {
    if (checked.period.node == node) sessions.push_back(session);
  }
  for (const auto& [session, awaited] : awaited_) {
    if (awaited.node == node && !checked_.contains(session)) sessions.push_back(session);
  }
  return sessions;
}

std::optional<std::string> ClusterOracle::checked_room(SessionKey session) const {
  const auto found = checked_.find(session);
  if (found == checked_.end()) return std::nullopt;
  return found->second.period.room;
}

void ClusterOracle::not_told(SessionKey session, Place place) {
  const auto found = checked_.find(session);
  if (found != checked_.end()) found->second.period.not_told.insert(place);
}

void ClusterOracle::close_period(Checked& checked) {
  checked.period.to = std::max(checked.period.from, node_last_place_[checked.period.node]);
  for (const Period& other : closed_)
    compare(checked.period, other);
  closed_.push_back(std::move(checked.period));
}

void ClusterOracle::unchecked(SessionKey session) {
  awaited_.erase(session);
  in_history_.erase(session);
  const auto found = checked_.find(session);
  if (found == checked_.end()) return;
  close_period(found->second);
  checked_.erase(found);
}

void ClusterOracle::say_delivered(std::size_t node, Place place, const std::string& marker,
                                  const std::optional<std::string>& room) {
  if (room) says_placed_.try_emplace(marker, place, *room);
  for (const auto& [session, checked] : checked_) {
    if (checked.period.node != node || checked.period.from >= place) continue;
    if (room && *room != checked.period.room) continue;
    ++stats_.says_checked;
    const auto heard = checked.says_heard.find(marker);
    if (heard == checked.says_heard.end() || heard->second != place) {
      fail(session_name(session) + " on node " + std::to_string(node) + ", in room \"" +
           checked.period.room + "\" since message " + std::to_string(checked.period.from) +
           ", did not hear the say " + marker + " (message " + std::to_string(place) +
           ") when its node was handed it");
    }
  }
}

std::size_t ClusterOracle::node_killed(std::vector<std::string> users) {
  Kill kill{std::move(users), {}};
  for (const auto& [session, checked] : checked_)
    kill.checked_then.emplace(session, checked.serial);
  kills_.push_back(std::move(kill));
  return kills_.size() - 1;
}

void ClusterOracle::kill_deadline(std::size_t index, std::string_view describe_kill) {
  const Kill& kill = kills_.at(index);
  for (const auto& [session, serial] : kill.checked_then) {
    const auto found = checked_.find(session);
    if (found == checked_.end() || found->second.serial != serial) continue;  // not throughout
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

// Two periods in one room, over the places both cover (after both arrivals, up to the earlier
// end), must hold the same room lines, but for what either is not told about itself.
void ClusterOracle::compare(const Period& a, const Period& b) {
  const Place from = std::max(a.from, b.from);
  const Place to = std::min(a.to, b.to);
  if (from >= to || a.room != b.room) return;
  ++stats_.windows_compared;
  const auto within = [&](const Period& period) {
    std::vector<std::pair<Place, std::string>> lines;
    for (const auto& line : period.lines) {
      if (line.first > from && line.first <= to && !a.not_told.contains(line.first) &&
          !b.not_told.contains(line.first)) {
        lines.push_back(line);
      }
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
  fail("in room \"" + a.room + "\" over messages " + std::to_string(from + 1) + " to " +
       std::to_string(to) + ", " + session_name(a.session) + " on node " + std::to_string(a.node) +
       " and " + session_name(b.session) + " on node " + std::to_string(b.node) +
       " heard different room lines: after " + std::to_string(i) + " in common, " + show(lines_a) +
       " against " + show(lines_b));
}

void ClusterOracle::finish() {
  while (!checked_.empty())
    unchecked(checked_.begin()->first);
}

}  // namespace teaparty::sim
