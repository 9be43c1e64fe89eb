#pragma once
// Small helpers shared by the limits tests that drive core through VirtualShell.

#include <string>
#include <string_view>

#include "tests/limits/virtual_shell.h"

namespace teaparty::limits_test {

// Connects from `peer`, logs in as `name` and forgets the welcome.
inline ConnId log_in(VirtualShell& shell, std::string_view name,
                     std::string_view peer = "192.0.2.1:40000") {
  const ConnId id = shell.connect(peer);
  shell.send(id, "login " + std::string(name) + "\r\n");
  shell.take_output(id);
  return id;
}

// "say <prefix><i>\r\n" for i in [from, to).
inline std::string numbered_says(std::string_view prefix, int from, int to) {
  std::string lines;
  for (int i = from; i < to; ++i)
    lines += "say " + std::string(prefix) + std::to_string(i) + "\r\n";
  return lines;
}

// What a listener receives for those says from `name`.
inline std::string numbered_heard(std::string_view name, std::string_view prefix, int from,
                                  int to) {
  std::string lines;
  for (int i = from; i < to; ++i)
    lines += std::string(name) + ": " + std::string(prefix) + std::to_string(i) + "\r\n";
  return lines;
}

}  // namespace teaparty::limits_test
