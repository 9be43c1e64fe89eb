#include "core/charset.h"

#include <algorithm>

#include "core/subnegotiation.h"
#include "core/telnet.h"

namespace teaparty::core::charset {
namespace {

constexpr std::string_view kUtf8 = "UTF-8";
// RFC 2066: a REQUEST may begin with "[TTABLE]" and a version byte before the list.
constexpr std::string_view kTtable = "[TTABLE]";

bool equal_ignoring_ascii_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    return lower(x) == lower(y);
  });
}

// The list is a separator byte followed by names, each ended by the separator or the end.
std::string_view find_utf8(std::string_view list) {
  if (list.empty()) return {};
  const char separator = list[0];
  list.remove_prefix(1);
  while (!list.empty()) {
    const std::size_t end = std::min(list.find(separator), list.size());
    const std::string_view name = list.substr(0, end);
    if (equal_ignoring_ascii_case(name, kUtf8)) return name;
    list.remove_prefix(std::min(end + 1, list.size()));
  }
  return {};
}

}  // namespace

std::string request_utf8() {
  std::string data;
  data += static_cast<char>(kRequest);
  data += ';';
  data += kUtf8;
  return subnegotiation(telnet::kOptCharset, data);
}

std::string answer_request(std::string_view data) {
  std::string_view list = data.substr(std::min<std::size_t>(1, data.size()));
  if (list.starts_with(kTtable)) list.remove_prefix(std::min(list.size(), kTtable.size() + 1));
  const std::string_view utf8 = find_utf8(list);
  std::string reply;
  reply += static_cast<char>(utf8.empty() ? kRejected : kAccepted);
  reply += utf8;
  return subnegotiation(telnet::kOptCharset, reply);
}

}  // namespace teaparty::core::charset
