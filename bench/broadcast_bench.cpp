// The cost of one `say` to a room of 1, 100 and 10 000 members, including what the shell does
// after it: gather every member's queued output and report it written. Items are deliveries
// (one line to one member), so items/s is comparable with the fan-out benchmark's
// delivered messages/s — minus the kernel.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "bench/chat_room.h"

namespace teaparty::bench {
namespace {

constexpr std::string_view kSayLine =
    "say BENCH.0.12345.678901234.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n";

// Logging in 10 000 members announces every join to everyone before them, which takes a
// moment; each room is built once and shared by every run of the benchmarks that use it.
ChatRoom& room_of(std::size_t members) {
  static std::map<std::size_t, std::unique_ptr<ChatRoom>> rooms;
  auto& room = rooms[members];
  if (!room) room = std::make_unique<ChatRoom>(members);
  return *room;
}

// `says_per_drain` lines from one member, then one drain: 1 is a sender that waits for each
// line; 16 is the fan-out generator's window, so each member gets 16 lines per write.
void run(benchmark::State& state, std::size_t says_per_drain) {
  const auto members = static_cast<std::size_t>(state.range(0));
  ChatRoom& room = room_of(members);
  const std::string read = repeated(kSayLine, says_per_drain);
  for (auto _ : state) {
    room.receive(room.member(0), read);
    benchmark::DoNotOptimize(room.drain());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * says_per_drain * members));
  state.counters["says/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * says_per_drain), benchmark::Counter::kIsRate);
}

void BM_Say_OneLinePerDrain(benchmark::State& state) {
  run(state, 1);
}
BENCHMARK(BM_Say_OneLinePerDrain)->Arg(1)->Arg(100)->Arg(10'000);

void BM_Say_SixteenLinesPerDrain(benchmark::State& state) {
  run(state, 16);
}
BENCHMARK(BM_Say_SixteenLinesPerDrain)->Arg(1)->Arg(100)->Arg(10'000);

}  // namespace
}  // namespace teaparty::bench
