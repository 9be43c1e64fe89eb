#include "sim/own_arrivals.h"

namespace teaparty::sim {

void OwnArrivals::published(std::size_t node, std::optional<SessionKey> session) {
  on_the_way_[node].push_back(session);
  if (session) ++outstanding_[*session];
}

OwnArrivals::Back OwnArrivals::heard_back(std::size_t node) {
  std::deque<std::optional<SessionKey>>& queue = on_the_way_[node];
  if (queue.empty()) return {};  // published before the simulator followed it: nobody's
  const std::optional<SessionKey> session = queue.front();
  queue.pop_front();
  if (!session) return {};
  const auto found = outstanding_.find(*session);
  const bool latest = found == outstanding_.end() || --found->second == 0;
  if (found != outstanding_.end() && found->second == 0) outstanding_.erase(found);
  return {session, latest};
}

void OwnArrivals::forget(std::size_t node) {
  for (const std::optional<SessionKey>& session : on_the_way_[node]) {
    if (!session) continue;
    const auto found = outstanding_.find(*session);
    if (found != outstanding_.end() && --found->second == 0) outstanding_.erase(found);
  }
  on_the_way_.erase(node);
  renames_on_the_way_.erase(node);
}

void OwnArrivals::published_rename(std::size_t node, std::optional<SessionKey> session) {
  renames_on_the_way_[node].push_back(session);
}

std::optional<SessionKey> OwnArrivals::rename_back(std::size_t node) {
  std::deque<std::optional<SessionKey>>& queue = renames_on_the_way_[node];
  if (queue.empty()) return std::nullopt;
  const std::optional<SessionKey> session = queue.front();
  queue.pop_front();
  return session;
}

}  // namespace teaparty::sim
