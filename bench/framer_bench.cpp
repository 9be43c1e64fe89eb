// How fast core::InputDecoder turns bytes into lines, on what clients usually send and on what
// a hostile one might. Each benchmark feeds a 64 KiB read (the shell's read buffer) and pulls
// every event out of it; bytes/s and lines/s are per core.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "bench/chat_room.h"
#include "core/input_decoder.h"
#include "core/telnet.h"

namespace teaparty::bench {
namespace {

using core::InputDecoder;

constexpr std::size_t kReadBytes = 64 * 1024;
constexpr std::size_t kMaxLine = 4096;

// Lines of the size the fan-out benchmark sends: "say " and a 64-byte payload.
constexpr std::string_view kSayPayload =
    "BENCH.0.12345.678901234.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

std::string fill_read(std::string_view unit) {
  return repeated(unit, kReadBytes / unit.size());
}

std::string with_crlf(std::string_view text) {
  return std::string("say ") + std::string(text) + "\r\n";
}

// Decodes all of `read` in one call per event; counts the lines.
std::size_t decode_all(InputDecoder& decoder, core::ByteView read) {
  std::size_t lines = 0;
  while (auto event = decoder.next(read)) {
    lines += std::holds_alternative<core::LineReceived>(*event);
    benchmark::DoNotOptimize(*event);
  }
  return lines;
}

void run(benchmark::State& state, const std::string& read) {
  InputDecoder decoder(kMaxLine);
  std::size_t lines = 0;
  for (auto _ : state)
    lines += decode_all(decoder, core::as_bytes(read));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * read.size()));
  state.counters["lines/s"] =
      benchmark::Counter(static_cast<double>(lines), benchmark::Counter::kIsRate);
}

// --- typical ---

void BM_Framer_ChatLinesCrLf(benchmark::State& state) {
  run(state, fill_read(with_crlf(kSayPayload)));
}
BENCHMARK(BM_Framer_ChatLinesCrLf);

void BM_Framer_ChatLinesLf(benchmark::State& state) {  // what nc sends
  run(state, fill_read("say " + std::string(kSayPayload) + "\n"));
}
BENCHMARK(BM_Framer_ChatLinesLf);

void BM_Framer_ShortCommands(benchmark::State& state) {  // look, who: tiny lines
  run(state, fill_read("look\r\n"));
}
BENCHMARK(BM_Framer_ShortCommands);

// --- hostile ---

// Nothing but telnet commands: every byte leaves the fast path.
void BM_Framer_IacNopStorm(benchmark::State& state) {
  const char unit[] = {static_cast<char>(core::telnet::kIAC),
                       static_cast<char>(core::telnet::kNOP)};
  run(state, fill_read(std::string_view(unit, sizeof unit)));
}
BENCHMARK(BM_Framer_IacNopStorm);

// Option negotiations, each one an event core must answer.
void BM_Framer_NegotiationStorm(benchmark::State& state) {
  const char unit[] = {static_cast<char>(core::telnet::kIAC), static_cast<char>(core::telnet::kDO),
                       static_cast<char>(core::telnet::kOptEcho)};
  run(state, fill_read(std::string_view(unit, sizeof unit)));
}
BENCHMARK(BM_Framer_NegotiationStorm);

// A subnegotiation far over its cap: skipped byte by byte.
void BM_Framer_EndlessSubnegotiation(benchmark::State& state) {
  const char open[] = {static_cast<char>(core::telnet::kIAC), static_cast<char>(core::telnet::kSB),
                       static_cast<char>(core::telnet::kOptTTYPE)};
  std::string read(open, sizeof open);
  read += std::string(kReadBytes - read.size(), 'x');
  InputDecoder decoder(kMaxLine);
  std::size_t lines = 0;
  for (auto _ : state) {
    lines += decode_all(decoder, core::as_bytes(read));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * read.size()));
  benchmark::DoNotOptimize(lines);
}
BENCHMARK(BM_Framer_EndlessSubnegotiation);

// Typing with many corrections: a backspace or DEL after every few characters.
void BM_Framer_Backspaces(benchmark::State& state) {
  run(state, fill_read("say helo\blo woe\x7frld, thsi\b\b\bis is a tset\b\b\best\r\n"));
}
BENCHMARK(BM_Framer_Backspaces);

// One line that never ends: dropped at the limit, then skipped.
void BM_Framer_OverlongLine(benchmark::State& state) {
  run(state, std::string(kReadBytes, 'x'));
}
BENCHMARK(BM_Framer_OverlongLine);

// Lines a little over the limit, back to back: each one fills the buffer and is dropped.
void BM_Framer_OverlongLines(benchmark::State& state) {
  run(state, fill_read(std::string(kMaxLine + 100, 'x') + "\r\n"));
}
BENCHMARK(BM_Framer_OverlongLines);

// Chat lines arriving one byte per read (a client in character mode, or one trying to be
// expensive): the per-call cost, not the per-byte one.
void BM_Framer_SingleByteFeeds(benchmark::State& state) {
  const std::string read = fill_read(with_crlf(kSayPayload));
  InputDecoder decoder(kMaxLine);
  std::size_t lines = 0;
  for (auto _ : state) {
    const core::ByteView all = core::as_bytes(read);
    for (std::size_t i = 0; i < all.size(); ++i)
      lines += decode_all(decoder, all.subspan(i, 1));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * read.size()));
  state.counters["lines/s"] =
      benchmark::Counter(static_cast<double>(lines), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Framer_SingleByteFeeds);

}  // namespace
}  // namespace teaparty::bench
