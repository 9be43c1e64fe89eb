// HeapTrim: the heap is trimmed once enough outbox ring memory was freed, at most once per
// interval, and a trim held back by the interval is due when it ends. On a virtual clock.

#include "io/heap_trim.h"

#include <gtest/gtest.h>

namespace teaparty::io {
namespace {

using namespace std::chrono_literals;

constexpr core::Instant kStart{std::chrono::seconds(50)};
constexpr std::size_t kEnough = HeapTrim::kEnoughReleased;

TEST(HeapTrim, NothingOrLittleFreedIsNoReasonToTrim) {
  HeapTrim trim;
  EXPECT_FALSE(trim.due(kStart, 0));
  EXPECT_FALSE(trim.due(kStart + 5s, kEnough - 1));
  EXPECT_EQ(trim.next_deadline(), std::nullopt);
  EXPECT_EQ(trim.trims(), 0u);
}

TEST(HeapTrim, EnoughFreedTrimsOnceAndSmallFreesAddUp) {
  HeapTrim trim;
  EXPECT_FALSE(trim.due(kStart, kEnough / 2));
  EXPECT_TRUE(trim.due(kStart, kEnough));
  EXPECT_EQ(trim.trims(), 1u);
  EXPECT_FALSE(trim.due(kStart + 10s, kEnough)) << "nothing freed since";
  EXPECT_FALSE(trim.due(kStart + 10s, kEnough + kEnough / 2));
  EXPECT_TRUE(trim.due(kStart + 10s, 2 * kEnough));
  EXPECT_EQ(trim.trims(), 2u);
  EXPECT_EQ(trim.next_deadline(), std::nullopt);
}

TEST(HeapTrim, AtMostOncePerIntervalAndTheHeldBackTrimWakesTheShell) {
  HeapTrim trim;
  EXPECT_TRUE(trim.due(kStart, kEnough));
  EXPECT_FALSE(trim.due(kStart + 100ms, 3 * kEnough)) << "a burst still going on";
  EXPECT_EQ(trim.next_deadline(), kStart + HeapTrim::kMinInterval);
  EXPECT_FALSE(trim.due(kStart + (HeapTrim::kMinInterval - 1ns), 3 * kEnough));
  EXPECT_TRUE(trim.due(kStart + HeapTrim::kMinInterval, 3 * kEnough));
  EXPECT_EQ(trim.next_deadline(), std::nullopt);
  EXPECT_EQ(trim.trims(), 2u);
}

}  // namespace
}  // namespace teaparty::io
