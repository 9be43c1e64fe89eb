// World: sessions, names, the room, delivery and closing. The dialect tests cover what users
// see; these cover the promises World makes to the dialects and to the shell.

#include "core/world.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <variant>
#include <vector>

namespace teaparty::core {
namespace {

const Instant kNow{std::chrono::seconds(5)};

class WorldTest : public ::testing::Test {
 protected:
  Session& add(std::uint64_t id) {
    return world_.add_session(ConnId{id}, "peer" + std::to_string(id), 64, kNow);
  }
  std::vector<Action> take_actions() {
    std::vector<Action> taken(world_.actions().begin(), world_.actions().end());
    world_.actions().clear();
    return taken;
  }
  std::vector<std::uint64_t> values(std::span<const ConnId> ids) {
    std::vector<std::uint64_t> out;
    for (ConnId id : ids)
      out.push_back(id.value);
    return out;
  }

  World world_;
};

TEST_F(WorldTest, SessionsAreFoundByIdAndListedOldestFirst) {
  add(3);
  add(1);
  add(2);
  EXPECT_EQ(world_.session_count(), 3u);
  ASSERT_NE(world_.find(ConnId{2}), nullptr);
  EXPECT_EQ(world_.find(ConnId{2})->peer, "peer2");
  EXPECT_EQ(world_.find(ConnId{4}), nullptr);
  EXPECT_EQ(values(world_.session_ids()), (std::vector<std::uint64_t>{1, 2, 3}));
}

TEST_F(WorldTest, SendAsksForAWriteOnlyWhenTheOutboxWasEmpty) {
  Session& s = add(1);
  world_.send(s, "one");
  world_.send(s, "two");
  const auto actions = take_actions();
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(std::get<WantWrite>(actions[0]).conn, ConnId{1});
  world_.consume_output(s, 6, kNow);
  world_.send(s, "");
  EXPECT_TRUE(take_actions().empty()) << "nothing queued, nothing to write";
  world_.send(s, "three");
  EXPECT_EQ(take_actions().size(), 1u);
}

TEST_F(WorldTest, BroadcastSharesOnePayloadAmongAllMembers) {
  Session& a = add(1);
  Session& b = add(2);
  Session& c = add(3);
  const Payload line = Payload::copy_of("alice: hi\r\n");
  const std::vector<ConnId> members{a.id, b.id, c.id, ConnId{99}};  // 99 is gone: skipped
  world_.broadcast(members, line);
  EXPECT_EQ(line.use_count(), 4u);
  for (Session* s : {&a, &b, &c}) {
    std::array<ByteView, 2> views;
    ASSERT_EQ(s->outbox.gather(views), 1u);
    EXPECT_EQ(as_text(views[0]).data(), line.text().data()) << "a copy per recipient";
  }
}

TEST_F(WorldTest, LoginClaimsTheNameAndKeepsOrder) {
  Session& a = add(1);
  Session& b = add(2);
  world_.log_in(b, "bob");
  world_.log_in(a, "alice");
  EXPECT_TRUE(world_.name_taken("bob"));
  EXPECT_FALSE(world_.name_taken("Bob"));
  EXPECT_EQ(a.phase, Phase::Chatting);
  EXPECT_EQ(a.name, "alice");
  EXPECT_EQ(values(world_.room_members()), (std::vector<std::uint64_t>{2, 1}));
  EXPECT_EQ(values(world_.logged_in()), (std::vector<std::uint64_t>{2, 1}));
}

TEST_F(WorldTest, LogoutFreesTheNameAndLeavesTheRoom) {
  Session& a = add(1);
  Session& b = add(2);
  world_.log_in(a, "alice");
  world_.log_in(b, "bob");
  world_.log_out(a);
  EXPECT_FALSE(world_.name_taken("alice"));
  EXPECT_TRUE(a.name.empty());
  EXPECT_EQ(a.phase, Phase::LoggingIn);
  EXPECT_EQ(values(world_.room_members()), (std::vector<std::uint64_t>{2}));
  EXPECT_EQ(values(world_.logged_in()), (std::vector<std::uint64_t>{2}));
  world_.log_out(a);  // twice is harmless
  EXPECT_EQ(values(world_.room_members()), (std::vector<std::uint64_t>{2}));
}

TEST_F(WorldTest, CloseAfterFlushWaitsForTheOutboxToEmpty) {
  Session& s = add(1);
  world_.log_in(s, "alice");
  world_.send(s, "bye\r\n");
  take_actions();
  world_.close_after_flush(s, CloseReason::Logout, kNow);
  EXPECT_TRUE(take_actions().empty());
  ASSERT_NE(world_.find(ConnId{1}), nullptr);
  world_.consume_output(*world_.find(ConnId{1}), 2, kNow);
  EXPECT_TRUE(take_actions().empty());
  world_.consume_output(*world_.find(ConnId{1}), 3, kNow);
  const auto actions = take_actions();
  ASSERT_EQ(actions.size(), 1u);
  const auto& close = std::get<CloseConnection>(actions[0]);
  EXPECT_EQ(close.conn, ConnId{1});
  EXPECT_EQ(close.reason, CloseReason::Logout);
  EXPECT_EQ(world_.find(ConnId{1}), nullptr);
  EXPECT_FALSE(world_.name_taken("alice"));
}

TEST_F(WorldTest, CloseAfterFlushWithNothingQueuedClosesAtOnce) {
  Session& s = add(1);
  world_.close_after_flush(s, CloseReason::PeerClosed, kNow);
  const auto actions = take_actions();
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(std::get<CloseConnection>(actions[0]).reason, CloseReason::PeerClosed);
  EXPECT_EQ(world_.session_count(), 0u);
}

TEST_F(WorldTest, CloseNowDropsQueuedOutput) {
  Session& s = add(1);
  const Payload line = Payload::copy_of("never written\r\n");
  world_.send(s, line);
  take_actions();
  world_.close_now(s, CloseReason::PeerReset, kNow);
  const auto actions = take_actions();
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(std::get<CloseConnection>(actions[0]).reason, CloseReason::PeerReset);
  EXPECT_EQ(world_.session_count(), 0u);
  EXPECT_EQ(line.use_count(), 1u);
}

TEST_F(WorldTest, ClosingIsLogged) {
  Session& s = add(7);
  world_.close_now(s, CloseReason::PeerReset, kNow);
  ASSERT_EQ(world_.logs().size(), 1u);
  const LogRecord& record = world_.logs().front();
  EXPECT_EQ(record.conn, ConnId{7});
  EXPECT_EQ(record.at, kNow);
  EXPECT_EQ(record.level, LogLevel::Info);
  EXPECT_EQ(record.text, "closed: connection broken (peer7)");
}

}  // namespace
}  // namespace teaparty::core
