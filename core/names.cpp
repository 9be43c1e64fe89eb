#include "core/names.h"

#include "core/utf8.h"

namespace teaparty::core::names {
namespace {

bool is_ascii_letter(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_ascii_name_symbol(char32_t c) {
  return (c >= '0' && c <= '9') || c == '_' || c == '-';
}
bool has_precomposed_letters(unicode::Script script) {
  return script == unicode::data::kLatin || script == unicode::data::kGreek ||
         script == unicode::data::kCyrillic;
}

// What one character is, for the rules: a letter of a script, a mark, or one of the ASCII
// digits, `_` and `-` (which belong to no script and carry no mark).
struct Character {
  enum class Kind { Letter, Mark, Symbol, Forbidden } kind;
  unicode::Script script = 0;
};

Character character_of(char32_t c) {
  if (is_ascii_letter(c)) return {Character::Kind::Letter, unicode::data::kLatin};
  if (is_ascii_name_symbol(c)) return {Character::Kind::Symbol};
  if (c < 0x80) return {Character::Kind::Forbidden};
  const auto found = unicode::classify(c);
  if (!found) return {Character::Kind::Forbidden};
  if (found->mark) return {Character::Kind::Mark};
  return {Character::Kind::Letter, found->script};
}

}  // namespace

std::optional<Problem> check(std::string_view name) {
  if (name.empty()) return Empty{};
  const std::size_t length = utf8::length(name);
  if (length > kMaxLength) return TooLong{length};

  unicode::Script name_script = 0;  // of the first letter, once there is one
  std::optional<Character> previous;
  for (std::string_view rest = name; !rest.empty();) {
    const utf8::Step step = utf8::decode(rest);
    rest.remove_prefix(step.length);
    const Character c = character_of(step.valid ? step.code_point : utf8::kReplacement);
    switch (c.kind) {
      case Character::Kind::Forbidden:
        return NotAllowed{step.valid ? step.code_point : utf8::kReplacement};
      case Character::Kind::Symbol:
        break;
      case Character::Kind::Letter:
        if (name_script == 0) name_script = c.script;
        if (c.script != name_script) return MixedScripts{name_script, c.script};
        break;
      case Character::Kind::Mark:
        if (!previous || previous->kind == Character::Kind::Symbol) {
          return StrayMark{step.code_point};
        }
        if (previous->kind == Character::Kind::Letter &&
            has_precomposed_letters(previous->script)) {
          return MarkOnPrecomposed{step.code_point, previous->script};
        }
        break;
    }
    // A mark keeps the letter it sits on as "previous", so stacked marks are judged by it.
    if (c.kind != Character::Kind::Mark) previous = c;
  }
  return std::nullopt;
}

std::string key(std::string_view name) {
  std::string folded;
  folded.reserve(name.size());
  for (std::string_view rest = name; !rest.empty();) {
    const utf8::Step step = utf8::decode(rest);
    if (step.valid) {
      utf8::append(folded, unicode::fold(step.code_point));
    } else {
      utf8::append(folded, utf8::kReplacement);
    }
    rest.remove_prefix(step.length);
  }
  return folded;
}

}  // namespace teaparty::core::names
