#include "sim/modern_cluster_typing.h"

#include <array>
#include <string_view>

namespace teaparty::sim {

namespace {

using namespace std::literals;

// The rooms, in several spellings: a room's name is its key without regard to case.
constexpr std::array kRooms = {"tea"sv, "Tea"sv, "TEA"sv, "garden"sv, "Garden"sv, "main"sv};

template <typename T, std::size_t N>
const T& pick(Random& random, const std::array<T, N>& items) {
  return items[random.below(N)];
}

TypedLine said(const ModernTyping& typing, std::string_view start) {
  return {std::string(start) + "hello from " + std::to_string(typing.slot) + " [m" +
              std::to_string((*typing.next_say)++) + "]",
          true,
          std::nullopt,
          {}};
}

TypedLine plain(std::string line) {
  return {std::move(line), false, std::nullopt, {}};
}

}  // namespace

TypedLine modern_cluster_line(Random& random, const ModernTyping& typing) {
  if (!typing.chatting) {
    const std::uint64_t roll = random.below(10);
    if (roll < 4) return plain(typing.name());
    if (roll < 8) return plain("/login " + typing.name());
    return roll == 8 ? said(typing, "") : plain("");
  }
  enum Act { Chat, Say, Me, Join, Leave, Msg, Nick, Who, Look, Rooms, Quit, Blank, Unknown };
  static constexpr std::array<unsigned, 13> kWeights = {35, 8, 6, 12, 5, 8, 3, 4, 4, 3, 3, 2, 2};
  switch (random.weighted(kWeights)) {
    case Chat:
      return said(typing, "");
    case Say:
      return said(typing, "/say ");
    case Me:
      return said(typing, "/me waves: ");
    case Join:
      return plain("/join " + std::string(pick(random, kRooms)));
    case Leave:
      return plain("/leave");
    case Msg: {
      const std::string to = typing.name();
      const std::uint64_t number = (*typing.next_whisper)++;
      return {"/msg " + to + " psst from " + std::to_string(typing.slot) + " [w" +
                  std::to_string(number) + "]",
              false, number, to};
    }
    case Nick:
      return plain("/nick " + typing.name());
    case Who:
      return plain("/who");
    case Look:
      return plain("/look");
    case Rooms:
      return plain("/rooms");
    case Quit:
      return plain("/quit");
    case Blank:
      return plain("");
    default:
      return plain("/dance");
  }
}

}  // namespace teaparty::sim
