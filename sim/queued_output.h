#pragma once
// What core has queued for a connection: the bytes a shell would write next.

#include <string>
#include <string_view>
#include <vector>

#include "core/server.h"

namespace teaparty::sim {

// The queued output as core holds it, one view per payload (the first possibly part-written),
// valid until core's next input.
inline std::vector<std::string_view> queued_views(const core::Server& server, core::ConnId conn) {
  std::vector<core::ByteView> views(16);
  std::size_t filled = 0;
  while ((filled = server.gather_output(conn, views)) == views.size())
    views.resize(views.size() * 2);
  std::vector<std::string_view> texts;
  texts.reserve(filled);
  for (std::size_t i = 0; i < filled; ++i)
    texts.push_back(core::as_text(views[i]));
  return texts;
}

// At most `limit` bytes from the front, as one string.
inline std::string queued_output(const core::Server& server, core::ConnId conn,
                                 std::size_t limit = std::string::npos) {
  std::string bytes;
  for (std::string_view view : queued_views(server, conn)) {
    if (bytes.size() >= limit) break;
    bytes.append(view.substr(0, limit - bytes.size()));
  }
  return bytes;
}

}  // namespace teaparty::sim
