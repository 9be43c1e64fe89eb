// Lines per second through core::Server: the framer, the classic dialect's command handler
// and the delivery of the reply, drained as the shell would. The target for core
// alone is at least 5 M lines/s on one core.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "bench/chat_room.h"

namespace teaparty::bench {
namespace {

constexpr std::string_view kSayLine =
    "say BENCH.0.12345.678901234.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n";

// `lines_per_read` lines arrive in each read; everything queued is drained after each read.
void run(benchmark::State& state, std::string_view line) {
  const auto lines_per_read = static_cast<std::size_t>(state.range(0));
  ChatRoom room(1);
  const std::string read = repeated(line, lines_per_read);
  std::size_t written = 0;
  for (auto _ : state) {
    room.receive(room.member(0), read);
    written += room.drain();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * lines_per_read));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * read.size()));
  state.counters["out_bytes/s"] =
      benchmark::Counter(static_cast<double>(written), benchmark::Counter::kIsRate);
}

// `say` in a room of one: the line comes back to its sender.
void BM_Server_SayRoomOfOne(benchmark::State& state) {
  run(state, kSayLine);
}
// 1 line per read is a slow typist; 16 is the fan-out generator's window; 900 is a full
// 64 KiB read.
BENCHMARK(BM_Server_SayRoomOfOne)->Arg(1)->Arg(16)->Arg(900);

// `look` in a room of one: a reply built per request.
void BM_Server_LookRoomOfOne(benchmark::State& state) {
  run(state, "look\r\n");
}
BENCHMARK(BM_Server_LookRoomOfOne)->Arg(1)->Arg(16)->Arg(900);

// A word the dialect does not know: the error reply path.
void BM_Server_UnknownCommand(benchmark::State& state) {
  run(state, "dance\r\n");
}
BENCHMARK(BM_Server_UnknownCommand)->Arg(16);

}  // namespace
}  // namespace teaparty::bench
