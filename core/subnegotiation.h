#pragma once
// Framing of what the server says inside a telnet subnegotiation: IAC SB option data IAC SE,
// with every 255 byte in the data doubled (RFC 855), so no text can end the frame early.

#include <cstdint>
#include <string>
#include <string_view>

namespace teaparty::core {

void append_subnegotiation(std::string& out, std::uint8_t option, std::string_view data);
std::string subnegotiation(std::uint8_t option, std::string_view data);

}  // namespace teaparty::core
