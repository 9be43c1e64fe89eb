// A broadcast costs the same heap work whatever the size of the room: the line is rendered
// once into one shared payload, and every member's outbox holds a reference to it. Proved by
// counting allocations (this binary replaces operator new) and by looking at where each
// member's queued bytes live — never by timing.

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <string>
#include <variant>
#include <vector>

#include "core/server.h"
#include "core/world.h"
#include "tests/perf/allocation_counter.h"

namespace teaparty::perf {
namespace {

using core::ByteView;
using core::ConnId;

constexpr std::string_view kSay = "say the quick brown fox jumps over the lazy dog\r\n";
constexpr std::string_view kRendered = "m0: the quick brown fox jumps over the lazy dog\r\n";

// A server with `members` clients logged in, and the shell's side of a wake: serve every
// WantWrite by gathering the connection's output and reporting all of it written.
class Room {
 public:
  explicit Room(std::size_t members) {
    for (std::size_t i = 0; i < members; ++i) {
      const ConnId id = server_.connect(now_, "127.0.0.1:40000");
      members_.push_back(id);
      type(id, "login m" + std::to_string(i) + "\r\n");
      drain();
    }
  }

  void type(ConnId from, std::string_view bytes) {
    server_.receive(now_, from, core::as_bytes(bytes));
  }
  // Returns the bytes written, so a test can check that the drain really delivered.
  std::size_t drain() {
    std::size_t written = 0;
    while (auto action = server_.poll_action()) {
      const auto* want = std::get_if<core::WantWrite>(&*action);
      if (!want) continue;
      while (const std::size_t count = server_.gather_output(want->conn, views_)) {
        std::size_t total = 0;
        for (std::size_t i = 0; i < count; ++i)
          total += views_[i].size();
        server_.wrote(now_, want->conn, total);
        written += total;
      }
    }
    while (server_.poll_log()) {
    }
    return written;
  }
  // The first member says a line; everyone's output is then drained.
  std::size_t say_and_drain() {
    type(members_.front(), kSay);
    return drain();
  }

  const std::vector<ConnId>& members() const { return members_; }
  const core::Server& server() const { return server_; }

 private:
  core::Server server_{core::Config{}};
  core::Instant now_{};
  std::vector<ConnId> members_;
  std::array<ByteView, 64> views_{};
};

// What one `say` and the drain after it allocate, once the room has settled: the outbox
// rings have grown, the decoder's line buffer has its capacity.
AllocationCount cost_of_one_say(std::size_t members) {
  Room room(members);
  for (int warm_up = 0; warm_up < 8; ++warm_up)
    room.say_and_drain();
  CountingAllocations counting;
  const std::size_t written = room.say_and_drain();
  const AllocationCount cost = counting.so_far();
  EXPECT_EQ(written, members * kRendered.size()) << "the line did not reach every member";
  return cost;
}

TEST(BroadcastAllocations, AreTheSameForTenHundredAndAThousandMembers) {
  const AllocationCount ten = cost_of_one_say(10);
  const AllocationCount hundred = cost_of_one_say(100);
  const AllocationCount thousand = cost_of_one_say(1000);
  EXPECT_EQ(ten.allocations, hundred.allocations);
  EXPECT_EQ(hundred.allocations, thousand.allocations);
  EXPECT_EQ(ten.bytes, hundred.bytes);
  EXPECT_EQ(hundred.bytes, thousand.bytes);
}

TEST(BroadcastAllocations, AreOneBufferHoldingTheRenderedLineOnce) {
  const AllocationCount cost = cost_of_one_say(1000);
  EXPECT_EQ(cost.allocations, 1u);
  // The one buffer holds the line and its small header (count and size): never two copies.
  EXPECT_GE(cost.bytes, kRendered.size());
  EXPECT_LT(cost.bytes, 2 * kRendered.size());
}

TEST(BroadcastSharing, EveryMembersQueueViewsTheSameBytes) {
  Room room(1000);
  room.type(room.members().front(), kSay);  // not drained: the line is queued for everyone

  std::array<ByteView, 4> views;
  const std::byte* shared = nullptr;
  for (const ConnId member : room.members()) {
    ASSERT_EQ(room.server().gather_output(member, views), 1u);
    EXPECT_EQ(core::as_text(views[0]), kRendered);
    EXPECT_EQ(room.server().queued_bytes(member), kRendered.size());
    if (!shared) shared = views[0].data();
    EXPECT_EQ(views[0].data(), shared) << "member " << member.value << " has a copy of its own";
  }
}

TEST(BroadcastSharing, EveryRecipientHoldsAReferenceToOnePayload) {
  core::World world;
  constexpr std::size_t kMembers = 1000;
  for (std::uint64_t i = 1; i <= kMembers; ++i) {
    core::Session& session = world.add_session(ConnId{i}, "127.0.0.1:40000", 4096, {});
    world.log_in(session, "m" + std::to_string(i));
  }
  const core::Payload line = core::Payload::copy_of(kRendered);

  world.broadcast(world.room_members(), line);

  EXPECT_EQ(line.use_count(), 1 + kMembers);  // ours, and one per outbox
  for (std::uint64_t i = 1; i <= kMembers; ++i)
    EXPECT_EQ(world.find(ConnId{i})->outbox.bytes(), kRendered.size());
}

}  // namespace
}  // namespace teaparty::perf
