#include "core/gmcp.h"

#include <nlohmann/json.hpp>

#include <string>

#include "core/subnegotiation.h"
#include "core/telnet.h"

namespace teaparty::core::gmcp {
namespace {

// Compact JSON, members in the order written; invalid UTF-8 is replaced (U+FFFD) instead of
// throwing, so no exception can leave core whatever a client typed.
Payload message(std::string_view package, const nlohmann::ordered_json& body) {
  std::string data(package);
  data += ' ';
  data += body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return Payload::copy_of(subnegotiation(telnet::kOptGMCP, data));
}

}  // namespace

Payload char_name(std::string_view name) {
  return message("Char.Name", {{"name", name}, {"fullname", name}});
}

Payload channel_text(std::string_view channel, std::string_view talker, std::string_view text) {
  return message("Comm.Channel.Text", {{"channel", channel}, {"talker", talker}, {"text", text}});
}

}  // namespace teaparty::core::gmcp
