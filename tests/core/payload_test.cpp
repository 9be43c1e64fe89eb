// Payload: immutable shared bytes. Copies share one block (that is what makes a broadcast
// cheap), so the tests check sharing by address and by the reference count.

#include "core/payload.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace teaparty::core {
namespace {

using namespace std::string_view_literals;

TEST(Payload, DefaultIsEmptyAndOwnsNothing) {
  const Payload p;
  EXPECT_TRUE(p.empty());
  EXPECT_EQ(p.size(), 0u);
  EXPECT_EQ(p.text(), "");
  EXPECT_TRUE(p.bytes().empty());
  EXPECT_EQ(p.use_count(), 0u);
}

TEST(Payload, CopyOfHoldsExactlyTheBytes) {
  const std::string_view text = "a\0b\xff\r\n"sv;
  const Payload p = Payload::copy_of(text);
  EXPECT_EQ(p.size(), text.size());
  EXPECT_EQ(p.text(), text);
  EXPECT_EQ(as_text(p.bytes()), text);
  EXPECT_NE(p.text().data(), text.data()) << "copy_of must copy";
  EXPECT_EQ(p.use_count(), 1u);
}

TEST(Payload, CopyOfNothingIsEmpty) {
  const Payload p = Payload::copy_of("");
  EXPECT_TRUE(p.empty());
  EXPECT_EQ(p.use_count(), 0u);
}

TEST(Payload, ConcatJoinsPiecesOfAnyStringKind) {
  const std::string name = "alice";
  const std::string_view separator = ": ";
  const Payload p = Payload::concat(name, separator, "hello\0"sv, "\r\n");
  EXPECT_EQ(p.text(), "alice: hello\0\r\n"sv);
  EXPECT_EQ(p.use_count(), 1u);
}

TEST(Payload, ConcatOfEmptyPiecesIsEmpty) {
  const Payload p = Payload::concat(std::string(), ""sv, "");
  EXPECT_TRUE(p.empty());
  EXPECT_EQ(p.use_count(), 0u);
  EXPECT_EQ(Payload::concat("", "x", "").text(), "x");
}

TEST(Payload, CopiesShareOneBlockAndCountTheirHolders) {
  const Payload original = Payload::copy_of("shared line\r\n");
  {
    const Payload second = original;
    Payload third;
    third = second;
    EXPECT_EQ(original.use_count(), 3u);
    EXPECT_EQ(third.use_count(), 3u);
    EXPECT_EQ(second.text().data(), original.text().data());
    EXPECT_EQ(third.text().data(), original.text().data());
  }
  EXPECT_EQ(original.use_count(), 1u) << "destroying the copies releases them";
  EXPECT_EQ(original.text(), "shared line\r\n");
}

TEST(Payload, MovingTransfersTheReferenceWithoutCounting) {
  Payload source = Payload::copy_of("bytes");
  const char* data = source.text().data();
  Payload moved = std::move(source);
  EXPECT_EQ(moved.use_count(), 1u);
  EXPECT_EQ(moved.text().data(), data);
  Payload target = Payload::copy_of("other");
  target = std::move(moved);
  EXPECT_EQ(target.use_count(), 1u);
  EXPECT_EQ(target.text(), "bytes");
}

TEST(Payload, AssignmentReleasesWhatWasHeld) {
  const Payload first = Payload::copy_of("first");
  const Payload second = Payload::copy_of("second");
  Payload holder = first;
  EXPECT_EQ(first.use_count(), 2u);
  holder = second;
  EXPECT_EQ(first.use_count(), 1u);
  EXPECT_EQ(second.use_count(), 2u);
  holder = Payload();
  EXPECT_EQ(second.use_count(), 1u);
  EXPECT_TRUE(holder.empty());
}

TEST(Payload, SelfAssignmentKeepsTheBytes) {
  Payload p = Payload::copy_of("self");
  const Payload& same = p;
  p = same;
  EXPECT_EQ(p.text(), "self");
  EXPECT_EQ(p.use_count(), 1u);
  Payload& alias = p;
  p = std::move(alias);
  EXPECT_EQ(p.text(), "self");
  EXPECT_EQ(p.use_count(), 1u);
}

TEST(Payload, AsBytesAndAsTextAreInverse) {
  const std::string_view text = "\x01\xfe"sv;
  EXPECT_EQ(as_text(as_bytes(text)), text);
  EXPECT_EQ(as_bytes(text).size(), 2u);
  EXPECT_EQ(std::to_integer<int>(as_bytes(text)[1]), 0xfe);
}

}  // namespace
}  // namespace teaparty::core
