// Rooms in World (core/world.h, core/room.h, core/history.h): the main room always exists,
// other rooms come and go, names and rooms compare by the dialect's key, history is bounded
// and shares the broadcast payloads; and the modern dialect renders each chat line once per
// form however many hear it.

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "core/history.h"
#include "core/names.h"
#include "core/world.h"
#include "tests/modern/modern_shell.h"

namespace teaparty::core {
namespace {

const Instant kNow{std::chrono::seconds(5)};

class WorldRooms : public ::testing::Test {
 protected:
  Session& logged_in(std::uint64_t id, std::string name) {
    Session& s = world_.add_session(ConnId{id}, "peer", 64, kNow);
    world_.log_in(s, std::move(name));
    return s;
  }
  std::vector<std::string> room_names() const {
    std::vector<std::string> out;
    for (const Room* room : world_.rooms())
      out.push_back(room->name);
    return out;
  }

  World world_;
};

TEST_F(WorldRooms, TheMainRoomAlwaysExistsAndLoginEntersIt) {
  EXPECT_EQ(world_.room_count(), 1u);
  EXPECT_EQ(world_.main_room().name, "main");
  Session& a = logged_in(1, "alice");
  EXPECT_EQ(a.room, &world_.main_room());
  EXPECT_EQ(world_.room_members().size(), 1u);
  world_.log_out(a);
  EXPECT_EQ(a.room, nullptr);
  EXPECT_EQ(world_.room_count(), 1u) << "the main room stays, empty";
}

TEST_F(WorldRooms, ARoomIsMadeByItsFirstMemberAndGoesWithItsLast) {
  Session& a = logged_in(1, "alice");
  Session& b = logged_in(2, "bob");
  Room& tea = world_.move_to(a, "tea");
  EXPECT_EQ(world_.move_to(b, "tea").members.size(), 2u);
  EXPECT_EQ(&tea, a.room);
  EXPECT_TRUE(world_.room_members().empty());
  world_.move_to(a, "main");
  EXPECT_NE(world_.find_room("tea"), nullptr);
  world_.log_out(b);
  EXPECT_EQ(world_.find_room("tea"), nullptr);
  EXPECT_EQ(world_.room_count(), 1u);
}

TEST_F(WorldRooms, MembersAreInOrderOfEntry) {
  Session& a = logged_in(1, "alice");
  Session& b = logged_in(2, "bob");
  Session& c = logged_in(3, "carol");
  world_.move_to(b, "x");
  world_.move_to(b, "main");
  const std::vector<ConnId> expected{a.id, c.id, b.id};
  EXPECT_EQ(std::vector<ConnId>(world_.room_members().begin(), world_.room_members().end()),
            expected);
}

TEST_F(WorldRooms, ListedMainFirstThenByKey) {
  logged_in(1, "a");
  world_.move_to(*world_.find(ConnId{1}), "zoo");
  logged_in(2, "b");
  world_.move_to(*world_.find(ConnId{2}), "Bar");
  logged_in(3, "c");
  world_.move_to(*world_.find(ConnId{3}), "apple");
  EXPECT_EQ(room_names(), (std::vector<std::string>{"main", "Bar", "apple", "zoo"}))
      << "without a key function, keys are the bytes themselves";
}

TEST_F(WorldRooms, WithTheModernKeyNamesAndRoomsIgnoreCase) {
  world_.set_name_key(&names::key);
  Session& a = logged_in(1, "Alice");
  EXPECT_TRUE(world_.name_taken("ALICE"));
  EXPECT_EQ(world_.find_by_name("alice"), &a);
  world_.move_to(a, "TeaRoom");
  EXPECT_EQ(world_.find_room("tearoom"), a.room);
  Session& b = logged_in(2, "bob");
  EXPECT_EQ(&world_.move_to(b, "TEAROOM"), a.room);
  EXPECT_EQ(a.room->name, "TeaRoom") << "the first spelling stays";
  world_.rename(a, "Alicia");
  EXPECT_FALSE(world_.name_taken("alice"));
  EXPECT_EQ(world_.find_by_name("ALICIA"), &a);
  EXPECT_EQ(world_.claimed_name_count(), 2u);
}

TEST_F(WorldRooms, WithoutAKeyFunctionNamesAreExactAsTheBookHasThem) {
  logged_in(1, "Alice");
  EXPECT_TRUE(world_.name_taken("Alice"));
  EXPECT_FALSE(world_.name_taken("alice"));
}

TEST_F(WorldRooms, NewRoomsGetTheHistoryLimit) {
  world_.set_history_limit(3);
  EXPECT_EQ(world_.main_room().history.limit(), 3u);
  Session& a = logged_in(1, "alice");
  EXPECT_EQ(world_.move_to(a, "tea").history.limit(), 3u);
}

TEST(History, KeepsTheLastLinesOldestFirstAndSharesThem) {
  History history(3);
  std::vector<Payload> lines;
  for (std::string_view text : {"1", "2", "3", "4", "5"}) {
    lines.push_back(Payload::copy_of(text));
    history.add(lines.back());
  }
  EXPECT_EQ(history.size(), 3u);
  std::string seen;
  history.for_each([&](const Payload& p) { seen += p.text(); });
  EXPECT_EQ(seen, "345");
  EXPECT_EQ(lines[4].use_count(), 2u) << "held by reference, not copied";
  EXPECT_EQ(lines[0].use_count(), 1u) << "forgotten";
}

TEST(History, ZeroKeepsNothing) {
  History history(0);
  history.add(Payload::copy_of("x"));
  EXPECT_TRUE(history.empty());
}

// --- render once ---

using testing::ChatShell;
using testing::iac;
using testing::modern_config;

// The chunks queued for a stalled client, as views into the payloads themselves.
std::vector<std::string_view> queued(ChatShell& shell, ConnId id) {
  std::array<ByteView, 64> views;
  const std::size_t n = shell.server().gather_output(id, views);
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(as_text(views[i]));
  return out;
}

ConnId enter(ChatShell& shell, std::string_view name, std::string_view answers = {}) {
  const ConnId id = shell.connect();
  shell.type(id, std::string(answers) + std::string(name) + "\r\n");
  shell.take_output(id);
  return id;
}

TEST(RenderOnce, AChatLineIsOnePayloadForTheWholeRoomAndItsHistory) {
  ChatShell shell(modern_config());
  const ConnId alice = enter(shell, "alice");
  const ConnId bob = enter(shell, "bob");
  const ConnId carol = enter(shell, "carol");
  shell.take_output(alice);
  shell.stall(bob);
  shell.stall(carol);
  shell.type(alice, "hello all\r\n");
  const auto to_bob = queued(shell, bob);
  const auto to_carol = queued(shell, carol);
  ASSERT_EQ(to_bob.size(), 1u);
  ASSERT_EQ(to_carol.size(), 1u);
  EXPECT_EQ(to_bob[0], "alice: hello all\r\n");
  EXPECT_EQ(to_bob[0].data(), to_carol[0].data()) << "a copy per recipient";
  const Room& main = shell.server().world().main_room();
  const char* remembered = nullptr;
  main.history.for_each([&](const Payload& p) { remembered = p.text().data(); });
  EXPECT_EQ(remembered, to_bob[0].data()) << "history copied the line";
}

TEST(RenderOnce, TheGmcpFormIsRenderedOnceForEveryoneWhoTakesIt) {
  ChatShell shell(modern_config());
  const std::string mudlet = iac(telnet::kDO, telnet::kOptGMCP);
  const ConnId alice = enter(shell, "alice");
  const ConnId bob = enter(shell, "bob", mudlet);
  const ConnId carol = enter(shell, "carol", mudlet);
  const ConnId dave = enter(shell, "dave");
  shell.stall(bob);
  shell.stall(carol);
  shell.stall(dave);
  shell.type(alice, "hi\r\n");
  const auto to_bob = queued(shell, bob);
  const auto to_carol = queued(shell, carol);
  ASSERT_EQ(to_bob.size(), 2u);
  ASSERT_EQ(to_carol.size(), 2u);
  EXPECT_EQ(to_bob[1].data(), to_carol[1].data()) << "a GMCP copy per recipient";
  EXPECT_EQ(to_bob[0].data(), to_carol[0].data());
  EXPECT_EQ(queued(shell, dave).size(), 1u) << "no GMCP for a client that did not agree";
}

}  // namespace
}  // namespace teaparty::core
