#pragma once
// The modern dialect's rules for names, of people and of rooms alike:
//
// - 1 to 24 characters (code points, not bytes);
// - each a letter, a digit 0-9, `_` or `-`. Letters are Unicode letters in any script, except
//   the compatibility look-alikes (fullwidth Ａ, mathematical 𝐀, ligatures, superscripts);
// - the letters of one name are of one script, so that Latin `a` and Cyrillic `а` cannot be
//   mixed into a fake `alice` (Han, Kana, Hangul and Bopomofo count as one East Asian script);
// - a combining mark must follow a letter, and not a Latin, Greek or Cyrillic one: those
//   scripts have their accented letters precomposed (é), and allowing `e` + U+0301 as well
//   would give one visible name two spellings.
//
// Names are unique without regard to case: two names are the same when their keys are, and
// the key is the name with every code point simply case-folded (unicode::fold: one code point
// to one, so `ALICE`, `Alice` and `alice` are one name, `ÉMILE` and `émile` too, and `Σ`, `σ`
// and `ς` fold alike; `STRASSE` and `straße` stay two names, as full folding alone would merge
// them). Names are not otherwise normalised and not checked for whole-script look-alikes
// (an all-Cyrillic `аре` next to Latin `ape`).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/unicode.h"

namespace teaparty::core::names {

inline constexpr std::size_t kMaxLength = 24;

// Why a name was refused; the dialect words it.
struct Empty {};
struct TooLong {
  std::size_t length = 0;  // in characters
};
struct NotAllowed {
  char32_t character = 0;  // the first character that is not a letter, digit, _ or -
};
struct MixedScripts {
  unicode::Script first = 0;  // the script of the name's first letter
  unicode::Script other = 0;  // the first letter of another script
};
struct StrayMark {
  char32_t mark = 0;  // a combining mark at the start or after a digit, _ or -
};
struct MarkOnPrecomposed {
  char32_t mark = 0;           // a combining mark after a letter of ...
  unicode::Script script = 0;  // ... this script, which has the letter precomposed
};
using Problem =
    std::variant<Empty, TooLong, NotAllowed, MixedScripts, StrayMark, MarkOnPrecomposed>;

// nullopt if `name` is a valid name; otherwise the first problem found. `name` is UTF-8;
// invalid sequences count as U+FFFD, which is not allowed.
std::optional<Problem> check(std::string_view name);

// The key that decides whether two names are the same (see above).
std::string key(std::string_view name);

}  // namespace teaparty::core::names
