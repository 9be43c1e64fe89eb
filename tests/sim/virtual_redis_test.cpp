// The virtual Redis (sim/virtual_redis.h) alone: claims and their expiry, one global order of
// publishes handed to every node alike, per-node order of requests, and what cuts, kills and
// the store vanishing do to keys, requests in flight and deliveries.

#include "sim/virtual_redis.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <variant>
#include <vector>

namespace teaparty::sim {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

core::Instant at(core::Duration d) {
  return core::Instant{d};
}

// A store with a latency range, and the events each node has been handed.
class Store {
 public:
  explicit Store(Latency latency = {milliseconds(1), milliseconds(20)}, std::uint64_t seed = 1)
      : redis(seed, latency) {}

  LinkId attach(const std::string& name) {
    ++links;
    return redis.attach(name, now);
  }
  // Carries out and hands over everything due up to `until`, in time order.
  void run_until(core::Instant until) {
    while (true) {
      const std::optional<core::Instant> next = redis.next_time();
      if (!next || *next > until) break;
      now = std::max(now, *next);
      redis.carry_out(now);
      for (std::size_t i = 0; i < links; ++i) {
        while (std::optional<core::BusEvent> event = redis.poll(LinkId{i}, now))
          heard[i].push_back(std::move(*event));
      }
    }
    now = until;
  }
  void settle() { run_until(now + seconds(10)); }

  void claim(LinkId link, std::uint64_t id, std::vector<std::string> keys,
             core::Duration ttl = seconds(5)) {
    redis.request(link, now, core::ClaimKeys{id, std::move(keys), ttl});
  }
  void publish(LinkId link, std::string message, std::string channel = "teaparty:room:main") {
    redis.request(link, now, core::Publish{std::move(channel), std::move(message)});
  }
  // The verdicts of the answer with this id, as the node heard it.
  std::optional<std::vector<bool>> answer(LinkId link, std::uint64_t id) const {
    for (const core::BusEvent& event : heard[link.value]) {
      if (const auto* a = std::get_if<core::ClaimAnswer>(&event); a && a->id == id)
        return a->granted;
    }
    return std::nullopt;
  }
  // The messages the node heard, in order, and the link events as "UP" and "DOWN".
  std::vector<std::string> story(LinkId link) const {
    std::vector<std::string> lines;
    for (const core::BusEvent& event : heard[link.value]) {
      if (std::holds_alternative<core::BusUp>(event)) lines.push_back("UP");
      if (std::holds_alternative<core::BusDown>(event)) lines.push_back("DOWN");
      if (const auto* m = std::get_if<core::BusMessage>(&event)) lines.push_back(m->message);
    }
    return lines;
  }

  VirtualRedis redis;
  std::size_t links = 0;
  core::Instant now;
  std::vector<std::vector<core::BusEvent>> heard = std::vector<std::vector<core::BusEvent>>(8);
};

using Story = std::vector<std::string>;

TEST(VirtualRedis, ANodeHearsBusUpAfterTheLatencyWhenItAttaches) {
  Store store({milliseconds(5), milliseconds(5)});
  const LinkId a = store.attach("a");
  EXPECT_TRUE(store.redis.link_up(a));
  store.run_until(at(milliseconds(4)));
  EXPECT_TRUE(store.heard[0].empty());
  store.run_until(at(milliseconds(5)));
  EXPECT_EQ(store.story(a), Story{"UP"});
}

TEST(VirtualRedis, AClaimIsGrantedWhenFreeOrOursAndRefusedWhenAnothersUntilItExpires) {
  Store store({milliseconds(1), milliseconds(1)});
  const LinkId a = store.attach("a");
  const LinkId b = store.attach("b");
  store.claim(a, 1, {"teaparty:name:ann"}, seconds(5));
  store.settle();  // now 10 s; the claim was carried out at 1 ms
  EXPECT_EQ(store.answer(a, 1), std::vector<bool>{true});
  EXPECT_FALSE(store.redis.owner_of("teaparty:name:ann", store.now));  // expired at 5.001 s

  store.claim(a, 2, {"teaparty:name:ann"}, seconds(5));
  store.run_until(store.now + milliseconds(10));
  store.claim(b, 3, {"teaparty:name:ann", "teaparty:name:bob"}, seconds(5));
  store.claim(a, 4, {"teaparty:name:ann"}, seconds(5));  // ours: granted, and refreshed
  store.run_until(store.now + milliseconds(10));
  EXPECT_EQ(store.answer(a, 2), std::vector<bool>{true});
  EXPECT_EQ(store.answer(b, 3), (std::vector<bool>{false, true}));
  EXPECT_EQ(store.answer(a, 4), std::vector<bool>{true});
  EXPECT_EQ(store.redis.owner_of("teaparty:name:ann", store.now), "a");
  EXPECT_EQ(store.redis.owner_of("teaparty:name:bob", store.now), "b");

  // Once a's claim runs out, b may have it.
  store.run_until(store.now + seconds(5));
  store.claim(b, 5, {"teaparty:name:ann"}, seconds(5));
  store.run_until(store.now + milliseconds(10));
  EXPECT_EQ(store.answer(b, 5), std::vector<bool>{true});
  EXPECT_EQ(store.redis.owner_of("teaparty:name:ann", store.now), "b");
}

TEST(VirtualRedis, AKeyLivesItsTtlFromTheMomentTheStoreCarriedTheClaimOut) {
  Store store({milliseconds(30), milliseconds(30)});
  const LinkId a = store.attach("a");
  store.claim(a, 1, {"k"}, seconds(1));  // carried out at 30 ms
  store.run_until(at(milliseconds(1029)));
  EXPECT_EQ(store.redis.owner_of("k", store.now), "a");
  store.run_until(at(milliseconds(1030)));
  EXPECT_FALSE(store.redis.owner_of("k", store.now));
}

TEST(VirtualRedis, ReleaseDeletesOnlyOurKeys) {
  Store store({milliseconds(1), milliseconds(1)});
  const LinkId a = store.attach("a");
  const LinkId b = store.attach("b");
  store.claim(a, 1, {"x", "y"});
  store.run_until(at(milliseconds(5)));
  store.redis.request(b, store.now, core::ReleaseKeys{{"x"}});
  store.redis.request(a, store.now, core::ReleaseKeys{{"y"}});
  store.run_until(at(milliseconds(10)));
  EXPECT_EQ(store.redis.owner_of("x", store.now), "a");
  EXPECT_FALSE(store.redis.owner_of("y", store.now));
}

TEST(VirtualRedis, ANodesRequestsAreCarriedOutInTheOrderItMadeThem) {
  // Wide latencies: a later request may be drawn a shorter one, and still waits its turn.
  Store store({milliseconds(1), milliseconds(500)}, 7);
  const LinkId a = store.attach("a");
  store.settle();
  for (int i = 0; i < 50; ++i)
    store.publish(a, "m" + std::to_string(i));
  store.settle();
  Story expected = {"UP"};
  for (int i = 0; i < 50; ++i)
    expected.push_back("m" + std::to_string(i));
  EXPECT_EQ(store.story(a), expected);
}

TEST(VirtualRedis, EveryNodeHearsEveryPublishInOneGlobalOrder) {
  Store store({milliseconds(1), milliseconds(200)}, 3);
  const LinkId a = store.attach("a");
  const LinkId b = store.attach("b");
  const LinkId c = store.attach("c");
  store.settle();
  for (int i = 0; i < 30; ++i) {
    store.publish(LinkId{static_cast<std::size_t>(i % 3)}, "m" + std::to_string(i));
    store.run_until(store.now + milliseconds(7));
  }
  store.settle();
  EXPECT_EQ(store.redis.publish_count(), 30u);
  Story global = {"UP"};
  for (const core::BusMessage& message : store.redis.published())
    global.push_back(message.message);
  EXPECT_EQ(store.story(a), global);
  EXPECT_EQ(store.story(b), global);
  EXPECT_EQ(store.story(c), global);
  // The order is the store's, not the senders': with these latencies, not the order of sending.
  Story sent = {"UP"};
  for (int i = 0; i < 30; ++i)
    sent.push_back("m" + std::to_string(i));
  EXPECT_NE(global, sent);
}

TEST(VirtualRedis, PollTellsTheGlobalPlaceOfTheMessageItHandedOver) {
  Store store({milliseconds(1), milliseconds(1)});
  const LinkId a = store.attach("a");
  store.publish(a, "first");
  store.publish(a, "second");
  store.now = at(seconds(1));
  store.redis.carry_out(store.now);
  ASSERT_TRUE(store.redis.poll(a, store.now));  // BusUp
  EXPECT_FALSE(store.redis.last_polled_place());
  ASSERT_TRUE(store.redis.poll(a, store.now));
  EXPECT_EQ(store.redis.last_polled_place(), 0u);
  ASSERT_TRUE(store.redis.poll(a, store.now));
  EXPECT_EQ(store.redis.last_polled_place(), 1u);
  EXPECT_FALSE(store.redis.poll(a, store.now));
}

TEST(VirtualRedis, ACutNodeHearsBusDownThenNothingUntilBusUpAndItsRequestsAreLost) {
  Store store({milliseconds(1), milliseconds(1)});
  const LinkId a = store.attach("a");
  const LinkId b = store.attach("b");
  store.settle();
  store.redis.cut(a, store.now);
  EXPECT_FALSE(store.redis.link_up(a));
  store.publish(b, "while a was away");
  store.claim(a, 1, {"k"});  // lost: the link is down
  store.settle();
  EXPECT_FALSE(store.redis.owner_of("k", store.now));
  EXPECT_FALSE(store.answer(a, 1));
  store.redis.restore(a, store.now);
  store.publish(b, "after");
  store.settle();
  EXPECT_EQ(store.story(a), (Story{"UP", "DOWN", "UP", "after"}));
  EXPECT_EQ(store.story(b), (Story{"UP", "while a was away", "after"}));
}

TEST(VirtualRedis, RequestsInFlightAtACutAreCarriedOutOldestFirstOrLost) {
  Store store({milliseconds(10), milliseconds(10)});
  const LinkId a = store.attach("a");
  const LinkId b = store.attach("b");
  store.settle();
  store.publish(a, "one");
  store.publish(a, "two");
  store.publish(a, "three");
  store.redis.cut(a, store.now, 2);  // the store got the first two before the break
  store.settle();
  EXPECT_EQ(store.story(b), (Story{"UP", "one", "two"}));
  EXPECT_EQ(store.story(a), (Story{"UP", "DOWN"}));  // no echo: its subscriber is gone too
  EXPECT_EQ(store.redis.stats().lost, 1u);

  store.redis.restore(a, store.now);
  store.settle();
  store.claim(a, 9, {"k"});
  store.redis.cut(a, store.now, 0);
  store.settle();
  EXPECT_FALSE(store.redis.owner_of("k", store.now));
}

TEST(VirtualRedis, AClaimCarriedOutAtACutHoldsItsKeyButIsNeverAnswered) {
  Store store({milliseconds(10), milliseconds(10)});
  const LinkId a = store.attach("a");
  store.settle();
  store.claim(a, 1, {"k"});
  store.redis.cut(a, store.now, 1);
  store.settle();
  EXPECT_FALSE(store.answer(a, 1));
  // Carried out at the cut, 10 s in, for its 5 s.
  EXPECT_EQ(store.redis.owner_of("k", at(seconds(12))), "a");
  EXPECT_FALSE(store.redis.owner_of("k", at(seconds(15))));
  EXPECT_EQ(store.story(a), (Story{"UP", "DOWN"}));
}

TEST(VirtualRedis, WhatANodeHadNotHeardWhenCutIsDropped) {
  Store store({milliseconds(50), milliseconds(50)});
  const LinkId a = store.attach("a");
  const LinkId b = store.attach("b");
  store.settle();
  store.publish(b, "on its way");
  store.run_until(store.now + milliseconds(60));  // carried out at 50 ms, reaches a at 100 ms
  store.redis.cut(a, store.now);
  store.settle();
  EXPECT_EQ(store.story(a), (Story{"UP", "DOWN"}));
  EXPECT_EQ(store.story(b), (Story{"UP", "on its way"}));
}

TEST(VirtualRedis, AKilledNodeHearsNothingAndItsKeysLiveOutTheirTtl) {
  Store store({milliseconds(1), milliseconds(1)});
  const LinkId a = store.attach("a");
  const LinkId b = store.attach("b");
  store.claim(a, 1, {"k"}, seconds(3));
  store.settle();
  const core::Instant killed = store.now;
  store.redis.kill(a, killed);
  store.publish(b, "after the kill");
  store.settle();
  EXPECT_EQ(store.story(a), (Story{"UP"}));
  EXPECT_FALSE(store.redis.next_time());
  // Claimed at 1 ms for 3 s, at the store's clock: gone 3.001 s after the start of the test.
  EXPECT_EQ(store.redis.owner_of("k", at(milliseconds(2999))), "a");
  EXPECT_FALSE(store.redis.owner_of("k", at(milliseconds(3001))));
  // The node starts again under its name: a new link, the same owner name.
  const LinkId again = store.attach("a");
  store.settle();
  EXPECT_NE(again, a);
  EXPECT_EQ(store.story(again), Story{"UP"});
}

TEST(VirtualRedis, TheStoreVanishingCutsEveryLinkAndLosesOrKeepsItsKeys) {
  for (const bool keep : {false, true}) {
    Store store({milliseconds(1), milliseconds(1)});
    const LinkId a = store.attach("a");
    const LinkId b = store.attach("b");
    store.claim(a, 1, {"k"}, seconds(60));
    store.settle();
    store.redis.vanish(store.now, keep);
    EXPECT_FALSE(store.redis.store_up());
    store.publish(b, "into the void");
    store.redis.restore(a, store.now);  // nothing to restore: a was not cut on its own
    store.settle();
    EXPECT_EQ(store.story(a), (Story{"UP", "DOWN"}));
    EXPECT_EQ(store.story(b), (Story{"UP", "DOWN"}));
    EXPECT_EQ(store.redis.owner_of("k", store.now).has_value(), keep) << keep;
    store.redis.come_back(store.now);
    store.publish(b, "back");
    store.settle();
    EXPECT_EQ(store.story(a), (Story{"UP", "DOWN", "UP", "back"}));
    EXPECT_EQ(store.story(b), (Story{"UP", "DOWN", "UP", "back"}));
  }
}

TEST(VirtualRedis, ALinkCutOnItsOwnStaysDownWhenTheStoreReturns) {
  Store store({milliseconds(1), milliseconds(1)});
  const LinkId a = store.attach("a");
  const LinkId b = store.attach("b");
  store.settle();
  store.redis.cut(a, store.now);
  store.redis.vanish(store.now, true);
  store.redis.come_back(store.now);
  store.settle();
  EXPECT_FALSE(store.redis.link_up(a));
  EXPECT_TRUE(store.redis.link_up(b));
  store.redis.restore(a, store.now);
  store.settle();
  EXPECT_EQ(store.story(a), (Story{"UP", "DOWN", "UP"}));
}

TEST(VirtualRedis, AnswersAndMessagesKeepTheirOwnOrderButNeitherPassesABarrier) {
  // Over many seeds, the answer to a claim made before a publish may come before or after the
  // echo (two connections), but never before the BusUp nor after the BusDown that bound them.
  bool answer_first = false;
  bool echo_first = false;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    Store store({milliseconds(1), milliseconds(100)}, seed);
    const LinkId a = store.attach("a");
    store.claim(a, 1, {"k"});
    store.publish(a, "echo");
    store.settle();
    const auto& heard = store.heard[0];
    ASSERT_EQ(heard.size(), 3u);
    ASSERT_TRUE(std::holds_alternative<core::BusUp>(heard[0]));
    answer_first |= std::holds_alternative<core::ClaimAnswer>(heard[1]);
    echo_first |= std::holds_alternative<core::BusMessage>(heard[1]);
  }
  EXPECT_TRUE(answer_first);
  EXPECT_TRUE(echo_first);
}

TEST(VirtualRedis, TheSameSeedGivesTheSameTimings) {
  const auto run = [](std::uint64_t seed) {
    Store store({milliseconds(1), milliseconds(100)}, seed);
    const LinkId a = store.attach("a");
    std::vector<core::Instant> times;
    for (int i = 0; i < 20; ++i)
      store.publish(a, "m");
    while (std::optional<core::Instant> next = store.redis.next_time()) {
      times.push_back(*next);
      store.redis.carry_out(*next);
      while (store.redis.poll(a, *next)) {
      }
    }
    return times;
  };
  EXPECT_EQ(run(5), run(5));
  EXPECT_NE(run(5), run(6));
}

}  // namespace
}  // namespace teaparty::sim
