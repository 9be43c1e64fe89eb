// io/redis_link against a real redis-server on a loopback port: the claim semantics core/bus.h
// promises, publishes heard back through the subscription byte for byte, replies matched to
// many pipelined requests in order, BusDown when Redis goes away or stops reading, and BusUp
// when it is back. The links run in a poll loop of the test's own, like the shell's.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "io/clock.h"
#include "io/redis_link.h"
#include "tests/cluster/redis_process.h"

namespace teaparty::cluster_test {
namespace {

using namespace std::chrono_literals;
using core::BusEvent;

// A link and everything it reported so far.
struct Node {
  Node(const std::string& address, std::string name, io::RedisLinkLimits limits = {})
      : link(resolved(address), std::move(name), limits) {}

  static io::RedisAddress resolved(const std::string& address) {
    auto result = io::resolve_redis_address(address);
    if (auto* error = std::get_if<std::string>(&result)) ADD_FAILURE() << *error;
    return std::get<io::RedisAddress>(result);
  }
  template <typename Event>
  std::vector<Event> all() const {
    std::vector<Event> found;
    for (const auto& event : events)
      if (const auto* e = std::get_if<Event>(&event)) found.push_back(*e);
    return found;
  }
  template <typename Event>
  std::size_t count() const {
    return all<Event>().size();
  }
  bool log_mentions(std::string_view text) const {
    return std::any_of(logs.begin(), logs.end(),
                       [&](const core::LogRecord& r) { return r.text.find(text) != r.text.npos; });
  }

  io::RedisLink link;
  std::vector<BusEvent> events;
  std::vector<core::LogRecord> logs;
};

// Runs the nodes' links in one poll loop until `done` holds or `limit` passes (the bound on a
// wait for something expected; nothing is asserted about how soon it came).
bool run_until(const std::vector<Node*>& nodes, const std::function<bool()>& done,
               std::chrono::milliseconds limit = 10s) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  std::vector<pollfd> fds;
  std::vector<std::size_t> firsts;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= give_up) return false;
    fds.clear();
    firsts.clear();
    for (Node* node : nodes) {
      firsts.push_back(fds.size());
      node->link.add_poll_fds(fds);
    }
    ::poll(fds.data(), fds.size(), 10);
    const core::Instant now = io::monotonic_now();
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      const std::size_t end = i + 1 < nodes.size() ? firsts[i + 1] : fds.size();
      nodes[i]->link.handle_ready(now, fds.data() + firsts[i], end - firsts[i]);
      nodes[i]->link.tick(now);
      while (auto event = nodes[i]->link.poll_event())
        nodes[i]->events.push_back(std::move(*event));
      while (auto record = nodes[i]->link.poll_log())
        nodes[i]->logs.push_back(std::move(*record));
    }
  }
  return true;
}

std::string name_key(const std::string& name) {
  return std::string(core::bus::kNameKeyPrefix) + name;
}

class RedisLinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(find_redis_server().has_value())
        << "redis-server is not on PATH: these tests need a real Redis. Install the Debian "
           "package redis-server (scripts/install-deps does).";
    redis_ = std::make_unique<RedisProcess>(free_loopback_port());
    ASSERT_TRUE(redis_->start()) << "redis-server did not start on " << redis_->address();
  }

  // A node whose link is up.
  std::unique_ptr<Node> joined(const std::string& name, io::RedisLinkLimits limits = {}) {
    auto node = std::make_unique<Node>(redis_->address(), name, limits);
    node->link.start(io::monotonic_now());
    EXPECT_TRUE(run_until({node.get()}, [&] { return node->count<core::BusUp>() == 1; }))
        << name << " never came up";
    return node;
  }

  // Claims `keys` for `node` and waits for the verdicts.
  std::vector<bool> claim(Node& node, std::vector<std::string> keys,
                          core::Duration ttl = std::chrono::seconds(60)) {
    const std::uint64_t id = ++last_id_;
    const std::size_t before = node.count<core::ClaimAnswer>();
    node.link.submit(io::monotonic_now(), core::ClaimKeys{id, std::move(keys), ttl});
    if (!run_until({&node}, [&] { return node.count<core::ClaimAnswer>() > before; })) {
      ADD_FAILURE() << "claim " << id << " was never answered";
      return {};
    }
    const auto answer = node.all<core::ClaimAnswer>().back();
    EXPECT_EQ(answer.id, id);
    return answer.granted;
  }

  std::unique_ptr<RedisProcess> redis_;
  std::uint64_t last_id_ = 0;
};

TEST_F(RedisLinkTest, ComesUpOnceBothConnectionsAreMadeAndSubscribed) {
  auto a = joined("a");
  EXPECT_TRUE(a->link.up());
  EXPECT_EQ(a->link.next_deadline(), std::nullopt);
  ASSERT_EQ(a->events.size(), 1u);
  EXPECT_TRUE(a->log_mentions("up, as node a"));
}

TEST_F(RedisLinkTest, AClaimGrantsFreeKeysAndOurOwnButNotAnotherNodes) {
  auto a = joined("a");
  auto b = joined("b");
  EXPECT_EQ(claim(*a, {name_key("alice"), name_key("bob")}), (std::vector<bool>{true, true}));
  EXPECT_EQ(claim(*a, {name_key("alice")}), (std::vector<bool>{true}));  // ours: refreshed
  EXPECT_EQ(claim(*b, {name_key("alice"), name_key("carol"), name_key("bob")}),
            (std::vector<bool>{false, true, false}));
  EXPECT_EQ(claim(*a, {name_key("carol")}), (std::vector<bool>{false}));
  EXPECT_EQ(claim(*a, {}), (std::vector<bool>{}));
}

TEST_F(RedisLinkTest, AReleaseDeletesOnlyKeysStillOurs) {
  auto a = joined("a");
  auto b = joined("b");
  EXPECT_EQ(claim(*a, {name_key("alice")}), (std::vector<bool>{true}));
  b->link.submit(io::monotonic_now(), core::ReleaseKeys{{name_key("alice")}});
  // b's requests are carried out in order: its release came before this claim.
  EXPECT_EQ(claim(*b, {name_key("alice")}), (std::vector<bool>{false}));
  a->link.submit(io::monotonic_now(), core::ReleaseKeys{{name_key("alice")}});
  EXPECT_EQ(claim(*a, {name_key("other")}), (std::vector<bool>{true}));  // a's release is done
  EXPECT_EQ(claim(*b, {name_key("alice")}), (std::vector<bool>{true}));
}

TEST_F(RedisLinkTest, AClaimNotRefreshedExpiresAfterItsTimeToLive) {
  auto a = joined("a");
  auto b = joined("b");
  EXPECT_EQ(claim(*a, {name_key("alice")}), (std::vector<bool>{true}));
  EXPECT_EQ(claim(*b, {name_key("alice")}), (std::vector<bool>{false}));
  // a refreshes it one last time, with a short life, and then says nothing more.
  EXPECT_EQ(claim(*a, {name_key("alice")}, std::chrono::milliseconds(50)),
            (std::vector<bool>{true}));
  bool granted = false;
  for (int attempt = 0; attempt < 200 && !granted; ++attempt) {
    granted = claim(*b, {name_key("alice")}) == std::vector<bool>{true};
    if (!granted) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(granted) << "a's claim never expired";
  EXPECT_EQ(claim(*a, {name_key("alice")}), (std::vector<bool>{false}));  // b's now
}

TEST_F(RedisLinkTest, APublishReachesEveryNodeThroughItsSubscriptionItsOwnToo) {
  auto a = joined("a");
  auto b = joined("b");
  const std::string channel = std::string(core::bus::kRoomChannelPrefix) + "lobby";
  a->link.submit(io::monotonic_now(), core::Publish{channel, "alice: hello"});
  ASSERT_TRUE(run_until({a.get(), b.get()}, [&] {
    return a->count<core::BusMessage>() == 1 && b->count<core::BusMessage>() == 1;
  }));
  for (Node* node : {a.get(), b.get()}) {
    EXPECT_EQ(node->all<core::BusMessage>()[0].channel, channel);
    EXPECT_EQ(node->all<core::BusMessage>()[0].message, "alice: hello");
  }
}

TEST_F(RedisLinkTest, ChannelsAndMessagesAreBinarySafe) {
  auto a = joined("a");
  auto b = joined("b");
  const std::string awkward("\0\r\n\xff$3\r\n*1\r\n \0", 15);
  const std::string channel = std::string(core::bus::kRoomChannelPrefix) + awkward;
  const std::string big = awkward + std::string(300'000, '\xff') + awkward;
  a->link.submit(io::monotonic_now(), core::Publish{channel, awkward});
  a->link.submit(io::monotonic_now(), core::Publish{channel, big});
  a->link.submit(io::monotonic_now(), core::Publish{channel, ""});
  ASSERT_TRUE(run_until({a.get(), b.get()}, [&] { return b->count<core::BusMessage>() == 3; }));
  const auto heard = b->all<core::BusMessage>();
  EXPECT_EQ(heard[0].channel, channel);
  EXPECT_EQ(heard[0].message, awkward);
  EXPECT_EQ(heard[1].message, big);
  EXPECT_EQ(heard[2].message, "");
  // A name with such bytes is a key like any other.
  EXPECT_EQ(claim(*a, {name_key(awkward)}), (std::vector<bool>{true}));
  EXPECT_EQ(claim(*b, {name_key(awkward)}), (std::vector<bool>{false}));
}

TEST_F(RedisLinkTest, ManyPipelinedRequestsAreAnsweredInOrder) {
  auto a = joined("a");
  auto b = joined("b");
  const std::string channel = std::string(core::bus::kRoomChannelPrefix) + "lobby";
  constexpr int kRequests = 2000;
  // Submitted all at once, before any reply is read; a's odd keys belong to b already.
  EXPECT_EQ(claim(*b, {name_key("taken")}), (std::vector<bool>{true}));
  const auto now = io::monotonic_now();
  for (int i = 1; i <= kRequests; ++i) {
    const std::string key = i % 2 == 1 ? name_key("taken") : name_key("n" + std::to_string(i));
    a->link.submit(now,
                   core::ClaimKeys{
                       static_cast<std::uint64_t>(1000 + i), {key, key}, std::chrono::seconds(60)});
    a->link.submit(now, core::Publish{channel, std::to_string(i)});
  }
  ASSERT_TRUE(run_until({a.get(), b.get()}, [&] {
    return a->count<core::ClaimAnswer>() == kRequests && b->count<core::BusMessage>() == kRequests;
  }));
  const auto answers = a->all<core::ClaimAnswer>();
  const auto heard = b->all<core::BusMessage>();
  for (int i = 1; i <= kRequests; ++i) {
    const auto& answer = answers[static_cast<std::size_t>(i - 1)];
    ASSERT_EQ(answer.id, static_cast<std::uint64_t>(1000 + i));
    const bool expected = i % 2 == 0;
    ASSERT_EQ(answer.granted, (std::vector<bool>{expected, expected})) << "request " << i;
    ASSERT_EQ(heard[static_cast<std::size_t>(i - 1)].message, std::to_string(i));
  }
}

TEST_F(RedisLinkTest, RedisKilledIsBusDownAndRestartedIsBusUpAgain) {
  auto a = joined("a");
  const std::string channel = std::string(core::bus::kRoomChannelPrefix) + "lobby";
  redis_->kill();
  ASSERT_TRUE(run_until({a.get()}, [&] { return a->count<core::BusDown>() == 1; }));
  EXPECT_FALSE(a->link.up());
  EXPECT_TRUE(a->link.next_deadline().has_value()) << "no retry scheduled";
  EXPECT_TRUE(a->log_mentions("unreachable"));
  // Requests while down are dropped, never answered later.
  a->link.submit(io::monotonic_now(), core::ClaimKeys{77, {name_key("x")}, 60s});
  a->link.submit(io::monotonic_now(), core::Publish{channel, "lost"});
  ASSERT_TRUE(redis_->start());
  ASSERT_TRUE(run_until({a.get()}, [&] { return a->count<core::BusUp>() == 2; }));
  EXPECT_EQ(a->count<core::BusDown>(), 1u) << "BusDown is said once per outage";
  EXPECT_EQ(claim(*a, {name_key("x")}), (std::vector<bool>{true}));
  EXPECT_EQ(a->count<core::ClaimAnswer>(), 1u);
  a->link.submit(io::monotonic_now(), core::Publish{channel, "back"});
  ASSERT_TRUE(run_until({a.get()}, [&] { return a->count<core::BusMessage>() == 1; }));
  EXPECT_EQ(a->all<core::BusMessage>()[0].message, "back");
}

TEST_F(RedisLinkTest, NoRedisIsOneBusDownAndRetriesThatBackOff) {
  redis_->kill();
  Node a(redis_->address(), "a");
  a.link.start(io::monotonic_now());
  a.link.submit(io::monotonic_now(), core::Publish{"teaparty:nodes", "hello"});
  ASSERT_TRUE(run_until({&a}, [&] { return a.log_mentions("retrying in 400 ms"); }));
  EXPECT_TRUE(a.log_mentions("retrying in 100 ms"));
  EXPECT_TRUE(a.log_mentions("retrying in 200 ms"));
  ASSERT_EQ(a.events.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<core::BusDown>(a.events[0]));
  // And when Redis comes, the link does.
  ASSERT_TRUE(redis_->start());
  ASSERT_TRUE(run_until({&a}, [&] { return a.count<core::BusUp>() == 1; }));
}

TEST_F(RedisLinkTest, ARedisThatStopsReadingIsBusDownOnceTheQueuePassesItsCap) {
  io::RedisLinkLimits limits;
  limits.max_queued_bytes = 256 * 1024;
  auto a = joined("a", limits);
  redis_->pause();
  const std::string channel = std::string(core::bus::kRoomChannelPrefix) + "lobby";
  const std::string chunk(1 << 20, 'x');
  // The kernel's socket buffers take some megabytes; then the link's queue grows to its cap.
  for (int i = 0; i < 256 && a->count<core::BusDown>() == 0; ++i) {
    a->link.submit(io::monotonic_now(), core::Publish{channel, chunk});
    while (auto event = a->link.poll_event())
      a->events.push_back(std::move(*event));
    while (auto record = a->link.poll_log())
      a->logs.push_back(std::move(*record));
  }
  EXPECT_EQ(a->count<core::BusDown>(), 1u);
  EXPECT_TRUE(a->log_mentions("Redis is not reading"));
  EXPECT_TRUE(a->link.flushed()) << "the queue was dropped with the connection";
  redis_->resume();
  ASSERT_TRUE(run_until({a.get()}, [&] { return a->count<core::BusUp>() == 2; }));
}

}  // namespace
}  // namespace teaparty::cluster_test
