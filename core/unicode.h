#pragma once
// The few Unicode facts the name rules need: which non-ASCII code points are letters (and of
// which script) or combining marks, and how a code point folds case. The tables are generated
// from Unicode's data by tools/gen_unicode_tables.py into unicode_data.cpp; this header is the
// way to ask them.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace teaparty::core::unicode {

// A script, as an index into the generated table of script names; 0 is "no script".
using Script = std::uint16_t;

struct NameCharacter {
  Script script = 0;  // 0 for a mark
  bool mark = false;  // a combining mark, which belongs to the letter before it
};

// What a non-ASCII code point is, for names: a letter (with its script), a combining mark, or
// nothing allowed (nullopt). Compatibility look-alikes (fullwidth, mathematical, ligature and
// superscript forms) are not letters here.
std::optional<NameCharacter> classify(char32_t code_point);

// The script's name in English ("Latin", "Cyrillic", "East Asian", ...).
std::string_view script_name(Script script);

// Simple case folding: one code point to one code point ('A' → 'a', 'Ä' → 'ä', 'Σ' and 'ς' →
// 'σ'). Code points without a folding fold to themselves.
char32_t fold(char32_t code_point);

// The Unicode version the tables were generated from.
std::string_view version();

namespace data {  // the generated tables (unicode_data.cpp)

struct NameCharacterRange {
  char32_t first;
  char32_t last;
  Script script;
  bool mark;
};
struct FoldRun {
  char32_t first;
  char32_t last;
  std::int32_t delta;
  std::int32_t stride;
};

extern const std::string_view kUnicodeVersion;
extern const std::string_view kScriptNames[];
extern const std::size_t kScriptCount;
// Scripts whose everyday accented letters exist precomposed, so a name in them needs no
// combining mark (and must not use one: see names.h).
extern const Script kLatin;
extern const Script kGreek;
extern const Script kCyrillic;
extern const NameCharacterRange kNameCharacters[];
extern const std::size_t kNameCharacterCount;
extern const FoldRun kFoldRuns[];
extern const std::size_t kFoldRunCount;

}  // namespace data
}  // namespace teaparty::core::unicode
