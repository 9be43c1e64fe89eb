// Outbox: queued references to shared payloads, drained by partial writes. Every test
// compares what gather() shows with the bytes a model queue of plain strings would hold.

#include "core/outbox.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace teaparty::core {
namespace {

// Everything gather() shows, joined, using a span of `slots` views.
std::string gathered(const Outbox& outbox, std::size_t slots = 64) {
  std::vector<ByteView> views(slots);
  const std::size_t count = outbox.gather(views);
  std::string joined;
  for (std::size_t i = 0; i < count; ++i)
    joined += as_text(views[i]);
  return joined;
}

TEST(Outbox, StartsEmpty) {
  const Outbox outbox;
  EXPECT_TRUE(outbox.empty());
  EXPECT_EQ(outbox.bytes(), 0u);
  EXPECT_EQ(outbox.chunks(), 0u);
  EXPECT_EQ(gathered(outbox), "");
}

TEST(Outbox, PushingAnEmptyPayloadQueuesNothing) {
  Outbox outbox;
  outbox.push(Payload());
  outbox.push(Payload::copy_of(""));
  EXPECT_TRUE(outbox.empty());
  EXPECT_EQ(outbox.chunks(), 0u);
}

TEST(Outbox, GatherShowsThePayloadsOldestFirst) {
  Outbox outbox;
  outbox.push(Payload::copy_of("one\r\n"));
  outbox.push(Payload::copy_of("two\r\n"));
  outbox.push(Payload::copy_of("three\r\n"));
  EXPECT_EQ(outbox.chunks(), 3u);
  EXPECT_EQ(outbox.bytes(), 17u);
  std::array<ByteView, 8> views;
  ASSERT_EQ(outbox.gather(views), 3u);
  EXPECT_EQ(as_text(views[0]), "one\r\n");
  EXPECT_EQ(as_text(views[1]), "two\r\n");
  EXPECT_EQ(as_text(views[2]), "three\r\n");
}

TEST(Outbox, GatherIntoFewerSlotsThanChunksFillsTheOldest) {
  Outbox outbox;
  for (const char* text : {"a", "bb", "ccc", "dddd"})
    outbox.push(Payload::copy_of(text));
  std::array<ByteView, 2> views;
  ASSERT_EQ(outbox.gather(views), 2u);
  EXPECT_EQ(as_text(views[0]), "a");
  EXPECT_EQ(as_text(views[1]), "bb");
  EXPECT_EQ(outbox.gather(std::span<ByteView>()), 0u);
}

TEST(Outbox, GatherShowsTheQueuedPayloadItselfNotACopy) {
  Outbox outbox;
  const Payload shared = Payload::copy_of("shared");
  outbox.push(shared);
  std::array<ByteView, 1> views;
  ASSERT_EQ(outbox.gather(views), 1u);
  EXPECT_EQ(as_text(views[0]).data(), shared.text().data());
}

TEST(Outbox, PartialWriteInsideAChunkLeavesItsTail) {
  Outbox outbox;
  outbox.push(Payload::copy_of("hello\r\n"));
  outbox.push(Payload::copy_of("world\r\n"));
  outbox.consume(3);
  EXPECT_EQ(outbox.bytes(), 11u);
  EXPECT_EQ(outbox.chunks(), 2u);
  EXPECT_EQ(gathered(outbox), "lo\r\nworld\r\n");
}

TEST(Outbox, PartialWriteAcrossChunkBoundaries) {
  Outbox outbox;
  for (const char* text : {"ab", "cde", "f", "ghij"})
    outbox.push(Payload::copy_of(text));
  outbox.consume(6);  // ab, cde, f: exactly three chunks
  EXPECT_EQ(outbox.chunks(), 1u);
  EXPECT_EQ(gathered(outbox), "ghij");
  outbox.push(Payload::copy_of("kl"));
  outbox.consume(5);  // ghij and k
  EXPECT_EQ(outbox.chunks(), 1u);
  EXPECT_EQ(outbox.bytes(), 1u);
  EXPECT_EQ(gathered(outbox), "l");
}

TEST(Outbox, ConsumingEverythingEmptiesIt) {
  Outbox outbox;
  outbox.push(Payload::copy_of("abc"));
  outbox.push(Payload::copy_of("def"));
  outbox.consume(6);
  EXPECT_TRUE(outbox.empty());
  EXPECT_EQ(outbox.bytes(), 0u);
  EXPECT_EQ(gathered(outbox), "");
}

// After a burst the ring's memory goes back to the heap once everything is written; a ring of
// a connection's usual backlog is kept, so the next delivery allocates nothing.
TEST(Outbox, ADrainedRingLargerThanUsualIsFreedASmallOneKept) {
  Outbox outbox;
  const Payload line = Payload::copy_of("line\r\n");
  for (int i = 0; i < 1000; ++i)
    outbox.push(line);
  EXPECT_GE(outbox.ring_bytes(), 1000 * sizeof(Payload));
  outbox.consume(999 * line.size());
  EXPECT_GE(outbox.ring_bytes(), 1000 * sizeof(Payload)) << "one line still queued";
  outbox.consume(line.size());
  EXPECT_EQ(outbox.ring_bytes(), 0u);

  for (int i = 0; i < 10; ++i)
    outbox.push(line);
  const std::size_t small = outbox.ring_bytes();
  EXPECT_GT(small, 0u);
  outbox.consume(10 * line.size());
  EXPECT_EQ(outbox.ring_bytes(), small);
  outbox.push(line);
  EXPECT_EQ(gathered(outbox), "line\r\n");
}

TEST(Outbox, ConsumingNothingChangesNothing) {
  Outbox outbox;
  outbox.push(Payload::copy_of("abc"));
  outbox.consume(0);
  EXPECT_EQ(gathered(outbox), "abc");
  EXPECT_EQ(outbox.bytes(), 3u);
}

TEST(Outbox, ClearDropsEverythingAndReleasesThePayloads) {
  Outbox outbox;
  const Payload shared = Payload::copy_of("shared");
  outbox.push(shared);
  outbox.push(shared);
  outbox.push(Payload::copy_of("own"));
  EXPECT_EQ(shared.use_count(), 3u);
  outbox.consume(2);
  outbox.clear();
  EXPECT_TRUE(outbox.empty());
  EXPECT_EQ(outbox.bytes(), 0u);
  EXPECT_EQ(outbox.chunks(), 0u);
  EXPECT_EQ(shared.use_count(), 1u);
  outbox.push(Payload::copy_of("again"));
  EXPECT_EQ(gathered(outbox), "again");
}

TEST(Outbox, WrittenChunksReleaseTheirPayloads) {
  Outbox first, second;
  const Payload shared = Payload::copy_of("broadcast\r\n");
  first.push(shared);
  second.push(shared);
  EXPECT_EQ(shared.use_count(), 3u);
  first.consume(4);
  EXPECT_EQ(shared.use_count(), 3u) << "a partly written chunk is still held";
  first.consume(shared.size() - 4);
  EXPECT_EQ(shared.use_count(), 2u);
  second.consume(shared.size());
  EXPECT_EQ(shared.use_count(), 1u);
}

TEST(Outbox, ManyPushAndConsumeCyclesMatchAPlainString) {
  // Pushes and writes of varying sizes interleaved, so the ring's head wraps around many
  // times with partly written chunks at every position; a std::string is the model.
  Outbox outbox;
  std::string model;
  for (int step = 0; step < 5000; ++step) {
    const int pushes = step % 3;  // 0, 1 or 2 payloads per step
    for (int i = 0; i < pushes; ++i) {
      const std::string text = "message " + std::to_string(step) + "." + std::to_string(i) +
                               std::string(static_cast<std::size_t>(step % 7), '!') + "\r\n";
      outbox.push(Payload::copy_of(text));
      model += text;
    }
    // A writev of at most three views, cut short at an arbitrary byte as a full socket would.
    std::array<ByteView, 3> views;
    const std::size_t count = outbox.gather(views);
    std::size_t offered = 0;
    for (std::size_t i = 0; i < count; ++i)
      offered += views[i].size();
    const std::size_t written = std::min(offered, static_cast<std::size_t>((step * 7) % 41));
    outbox.consume(written);
    model.erase(0, written);

    ASSERT_EQ(outbox.bytes(), model.size()) << "step " << step;
    ASSERT_EQ(gathered(outbox, 4096), model) << "step " << step;
  }
  outbox.consume(outbox.bytes());
  EXPECT_TRUE(outbox.empty());
}

TEST(Outbox, ABurstThenADrainThenMoreStillWorks) {
  // A reader that paused: the ring grows past what is kept, is drained, and is used again.
  Outbox outbox;
  std::string model;
  for (int i = 0; i < 500; ++i) {
    const std::string text = std::to_string(i) + "\r\n";
    outbox.push(Payload::copy_of(text));
    model += text;
  }
  EXPECT_EQ(outbox.chunks(), 500u);
  EXPECT_EQ(gathered(outbox, 1000), model);
  outbox.consume(model.size() - 1);
  EXPECT_EQ(gathered(outbox), "\n");
  outbox.consume(1);
  EXPECT_TRUE(outbox.empty());
  outbox.push(Payload::copy_of("after\r\n"));
  outbox.push(Payload::copy_of("burst\r\n"));
  EXPECT_EQ(gathered(outbox), "after\r\nburst\r\n");
  EXPECT_EQ(outbox.bytes(), 14u);
}

}  // namespace
}  // namespace teaparty::core
