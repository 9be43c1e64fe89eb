// The simulator (sim/simulation.h): a seed is a complete description of a run, every run's
// transcript replays byte for byte, core passes its checks over many seeds, and the virtual
// clients do everything the issue lists.

#include "sim/simulation.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "core/transcript.h"
#include "sim/replay.h"

namespace teaparty::sim {
namespace {

SimOptions options(std::uint64_t seed, Limits limits = Limits::BySeed, std::size_t clients = 6,
                   std::size_t steps = 3000) {
  SimOptions o;
  o.seed = seed;
  o.clients = clients;
  o.steps = steps;
  o.limits = limits;
  return o;
}

std::string describe(const SimResult& result) {
  if (!result.finding) return "passed";
  if (const auto* violation = std::get_if<Violation>(&*result.finding)) {
    return violation->what + " at " + result.where;
  }
  const auto& difference = std::get<Difference>(*result.finding);
  return "difference: " + difference.expected + " / " + difference.actual + " at " + result.where;
}

TEST(Simulation, TheSameSeedGivesTheSameRunByteForByte) {
  Simulation first(options(11));
  Simulation second(options(11));
  const SimResult a = first.run();
  const SimResult b = second.run();
  EXPECT_EQ(a.digest, b.digest);
  EXPECT_EQ(first.transcript(), second.transcript());
  EXPECT_GT(a.stats.events, 1000u);
}

TEST(Simulation, AnotherSeedGivesAnotherRun) {
  Simulation first(options(11));
  Simulation second(options(12));
  EXPECT_NE(first.run().digest, second.run().digest);
}

TEST(Simulation, TheDigestIsTheFnvOfTheWholeTranscript) {
  Simulation simulation(options(5));
  const SimResult result = simulation.run();
  Digest digest;
  digest.add(simulation.transcript());
  EXPECT_EQ(result.digest, digest.hex());
}

class ManySeeds : public ::testing::TestWithParam<std::tuple<std::uint64_t, Limits>> {};

// Core keeps every invariant and the say oracle over whole runs, each ends with every
// connection closed, and each run's transcript replays clean through a fresh core.
TEST_P(ManySeeds, RunCleanAndReplayByteForByte) {
  const auto [seed, limits] = GetParam();
  Simulation simulation(options(seed, limits));
  const SimResult result = simulation.run();
  ASSERT_FALSE(result.finding) << "SEED=" << seed << ": " << describe(result);
  EXPECT_EQ(result.stats.connects, result.stats.closes);
  EXPECT_GT(result.stats.says, 0u);
  EXPECT_GT(result.stats.deliveries, 0u);

  auto parsed = core::transcript::parse(simulation.transcript());
  ASSERT_TRUE(std::holds_alternative<core::transcript::Transcript>(parsed));
  const ReplayReport replayed = replay(std::get<core::transcript::Transcript>(parsed));
  EXPECT_FALSE(replayed.finding);
  EXPECT_EQ(replayed.events_replayed, result.stats.events);
  EXPECT_EQ(replayed.says_checked, result.stats.says);
}

INSTANTIATE_TEST_SUITE_P(LimitsOff, ManySeeds,
                         ::testing::Combine(::testing::Range<std::uint64_t>(1, 9),
                                            ::testing::Values(Limits::Off)));
INSTANTIATE_TEST_SUITE_P(LimitsOn, ManySeeds,
                         ::testing::Combine(::testing::Range<std::uint64_t>(1, 9),
                                            ::testing::Values(Limits::On)));

// The first finding stops the run: the transcript ends with the event that showed it, and
// replays up to there.
TEST(Simulation, StopsAtTheFirstViolationWithTheTranscriptUpToIt) {
  SimOptions failing = options(9, Limits::Off);
  failing.extra_check = [](const core::Server& server) -> std::optional<std::string> {
    if (server.world().room_members().size() < 3) return std::nullopt;
    return "three in the room";
  };
  Simulation simulation(failing);
  const SimResult result = simulation.run();
  ASSERT_TRUE(result.finding);
  ASSERT_TRUE(std::holds_alternative<Violation>(*result.finding));
  EXPECT_EQ(std::get<Violation>(*result.finding).what, "three in the room");

  // The transcript stops at the event that brought the third person in: a login.
  auto parsed = core::transcript::parse(simulation.transcript());
  ASSERT_TRUE(std::holds_alternative<core::transcript::Transcript>(parsed));
  const auto& session = std::get<core::transcript::Transcript>(parsed);
  ASSERT_FALSE(session.events.empty());
  EXPECT_EQ(session.events.size(), result.stats.events);
  const core::transcript::Event& last = session.events.back();
  EXPECT_TRUE(std::holds_alternative<core::transcript::Received>(last.what));
  EXPECT_EQ(result.where.substr(result.where.find(", event ") + 8),
            core::transcript::describe_event(last));
  EXPECT_FALSE(replay(session).finding);
}

TEST(Simulation, ManyClientsAtOnce) {
  Simulation simulation(options(77, Limits::BySeed, 100, 8000));
  const SimResult result = simulation.run();
  ASSERT_FALSE(result.finding) << describe(result);
  EXPECT_GT(result.stats.connects, 100u);
}

TEST(Simulation, AClientCountOfZeroStillMeansOneClient) {
  Simulation simulation(options(1, Limits::Off, 0, 300));
  const SimResult result = simulation.run();
  EXPECT_FALSE(result.finding) << describe(result);
  EXPECT_GT(result.stats.connects, 0u);
}

// What a run's clients did, read back from its transcript.
class Coverage : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    for (std::uint64_t seed = 1; seed <= 6; ++seed) {
      for (Limits limits : {Limits::Off, Limits::On}) {
        Simulation simulation(options(seed, limits));
        simulation.run();
        transcripts_ += simulation.transcript();
      }
    }
  }
  static bool saw(std::string_view text) { return transcripts_.find(text) != std::string::npos; }
  static std::string transcripts_;
};
std::string Coverage::transcripts_;

TEST_F(Coverage, ClientsUseEveryLineEnd) {
  EXPECT_TRUE(saw("\\r\\n"));     // CR LF
  EXPECT_TRUE(saw("\\r\\x00"));   // CR NUL
  EXPECT_TRUE(saw("]\\n"));       // a bare LF after a say
  EXPECT_TRUE(saw("]\\rlogin"));  // a lone CR with the next line right behind it
}

TEST_F(Coverage, ClientsEditTypeTelnetAndJunk) {
  EXPECT_TRUE(saw("qz\\x7f\\x7f"));               // DEL
  EXPECT_TRUE(saw("xyz\\x08\\x08\\x08"));         // BS
  EXPECT_TRUE(saw("q\\xff\\xf7"));                // IAC EC
  EXPECT_TRUE(saw("\\xff\\xfa\\x1f"));            // SB NAWS
  EXPECT_TRUE(saw("\\xff\\xf4\\xff\\xfd\\x06"));  // telnet's Ctrl-C
  EXPECT_TRUE(saw(" in \\x04\n"));                // Ctrl-D on an empty line
  EXPECT_TRUE(saw("Line too long"));
  EXPECT_TRUE(saw(" in x\n"));  // a line arriving a byte at a time
}

TEST_F(Coverage, ClientsLogInEveryWay) {
  EXPECT_TRUE(saw("Please enter a name"));
  EXPECT_TRUE(saw("is taken."));
  EXPECT_TRUE(saw("Please log in"));
  EXPECT_TRUE(saw("has entered the room."));
  EXPECT_TRUE(saw("Ch\\xc3\\xa9shire has entered"));
}

TEST_F(Coverage, ClientsChat) {
  EXPECT_TRUE(saw("The following are in this room:"));
  EXPECT_TRUE(saw("The following are logged in:"));
  EXPECT_TRUE(saw("Unknown command: dance"));
  EXPECT_TRUE(saw("has left the room."));
}

TEST_F(Coverage, ConnectionsEndInEveryWay) {
  for (std::string_view ending : {"gone eof", "gone broken", "close logout", "close peer-closed",
                                  "close peer-reset", "close shutdown", "close slow-consumer",
                                  "close refused", "close login-timeout", "close idle-timeout"}) {
    EXPECT_TRUE(saw(ending)) << ending;
  }
}

TEST_F(Coverage, TimePassesAndTheServerShutsDown) {
  EXPECT_TRUE(saw(" - tick\n"));
  EXPECT_TRUE(saw(" - shutdown\n"));
  EXPECT_TRUE(saw("Shutting down..."));
}

}  // namespace
}  // namespace teaparty::sim
