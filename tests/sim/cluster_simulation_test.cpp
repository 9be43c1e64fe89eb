// The multi-node simulator (sim/cluster_simulation.h): a seed is a complete description of a
// run, and core's cluster passes the oracle's checks over seeded runs with every kind of fault.

#include "sim/cluster_simulation.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "sim/digest.h"
#include "sim/modern_cluster_typing.h"

namespace teaparty::sim {
namespace {

ClusterOptions options(std::uint64_t seed, std::size_t nodes = 3, std::size_t steps = 1500) {
  ClusterOptions o;
  o.seed = seed;
  o.nodes = nodes;
  o.clients = 8;
  o.steps = steps;
  return o;
}

TEST(ClusterSimulation, TheSameSeedGivesTheSameRunByteForByte) {
  ClusterSimulation first(options(21));
  ClusterSimulation second(options(21));
  const ClusterResult a = first.run();
  const ClusterResult b = second.run();
  EXPECT_EQ(a.digest, b.digest);
  EXPECT_EQ(first.trace(), second.trace());
  EXPECT_EQ(a.violation, b.violation);
  EXPECT_GT(a.stats.bus_events, 0u);
}

TEST(ClusterSimulation, AnotherSeedGivesAnotherRun) {
  ClusterSimulation first(options(21));
  ClusterSimulation second(options(22));
  EXPECT_NE(first.run().digest, second.run().digest);
}

TEST(ClusterSimulation, TheDigestIsTheFnvOfTheWholeTrace) {
  ClusterSimulation simulation(options(5));
  const ClusterResult result = simulation.run();
  Digest digest;
  digest.add(simulation.trace());
  EXPECT_EQ(result.digest, digest.hex());
}

TEST(ClusterSimulation, TheKillBoundIsTheNodeTimeoutAndAHeartbeatWithSlack) {
  ClusterSimulation simulation(options(1));
  EXPECT_GT(simulation.kill_bound(), simulation.node_timeout() + simulation.node_timeout() / 3);
  EXPECT_LT(simulation.kill_bound(), 2 * simulation.node_timeout() + std::chrono::seconds(2));
  EXPECT_TRUE(simulation.config().cluster);
  EXPECT_EQ(simulation.config().dialect, core::DialectKind::Classic);
}

// The modern dialect: the option reaches the nodes and the command line (classic's stays as it
// was, so classic runs keep their bytes), and the clients use rooms, /msg and /nick.
TEST(ClusterSimulation, TheModernDialectRunsTheSameEachTimeWithRoomsAndWhispers) {
  ClusterOptions modern = options(21);
  modern.dialect = core::DialectKind::Modern;
  EXPECT_EQ(command_line(modern),
            "teaparty-sim cluster --seed 21 --nodes 3 --clients 8 --steps 1500 --dialect modern");
  EXPECT_EQ(command_line(options(21)),
            "teaparty-sim cluster --seed 21 --nodes 3 --clients 8 --steps 1500");
  ClusterSimulation first(modern);
  ClusterSimulation second(modern);
  EXPECT_EQ(first.config().dialect, core::DialectKind::Modern);
  const ClusterResult a = first.run();
  const ClusterResult b = second.run();
  EXPECT_EQ(a.digest, b.digest);
  EXPECT_EQ(a.violation, b.violation);
  EXPECT_EQ(first.trace(), second.trace());
  EXPECT_GT(a.stats.lines_typed, 0u);
}

// What a modern cluster client types: every command the brief of the simulation names, each
// say and whisper with a fresh marker, and nothing but a name or a said line before logging in.
TEST(ClusterSimulation, ModernClientsTypeTheModernCommands) {
  Random random(5);
  std::uint64_t says = 1;
  std::uint64_t whispers = 1;
  ModernTyping typing;
  typing.slot = 3;
  typing.name = [] { return std::string("ann"); };
  typing.next_say = &says;
  typing.next_whisper = &whispers;
  std::set<std::string> words;
  for (int i = 0; i < 2000; ++i) {
    typing.chatting = i % 4 != 0;
    const TypedLine typed = modern_cluster_line(random, typing);
    const std::string word = typed.line.substr(0, typed.line.find(' '));
    if (!typing.chatting) {
      EXPECT_TRUE(word == "ann" || word == "/login" || typed.say || typed.line.empty())
          << typed.line;
    }
    if (word.starts_with('/')) words.insert(word);
    if (typed.whisper) {
      EXPECT_EQ(typed.whisper_to, "ann");
      EXPECT_TRUE(typed.line.ends_with("[w" + std::to_string(*typed.whisper) + "]"));
    }
  }
  for (const char* command : {"/login", "/say", "/me", "/join", "/leave", "/msg", "/nick", "/who",
                              "/look", "/rooms", "/quit"}) {
    EXPECT_TRUE(words.contains(command)) << command;
  }
  EXPECT_GT(says, 100u);
  EXPECT_GT(whispers, 10u);
}

class ClusterSeeds : public ::testing::TestWithParam<std::tuple<std::uint64_t, std::size_t>> {};

// Every check holds over whole runs, and the runs did check something.
TEST_P(ClusterSeeds, RunClean) {
  const auto [seed, nodes] = GetParam();
  ClusterSimulation simulation(options(seed, nodes, 3000));
  const ClusterResult result = simulation.run();
  ASSERT_FALSE(result.violation) << "SEED=" << seed << " ("
                                 << command_line(options(seed, nodes, 3000))
                                 << "): " << *result.violation << " at " << result.where;
  EXPECT_GT(result.stats.oracle.says_checked, 0u);
  EXPECT_GT(result.stats.oracle.windows_compared, 0u);
  EXPECT_GT(result.stats.kills + result.stats.cuts + result.stats.vanishes, 0u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, ClusterSeeds,
                         ::testing::Combine(::testing::Values(1, 2, 3, 4),
                                            ::testing::Values(2, 3)));

}  // namespace
}  // namespace teaparty::sim
