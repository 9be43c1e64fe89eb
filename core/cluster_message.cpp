#include "core/cluster_message.h"

#include <charconv>

namespace teaparty::core {
namespace {

void append_netstring(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
}

// Takes one netstring off the front of `wire`; nullopt if it is not one.
std::optional<std::string_view> take_netstring(std::string_view& wire) {
  std::size_t length = 0;
  const char* end = wire.data() + wire.size();
  const auto [colon, error] = std::from_chars(wire.data(), end, length);
  if (error != std::errc{} || colon == end || *colon != ':' || colon == wire.data()) {
    return std::nullopt;
  }
  const auto header = static_cast<std::size_t>(colon - wire.data()) + 1;
  if (length > wire.size() - header) return std::nullopt;
  const std::string_view field = wire.substr(header, length);
  wire.remove_prefix(header + length);
  return field;
}

bool known_kind(char kind) {
  switch (static_cast<ClusterKind>(kind)) {
    case ClusterKind::Line:
    case ClusterKind::Enter:
    case ClusterKind::Leave:
    case ClusterKind::Hello:
    case ClusterKind::Roster:
    case ClusterKind::Alive:
    case ClusterKind::Gone:
    case ClusterKind::Rename:
    case ClusterKind::Whisper:
    case ClusterKind::Unheard:
    case ClusterKind::Placed:
    case ClusterKind::Said:
      return true;
  }
  return false;
}

// How many fields each kind carries; Roster any number, Placed any number of pairs.
bool right_field_count(ClusterKind kind, std::size_t count) {
  switch (kind) {
    case ClusterKind::Line:
    case ClusterKind::Enter:
    case ClusterKind::Leave:
      return count == 1 || count == 3;  // classic, or modern with the room
    case ClusterKind::Rename:
    case ClusterKind::Unheard:
      return count == 3;
    case ClusterKind::Whisper:
      return count == 4;
    case ClusterKind::Placed:
      return count % 2 == 0;
    case ClusterKind::Said:
      return count >= 3;
    case ClusterKind::Hello:
    case ClusterKind::Alive:
      return count == 0;
    case ClusterKind::Gone:
      return count == 3;
    case ClusterKind::Roster:
      return true;
  }
  return false;
}

}  // namespace

std::optional<std::uint64_t> parse_count(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return value;
}

std::string encode(const ClusterMessage& message) {
  std::string out(1, static_cast<char>(message.kind));
  append_netstring(out, message.from.node);
  append_netstring(out, std::to_string(message.from.boot));
  append_netstring(out, std::to_string(message.from.incarnation));
  for (const std::string& field : message.fields)
    append_netstring(out, field);
  return out;
}

std::optional<ClusterMessage> decode_cluster_message(std::string_view wire) {
  if (wire.empty() || !known_kind(wire.front())) return std::nullopt;
  ClusterMessage message;
  message.kind = static_cast<ClusterKind>(wire.front());
  wire.remove_prefix(1);
  const auto node = take_netstring(wire);
  const auto boot = node ? take_netstring(wire) : std::nullopt;
  const auto incarnation = boot ? take_netstring(wire) : std::nullopt;
  if (!incarnation) return std::nullopt;
  const auto boot_number = parse_count(*boot);
  const auto incarnation_number = parse_count(*incarnation);
  if (node->empty() || !boot_number || !incarnation_number) return std::nullopt;
  message.from = {std::string(*node), *boot_number, *incarnation_number};
  while (!wire.empty()) {
    const auto field = take_netstring(wire);
    if (!field) return std::nullopt;
    message.fields.emplace_back(*field);
  }
  if (!right_field_count(message.kind, message.fields.size())) return std::nullopt;
  return message;
}

}  // namespace teaparty::core
