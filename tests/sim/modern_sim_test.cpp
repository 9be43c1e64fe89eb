// The simulator in the modern dialect (`teaparty-sim run --dialect modern`): virtual clients
// that join and leave rooms, chat, whisper and rename, watched by the say oracle, which follows
// each say to the members of its speaker's room and checks the history shown on entering one.
// Runs must be clean, repeatable, and replay byte for byte; the oracle must catch a fault.

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <variant>

#include "sim/queued_output.h"
#include "sim/replay.h"
#include "sim/say_oracle.h"
#include "sim/simulation.h"

namespace teaparty::sim {
namespace {

using core::ConnId;

SimOptions modern_run(std::uint64_t seed) {
  SimOptions options;
  options.seed = seed;
  options.clients = 6;
  options.steps = 2000;
  options.config.dialect = core::DialectKind::Modern;
  options.config.history_lines = 3;  // small, so that rooms fill theirs
  return options;
}

std::string describe(const SimResult& result) {
  if (!result.finding) return "clean";
  if (const auto* v = std::get_if<Violation>(&*result.finding))
    return result.where + ": " + v->what;
  const auto& d = std::get<Difference>(*result.finding);
  return result.where + ": expected " + d.expected + ", core did " + d.actual;
}

class ModernSimulation : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(ModernSimulation, RunsCleanWithTheOracleFollowingSays) {
  Simulation simulation(modern_run(GetParam()));
  const SimResult result = simulation.run();
  EXPECT_FALSE(result.finding) << describe(result);
  EXPECT_EQ(simulation.config().dialect, core::DialectKind::Modern);
  // The oracle had something to check: says core sent, and their arrival at clients.
  EXPECT_GT(result.stats.says, 0u);
  EXPECT_GT(result.stats.deliveries, 0u);
  EXPECT_EQ(result.stats.connects, result.stats.closes);
}

INSTANTIATE_TEST_SUITE_P(Seeds, ModernSimulation, ::testing::Values(1, 2, 3, 4, 5));

TEST(ModernSimulationRuns, UseRoomsHistoryAndPrivateMessages) {
  Simulation simulation(modern_run(2));
  ASSERT_FALSE(simulation.run().finding);
  const std::string& text = simulation.transcript();
  EXPECT_NE(text.find("dialect modern"), std::string::npos);
  EXPECT_NE(text.find("/join"), std::string::npos);
  EXPECT_NE(text.find("the last lines said in"), std::string::npos);
  EXPECT_NE(text.find("whispers"), std::string::npos);
  EXPECT_NE(text.find("--dialect modern --history 3"), std::string::npos);
}

TEST(ModernSimulationRuns, TheSameSeedGivesTheSameDigest) {
  Simulation first(modern_run(7));
  Simulation second(modern_run(7));
  Simulation other(modern_run(8));
  const std::string digest = first.run().digest;
  EXPECT_EQ(digest, second.run().digest);
  EXPECT_NE(digest, other.run().digest);
}

TEST(ModernSimulationRuns, ARecordedRunReplaysByteForByte) {
  Simulation simulation(modern_run(3));
  const SimResult result = simulation.run();
  ASSERT_FALSE(result.finding) << describe(result);
  auto parsed = core::transcript::parse(simulation.transcript());
  ASSERT_TRUE(std::holds_alternative<core::transcript::Transcript>(parsed));
  const auto& transcript = std::get<core::transcript::Transcript>(parsed);
  const ReplayReport report = replay(transcript);
  EXPECT_FALSE(report.finding);
  EXPECT_EQ(report.events_replayed, transcript.events.size());
  EXPECT_EQ(report.says_checked, result.stats.says);
}

// A modern server driven by hand, for the oracle's planted faults.
class Rooms {
 public:
  Rooms() {
    core::Config config;
    config.dialect = core::DialectKind::Modern;
    config.telnet = false;
    server.emplace(config);
  }
  ConnId log_in(std::string_view name) {
    const ConnId id = server->connect(now, "192.0.2.1:40000");
    type(id, std::string(name) + "\r\n");
    return id;
  }
  void type(ConnId id, std::string_view text) {
    server->receive(now, id, core::as_bytes(text));
    while (server->poll_action()) {
    }
  }
  std::string room_of(ConnId id) const { return server->world().find(id)->room->name; }

  std::optional<core::Server> server;
  core::Instant now{};
};

TEST(ModernSayOracle, FollowsASayToItsRoomOnly) {
  Rooms rooms;
  SayOracle oracle;
  const ConnId alice = rooms.log_in("alice");
  const ConnId bob = rooms.log_in("bob");
  rooms.type(bob, "/join tea\r\n");
  ASSERT_EQ(rooms.room_of(bob), "tea");
  oracle.before_input(*rooms.server, alice);
  rooms.type(alice, "hello " + SayOracle::marker(1) + "\r\n");
  EXPECT_EQ(oracle.after_input(*rooms.server), std::nullopt);
  EXPECT_EQ(oracle.says_seen(), 1u);
}

TEST(ModernSayOracle, CatchesADeliveryToAMemberOfAnotherRoom) {
  Rooms rooms;
  SayOracle oracle;
  const ConnId alice = rooms.log_in("alice");
  const ConnId bob = rooms.log_in("bob");
  rooms.type(bob, "/join tea\r\n");
  oracle.before_input(*rooms.server, alice);
  rooms.type(alice, "hello " + SayOracle::marker(1) + "\r\n");
  ASSERT_EQ(oracle.after_input(*rooms.server), std::nullopt);
  // Fabricated: bob, in another room, is shown alice's say.
  const auto violation = oracle.on_written(bob, "alice: hello " + SayOracle::marker(1) + "\r\n");
  ASSERT_TRUE(violation);
  EXPECT_NE(violation->find("received say [m1] where it was owed nothing"), std::string::npos)
      << *violation;
}

TEST(ModernSayOracle, CatchesAMemberLeftOutOfItsRoomsSay) {
  Rooms rooms;
  SayOracle oracle;
  const ConnId alice = rooms.log_in("alice");
  const ConnId bob = rooms.log_in("bob");
  // Two states no single input connects: bob is in main before and after, yet was away in
  // tea while alice spoke, so core rightly did not send him the say; the oracle, seeing only
  // the two ends, must call it missing.
  oracle.before_input(*rooms.server);
  rooms.type(bob, "/join tea\r\n");
  rooms.type(alice, "hello " + SayOracle::marker(1) + "\r\n");
  rooms.type(bob, "/leave\r\n");
  ASSERT_EQ(rooms.room_of(bob), "main");
  const auto violation = oracle.after_input(*rooms.server);
  ASSERT_TRUE(violation);
  EXPECT_NE(
      violation->find("connection " + std::to_string(bob.value) +
                      " was in the room throughout but was not sent say [m1] (room \"main\")"),
      std::string::npos)
      << *violation;
}

TEST(ModernSayOracle, HistoryIsNotASecondSay) {
  Rooms rooms;
  SayOracle oracle;
  const ConnId alice = rooms.log_in("alice");
  oracle.before_input(*rooms.server, alice);
  rooms.type(alice, "hello " + SayOracle::marker(1) + "\r\n");
  ASSERT_EQ(oracle.after_input(*rooms.server), std::nullopt);
  const ConnId bob = rooms.server->connect(rooms.now, "192.0.2.1:40001");
  oracle.before_input(*rooms.server, bob);
  rooms.type(bob, "bob\r\n");  // shown main's history, alice's say in it
  EXPECT_EQ(oracle.after_input(*rooms.server), std::nullopt);
  const std::string bytes = queued_output(*rooms.server, bob);
  EXPECT_NE(bytes.find("the last lines said in main"), std::string::npos);
  EXPECT_EQ(oracle.on_written(bob, bytes), std::nullopt);
}

}  // namespace
}  // namespace teaparty::sim
