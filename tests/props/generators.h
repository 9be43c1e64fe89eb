#pragma once
// Rapidcheck generators for what clients send: byte streams that mix text with every byte
// the framer treats specially, so that random streams reach telnet commands, erasures, line
// ends of every kind, over-long lines and over-long subnegotiations often, not by luck.

#include <rapidcheck.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/input_decoder.h"
#include "core/telnet.h"

namespace teaparty::harness {

inline std::string bytes_of(std::initializer_list<std::uint8_t> bytes) {
  std::string out;
  for (std::uint8_t b : bytes)
    out += static_cast<char>(b);
  return out;
}

// Any byte, but the interesting ones far more often than 1 in 256.
inline rc::Gen<char> gen_byte() {
  using namespace core::telnet;
  return rc::gen::weightedOneOf<char>({
      {6, rc::gen::inRange<char>('a', 'z' + 1)},
      {1, rc::gen::element<char>(' ', '\t', '\v', '\f')},
      {2, rc::gen::element<char>('\r', '\n', '\0', '\b', '\x7f', '\x04')},
      {1, rc::gen::just(static_cast<char>(kIAC))},
      {2, rc::gen::arbitrary<char>()},
  });
}

inline rc::Gen<std::string> gen_text() {
  return rc::gen::container<std::string>(rc::gen::inRange<char>(' ', '\x7f'));
}

// A piece of a client's stream that means something to the framer.
inline rc::Gen<std::string> gen_fragment() {
  using namespace core::telnet;
  const auto option = rc::gen::elementOf(std::vector<std::uint8_t>{
      kOptEcho, kOptSGA, kOptTimingMark, kOptTTYPE, kOptNAWS, kOptLinemode, kIAC, 0});
  const auto verb = rc::gen::elementOf(std::vector<std::uint8_t>{kWILL, kWONT, kDO, kDONT});
  return rc::gen::weightedOneOf<std::string>({
      {8, gen_text()},
      {4, rc::gen::element<std::string>("\r\n", "\n", "\r", std::string("\r\0", 2))},
      {2, rc::gen::element<std::string>("\b", "\x7f", "\x04", "\xc3\xa9", "\xe2\x82\xac")},
      {2, rc::gen::apply(
              [](std::uint8_t v, std::uint8_t o) {
                return bytes_of({kIAC, v, o});
              },
              verb, option)},
      {1, rc::gen::element(bytes_of({kIAC, kIAC}), bytes_of({kIAC, kNOP}), bytes_of({kIAC, kEC}),
                           bytes_of({kIAC, kEL}), bytes_of({kIAC, kIP}), bytes_of({kIAC, kAYT}),
                           bytes_of({kIAC, kSE}), bytes_of({kIAC}))},
      {1, rc::gen::apply(
              [](std::uint8_t o, std::string data, bool ended) {
                return bytes_of({kIAC, kSB, o}) + data +
                       (ended ? bytes_of({kIAC, kSE}) : bytes_of({kIAC, kWILL, o}));
              },
              option, rc::gen::container<std::string>(gen_byte()), rc::gen::arbitrary<bool>())},
      // Longer than any limit a test sets: over-long lines and subnegotiations.
      {1, rc::gen::apply(
              [](std::size_t n, bool in_subnegotiation) {
                const std::string run(n, 'x');
                return in_subnegotiation
                           ? bytes_of({kIAC, kSB, kOptTTYPE}) + run + bytes_of({kIAC, kSE})
                           : run;
              },
              rc::gen::inRange<std::size_t>(core::InputDecoder::kMaxSubnegotiation - 8,
                                            core::InputDecoder::kMaxSubnegotiation + 64),
              rc::gen::arbitrary<bool>())},
      {2, rc::gen::container<std::string>(gen_byte())},
  });
}

inline rc::Gen<std::string> gen_stream() {
  return rc::gen::map(rc::gen::container<std::vector<std::string>>(gen_fragment()),
                      [](const std::vector<std::string>& fragments) {
                        std::string stream;
                        for (const std::string& f : fragments)
                          stream += f;
                        return stream;
                      });
}

}  // namespace teaparty::harness
