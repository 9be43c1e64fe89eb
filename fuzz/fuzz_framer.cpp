// Fuzz target: the framer (core/input_decoder.h), fed the input whole, in reads of sizes the
// input itself chooses, and a byte at a time; the three must give the same events, and the
// decoder must never hold more than a line and a subnegotiation.
//
// Input: the first byte chooses the line limit (255: the default 4096; otherwise 1 to 128, so
// over-long lines are common); the rest is the stream.

#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/input_decoder.h"
#include "fuzz/fuzz_target.h"
#include "tests/props/decoded_events.h"

namespace teaparty::fuzz {
namespace {

using harness::Decoded;
using harness::DecodedEvent;

std::string describe_difference(const Decoded& a, const Decoded& b) {
  std::size_t i = 0;
  while (i < a.events.size() && i < b.events.size() && a.events[i] == b.events[i])
    ++i;
  std::string out = "event " + std::to_string(i) + ": ";
  auto show = [](const Decoded& d, std::size_t at) {
    if (at >= d.events.size()) return std::string("(none)");
    std::ostringstream os;
    os << d.events[at];
    return os.str();
  };
  return out + show(a, i) + " vs " + show(b, i);
}

// Read sizes from 1 to 16 taken from the stream's own bytes: a different cut for each input,
// and one the fuzzer can steer.
std::vector<std::size_t> reads_chosen_by(std::string_view stream) {
  std::vector<std::size_t> reads;
  for (char c : stream)
    reads.push_back(1 + (static_cast<unsigned char>(c) * 7u + reads.size()) % 16);
  return reads;
}

void check_bounds(const Decoded& decoded, std::size_t max_line) {
  if (decoded.most_buffered > max_line + core::InputDecoder::kMaxSubnegotiation) {
    fail("the decoder held " + std::to_string(decoded.most_buffered) + " bytes");
  }
  for (const DecodedEvent& event : decoded.events) {
    if (event.kind == DecodedEvent::Kind::Line && event.bytes.size() > max_line) {
      fail("a line of " + std::to_string(event.bytes.size()) + " bytes passed the limit");
    }
    if (event.kind == DecodedEvent::Kind::Subnegotiation &&
        event.bytes.size() > core::InputDecoder::kMaxSubnegotiation) {
      fail("a subnegotiation of " + std::to_string(event.bytes.size()) + " bytes passed the cap");
    }
  }
}

}  // namespace

void fuzz_one_input(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return;
  const std::size_t max_line = data[0] == 0xff ? core::Config{}.max_line : 1 + data[0] % 128;
  const std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);

  const Decoded whole = harness::decode_whole(max_line, stream);
  check_bounds(whole, max_line);

  const Decoded chosen = harness::decode_in_reads(max_line, stream, reads_chosen_by(stream));
  if (chosen.events != whole.events) {
    fail("reads of chosen sizes differ from the whole: " + describe_difference(chosen, whole));
  }
  const std::vector<std::size_t> one_byte_reads(stream.size(), 1);
  const Decoded bytewise = harness::decode_in_reads(max_line, stream, one_byte_reads);
  if (bytewise.events != whole.events) {
    fail("one-byte reads differ from the whole: " + describe_difference(bytewise, whole));
  }
  check_bounds(bytewise, max_line);
}

}  // namespace teaparty::fuzz
