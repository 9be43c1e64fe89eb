#pragma once
// CHARSET (RFC 2066, telnet option 42): agreeing on UTF-8 with a client that asks. Teaparty
// never offers it (its first write has only the three MUD offers), but answers:
//
//   client WILL CHARSET  →  DO CHARSET; the client then sends its REQUEST, which gets
//                           ACCEPTED "UTF-8" if UTF-8 is in its list, REJECTED if not;
//   client DO CHARSET    →  WILL CHARSET and our REQUEST ";UTF-8", which a client such as
//                           tintin++ answers ACCEPTED "UTF-8".
//
// Text is UTF-8 either way: the negotiation only lets a client know it.

#include <cstdint>
#include <string>
#include <string_view>

namespace teaparty::core::charset {

inline constexpr std::uint8_t kRequest = 1;
inline constexpr std::uint8_t kAccepted = 2;
inline constexpr std::uint8_t kRejected = 3;

// IAC SB CHARSET REQUEST ";UTF-8" IAC SE
std::string request_utf8();

// The framed answer to a client's REQUEST, given the subnegotiation data (starting with the
// REQUEST byte): ACCEPTED with the client's own spelling of UTF-8, or REJECTED.
std::string answer_request(std::string_view data);

}  // namespace teaparty::core::charset
