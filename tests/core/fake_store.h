#pragma once
// A fake of the shared store (core/bus.h) for tests that join two or three cores, each behind
// a FakeShell: it carries each node's requests in order, keeps the claims with their time to
// live, and hands every message to every linked node in the one order it executed the
// publishes. Shared by tests/core/cluster_test.cpp (classic) and cluster_modern_test.cpp.

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>

#include "core/bus.h"
#include "tests/core/fake_shell.h"

namespace teaparty::core::testing {

// The store: carries each node's requests in order, keeps the claims, and hands every message
// to every linked node in the one order it executed the publishes.
class FakeStore {
 public:
  void link(FakeShell& node) {
    link_quietly(node);
    settle();
  }
  // The link comes up; nothing is carried yet.
  void link_quietly(FakeShell& node) {
    linked_.insert(&node);
    node.bus(BusUp{});
  }
  // The link breaks: the node is told; what it had not sent yet is lost.
  void cut(FakeShell& node) {
    linked_.erase(&node);
    inbound_.erase(&node);
    while (node.server().poll_bus()) {
    }
    node.bus(BusDown{});
  }
  // The node dies without a word: nothing of it reaches the store any more.
  void kill(FakeShell& node) {
    linked_.erase(&node);
    inbound_.erase(&node);
  }
  // The store itself restarts empty: every link breaks, every claim is gone.
  void restart_empty() {
    for (FakeShell* node : std::set<FakeShell*>(linked_))
      cut(*node);
    keys_.clear();
  }
  void advance(Duration by) { now_ = now_ + by; }
  std::optional<std::string> owner(const std::string& key) const {
    auto it = keys_.find(key);
    if (it == keys_.end() || it->second.expires <= now_) return std::nullopt;
    return it->second.owner;
  }
  // A message that is not a node's: the nodes must shrug it off.
  void publish_raw(std::string channel, std::string message) {
    for (FakeShell* node : linked_)
      inbound_[node].push_back(BusMessage{channel, message});
    settle();
  }

  // Carries the node's requests now, before anyone else's, without delivering anything: what
  // it published comes first in the store's order.
  void carry(FakeShell& node) {
    while (auto request = node.server().poll_bus())
      std::visit([&](auto& r) { execute(node, r); }, *request);
  }

  // Takes the node's requests without carrying them: they are still on their way to the
  // store, which executes them when carry_late says, whatever became of the link meanwhile.
  std::vector<BusRequest> in_flight(FakeShell& node) {
    std::vector<BusRequest> requests;
    while (auto request = node.server().poll_bus())
      requests.push_back(std::move(*request));
    return requests;
  }
  void carry_late(FakeShell& node, std::vector<BusRequest> requests) {
    for (BusRequest& request : requests)
      std::visit([&](auto& r) { execute(node, r); }, request);
    settle();
  }

  // A claim's answer comes back on the node's command link, the messages it published on its
  // subscription: the answer may overtake messages the node published before the claim.
  // Carries the node's requests and hands it their answers before anything else.
  void carry_answers_first(FakeShell& node) {
    carry(node);
    auto& events = inbound_[&node];
    std::stable_partition(events.begin(), events.end(), [](const BusEvent& event) {
      return std::holds_alternative<ClaimAnswer>(event);
    });
    settle();
  }

  // Carries requests and delivers events until every node is quiet.
  void settle() {
    for (int round = 0; round < 1000; ++round) {
      bool progress = false;
      for (FakeShell* node : linked_) {
        while (auto request = node->server().poll_bus()) {
          progress = true;
          std::visit([&](auto& r) { execute(*node, r); }, *request);
        }
      }
      for (FakeShell* node : std::set<FakeShell*>(linked_)) {
        auto& events = inbound_[node];
        while (!events.empty()) {
          progress = true;
          BusEvent event = std::move(events.front());
          events.pop_front();
          node->bus(event);
        }
      }
      if (!progress) return;
    }
    ADD_FAILURE() << "the nodes never went quiet";
  }

 private:
  struct Claim {
    std::string owner;
    Instant expires;
  };
  static std::string node_name(FakeShell& node) {
    return node.server().config().cluster->node_name;
  }

  void execute(FakeShell& node, const ClaimKeys& claim) {
    ClaimAnswer answer{claim.id, {}};
    for (const std::string& key : claim.keys) {
      const auto holder = owner(key);
      const bool granted = !holder || *holder == node_name(node);
      if (granted) keys_[key] = {node_name(node), now_ + claim.ttl};
      answer.granted.push_back(granted);
    }
    inbound_[&node].push_back(answer);
  }
  void execute(FakeShell& node, const ReleaseKeys& release) {
    for (const std::string& key : release.keys) {
      if (owner(key) == node_name(node)) keys_.erase(key);
    }
  }
  void execute(FakeShell&, const Publish& publish) {
    for (FakeShell* to : linked_)
      inbound_[to].push_back(BusMessage{publish.channel, publish.message});
  }

  Instant now_;
  std::map<std::string, Claim> keys_;
  std::set<FakeShell*> linked_;
  std::map<FakeShell*, std::deque<BusEvent>> inbound_;
};

}  // namespace teaparty::core::testing
