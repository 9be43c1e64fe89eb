#pragma once
// UTF-8, strictly (RFC 3629): what clients send is checked here before anyone else sees it.
// Overlong forms, surrogates and code points past U+10FFFF are invalid, as are stray
// continuation bytes and sequences cut short.

#include <cstddef>
#include <string>
#include <string_view>

namespace teaparty::core::utf8 {

inline constexpr char32_t kReplacement = 0xFFFD;  // U+FFFD REPLACEMENT CHARACTER

// One step through a text: the code point at the front and how many bytes it took. An invalid
// sequence yields kReplacement and the length of its maximal invalid part (Unicode's "maximal
// subpart" practice: a sequence cut short costs one replacement, not one per byte).
struct Step {
  char32_t code_point = 0;
  std::size_t length = 0;
  bool valid = false;
};
Step decode(std::string_view text);

bool is_valid(std::string_view text);
// The text with every invalid sequence replaced by U+FFFD.
std::string repaired(std::string_view text);
void append(std::string& out, char32_t code_point);
// Code points in a valid text (each invalid sequence counts as one).
std::size_t length(std::string_view text);

}  // namespace teaparty::core::utf8
