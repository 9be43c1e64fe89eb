#include "core/cluster.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <unordered_set>
#include <utility>

namespace teaparty::core {
namespace {

// PlacedMember::since of this node's arrivals not yet heard back: after everyone heard.
constexpr std::uint64_t kOnItsWay = std::numeric_limits<std::uint64_t>::max();

// A line heard (or ours, acted on locally): `extra` is empty (classic) or [talker, room].
HeardLine line_news(Payload line, const std::vector<std::string>& extra) {
  if (extra.size() != 2) return HeardLine{std::move(line)};
  return HeardLine{std::move(line), extra[0], extra[1]};
}

}  // namespace

Cluster::Cluster(ClusterConfig config, World& world, bool with_rooms)
    : config_(std::move(config)), world_(world), with_rooms_(with_rooms) {}

std::string Cluster::name_key(std::string_view name) const {
  return std::string(bus::kNameKeyPrefix) + world_.key_of(name);
}

std::string Cluster::room_channel(std::string_view room) const {
  return std::string(bus::kRoomChannelPrefix) + world_.key_of(room);
}

// --- asked by the dialect ---

bool Cluster::name_held_elsewhere(std::string_view name) const {
  return held_elsewhere_.contains(world_.key_of(name));
}

void Cluster::claim(Session& session, std::string name, Instant now) {
  if (!linked_) {  // a chat of its own for now: the name is checked again on the way back
    // Waiting all the same until the news is passed on, so the dialect sees the login as
    // answered, not as still choosing a name (which it would prompt again).
    session.awaiting_claim = true;
    news_.push_back(ClaimSettled{session.id, std::move(name), true, true});
    return;
  }
  const std::uint64_t id = next_claim_id_++;
  requests_.push_back(ClaimKeys{id, {name_key(name)}, config_.node_timeout});
  world_.log(now, LogLevel::Debug, session.id, "claiming \"" + name + "\" in the cluster");
  login_claims_.emplace(id, PendingClaim{session.id, std::move(name)});
  session.awaiting_claim = true;
}

void Cluster::release(std::string_view name) {
  // Another session here asked for it meanwhile: the store granted that claim (or will), and
  // a release now would free the name under it.
  const std::string key = world_.key_of(name);
  for (const auto& [id, pending] : login_claims_) {
    if (world_.key_of(pending.name) == key) return;
  }
  if (linked_) {
    requests_.push_back(ReleaseKeys{{name_key(name)}});
  } else if (claimed_when_cut_.erase(key) > 0) {
    // Its claim is still in the store till it expires: let go of it on return.
    unreleased_.emplace_back(name);
  }
}

void Cluster::entered(Session& session) {
  if (with_rooms_) {
    await_echo(session);
    const std::string& room = session.room->name;
    publish_in(room, ClusterKind::Enter, {session.name, room, ""}, session.id);
    return;
  }
  if (!linked_) {
    add_member(config_.node_name, session.name, session.id);
    return;
  }
  await_echo(session);
  unechoed_.push_back({ClusterKind::Enter, {}, {session.name}, session.id});
  publish_room(ClusterKind::Enter, session.name);
}

void Cluster::leaving(Session& session) {
  if (session.awaiting_echo) {
    session.awaiting_echo = false;
    --newcomers_;
  }
  renamed_while_cut_.erase(session.name);
  // A name lost to another node: the store and the others know only its new holder.
  if (auto lost = std::find(lost_names_.begin(), lost_names_.end(), session.name);
      lost != lost_names_.end()) {
    lost_names_.erase(lost);
    remove_member(config_.node_name, session.name);
    return;
  }
  if (with_rooms_) {
    release(session.name);
    const std::string& room = session.room->name;
    publish_in(room, ClusterKind::Leave, {session.name, room, ""});
    return;
  }
  release(session.name);
  if (!linked_) {
    remove_member(config_.node_name, session.name);
    return;
  }
  unechoed_.push_back({ClusterKind::Leave, {}, {session.name}, {}});
  publish_room(ClusterKind::Leave, session.name);
}

void Cluster::say(Payload line) {
  if (!linked_) {
    news_.push_back(HeardLine{std::move(line)});
    return;
  }
  std::string text(line.text());
  unechoed_.push_back({ClusterKind::Line, std::move(line), {}, {}});
  publish_room(ClusterKind::Line, std::move(text));
}

std::vector<std::string> Cluster::member_names() const {
  std::vector<std::string> names;
  names.reserve(members_.size() + newcomers_);
  for (const Member& member : members_)
    names.push_back(member.name);
  if (newcomers_ > 0) {
    for (ConnId id : world_.logged_in()) {
      const Session* session = world_.find(id);
      if (session && session->awaiting_echo) names.push_back(session->name);
    }
  }
  return names;
}

void Cluster::deliver(const Payload& line, ConnId except) {
  const auto members = world_.room_members();
  if (newcomers_ == 0 && except == ConnId{}) {
    world_.broadcast(members, line);
    return;
  }
  scratch_.clear();
  for (ConnId id : members) {
    const Session* session = world_.find(id);
    if (id != except && session && !session->awaiting_echo) scratch_.push_back(id);
  }
  world_.broadcast(scratch_, line);
}

// --- asked by the modern dialect ---

void Cluster::say_in(std::string_view room, std::string_view talker, Payload line) {
  publish_in(room, ClusterKind::Line, {std::string(talker), std::string(room)}, {},
             std::move(line));
}

// Two messages, one per room's channel, in this order on every node: the old room hears the
// mover go before the new one hears them come.
void Cluster::moved(Session& session, std::string_view from) {
  const std::string& to = session.room->name;
  await_echo(session);
  publish_in(from, ClusterKind::Leave, {session.name, std::string(from), to});
  publish_in(to, ClusterKind::Enter, {session.name, to, std::string(from)}, session.id);
}

void Cluster::renamed(Session& session, std::string_view old) {
  if (!linked_) note_rename_while_cut(old, session.name);
  // The same name in another case is the same key: releasing it would free the new name.
  if (world_.key_of(old) != world_.key_of(session.name)) release(old);
  const std::string& room = session.room->name;
  publish_in(room, ClusterKind::Rename, {std::string(old), session.name, room}, session.id);
}

std::optional<Cluster::Elsewhere> Cluster::find_elsewhere(std::string_view name) const {
  const std::string key = world_.key_of(name);
  if (!held_elsewhere_.contains(key)) return std::nullopt;
  for (const Member& member : members_) {
    if (member.node != config_.node_name && world_.key_of(member.name) == key) {
      return Elsewhere{member.name, member.node};
    }
  }
  return std::nullopt;
}

void Cluster::whisper(const Elsewhere& to, std::string_view from, std::string_view text) {
  if (!linked_) return;  // nobody is elsewhere while cut off
  publish(bus::kNodesChannel, ClusterKind::Whisper,
          {to.node, std::string(from), to.name, std::string(text)});
}

std::vector<PlacedMember> Cluster::placed_members() const {
  std::vector<PlacedMember> placed;
  placed.reserve(members_.size());
  std::unordered_set<ConnId> listed;
  for (const Member& member : members_) {
    if (member.node != config_.node_name) {
      placed.push_back({member.name, member.room, member.since});
      continue;
    }
    // Ours: as the session is now, not as the bus last told of it.
    const Session* session =
        member.own != ConnId{} ? world_.find(member.own) : world_.find_by_name(member.name);
    if (!session || session->phase != Phase::Chatting || !session->room) continue;
    if (!listed.insert(session->id).second) continue;
    const bool moving = world_.key_of(session->room->name) != world_.key_of(member.room);
    placed.push_back({session->name, session->room->name, moving ? kOnItsWay : member.since});
  }
  for (ConnId id : world_.logged_in()) {  // newcomers: their arrival is on its way round
    const Session* session = world_.find(id);
    if (!session || !session->room || listed.contains(id)) continue;
    placed.push_back({session->name, session->room->name, kOnItsWay});
  }
  return placed;
}

bool Cluster::room_held_elsewhere(std::string_view room) const {
  return in_rooms_elsewhere_.contains(world_.key_of(room));
}

std::optional<std::string> Cluster::room_named(std::string_view room) const {
  const std::string key = world_.key_of(room);
  for (const PlacedMember& member : placed_members()) {
    if (world_.key_of(member.room) == key) return member.room;
  }
  return std::nullopt;
}

// --- from the server ---

void Cluster::on_event(Instant now, const BusEvent& event) {
  std::visit(
      [&](const auto& e) {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, BusUp>) {
          link_up(now);
        } else if constexpr (std::is_same_v<E, BusDown>) {
          link_down(now);
        } else if constexpr (std::is_same_v<E, ClaimAnswer>) {
          if (linked_) answered(e);
        } else {
          if (linked_) heard(now, e);
        }
      },
      event);
}

void Cluster::tick(Instant now) {
  if (!linked_ || now < next_heartbeat_) return;
  next_heartbeat_ = now + heartbeat();
  publish(bus::kNodesChannel, ClusterKind::Alive, {});
  claim_all_names();
  check_silences(now);
}

void Cluster::shutting_down() {
  if (!linked_) return;
  const std::vector<std::string> names = local_names();
  if (!names.empty()) {
    std::vector<std::string> keys;
    for (const std::string& name : names)
      keys.push_back(name_key(name));
    requests_.push_back(ReleaseKeys{std::move(keys)});
  }
  // Nobody is here any more.
  publish(bus::kNodesChannel, with_rooms_ ? ClusterKind::Placed : ClusterKind::Roster, {});
}

std::optional<Instant> Cluster::next_deadline() const {
  if (!linked_) return std::nullopt;
  return next_heartbeat_;
}

std::optional<BusRequest> Cluster::poll_request() {
  if (requests_.empty()) return std::nullopt;
  BusRequest request = std::move(requests_.front());
  requests_.pop_front();
  return request;
}

std::optional<ClusterNews> Cluster::poll_news() {
  if (news_.empty()) return std::nullopt;
  ClusterNews news = std::move(news_.front());
  news_.pop_front();
  return news;
}

// --- the link ---

void Cluster::link_up(Instant now) {
  if (linked_) return;
  linked_ = true;
  linked_since_ = ++incarnation_;
  linked_at_ = now;
  hello_back_ = false;
  heard_since_hello_.clear();
  history_taken_.clear();
  next_heartbeat_ = now + heartbeat();
  world_.log(now, LogLevel::Info, ConnId{},
             "cluster: joined as \"" + config_.node_name + "\" (incarnation " +
                 std::to_string(incarnation_) + ")");
  publish(bus::kNodesChannel, ClusterKind::Hello, {});
  release_names_let_go();
  rejoin();
  if (std::exchange(ever_linked_, true)) news_.push_back(LinkBack{});
}

void Cluster::link_down(Instant now) {
  if (!linked_) return;
  linked_ = false;
  world_.log(now, LogLevel::Warning, ConnId{},
             "cluster: lost the store; serving this node's users on their own (" +
                 std::to_string(unechoed_.size()) + " of our messages were not heard back)");
  news_.push_back(LinkLost{});
  for (const std::string& name : local_names())
    claimed_when_cut_.insert(world_.key_of(name));
  names_at_cut_ = names_known_elsewhere();
  // Our own messages still on their way: our users, at least, get them now.
  while (!unechoed_.empty()) {
    Unechoed unechoed = std::move(unechoed_.front());
    unechoed_.pop_front();
    act_locally(std::move(unechoed));
  }
  // Logins waiting for the store go ahead on this node alone; claimed again on return.
  for (auto& [id, pending] : login_claims_)
    news_.push_back(ClaimSettled{pending.conn, std::move(pending.name), true});
  login_claims_.clear();
  refresh_claims_.clear();
  rejoin_claim_.reset();
  // Nobody on another node can be heard any more: they have left, as far as we can tell.
  std::vector<Member> others;
  for (const Member& member : members_) {
    if (member.node != config_.node_name) others.push_back(member);
  }
  for (const Member& member : others)
    remove_member(member.node, member.name);
  nodes_.clear();
}

void Cluster::act_locally(Unechoed unechoed) {
  if (unechoed.done_here) return;
  switch (unechoed.kind) {
    case ClusterKind::Line:
      news_.push_back(line_news(std::move(unechoed.line), unechoed.fields));
      return;
    case ClusterKind::Enter:
      apply_enter(config_.node_name, unechoed.fields, unechoed.conn);
      return;
    case ClusterKind::Leave:
      apply_leave(config_.node_name, unechoed.fields);
      return;
    case ClusterKind::Rename:
      apply_rename(config_.node_name, unechoed.fields, unechoed.conn);
      return;
    default:
      return;
  }
}

void Cluster::answered(const ClaimAnswer& answer) {
  if (auto login = login_claims_.find(answer.id); login != login_claims_.end()) {
    const bool granted = !answer.granted.empty() && answer.granted.front();
    news_.push_back(ClaimSettled{login->second.conn, std::move(login->second.name), granted});
    login_claims_.erase(login);
    return;
  }
  auto refresh = refresh_claims_.find(answer.id);
  if (refresh == refresh_claims_.end()) return;
  const std::vector<std::string>& names = refresh->second;
  std::vector<std::string> lost;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i < answer.granted.size() && answer.granted[i]) continue;
    if (const ConnId holder = local_session_named(names[i]); holder != ConnId{}) {
      news_.push_back(NameLost{holder});
      lost.push_back(names[i]);
    }
  }
  if (rejoin_claim_ == answer.id) {
    rejoin_claim_.reset();
    tell_renames_while_cut(lost);
    publish_roster(lost);
  }
  lost_names_.insert(lost_names_.end(), lost.begin(), lost.end());
  refresh_claims_.erase(refresh);
}

void Cluster::heard(Instant now, const BusMessage& bus_message) {
  auto message = decode_cluster_message(bus_message.message);
  if (!message) {
    world_.log(now, LogLevel::Debug, ConnId{},
               "cluster: dropped a message on " + bus_message.channel + " that is not ours");
    return;
  }
  if (!fits(*message)) {
    world_.log(
        now, LogLevel::Debug, ConnId{},
        "cluster: dropped a message on " + bus_message.channel + " shaped for the other dialect");
    return;
  }
  const bool ours = message->from.node == config_.node_name;
  if (ours && message->from.boot != config_.boot) {
    world_.log(now, LogLevel::Error, ConnId{},
               "cluster: another node runs under our name \"" + config_.node_name +
                   "\": node names must be unique");
  }
  if (ours && message->from.boot == config_.boot && message->from.incarnation < linked_since_) {
    // Sent before the link last broke and carried by the store only now: acted on locally
    // when the link broke (an own message not yet heard back) or out of date (a roster).
    world_.log(now, LogLevel::Debug, ConnId{},
               "cluster: dropped our own message from before the link broke");
    return;
  }
  if (!ours) note_alive(message->from, now);
  switch (message->kind) {
    case ClusterKind::Line:
      heard_line(*message, ours);
      return;
    case ClusterKind::Enter:
      heard_enter(*message, ours);
      return;
    case ClusterKind::Leave:
      heard_leave(*message, ours);
      return;
    case ClusterKind::Hello:
      heard_hello(*message, ours, now);
      return;
    case ClusterKind::Said:
      if (!ours) heard_said(*message);
      return;
    case ClusterKind::Roster:
    case ClusterKind::Placed:
      heard_roster(*message, now);
      return;
    case ClusterKind::Rename:
      heard_rename(*message, ours);
      return;
    case ClusterKind::Whisper:
      heard_whisper(*message);
      return;
    case ClusterKind::Unheard:
      heard_unheard(*message);
      return;
    case ClusterKind::Alive:
      return;
    case ClusterKind::Gone:
      heard_obituary(*message);
      return;
  }
}

// The classic dialect's room messages carry one field and its roster names only; the modern
// one's carry the room, and its roster (Placed) rooms too. A cluster runs one dialect.
bool Cluster::fits(const ClusterMessage& message) const {
  switch (message.kind) {
    case ClusterKind::Line:
    case ClusterKind::Enter:
    case ClusterKind::Leave:
      return (message.fields.size() == 3) == with_rooms_;
    case ClusterKind::Roster:
      return !with_rooms_;
    case ClusterKind::Rename:
    case ClusterKind::Whisper:
    case ClusterKind::Unheard:
    case ClusterKind::Placed:
    case ClusterKind::Said:
      return with_rooms_;
    default:
      return true;
  }
}

// Any word from a node says it lives, in the run and incarnation the word carries.
void Cluster::note_alive(const NodeRun& from, Instant now) {
  NodeState& state = nodes_[from.node];
  state.boot = from.boot;
  state.incarnation = from.incarnation;
  state.last_heard = now;
  state.obituary_sent = false;
}

void Cluster::heard_line(const ClusterMessage& message, bool ours) {
  if (hello_back_ && message.fields.size() == 3)
    ++heard_since_hello_[world_.key_of(message.fields[2])];
  if (ours) {
    if (auto mine = take_unechoed(ClusterKind::Line)) {
      // The payload we rendered: no copy.
      news_.push_back(line_news(std::move(mine->line), mine->fields));
      return;
    }
  }
  const std::vector<std::string> extra(message.fields.begin() + 1, message.fields.end());
  news_.push_back(line_news(Payload::copy_of(message.fields.front()), extra));
}

void Cluster::heard_enter(const ClusterMessage& message, bool ours) {
  ConnId own;
  if (ours) {
    if (auto mine = take_unechoed(ClusterKind::Enter)) own = mine->conn;
  }
  apply_enter(message.from.node, message.fields, own);
}

void Cluster::heard_leave(const ClusterMessage& message, bool ours) {
  if (ours) take_unechoed(ClusterKind::Leave);
  apply_leave(message.from.node, message.fields);
}

void Cluster::heard_rename(const ClusterMessage& message, bool ours) {
  ConnId own;
  if (ours) {
    if (auto mine = take_unechoed(ClusterKind::Rename)) {
      if (mine->done_here) return;
      own = mine->conn;
    }
  }
  apply_rename(message.from.node, message.fields, own);
}

void Cluster::heard_whisper(const ClusterMessage& message) {
  const auto& fields = message.fields;  // node, from, to, text
  if (fields[0] != config_.node_name) return;
  const Session* to = world_.find_by_name(fields[2]);
  if (!to || to->phase != Phase::Chatting) {  // gone meanwhile: the sender's node tells them
    publish(bus::kNodesChannel, ClusterKind::Unheard, {message.from.node, fields[1], fields[2]});
    return;
  }
  news_.push_back(HeardWhisper{to->id, fields[1], fields[3]});
}

// A node joined (or came back): it learns who is here from every node's roster and, modern,
// what was said so far from every node that has been here a while (not one just back itself,
// whose history has gaps: after Redis restarts, every node keeps its own).
void Cluster::heard_hello(const ClusterMessage& message, bool ours, Instant now) {
  if (ours) {
    if (message.from.incarnation == linked_since_) {
      hello_back_ = true;
      heard_since_hello_.clear();
    }
    return;
  }
  // While our names are being claimed again, our roster waits for the answer (rejoin): it
  // must not list a name that turns out to be another node's.
  if (!rejoin_claim_) publish_roster();
  if (with_rooms_ && now - linked_at_ >= heartbeat()) tell_history(message.from);
}

void Cluster::tell_history(const NodeRun& joiner) {
  for (const Room* room : world_.rooms()) {
    if (room->history.empty()) continue;
    std::vector<std::string> fields{joiner.node, std::to_string(joiner.incarnation), room->name};
    room->history.for_each([&](const Payload& line) { fields.emplace_back(line.text()); });
    publish(room_channel(room->name), ClusterKind::Said, std::move(fields));
  }
}

void Cluster::heard_said(const ClusterMessage& message) {
  const auto& fields = message.fields;  // node, incarnation, room, lines...
  if (fields[0] != config_.node_name || parse_count(fields[1]) != linked_since_) return;
  // Not kept here (yet): a roster still on its way will say who is there, and its sender's
  // Said comes after it.
  if (!hello_back_ || !world_.find_room(fields[2])) return;
  const std::string key = world_.key_of(fields[2]);
  if (!history_taken_.insert(key).second) return;
  std::vector<Payload> earlier;
  for (auto line = fields.begin() + 3; line != fields.end(); ++line)
    earlier.push_back(Payload::copy_of(*line));
  const auto recent = heard_since_hello_.find(key);
  news_.push_back(HistoryHeard{fields[2], std::move(earlier),
                               recent == heard_since_hello_.end() ? 0 : recent->second});
}

void Cluster::heard_unheard(const ClusterMessage& message) {
  const auto& fields = message.fields;  // node, from, to
  if (fields[0] != config_.node_name) return;
  const Session* from = world_.find_by_name(fields[1]);
  if (!from || from->phase != Phase::Chatting) return;  // gone too: nobody to tell
  news_.push_back(WhisperUndelivered{from->id, fields[2]});
}

// Fields: [name] (classic), or [name, room, from] with `from` empty for a login.
void Cluster::apply_enter(const std::string& node, const std::vector<std::string>& fields,
                          ConnId own) {
  const std::string& name = fields[0];
  if (fields.size() < 3) {
    add_member(node, name, own);
    return;
  }
  if (fields[2].empty()) {  // a login
    add_member(node, name, own, fields[1]);
    return;
  }
  Member* member = find_member(node, name);
  if (!member) {
    // A move of someone we have not heard of: a user its node has not listed yet (it is just
    // back, and may find the name taken meanwhile); its roster will say where they are. One
    // of ours we know to be real.
    if (own != ConnId{}) add_member(node, name, own, fields[1], fields[2]);
    return;
  }
  if (own == ConnId{} && world_.key_of(member->announced) == world_.key_of(fields[1])) {
    return;  // the room was told it is there already (it never left, as far as we heard)
  }
  place(*member, fields[1]);
  member->announced = fields[1];
  member->left.clear();
  member->since = ++arrivals_;
  if (own != ConnId{}) member->own = own;
  news_.push_back(HeardEnter{name, own, fields[1], fields[2]});
}

// Fields: [name] (classic), or [name, room, to] with `to` empty for leaving the chat.
void Cluster::apply_leave(const std::string& node, const std::vector<std::string>& fields) {
  if (fields.size() < 3 || fields[2].empty()) {
    remove_member(node, fields[0]);
    return;
  }
  Member* member = find_member(node, fields[0]);
  if (!member) return;
  place(*member, fields[2]);
  // Told to the room that last heard it was there: the one it leaves, unless we missed moves
  // of it (its node was cut off from us, or a move of it half lost with a link). No room here
  // knows of it (its last Enter was lost): nobody hears it go.
  const std::string told = member->announced;
  if (told.empty()) {
    member->left = fields[1];
    return;
  }
  // Back where we last knew it to be: as far as anyone here can tell, it never went away.
  if (world_.key_of(told) == world_.key_of(fields[2])) return;
  member->announced.clear();  // till its Enter there comes
  member->left = told;
  news_.push_back(HeardLeave{fields[0], told, fields[2], member->own});
}

// Fields: [old, new, room]. Told, like a move, where this node's users last heard the
// renamer was: the message's room, unless we missed moves of theirs (their node was cut off
// from us), or none while they are between a move's Leave and its Enter.
void Cluster::apply_rename(const std::string& node, const std::vector<std::string>& fields,
                           ConnId own) {
  Member* member = find_member(node, fields[0]);
  if (!member) return;
  if (node != config_.node_name) {
    auto held = held_elsewhere_.find(world_.key_of(fields[0]));
    if (held != held_elsewhere_.end() && --held->second == 0) held_elsewhere_.erase(held);
    ++held_elsewhere_[world_.key_of(fields[1])];
  }
  member->name = fields[1];
  news_.push_back(HeardRename{fields[0], fields[1], member->announced, own});
}

// A roster is the whole truth about its node: whoever it lists is there, whoever it does not
// is gone.
void Cluster::heard_roster(const ClusterMessage& message, Instant now) {
  const std::string& node = message.from.node;
  const bool ours = node == config_.node_name;
  if (!ours) note_alive(message.from, now);
  // Each listed name with its room: Placed lists pairs, Roster names (all in the main room).
  std::vector<std::pair<std::string_view, std::string_view>> entries;
  const std::size_t step = message.kind == ClusterKind::Placed ? 2 : 1;
  for (std::size_t i = 0; i + step <= message.fields.size(); i += step) {
    entries.emplace_back(message.fields[i],
                         step == 2 ? std::string_view(message.fields[i + 1]) : World::kMainRoom);
  }
  // Sets, not searches: a roster can list thousands, against a cluster of thousands more.
  std::unordered_set<std::string_view> listed;
  for (const auto& entry : entries)
    listed.insert(entry.first);
  std::unordered_set<std::string> known;
  std::vector<std::string> gone;
  for (const Member& member : members_) {
    if (member.node != node) continue;
    known.insert(member.name);
    if (!listed.contains(member.name)) gone.push_back(member.name);
  }
  announce_departures(node, std::move(gone));
  for (const auto& [name, room] : entries) {
    if (known.insert(std::string(name)).second) {
      add_member(node, std::string(name), ours ? local_session_named(name) : ConnId{},
                 std::string(room));
    } else if (Member* member = step == 2 ? find_member(node, name) : nullptr) {
      if (world_.key_of(member->announced) != world_.key_of(room)) {
        moved_unheard(*member, room, ours);
      }
    }
  }
}

// A member the roster places in another room than its last told of it: it moved while we
// were not listening (its node cut off, its move or half of it lost with the link). Told as
// the move it was, so both rooms hear of it as of any other; our own members are as they are
// here already.
void Cluster::moved_unheard(Member& member, std::string_view room, bool ours) {
  place(member, std::string(room));
  if (ours) return;
  const std::string from = member.announced.empty() ? member.left : member.announced;
  if (!member.announced.empty()) {
    news_.push_back(HeardLeave{member.name, member.announced, std::string(room)});
  }
  member.since = ++arrivals_;
  member.announced = room;
  member.left.clear();
  news_.push_back(HeardEnter{member.name, ConnId{}, std::string(room), from});
}

void Cluster::heard_obituary(const ClusterMessage& message) {
  const std::string& dead = message.fields[0];
  const auto boot = parse_count(message.fields[1]);
  const auto incarnation = parse_count(message.fields[2]);
  if (!boot || !incarnation) return;  // not an obituary of anyone
  if (dead == config_.node_name) {
    // Reported dead while alive (we were slow or cut off for a while): come back to life in a
    // new incarnation, so the others take our roster again.
    if (*boot == config_.boot && *incarnation == incarnation_) {
      ++incarnation_;
      rejoin();
    }
    return;
  }
  auto it = nodes_.find(dead);
  if (it == nodes_.end() || it->second.boot != *boot || it->second.incarnation != *incarnation) {
    return;  // about a run or incarnation since replaced: it spoke again after this was sent
  }
  nodes_.erase(it);
  remove_node(dead);
}

void Cluster::check_silences(Instant now) {
  for (auto& [node, state] : nodes_) {
    if (state.obituary_sent || now - state.last_heard <= config_.node_timeout) continue;
    state.obituary_sent = true;
    world_.log(now, LogLevel::Warning, ConnId{},
               "cluster: nothing from \"" + node +
                   "\" for longer than the node timeout: " + "announcing its users as gone");
    publish(bus::kNodesChannel, ClusterKind::Gone,
            {node, std::to_string(state.boot), std::to_string(state.incarnation)});
  }
}

std::optional<Cluster::Unechoed> Cluster::take_unechoed(ClusterKind kind) {
  // Ours come back in the order we sent them; anything else means the store lost some, and
  // what it lost is lost for everyone: skip to this one.
  while (!unechoed_.empty()) {
    Unechoed front = std::move(unechoed_.front());
    unechoed_.pop_front();
    if (front.kind == kind) return front;
  }
  return std::nullopt;
}

// --- publishing ---

void Cluster::publish(std::string_view channel, ClusterKind kind, std::vector<std::string> fields) {
  requests_.push_back(Publish{std::string(channel), encode({kind, me(), std::move(fields)})});
}

void Cluster::publish_room(ClusterKind kind, std::string field) {
  std::vector<std::string> fields;
  fields.push_back(std::move(field));
  publish(room_channel(), kind, std::move(fields));
}

void Cluster::publish_in(std::string_view room, ClusterKind kind, std::vector<std::string> fields,
                         ConnId conn, Payload line) {
  if (!linked_) {  // a chat of its own for now: done here and now
    act_locally({kind, std::move(line), std::move(fields), conn});
    return;
  }
  std::vector<std::string> wire = fields;
  if (kind == ClusterKind::Line) wire.insert(wire.begin(), std::string(line.text()));
  unechoed_.push_back({kind, std::move(line), std::move(fields), conn});
  publish(room_channel(room), kind, std::move(wire));
}

void Cluster::publish_roster(const std::vector<std::string>& lost) {
  publish(bus::kNodesChannel, with_rooms_ ? ClusterKind::Placed : ClusterKind::Roster,
          roster_fields(lost));
}

std::vector<std::string> Cluster::roster_fields(const std::vector<std::string>& lost) const {
  std::vector<std::string> fields;
  for (ConnId id : world_.logged_in()) {
    const Session* session = world_.find(id);
    if (!session || std::find(lost.begin(), lost.end(), session->name) != lost.end()) continue;
    fields.push_back(session->name);
    if (with_rooms_) fields.push_back(session->room ? session->room->name : "");
  }
  return fields;
}

// The names the other nodes may give this node's users now: those of its members as the bus
// last told of them, and those of its messages still on their way (which may have reached
// some nodes). By key.
std::unordered_set<std::string> Cluster::names_known_elsewhere() const {
  std::unordered_set<std::string> names;
  for (const Member& member : members_) {
    if (member.node == config_.node_name) names.insert(world_.key_of(member.name));
  }
  for (const Unechoed& unechoed : unechoed_) {
    if (unechoed.kind == ClusterKind::Enter && !unechoed.fields.empty()) {
      names.insert(world_.key_of(unechoed.fields[0]));
    } else if (unechoed.kind == ClusterKind::Rename && unechoed.fields.size() > 1) {
      names.insert(world_.key_of(unechoed.fields[1]));
    }
  }
  return names;
}

// A /nick while cut off: the others knew the user by the name they had when the link broke
// (if they had one then), whatever renames came between.
void Cluster::note_rename_while_cut(std::string_view old, const std::string& now) {
  std::string known_as(old);
  if (auto earlier = renamed_while_cut_.find(known_as); earlier != renamed_while_cut_.end()) {
    known_as = std::move(earlier->second);
    renamed_while_cut_.erase(earlier);
  } else if (!names_at_cut_.contains(world_.key_of(old))) {
    return;  // logged in while cut off: the others never knew that name
  }
  renamed_while_cut_.emplace(now, std::move(known_as));
}

// Back, the names granted: the others are told the renames made meanwhile, before the roster,
// so they hear "X is now known as Y" rather than X leaving and Y coming.
void Cluster::tell_renames_while_cut(const std::vector<std::string>& lost) {
  const std::unordered_set<std::string> names_at_cut = std::exchange(names_at_cut_, {});
  for (auto& [now, known_as] : std::exchange(renamed_while_cut_, {})) {
    if (std::find(lost.begin(), lost.end(), now) != lost.end()) continue;
    // A name one of ours had at the cut is one the others may still give to them: telling
    // this rename would make two of that name there. The roster sorts it out.
    if (names_at_cut.contains(world_.key_of(now))) continue;
    Session* session = world_.find_by_name(now);
    if (!session || !session->room || now == known_as) continue;
    const std::string& room = session->room->name;
    std::vector<std::string> fields{known_as, now, room};
    unechoed_.push_back({ClusterKind::Rename, {}, fields, session->id, true});
    publish(room_channel(room), ClusterKind::Rename, std::move(fields));
  }
}

// Names this node's users gave up while it was cut off, and nobody here took again since.
void Cluster::release_names_let_go() {
  std::vector<std::string> keys;
  for (const std::string& name : std::exchange(unreleased_, {})) {
    if (!world_.find_by_name(name)) keys.push_back(name_key(name));
  }
  claimed_when_cut_.clear();
  if (!keys.empty()) requests_.push_back(ReleaseKeys{std::move(keys)});
}

// Claims every name again, then the roster: see rejoin_claim_.
void Cluster::rejoin() {
  rejoin_claim_ = claim_all_names();
  if (*rejoin_claim_ == 0) {  // nobody here: nothing to wait for
    rejoin_claim_.reset();
    publish_roster();
  }
}

// Returns the claim's id, or 0 when there is no name to claim.
std::uint64_t Cluster::claim_all_names() {
  std::vector<std::string> names = local_names();
  if (names.empty()) return 0;
  std::vector<std::string> keys;
  keys.reserve(names.size());
  for (const std::string& name : names)
    keys.push_back(name_key(name));
  const std::uint64_t id = next_claim_id_++;
  requests_.push_back(ClaimKeys{id, std::move(keys), config_.node_timeout});
  refresh_claims_.emplace(id, std::move(names));
  return id;
}

std::vector<std::string> Cluster::local_names() const {
  std::vector<std::string> names;
  for (ConnId id : world_.logged_in()) {
    if (const Session* session = world_.find(id)) names.push_back(session->name);
  }
  return names;
}

// --- members ---

void Cluster::add_member(std::string node, std::string name, ConnId own, std::string room,
                         std::string from) {
  news_.push_back(HeardEnter{name, own, room, std::move(from)});
  if (node != config_.node_name) ++held_elsewhere_[world_.key_of(name)];
  members_.push_back({std::move(node), std::move(name), {}, room, {}, own, ++arrivals_});
  place(members_.back(), std::move(room));
}

void Cluster::place(Member& member, std::string room) {
  if (member.node != config_.node_name) {
    if (!member.room.empty()) {
      auto in = in_rooms_elsewhere_.find(world_.key_of(member.room));
      if (in != in_rooms_elsewhere_.end() && --in->second == 0) {
        in_rooms_elsewhere_.erase(in);
        if (with_rooms_) news_.push_back(RoomHeld{member.room, false});
      }
    }
    if (!room.empty() && ++in_rooms_elsewhere_[world_.key_of(room)] == 1 && with_rooms_) {
      news_.push_back(RoomHeld{room, true});
    }
  }
  member.room = std::move(room);
}

Cluster::Member* Cluster::find_member(std::string_view node, std::string_view name) {
  auto it = std::find_if(members_.begin(), members_.end(), [&](const Member& member) {
    return member.node == node && member.name == name;
  });
  return it == members_.end() ? nullptr : &*it;
}

void Cluster::remove_member(std::string_view node, std::string_view name) {
  auto it = std::find_if(members_.begin(), members_.end(), [&](const Member& member) {
    return member.node == node && member.name == name;
  });
  if (it == members_.end()) return;
  if (node != config_.node_name) {
    auto held = held_elsewhere_.find(world_.key_of(name));
    if (held != held_elsewhere_.end() && --held->second == 0) held_elsewhere_.erase(held);
  }
  news_.push_back(HeardLeave{it->name, it->announced});
  place(*it, {});
  members_.erase(it);
}

void Cluster::remove_node(std::string_view node) {
  std::vector<std::string> names;
  for (const Member& member : members_) {
    if (member.node == node) names.push_back(member.name);
  }
  announce_departures(node, std::move(names));
}

// Several leave at once (a roster, an obituary): in the order of their names, not of this
// node's list, which can differ from another node's after an outage; so every node announces
// them in the same order.
void Cluster::announce_departures(std::string_view node, std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  for (const std::string& name : names)
    remove_member(node, name);
}

ConnId Cluster::local_session_named(std::string_view name) const {
  const Session* session = world_.find_by_name(name);
  return session ? session->id : ConnId{};
}

// A newcomer hears the room from its own arrival on, in the bus's order: what came before
// is not theirs to hear (the modern dialect shows it as history, when the arrival comes).
void Cluster::await_echo(Session& session) {
  if (std::exchange(session.awaiting_echo, true)) return;
  ++newcomers_;
}

bool Cluster::confirm(ConnId own) {
  Session* session = world_.find(own);
  if (!session || !session->awaiting_echo) return false;
  for (const Unechoed& unechoed : unechoed_) {
    if (unechoed.kind == ClusterKind::Enter && unechoed.conn == own) return false;
  }
  session->awaiting_echo = false;
  --newcomers_;
  return true;
}

}  // namespace teaparty::core
