#pragma once
// A connection's name inside core. Ids count up from 1 and are never reused, so a late event
// for a connection that has already gone can be recognised instead of reaching a stranger.

#include <compare>
#include <cstdint>
#include <functional>

namespace teaparty::core {

struct ConnId {
  std::uint64_t value = 0;
  friend constexpr auto operator<=>(ConnId, ConnId) = default;
};

}  // namespace teaparty::core

template <>
struct std::hash<teaparty::core::ConnId> {
  std::size_t operator()(teaparty::core::ConnId id) const noexcept {
    return std::hash<std::uint64_t>{}(id.value);
  }
};
