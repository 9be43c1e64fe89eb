#include "core/utf8.h"

#include <cstdint>

namespace teaparty::core::utf8 {
namespace {

bool in(std::uint8_t byte, std::uint8_t low, std::uint8_t high) {
  return byte >= low && byte <= high;
}

// The sequence a lead byte starts: its length and the range its second byte must lie in (the
// tighter ranges after E0, ED, F0 and F4 are what exclude overlongs, surrogates and code points
// past U+10FFFF, per RFC 3629's table).
struct Lead {
  std::size_t length = 0;  // 0: not a lead byte
  std::uint8_t second_low = 0x80;
  std::uint8_t second_high = 0xBF;
  char32_t bits = 0;
};

Lead lead_of(std::uint8_t byte) {
  if (in(byte, 0xC2, 0xDF)) return {2, 0x80, 0xBF, byte & 0x1Fu};
  if (byte == 0xE0) return {3, 0xA0, 0xBF, byte & 0x0Fu};
  if (byte == 0xED) return {3, 0x80, 0x9F, byte & 0x0Fu};
  if (in(byte, 0xE1, 0xEF)) return {3, 0x80, 0xBF, byte & 0x0Fu};
  if (byte == 0xF0) return {4, 0x90, 0xBF, byte & 0x07u};
  if (byte == 0xF4) return {4, 0x80, 0x8F, byte & 0x07u};
  if (in(byte, 0xF1, 0xF3)) return {4, 0x80, 0xBF, byte & 0x07u};
  return {};
}

}  // namespace

Step decode(std::string_view text) {
  if (text.empty()) return {};
  const auto first = static_cast<std::uint8_t>(text[0]);
  if (first < 0x80) return {first, 1, true};
  const Lead lead = lead_of(first);
  if (lead.length == 0) return {kReplacement, 1, false};
  char32_t code_point = lead.bits;
  for (std::size_t i = 1; i < lead.length; ++i) {
    if (i >= text.size()) return {kReplacement, i, false};
    const auto byte = static_cast<std::uint8_t>(text[i]);
    const bool fits = i == 1 ? in(byte, lead.second_low, lead.second_high) : in(byte, 0x80, 0xBF);
    if (!fits) return {kReplacement, i, false};
    code_point = (code_point << 6) | (byte & 0x3Fu);
  }
  return {code_point, lead.length, true};
}

bool is_valid(std::string_view text) {
  while (!text.empty()) {
    const Step step = decode(text);
    if (!step.valid) return false;
    text.remove_prefix(step.length);
  }
  return true;
}

std::string repaired(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const Step step = decode(text);
    if (step.valid) {
      out.append(text.substr(0, step.length));
    } else {
      append(out, kReplacement);
    }
    text.remove_prefix(step.length);
  }
  return out;
}

void append(std::string& out, char32_t cp) {
  auto put = [&out](char32_t byte) { out.push_back(static_cast<char>(byte)); };
  if (cp < 0x80) {
    put(cp);
  } else if (cp < 0x800) {
    put(0xC0 | (cp >> 6));
    put(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    put(0xE0 | (cp >> 12));
    put(0x80 | ((cp >> 6) & 0x3F));
    put(0x80 | (cp & 0x3F));
  } else {
    put(0xF0 | (cp >> 18));
    put(0x80 | ((cp >> 12) & 0x3F));
    put(0x80 | ((cp >> 6) & 0x3F));
    put(0x80 | (cp & 0x3F));
  }
}

std::size_t length(std::string_view text) {
  std::size_t count = 0;
  while (!text.empty()) {
    text.remove_prefix(decode(text).length);
    ++count;
  }
  return count;
}

}  // namespace teaparty::core::utf8
