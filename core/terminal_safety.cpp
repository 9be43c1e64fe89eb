#include "core/terminal_safety.h"

#include <cstdint>
#include <cstring>

#include "core/utf8.h"

namespace teaparty::core {
namespace {

constexpr std::uint8_t kTab = 0x09;
constexpr std::uint8_t kDel = 0x7f;

std::uint8_t byte_at(std::string_view text, std::size_t i) {
  return static_cast<std::uint8_t>(text[i]);
}

bool is_c0_or_del(std::uint8_t b) {
  return (b < 0x20 && b != kTab) || b == kDel;
}

// Whether the eight bytes at `text[i]` are all printable ASCII (0x20-0x7E), tested together:
// every line said is checked, and most are plain text, so this is the common case, at a word a
// step rather than a byte. (A TAB is safe too but fails this test; the byte loop then takes it.)
bool is_plain_word(std::string_view text, std::size_t i) {
  constexpr std::uint64_t kOnes = 0x0101010101010101;
  constexpr std::uint64_t kHighBits = 0x8080808080808080;
  std::uint64_t word;
  std::memcpy(&word, text.data() + i, sizeof word);
  const std::uint64_t below_space = (word - 0x20 * kOnes) & ~word;  // high bit where byte < 0x20
  const std::uint64_t del = word ^ (0x7F * kOnes);                  // zero byte where byte == DEL
  const std::uint64_t is_del = (del - kOnes) & ~del;
  return ((word | below_space | is_del) & kHighBits) == 0;
}

bool is_c1(char32_t code_point) {
  return code_point >= 0x80 && code_point <= 0x9F;
}

// ^@ for 0x00 ... ^_ for 0x1F, ^? for DEL.
void append_caret(std::string& out, std::uint8_t control) {
  out.push_back('^');
  out.push_back(control == kDel ? '?' : static_cast<char>(control + 0x40));
}

void append_hex_escape(std::string& out, std::uint8_t b) {
  constexpr std::string_view kHex = "0123456789ABCDEF";
  out += "\\x";
  out.push_back(kHex[b >> 4]);
  out.push_back(kHex[b & 0x0F]);
}

}  // namespace

bool is_terminal_safe(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    if (text.size() - i >= 8 && is_plain_word(text, i)) {
      i += 8;
      continue;
    }
    const std::uint8_t b = byte_at(text, i);
    if (b < 0x80) {  // the common case, without decoding
      if (is_c0_or_del(b)) return false;
      ++i;
      continue;
    }
    const utf8::Step step = utf8::decode(text.substr(i));
    if (!step.valid || is_c1(step.code_point)) return false;
    i += step.length;
  }
  return true;
}

void append_terminal_safe(std::string& out, std::string_view text) {
  while (!text.empty()) {
    const utf8::Step step = utf8::decode(text);
    if (!step.valid) {
      for (std::size_t k = 0; k < step.length; ++k)
        append_hex_escape(out, byte_at(text, k));
    } else if (step.code_point < 0x80 && is_c0_or_del(static_cast<std::uint8_t>(step.code_point))) {
      append_caret(out, static_cast<std::uint8_t>(step.code_point));
    } else if (is_c1(step.code_point)) {
      out += "M-";
      append_caret(out, static_cast<std::uint8_t>(step.code_point - 0x80));
    } else {
      out.append(text.substr(0, step.length));
    }
    text.remove_prefix(step.length);
  }
}

std::string terminal_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_terminal_safe(out, text);
  return out;
}

SafeText::SafeText(std::string_view raw) : raw_(raw) {
  if (!is_terminal_safe(raw)) {
    copy_ = terminal_safe(raw);
    escaped_ = true;
  }
}

}  // namespace teaparty::core
