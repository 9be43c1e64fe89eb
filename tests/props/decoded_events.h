#pragma once
// The framer's events as values that own their bytes, so that a whole run of InputDecoder can
// be recorded and compared with another run over the same stream split differently. Used by
// the framer properties and by the framer fuzz target.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/input_decoder.h"

namespace teaparty::harness {

struct DecodedEvent {
  enum class Kind { Line, LineTooLong, EndOfTransmission, Negotiation, Subnegotiation };

  Kind kind = Kind::Line;
  std::string bytes;        // a line's text or a subnegotiation's data
  std::size_t number = 0;   // a too-long line's limit, a negotiation's verb byte
  std::uint8_t option = 0;  // negotiations and subnegotiations
  bool truncated = false;   // subnegotiations

  static DecodedEvent line(std::string_view text) {
    return {Kind::Line, std::string(text), 0, 0, false};
  }
  static DecodedEvent line_too_long(std::size_t limit) {
    return {Kind::LineTooLong, {}, limit, 0, false};
  }
  static DecodedEvent end_of_transmission() { return {Kind::EndOfTransmission, {}, 0, 0, false}; }
  static DecodedEvent negotiation(core::telnet::Verb verb, std::uint8_t option) {
    return {Kind::Negotiation, {}, static_cast<std::size_t>(verb), option, false};
  }
  static DecodedEvent subnegotiation(std::uint8_t option, std::string_view data, bool truncated) {
    return {Kind::Subnegotiation, std::string(data), 0, option, truncated};
  }

  friend bool operator==(const DecodedEvent&, const DecodedEvent&) = default;
};

inline DecodedEvent own(const core::InputEvent& event) {
  if (const auto* line = std::get_if<core::LineReceived>(&event)) {
    return DecodedEvent::line(line->text);
  }
  if (const auto* too_long = std::get_if<core::LineTooLong>(&event)) {
    return DecodedEvent::line_too_long(too_long->limit);
  }
  if (std::holds_alternative<core::EndOfTransmission>(event)) {
    return DecodedEvent::end_of_transmission();
  }
  if (const auto* negotiation = std::get_if<core::TelnetNegotiation>(&event)) {
    return DecodedEvent::negotiation(negotiation->verb, negotiation->option);
  }
  const auto& sub = std::get<core::TelnetSubnegotiation>(event);
  return DecodedEvent::subnegotiation(sub.option, sub.data, sub.truncated);
}

// What one decoder made of a stream, and the most it ever held between reads.
struct Decoded {
  std::vector<DecodedEvent> events;
  std::size_t most_buffered = 0;
};

// Feeds `stream` to a fresh decoder in reads of the given sizes (what is left after them is
// one last read) and records every event.
inline Decoded decode_in_reads(std::size_t max_line, std::string_view stream,
                               std::span<const std::size_t> read_sizes) {
  core::InputDecoder decoder(max_line);
  Decoded decoded;
  auto feed = [&](std::string_view read) {
    core::ByteView input = core::as_bytes(read);
    while (auto event = decoder.next(input)) {
      decoded.events.push_back(own(*event));
      decoded.most_buffered = std::max(decoded.most_buffered, decoder.buffered_bytes());
    }
    decoded.most_buffered = std::max(decoded.most_buffered, decoder.buffered_bytes());
  };
  std::size_t at = 0;
  for (std::size_t size : read_sizes) {
    if (at >= stream.size()) break;
    const std::size_t take = std::min(size, stream.size() - at);
    feed(stream.substr(at, take));
    at += take;
  }
  feed(stream.substr(at));
  return decoded;
}

inline Decoded decode_whole(std::size_t max_line, std::string_view stream) {
  return decode_in_reads(max_line, stream, {});
}

// Bytes shown as C escapes, for failure messages.
inline std::string escaped(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    const auto b = static_cast<std::uint8_t>(c);
    if (b >= 0x20 && b < 0x7f && c != '\\') {
      out += c;
    } else {
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 0xf];
    }
  }
  return out;
}

inline std::ostream& operator<<(std::ostream& os, const DecodedEvent& event) {
  using Kind = DecodedEvent::Kind;
  switch (event.kind) {
    case Kind::Line:
      return os << "line \"" << escaped(event.bytes) << '"';
    case Kind::LineTooLong:
      return os << "too long (limit " << event.number << ')';
    case Kind::EndOfTransmission:
      return os << "end of transmission";
    case Kind::Negotiation:
      return os << "negotiation " << event.number << ' ' << int{event.option};
    case Kind::Subnegotiation:
      return os << "subnegotiation " << int{event.option} << " \"" << escaped(event.bytes) << '"'
                << (event.truncated ? " (truncated)" : "");
  }
  return os;
}

}  // namespace teaparty::harness
