#include "core/subnegotiation.h"

#include "core/telnet.h"

namespace teaparty::core {

void append_subnegotiation(std::string& out, std::uint8_t option, std::string_view data) {
  constexpr char kIac = static_cast<char>(telnet::kIAC);
  out.push_back(kIac);
  out.push_back(static_cast<char>(telnet::kSB));
  out.push_back(static_cast<char>(option));
  for (char c : data) {
    out.push_back(c);
    if (c == kIac) out.push_back(kIac);
  }
  out.push_back(kIac);
  out.push_back(static_cast<char>(telnet::kSE));
}

std::string subnegotiation(std::uint8_t option, std::string_view data) {
  std::string out;
  out.reserve(data.size() + 6);
  append_subnegotiation(out, option, data);
  return out;
}

}  // namespace teaparty::core
