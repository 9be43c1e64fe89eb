#include "core/deadlines.h"

#include <algorithm>

namespace teaparty::core {
namespace {

std::size_t slot(DeadlineKind kind) {
  return static_cast<std::size_t>(kind);
}

}  // namespace

void Deadlines::set(ConnId conn, DeadlineKind kind, Instant at) {
  std::optional<Instant>& current = by_conn_[conn][slot(kind)];
  if (current) queue_.erase({*current, conn, kind});
  current = at;
  queue_.insert({at, conn, kind});
}

void Deadlines::cancel(ConnId conn, DeadlineKind kind) {
  auto it = by_conn_.find(conn);
  if (it == by_conn_.end()) return;
  std::optional<Instant>& current = it->second[slot(kind)];
  if (current) queue_.erase({*current, conn, kind});
  current.reset();
  if (std::none_of(it->second.begin(), it->second.end(), [](const auto& at) { return bool(at); }))
    by_conn_.erase(it);
}

void Deadlines::cancel_all(ConnId conn) {
  auto it = by_conn_.find(conn);
  if (it == by_conn_.end()) return;
  for (std::size_t k = 0; k < kDeadlineKinds; ++k) {
    if (it->second[k]) queue_.erase({*it->second[k], conn, static_cast<DeadlineKind>(k)});
  }
  by_conn_.erase(it);
}

std::optional<Instant> Deadlines::earliest() const {
  if (queue_.empty()) return std::nullopt;
  return std::get<Instant>(*queue_.begin());
}

std::optional<DueDeadline> Deadlines::pop_due(Instant now) {
  if (queue_.empty() || std::get<Instant>(*queue_.begin()) > now) return std::nullopt;
  const auto [at, conn, kind] = *queue_.begin();
  cancel(conn, kind);
  return DueDeadline{conn, kind, at};
}

std::optional<Instant> Deadlines::find(ConnId conn, DeadlineKind kind) const {
  auto it = by_conn_.find(conn);
  if (it == by_conn_.end()) return std::nullopt;
  return it->second[slot(kind)];
}

}  // namespace teaparty::core
