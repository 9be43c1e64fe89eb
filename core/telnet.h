#pragma once
// The telnet vocabulary (RFC 854 and the option RFCs). Only names here; the decoder that
// recognises these bytes is in input_decoder.h and the negotiation rules in telnet_options.h.

#include <cstdint>

namespace teaparty::core::telnet {

inline constexpr std::uint8_t kEOR = 239;   // end of record: marks a prompt (RFC 885)
inline constexpr std::uint8_t kSE = 240;    // end of subnegotiation
inline constexpr std::uint8_t kNOP = 241;   // no operation
inline constexpr std::uint8_t kDM = 242;    // data mark
inline constexpr std::uint8_t kBRK = 243;   // break
inline constexpr std::uint8_t kIP = 244;    // interrupt process (telnet's Ctrl-C)
inline constexpr std::uint8_t kAO = 245;    // abort output
inline constexpr std::uint8_t kAYT = 246;   // are you there
inline constexpr std::uint8_t kEC = 247;    // erase character
inline constexpr std::uint8_t kEL = 248;    // erase line
inline constexpr std::uint8_t kGA = 249;    // go ahead
inline constexpr std::uint8_t kSB = 250;    // begin subnegotiation
inline constexpr std::uint8_t kWILL = 251;  // sender wants to / will enable an option on its side
inline constexpr std::uint8_t kWONT = 252;
inline constexpr std::uint8_t kDO = 253;  // sender asks the receiver to enable an option
inline constexpr std::uint8_t kDONT = 254;
inline constexpr std::uint8_t kIAC = 255;  // interpret as command

// Options mentioned anywhere in teaparty.
inline constexpr std::uint8_t kOptEcho = 1;
inline constexpr std::uint8_t kOptSGA = 3;
inline constexpr std::uint8_t kOptTimingMark = 6;
inline constexpr std::uint8_t kOptTTYPE = 24;
inline constexpr std::uint8_t kOptEOR = 25;
inline constexpr std::uint8_t kOptNAWS = 31;
inline constexpr std::uint8_t kOptLinemode = 34;
inline constexpr std::uint8_t kOptCharset = 42;
inline constexpr std::uint8_t kOptMSSP = 70;
inline constexpr std::uint8_t kOptGMCP = 201;

enum class Verb : std::uint8_t { Will = kWILL, Wont = kWONT, Do = kDO, Dont = kDONT };

}  // namespace teaparty::core::telnet
