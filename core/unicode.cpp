#include "core/unicode.h"

#include <algorithm>
#include <span>

namespace teaparty::core::unicode {
namespace {

// The entry whose range could hold `code_point`: the last one that starts at or before it.
template <typename Range>
const Range* last_starting_at_or_before(std::span<const Range> ranges, char32_t code_point) {
  auto after = std::upper_bound(ranges.begin(), ranges.end(), code_point,
                                [](char32_t cp, const Range& r) { return cp < r.first; });
  if (after == ranges.begin()) return nullptr;
  return &*(after - 1);
}

}  // namespace

std::optional<NameCharacter> classify(char32_t code_point) {
  const std::span ranges(data::kNameCharacters, data::kNameCharacterCount);
  const auto* range = last_starting_at_or_before(ranges, code_point);
  if (!range || code_point > range->last) return std::nullopt;
  return NameCharacter{range->script, range->mark};
}

std::string_view script_name(Script script) {
  return script < data::kScriptCount ? data::kScriptNames[script] : std::string_view{};
}

char32_t fold(char32_t code_point) {
  if (code_point < 0x80) {
    return code_point >= 'A' && code_point <= 'Z' ? code_point + ('a' - 'A') : code_point;
  }
  const std::span runs(data::kFoldRuns, data::kFoldRunCount);
  const auto* run = last_starting_at_or_before(runs, code_point);
  if (!run || code_point > run->last) return code_point;
  if ((code_point - run->first) % static_cast<char32_t>(run->stride) != 0) return code_point;
  return static_cast<char32_t>(static_cast<std::int64_t>(code_point) + run->delta);
}

std::string_view version() {
  return data::kUnicodeVersion;
}

}  // namespace teaparty::core::unicode
