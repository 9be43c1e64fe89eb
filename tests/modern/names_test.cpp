// The name rules (core/names.h) and what they stand on: strict UTF-8 (core/utf8.h) and the
// generated Unicode tables (core/unicode.h). Each rule has a name that passes and one that
// fails for exactly that reason.

#include "core/names.h"

#include <gtest/gtest.h>

#include <string>

#include "core/unicode.h"
#include "core/utf8.h"

namespace teaparty::core {
namespace {

template <typename ProblemType>
ProblemType problem_of(std::string_view name) {
  const auto problem = names::check(name);
  EXPECT_TRUE(problem.has_value()) << name << " was accepted";
  if (!problem) return {};
  EXPECT_TRUE(std::holds_alternative<ProblemType>(*problem)) << name << ": another problem";
  return std::holds_alternative<ProblemType>(*problem) ? std::get<ProblemType>(*problem)
                                                       : ProblemType{};
}

TEST(Names, LettersDigitsUnderscoreAndHyphenAreAllowed) {
  for (std::string_view name :
       {"alice", "Bob_2", "x", "-_-", "007", "Zoë", "Ελένη", "Мария", "日本語",
        "ひらがなカタカナ漢字", "한국어", "हिन्दी", "العربية", "a23456789012345678901234"}) {
    EXPECT_EQ(names::check(name), std::nullopt) << name;
  }
}

TEST(Names, AnEmptyNameIsRefused) {
  problem_of<names::Empty>("");
}

TEST(Names, TwentyFourCharactersAtMostCountedAsCharactersNotBytes) {
  EXPECT_EQ(problem_of<names::TooLong>("a234567890123456789012345").length, 25u);
  // 24 two-byte letters are 48 bytes and still a valid name.
  std::string greek;
  for (int i = 0; i < 24; ++i)
    greek += "λ";
  EXPECT_EQ(names::check(greek), std::nullopt);
  EXPECT_EQ(problem_of<names::TooLong>(greek + "λ").length, 25u);
}

TEST(Names, TheFirstForbiddenCharacterIsNamed) {
  EXPECT_EQ(problem_of<names::NotAllowed>("alice smith").character, U' ');
  EXPECT_EQ(problem_of<names::NotAllowed>("bob:").character, U':');
  EXPECT_EQ(problem_of<names::NotAllowed>("a.b!").character, U'.');
  EXPECT_EQ(problem_of<names::NotAllowed>("tab\there").character, U'\t');
  EXPECT_EQ(problem_of<names::NotAllowed>("esc\x1b[31m").character, U'\x1b');
  // Look-alikes that are not letters in their own right (NFKC would change them).
  EXPECT_EQ(problem_of<names::NotAllowed>("ａlice").character, U'ａ');         // fullwidth
  EXPECT_EQ(problem_of<names::NotAllowed>("𝐚lice").character, U'𝐚');           // mathematical
  EXPECT_EQ(problem_of<names::NotAllowed>("ﬁnn").character, U'ﬁ');             // ligature
  EXPECT_EQ(problem_of<names::NotAllowed>("bobª").character, U'ª');            // ordinal
  EXPECT_EQ(problem_of<names::NotAllowed>("bob\u200b").character, U'\u200b');  // zero width
  EXPECT_EQ(problem_of<names::NotAllowed>("bob\u202e").character, U'\u202e');  // bidi override
  EXPECT_EQ(problem_of<names::NotAllowed>("٣bob").character, U'٣');  // digits are 0-9 only
  EXPECT_EQ(problem_of<names::NotAllowed>("caf\xc3").character, utf8::kReplacement);
}

TEST(Names, LettersOfOneScriptOnly) {
  // "pаypal" with a Cyrillic а.
  const auto mixed = problem_of<names::MixedScripts>("p\u0430ypal");
  EXPECT_EQ(unicode::script_name(mixed.first), "Latin");
  EXPECT_EQ(unicode::script_name(mixed.other), "Cyrillic");
  const auto greek = problem_of<names::MixedScripts>("Ελένηx");
  EXPECT_EQ(unicode::script_name(greek.first), "Greek");
  EXPECT_EQ(unicode::script_name(greek.other), "Latin");
  // Digits, _ and - belong to no script; East Asian scripts count as one.
  EXPECT_EQ(names::check("Мария_2-й"), std::nullopt);
  EXPECT_EQ(names::check("東京タワー"), std::nullopt);
}

TEST(Names, CombiningMarksFollowALetterOfAScriptThatNeedsThem) {
  EXPECT_EQ(problem_of<names::StrayMark>("\u0301bob").mark, U'\u0301');
  EXPECT_EQ(problem_of<names::StrayMark>("bob_\u0301").mark, U'\u0301');
  const auto latin = problem_of<names::MarkOnPrecomposed>("Jose\u0301");
  EXPECT_EQ(latin.mark, U'\u0301');
  EXPECT_EQ(unicode::script_name(latin.script), "Latin");
  EXPECT_EQ(names::check("José"), std::nullopt) << "the precomposed é is a letter";
  EXPECT_EQ(names::check("हिन्दी"), std::nullopt) << "Devanagari vowel signs are marks";
}

TEST(Names, KeysFoldCaseSimplyInEveryScript) {
  EXPECT_EQ(names::key("Alice"), "alice");
  EXPECT_EQ(names::key("ALICE"), names::key("alice"));
  EXPECT_EQ(names::key("ÉMILE"), "émile");
  EXPECT_EQ(names::key("ΣΊΣΥΦΟΣ"), names::key("σίσυφος"));
  EXPECT_EQ(names::key("ς"), names::key("Σ"));
  EXPECT_EQ(names::key("МАРИЯ"), "мария");
  EXPECT_EQ(names::key("ẞ"), "ß");
  EXPECT_NE(names::key("STRASSE"), names::key("straße")) << "simple folding keeps ß";
  EXPECT_NE(names::key("alice"), names::key("\u0430lice")) << "Cyrillic а is not Latin a";
  EXPECT_EQ(names::key("日本"), "日本");
  EXPECT_EQ(names::key("a_1-B"), "a_1-b");
}

TEST(Unicode, ClassifiesLettersMarksAndTheRest) {
  ASSERT_TRUE(unicode::classify(U'é').has_value());
  EXPECT_EQ(unicode::script_name(unicode::classify(U'é')->script), "Latin");
  EXPECT_FALSE(unicode::classify(U'é')->mark);
  EXPECT_EQ(unicode::script_name(unicode::classify(U'ж')->script), "Cyrillic");
  EXPECT_EQ(unicode::script_name(unicode::classify(U'ω')->script), "Greek");
  EXPECT_EQ(unicode::script_name(unicode::classify(U'漢')->script), "East Asian");
  EXPECT_EQ(unicode::classify(U'か')->script, unicode::classify(U'漢')->script);
  EXPECT_TRUE(unicode::classify(U'\u0301')->mark);
  EXPECT_FALSE(unicode::classify(U'€').has_value());
  EXPECT_FALSE(unicode::classify(U'\u00a0').has_value());
  EXPECT_FALSE(unicode::classify(0x10FFFF).has_value());
  EXPECT_EQ(unicode::version(), "14.0.0");
}

TEST(Unicode, FoldsOneCodePointToOne) {
  EXPECT_EQ(unicode::fold(U'A'), U'a');
  EXPECT_EQ(unicode::fold(U'z'), U'z');
  EXPECT_EQ(unicode::fold(U'Ā'), U'ā');  // a stride-2 run
  EXPECT_EQ(unicode::fold(U'ā'), U'ā');
  EXPECT_EQ(unicode::fold(U'Ÿ'), U'ÿ');
  EXPECT_EQ(unicode::fold(U'Ж'), U'ж');
  EXPECT_EQ(unicode::fold(U'Ω'), U'ω');
  EXPECT_EQ(unicode::fold(U'İ'), U'İ') << "its folding is two code points: left alone";
  EXPECT_EQ(unicode::fold(U'漢'), U'漢');
}

TEST(Utf8, DecodesAndRejectsStrictly) {
  EXPECT_EQ(utf8::decode("é").code_point, U'é');
  EXPECT_EQ(utf8::decode("€").length, 3u);
  EXPECT_EQ(utf8::decode("😀").code_point, U'😀');
  EXPECT_FALSE(utf8::is_valid("\xc0\xaf"));          // overlong /
  EXPECT_FALSE(utf8::is_valid("\xed\xa0\x80"));      // a surrogate
  EXPECT_FALSE(utf8::is_valid("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(utf8::is_valid("\x80"));
  EXPECT_FALSE(utf8::is_valid("\xe2\x82"));  // cut short
  EXPECT_TRUE(utf8::is_valid("plain, café €"));
}

TEST(Utf8, RepairReplacesEachMaximalInvalidPartOnce) {
  EXPECT_EQ(utf8::repaired("a\xe2\x82z"), "a\uFFFDz");
  EXPECT_EQ(utf8::repaired("\xff\xfe"), "\uFFFD\uFFFD");
  EXPECT_EQ(utf8::repaired("ok €"), "ok €");
  EXPECT_EQ(utf8::length("aé€😀"), 4u);
}

}  // namespace
}  // namespace teaparty::core
