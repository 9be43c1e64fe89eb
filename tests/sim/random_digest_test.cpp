// The simulator's own random numbers and digest: fixed algorithms, so a seed or a digest means
// the same thing on every machine and in every later version.

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <set>

#include "sim/digest.h"
#include "sim/random.h"

namespace teaparty::sim {
namespace {

// Known answers from an independent implementation of xoshiro256** seeded by splitmix64.
TEST(Random, MatchesTheReferenceAlgorithm) {
  Random zero(0);
  EXPECT_EQ(zero.next(), 0x99ec5f36cb75f2b4u);
  EXPECT_EQ(zero.next(), 0xbf6e1f784956452au);
  EXPECT_EQ(zero.next(), 0x1a5f849d4933e6e0u);
  EXPECT_EQ(zero.next(), 0x6aa594f1262d2d2cu);
  Random answer(42);
  EXPECT_EQ(answer.next(), 0x15780b2e0c2ec716u);
  EXPECT_EQ(answer.next(), 0x6104d9866d113a7eu);
}

TEST(Random, TheSameSeedGivesTheSameNumbersAndAnotherSeedOthers) {
  Random a(7);
  Random b(7);
  Random c(8);
  int same_as_other_seed = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::uint64_t x = a.next();
    EXPECT_EQ(x, b.next());
    same_as_other_seed += x == c.next();
  }
  EXPECT_EQ(same_as_other_seed, 0);
}

TEST(Random, BelowAndBetweenStayInRangeAndReachBothEnds) {
  Random random(1);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 2000; ++i) {
    const std::uint64_t x = random.below(10);
    ASSERT_LT(x, 10u);
    seen.insert(x);
    const std::uint64_t y = random.between(5, 7);
    ASSERT_GE(y, 5u);
    ASSERT_LE(y, 7u);
  }
  EXPECT_EQ(seen.size(), 10u);
  EXPECT_EQ(random.below(1), 0u);
  EXPECT_EQ(random.between(3, 3), 3u);
}

TEST(Random, WeightedNeverPicksAZeroWeight) {
  Random random(3);
  const std::array<unsigned, 4> weights = {0, 5, 0, 1};
  std::array<int, 4> picked{};
  for (int i = 0; i < 3000; ++i)
    ++picked[random.weighted(weights)];
  EXPECT_EQ(picked[0], 0);
  EXPECT_EQ(picked[2], 0);
  EXPECT_GT(picked[1], picked[3]);
  EXPECT_GT(picked[3], 0);
}

// The published FNV-1a 64 test vectors.
TEST(Digest, IsFnv1a64) {
  EXPECT_EQ(Digest{}.hex(), "cbf29ce484222325");
  Digest a;
  a.add("a");
  EXPECT_EQ(a.hex(), "af63dc4c8601ec8c");
  Digest foobar;
  foobar.add("foo");
  foobar.add("bar");
  EXPECT_EQ(foobar.value(), 0x85944171f73967e8u);
}

}  // namespace
}  // namespace teaparty::sim
