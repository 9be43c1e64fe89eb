#pragma once
// MSSP (MUD Server Status Protocol, telnet option 70): what MUD listings crawl. A client that
// answers our WILL MSSP with DO MSSP gets one report:
//
//   IAC SB MSSP  VAR "NAME" VAL name  VAR "PLAYERS" VAL count  VAR "UPTIME" VAL start  IAC SE
//
// where UPTIME is, as the MSSP specification has it, the time the server started, in seconds
// since the Unix epoch (left out when the shell did not say).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace teaparty::core::mssp {

inline constexpr char kVar = 1;
inline constexpr char kVal = 2;

struct Status {
  std::string_view name;
  std::size_t players = 0;
  std::int64_t started_unix_time = 0;  // 0: unknown
};

// The whole subnegotiation, framed.
std::string report(const Status& status);

}  // namespace teaparty::core::mssp
