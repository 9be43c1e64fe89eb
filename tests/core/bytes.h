#pragma once
// Byte strings for tests: telnet commands spelled by name, and a readable rendering of any
// bytes for failure messages and event descriptions.
//
// Writing telnet bytes as string literals invites a classic mistake: "\xff\xfd\x01cd" is three
// bytes, not five, because a hex escape swallows every hex digit after it. iac() avoids that.

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "core/telnet.h"

namespace teaparty::core::testing {

// IAC followed by the given bytes: iac(telnet::kDO, telnet::kOptEcho) is ff fd 01.
template <typename... Bytes>
std::string iac(Bytes... bytes) {
  std::string out(1, static_cast<char>(telnet::kIAC));
  (out.push_back(static_cast<char>(bytes)), ...);
  return out;
}

// Printable ASCII as itself, everything else (and the backslash) as \xNN.
inline std::string escaped(std::string_view bytes) {
  std::string out;
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f && byte != '\\') {
      out.push_back(c);
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", byte);
      out += hex;
    }
  }
  return out;
}

}  // namespace teaparty::core::testing
