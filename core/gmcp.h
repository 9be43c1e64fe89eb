#pragma once
// GMCP (Generic MUD Communication Protocol, telnet option 201): a package name and a JSON
// document inside a subnegotiation, which a MUD client such as Mudlet reads instead of
// showing. Teaparty sends two messages, in the shapes IRE's games made common:
//
//   Char.Name          {"name":NAME,"fullname":NAME}        on login and on a new name
//   Comm.Channel.Text  {"channel":C,"talker":NAME,"text":T}  with every chat line
//
// where T is the line as the text stream shows it (without its line end), so a client can
// route chat into a window of its own. The JSON is built by nlohmann-json; text that is not
// valid UTF-8 has its bad bytes replaced rather than failing.

#include <string_view>

#include "core/payload.h"

namespace teaparty::core::gmcp {

Payload char_name(std::string_view name);
Payload channel_text(std::string_view channel, std::string_view talker, std::string_view text);

}  // namespace teaparty::core::gmcp
