#include "sim/virtual_redis.h"

#include <algorithm>
#include <utility>

namespace teaparty::sim {

namespace {

template <typename... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <typename... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace

VirtualRedis::VirtualRedis(std::uint64_t seed, Latency latency)
    : random_(seed), latency_(latency) {}

core::Duration VirtualRedis::latency() {
  const auto low = static_cast<std::uint64_t>(latency_.low.count());
  const auto high = static_cast<std::uint64_t>(std::max(latency_.low, latency_.high).count());
  return core::Duration(static_cast<std::int64_t>(random_.between(low, high)));
}

VirtualRedis::Link& VirtualRedis::link_of(LinkId link) {
  return links_.at(link.value);
}

const VirtualRedis::Link& VirtualRedis::link_of(LinkId link) const {
  return links_.at(link.value);
}

LinkId VirtualRedis::attach(std::string node_name, core::Instant now) {
  const LinkId id{links_.size()};
  Link& link = links_.emplace_back();
  link.node_name = std::move(node_name);
  link.last_request_arrives = link.last_answer = link.last_message = link.last_barrier = now;
  if (store_up_) bring_up(link, now);
  return id;
}

void VirtualRedis::bring_up(Link& link, core::Instant now) {
  link.up = true;
  hand(link, Stream::Barrier, core::BusUp{}, now);
}

void VirtualRedis::kill(LinkId id, core::Instant now, CarriedOut carried_out) {
  Link& link = link_of(id);
  if (!link.alive) return;
  if (link.up) break_link(link, now, carried_out);
  link.alive = false;
  link.inbound.clear();  // nobody is there to hear BusDown
}

void VirtualRedis::cut(LinkId id, core::Instant now, CarriedOut carried_out) {
  Link& link = link_of(id);
  if (!link.alive || link.cut) return;
  link.cut = true;
  if (link.up) break_link(link, now, carried_out);
}

void VirtualRedis::restore(LinkId id, core::Instant now) {
  Link& link = link_of(id);
  if (!link.alive || !link.cut) return;
  link.cut = false;
  if (store_up_) bring_up(link, now);
}

void VirtualRedis::vanish(core::Instant now, std::optional<bool> keep_keys) {
  if (!store_up_) return;
  for (Link& link : links_) {
    if (link.up) break_link(link, now, std::nullopt);
  }
  store_up_ = false;
  if (!keep_keys.value_or(random_.percent(50))) keys_.clear();
}

void VirtualRedis::come_back(core::Instant now) {
  if (store_up_) return;
  store_up_ = true;
  for (Link& link : links_) {
    if (link.alive && !link.cut) bring_up(link, now);
  }
}

void VirtualRedis::break_link(Link& link, core::Instant now, CarriedOut carried_out) {
  // Down first: answers to what is carried out below never arrive, nor does the echo of its
  // publishes (the connections they would come on are gone).
  link.up = false;
  stats_.dropped += link.inbound.size();
  link.inbound.clear();
  std::deque<OnTheWay> on_the_way = std::exchange(link.requests, {});
  const std::size_t got =
      std::min(carried_out.value_or(random_.below(on_the_way.size() + 1)), on_the_way.size());
  for (std::size_t i = 0; i < got; ++i)
    execute(link, on_the_way[i].request, now);
  stats_.lost += on_the_way.size() - got;
  if (link.alive) hand(link, Stream::Barrier, core::BusDown{}, now);
}

void VirtualRedis::request(LinkId id, core::Instant now, core::BusRequest request) {
  Link& link = link_of(id);
  if (!link.up) {
    ++stats_.lost;
    return;
  }
  link.last_request_arrives = std::max(link.last_request_arrives, now + latency());
  link.requests.push_back(OnTheWay{link.last_request_arrives, std::move(request)});
}

void VirtualRedis::carry_out(core::Instant now) {
  while (true) {
    // The earliest arrival goes first; at the same instant, the link attached first.
    Link* next = nullptr;
    for (Link& link : links_) {
      if (link.requests.empty() || link.requests.front().arrives > now) continue;
      if (!next || link.requests.front().arrives < next->requests.front().arrives) next = &link;
    }
    if (!next) return;
    const OnTheWay arrived = std::move(next->requests.front());
    next->requests.pop_front();
    execute(*next, arrived.request, arrived.arrives);
  }
}

bool VirtualRedis::key_free_for(const std::string& key, const std::string& node,
                                core::Instant now) const {
  const auto found = keys_.find(key);
  return found == keys_.end() || found->second.expires <= now || found->second.owner == node;
}

void VirtualRedis::execute(Link& link, const core::BusRequest& request, core::Instant now) {
  ++stats_.carried_out;
  std::visit(Overloaded{
                 [&](const core::ClaimKeys& claim) {
                   core::ClaimAnswer answer{claim.id, {}};
                   for (const std::string& key : claim.keys) {
                     const bool granted = key_free_for(key, link.node_name, now);
                     if (granted) keys_[key] = Key{link.node_name, now + claim.ttl};
                     answer.granted.push_back(granted);
                   }
                   if (link.up) hand(link, Stream::Answers, std::move(answer), now);
                 },
                 [&](const core::ReleaseKeys& release) {
                   for (const std::string& key : release.keys) {
                     const auto found = keys_.find(key);
                     if (found != keys_.end() && found->second.owner == link.node_name)
                       keys_.erase(found);
                   }
                 },
                 [&](const core::Publish& publish) {
                   const std::uint64_t place = published_++;
                   ++stats_.published;
                   log_.push_back(core::BusMessage{publish.channel, publish.message});
                   for (Link& subscriber : links_) {
                     if (subscriber.up) hand(subscriber, Stream::Messages, log_.back(), now, place);
                   }
                 },
             },
             request);
}

void VirtualRedis::hand(Link& link, Stream stream, core::BusEvent event, core::Instant now,
                        std::optional<std::uint64_t> place) {
  core::Instant arrives = now + latency();
  // Each stream keeps its order; a barrier waits for both and nothing overtakes it.
  arrives = std::max(arrives, link.last_barrier);
  switch (stream) {
    case Stream::Answers:
      arrives = link.last_answer = std::max(arrives, link.last_answer);
      break;
    case Stream::Messages:
      arrives = link.last_message = std::max(arrives, link.last_message);
      break;
    case Stream::Barrier:
      arrives = std::max({arrives, link.last_answer, link.last_message});
      link.last_barrier = link.last_answer = link.last_message = arrives;
      break;
  }
  const auto after =
      std::upper_bound(link.inbound.begin(), link.inbound.end(), arrives,
                       [](core::Instant t, const Inbound& queued) { return t < queued.arrives; });
  link.inbound.insert(after, Inbound{arrives, stream, std::move(event), place});
}

std::optional<core::BusEvent> VirtualRedis::poll(LinkId id, core::Instant now) {
  Link& link = link_of(id);
  last_polled_place_.reset();
  if (link.inbound.empty() || link.inbound.front().arrives > now) return std::nullopt;
  Inbound next = std::move(link.inbound.front());
  link.inbound.pop_front();
  ++stats_.delivered;
  last_polled_place_ = next.place;
  return std::move(next.event);
}

std::optional<core::Instant> VirtualRedis::next_time() const {
  std::optional<core::Instant> next;
  const auto consider = [&](core::Instant t) {
    if (!next || t < *next) next = t;
  };
  for (const Link& link : links_) {
    if (!link.requests.empty()) consider(link.requests.front().arrives);
    if (!link.inbound.empty()) consider(link.inbound.front().arrives);
  }
  return next;
}

bool VirtualRedis::link_up(LinkId id) const {
  return link_of(id).up;
}

std::optional<std::string> VirtualRedis::owner_of(std::string_view key, core::Instant now) const {
  const auto found = keys_.find(key);
  if (found == keys_.end() || found->second.expires <= now) return std::nullopt;
  return found->second.owner;
}

}  // namespace teaparty::sim
