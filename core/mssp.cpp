#include "core/mssp.h"

#include "core/subnegotiation.h"
#include "core/telnet.h"

namespace teaparty::core::mssp {
namespace {

// A value may not hold the bytes that structure the report (NUL, VAR, VAL) nor IAC.
void append_variable(std::string& data, std::string_view name, std::string_view value) {
  data += kVar;
  data += name;
  data += kVal;
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte != 0 && c != kVar && c != kVal && byte != telnet::kIAC) data += c;
  }
}

}  // namespace

std::string report(const Status& status) {
  std::string data;
  append_variable(data, "NAME", status.name);
  append_variable(data, "PLAYERS", std::to_string(status.players));
  if (status.started_unix_time > 0) {
    append_variable(data, "UPTIME", std::to_string(status.started_unix_time));
  }
  return subnegotiation(telnet::kOptMSSP, data);
}

}  // namespace teaparty::core::mssp
