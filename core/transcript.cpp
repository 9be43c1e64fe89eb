#include "core/transcript.h"

#include <charconv>
#include <cstdint>
#include <limits>
#include <utility>

namespace teaparty::core::transcript {
namespace {

constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
constexpr std::string_view kHexDigits = "0123456789abcdef";

// --- names of enum values as they appear in a transcript ---

std::string_view gone_name(PeerGone how) {
  switch (how) {
    case PeerGone::EndOfStream:
      return "eof";
    case PeerGone::Broken:
      return "broken";
  }
  return "?";
}

std::optional<PeerGone> parse_gone(std::string_view text) {
  if (text == "eof") return PeerGone::EndOfStream;
  if (text == "broken") return PeerGone::Broken;
  return std::nullopt;
}

std::string_view reason_name(CloseReason reason) {
  switch (reason) {
    case CloseReason::Logout:
      return "logout";
    case CloseReason::PeerClosed:
      return "peer-closed";
    case CloseReason::PeerReset:
      return "peer-reset";
    case CloseReason::Shutdown:
      return "shutdown";
    case CloseReason::SlowConsumer:
      return "slow-consumer";
    case CloseReason::Refused:
      return "refused";
    case CloseReason::LoginTimeout:
      return "login-timeout";
    case CloseReason::IdleTimeout:
      return "idle-timeout";
  }
  return "?";
}

std::optional<CloseReason> parse_reason(std::string_view text) {
  for (CloseReason reason : {CloseReason::Logout, CloseReason::PeerClosed, CloseReason::PeerReset,
                             CloseReason::Shutdown, CloseReason::SlowConsumer, CloseReason::Refused,
                             CloseReason::LoginTimeout, CloseReason::IdleTimeout}) {
    if (text == reason_name(reason)) return reason;
  }
  return std::nullopt;
}

std::string_view dialect_name(DialectKind dialect) {
  switch (dialect) {
    case DialectKind::Classic:
      return "classic";
    case DialectKind::Modern:
      return "modern";
  }
  return "?";
}

std::optional<DialectKind> parse_dialect(std::string_view text) {
  for (DialectKind dialect : {DialectKind::Classic, DialectKind::Modern}) {
    if (text == dialect_name(dialect)) return dialect;
  }
  return std::nullopt;
}

// --- numbers ---

template <typename Number>
std::optional<Number> parse_decimal(std::string_view text) {
  Number value{};
  if (text.empty() || text.front() == '-' || text.front() == '+') return std::nullopt;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string format_duration(Duration duration) {
  std::int64_t nanos = duration.count();
  std::string text;
  if (nanos < 0) {
    text = "-";
    nanos = -nanos;
  }
  std::string fraction = std::to_string(nanos % kNanosPerSecond);
  text += std::to_string(nanos / kNanosPerSecond);
  text += '.';
  text.append(9 - fraction.size(), '0');
  text += fraction;
  return text;
}

// SECONDS.NNNNNNNNN, exactly nine decimals: a transcript names core's instants to the
// nanosecond, and a fixed width keeps the time column aligned.
std::optional<Duration> parse_duration(std::string_view text) {
  bool negative = false;
  if (!text.empty() && text.front() == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  const std::size_t dot = text.find('.');
  if (dot == std::string_view::npos || text.size() - dot - 1 != 9) return std::nullopt;
  const auto seconds = parse_decimal<std::int64_t>(text.substr(0, dot));
  const auto nanos = parse_decimal<std::int64_t>(text.substr(dot + 1));
  constexpr std::int64_t kMaxSeconds = std::numeric_limits<std::int64_t>::max() / kNanosPerSecond;
  if (!seconds || !nanos || *seconds >= kMaxSeconds) return std::nullopt;
  const std::int64_t total = *seconds * kNanosPerSecond + *nanos;
  return Duration{negative ? -total : total};
}

// --- lines ---

// Splits off the text before the first space; `rest` keeps what follows that space.
std::string_view take_word(std::string_view& rest) {
  const std::size_t space = rest.find(' ');
  std::string_view word = rest.substr(0, space);
  rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
  return word;
}

struct EventFormatter {
  std::string operator()(const Connected& e) const { return "connect " + escape(e.peer); }
  std::string operator()(const Received& e) const { return "in " + escape(e.bytes); }
  std::string operator()(const PeerWentAway& e) const {
    return "gone " + std::string(gone_name(e.how));
  }
  std::string operator()(const Wrote& e) const { return "wrote " + std::to_string(e.count); }
  std::string operator()(const Ticked&) const { return "tick"; }
  std::string operator()(const ShutdownBegun&) const { return "shutdown"; }
  std::string operator()(const Sent& e) const { return "out " + escape(e.bytes); }
  std::string operator()(const Closed& e) const {
    return e.reason ? "close " + std::string(reason_name(*e.reason)) : "close";
  }
};

bool concerns_whole_server(const What& what) {
  return std::holds_alternative<Ticked>(what) || std::holds_alternative<ShutdownBegun>(what);
}

using WhatOrError = std::variant<What, std::string>;

std::optional<std::string> parse_bytes(std::string_view argument, std::string& out) {
  auto bytes = unescape(argument);
  if (!bytes) return "a bad escape in \"" + std::string(argument) + "\"";
  out = std::move(*bytes);
  return std::nullopt;
}

WhatOrError parse_what(std::string_view kind, std::string_view argument) {
  auto needs_no_argument = [&](What what) -> WhatOrError {
    if (!argument.empty()) return std::string(kind) + " takes no argument";
    return what;
  };
  auto with_bytes = [&](auto event) -> WhatOrError {
    if (auto error = parse_bytes(argument, event.bytes)) return *error;
    return event;
  };
  if (kind == "connect") {
    Connected event;
    if (auto error = parse_bytes(argument, event.peer)) return *error;
    return event;
  }
  if (kind == "in") return with_bytes(Received{});
  if (kind == "out") return with_bytes(Sent{});
  if (kind == "gone") {
    if (auto how = parse_gone(argument)) return PeerWentAway{*how};
    return "gone needs eof or broken, not \"" + std::string(argument) + "\"";
  }
  if (kind == "wrote") {
    if (auto count = parse_decimal<std::size_t>(argument)) return Wrote{*count};
    return "wrote needs a byte count, not \"" + std::string(argument) + "\"";
  }
  if (kind == "close") {
    if (argument.empty()) return Closed{};
    if (auto reason = parse_reason(argument)) return Closed{*reason};
    return "unknown close reason \"" + std::string(argument) + "\"";
  }
  if (kind == "tick") return needs_no_argument(Ticked{});
  if (kind == "shutdown") return needs_no_argument(ShutdownBegun{});
  return "unknown event kind \"" + std::string(kind) + "\"";
}

// --- config ---
// One line for each Config field that changes what core does. A field core gains is one more
// entry in kConfigFields; a transcript written before it has no line for it and gets the
// default.

using ConfigError = std::optional<std::string>;

struct ConfigField {
  std::string_view key;
  std::string (*write)(const Config&);
  ConfigError (*read)(std::string_view, Config&);
};

template <std::size_t Config::*Field, std::size_t kLeast = 0>
ConfigField count_field(std::string_view key) {
  return {key, [](const Config& c) { return std::to_string(c.*Field); },
          [](std::string_view text, Config& c) -> ConfigError {
            const auto value = parse_decimal<std::size_t>(text);
            if (!value || *value < kLeast) {
              return "needs a whole number of at least " + std::to_string(kLeast);
            }
            c.*Field = *value;
            return std::nullopt;
          }};
}

template <Duration Config::*Field>
ConfigField duration_field(std::string_view key) {
  return {key, [](const Config& c) { return format_duration(c.*Field); },
          [](std::string_view text, Config& c) -> ConfigError {
            const auto value = parse_duration(text);
            if (!value || value->count() < 0) return "needs seconds like 2.000000000";
            c.*Field = *value;
            return std::nullopt;
          }};
}

std::string format_real(double value) {
  char text[64];
  // Shortest form that reads back as the same double: the value replays exactly.
  const auto [end, error] = std::to_chars(text, text + sizeof text, value);
  return error == std::errc{} ? std::string(text, end) : "0";
}

const ConfigField kConfigFields[] = {
    {"server_name", [](const Config& c) { return escape(c.server_name); },
     [](std::string_view text, Config& c) -> ConfigError {
       auto name = unescape(text);
       if (!name) return "has a bad escape";
       c.server_name = std::move(*name);
       return std::nullopt;
     }},
    {"dialect", [](const Config& c) { return std::string(dialect_name(c.dialect)); },
     [](std::string_view text, Config& c) -> ConfigError {
       const auto dialect = parse_dialect(text);
       if (!dialect) return "is classic or modern";
       c.dialect = *dialect;
       return std::nullopt;
     }},
    count_field<&Config::max_line, 1>("max_line"),
    {"telnet", [](const Config& c) { return std::string(c.telnet ? "on" : "off"); },
     [](std::string_view text, Config& c) -> ConfigError {
       if (text != "on" && text != "off") return "is on or off";
       c.telnet = text == "on";
       return std::nullopt;
     }},
    count_field<&Config::history_lines>("history_lines"),
    {"started_unix_time", [](const Config& c) { return std::to_string(c.started_unix_time); },
     [](std::string_view text, Config& c) -> ConfigError {
       const bool negative = text.starts_with('-');
       const auto value = parse_decimal<std::int64_t>(negative ? text.substr(1) : text);
       if (!value) return "needs a whole number of seconds";
       c.started_unix_time = negative ? -*value : *value;
       return std::nullopt;
     }},
    duration_field<&Config::shutdown_grace>("shutdown_grace"),
    {"line_rate", [](const Config& c) { return format_real(c.line_rate); },
     [](std::string_view text, Config& c) -> ConfigError {
       double value = 0;
       const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
       if (error != std::errc{} || end != text.data() + text.size() || !(value >= 0) ||
           value > 1e300) {
         return "needs lines per second, 0 or more";
       }
       c.line_rate = value;
       return std::nullopt;
     }},
    count_field<&Config::line_burst>("line_burst"),
    count_field<&Config::max_output>("max_output"),
    count_field<&Config::max_connections>("max_connections"),
    count_field<&Config::max_per_address>("max_per_address"),
    duration_field<&Config::login_timeout>("login_timeout"),
    duration_field<&Config::idle_timeout>("idle_timeout"),
    duration_field<&Config::close_grace>("close_grace"),
};

ConfigError parse_config_line(std::string_view rest, Config& config) {
  const std::string_view key = take_word(rest);
  for (const ConfigField& field : kConfigFields) {
    if (field.key != key) continue;
    if (auto error = field.read(rest, config)) return "config " + std::string(key) + " " + *error;
    return std::nullopt;
  }
  return "unknown config key \"" + std::string(key) + "\"";
}

std::variant<Event, std::string> parse_event_line(std::string_view rest) {
  const std::string_view time_text = take_word(rest);
  const std::string_view conn_text = take_word(rest);
  const std::string_view kind = take_word(rest);
  if (kind.empty()) return std::string("an event needs TIME CONN KIND");

  const auto since_origin = parse_duration(time_text);
  if (!since_origin) return "bad time \"" + std::string(time_text) + "\" (want S.NNNNNNNNN)";
  auto what = parse_what(kind, rest);
  if (auto* error = std::get_if<std::string>(&what)) return std::move(*error);

  Event event{Instant{*since_origin}, ConnId{}, std::get<What>(std::move(what))};
  if (concerns_whole_server(event.what)) {
    if (conn_text != "-") return std::string(kind) + " concerns the whole server: CONN is -";
  } else {
    const auto conn = parse_decimal<std::uint64_t>(conn_text);
    if (!conn || *conn == 0) return "bad connection \"" + std::string(conn_text) + "\"";
    event.conn = ConnId{*conn};
  }
  return event;
}

}  // namespace

std::string escape(std::string_view bytes) {
  std::string text;
  text.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto byte = static_cast<unsigned char>(bytes[i]);
    const bool last = i + 1 == bytes.size();
    if (byte == '\\') {
      text += "\\\\";
    } else if (byte == '\r') {
      text += "\\r";
    } else if (byte == '\n') {
      text += "\\n";
    } else if (byte >= 0x20 && byte < 0x7f && !(byte == ' ' && last)) {
      text += static_cast<char>(byte);
    } else {
      text += "\\x";
      text += kHexDigits[byte >> 4];
      text += kHexDigits[byte & 0xf];
    }
  }
  return text;
}

std::optional<std::string> unescape(std::string_view text) {
  auto hex_value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string bytes;
  bytes.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      bytes += text[i];
      continue;
    }
    if (++i == text.size()) return std::nullopt;
    switch (text[i]) {
      case '\\':
        bytes += '\\';
        break;
      case 'r':
        bytes += '\r';
        break;
      case 'n':
        bytes += '\n';
        break;
      case 'x': {
        if (i + 2 >= text.size()) return std::nullopt;
        const int high = hex_value(text[i + 1]);
        const int low = hex_value(text[i + 2]);
        if (high < 0 || low < 0) return std::nullopt;
        bytes += static_cast<char>(high * 16 + low);
        i += 2;
        break;
      }
      default:
        return std::nullopt;
    }
  }
  return bytes;
}

std::string format_time(Instant at) {
  return format_duration(at.since_origin);
}

std::string_view kind_name(const What& what) {
  static constexpr std::string_view kNames[] = {"connect", "in",       "gone", "wrote",
                                                "tick",    "shutdown", "out",  "close"};
  static_assert(std::size(kNames) == std::variant_size_v<What>);
  return kNames[what.index()];
}

std::string describe_event(const Event& event) {
  std::string text = format_time(event.at);
  text += ' ';
  text += event.conn.value == 0 ? "-" : std::to_string(event.conn.value);
  text += ' ';
  text += kind_name(event.what);
  return text;
}

std::string format_header(const Config& config) {
  std::string text(kFirstLine);
  text += '\n';
  for (const ConfigField& field : kConfigFields) {
    text += "config ";
    text += field.key;
    text += ' ';
    text += field.write(config);
    text += '\n';
  }
  return text;
}

std::string format_event(const Event& event) {
  std::string text = format_time(event.at);
  text += ' ';
  text += event.conn.value == 0 ? "-" : std::to_string(event.conn.value);
  text += ' ';
  text += std::visit(EventFormatter{}, event.what);
  text += '\n';
  return text;
}

std::string format(const Transcript& transcript) {
  std::string text = format_header(transcript.config);
  for (const Event& event : transcript.events)
    text += format_event(event);
  return text;
}

std::variant<Transcript, ParseError> parse(std::string_view text) {
  Transcript transcript;
  bool seen_first_line = false;
  std::size_t number = 0;
  while (!text.empty()) {
    ++number;
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    // A raw CR is never written (it is escaped), so one at the end came from a CRLF checkout.
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;

    if (!seen_first_line) {
      if (line != kFirstLine) {
        return ParseError{
            number, "not a transcript: the first line must be \"" + std::string(kFirstLine) + "\""};
      }
      seen_first_line = true;
      continue;
    }
    if (line.starts_with("config ")) {
      if (!transcript.events.empty()) return ParseError{number, "config after the first event"};
      if (auto error = parse_config_line(line.substr(7), transcript.config)) {
        return ParseError{number, std::move(*error)};
      }
      continue;
    }
    auto parsed = parse_event_line(line);
    if (auto* error = std::get_if<std::string>(&parsed)) {
      return ParseError{number, std::move(*error)};
    }
    Event& event = std::get<Event>(parsed);
    event.line = number;
    // Core's contract: `now` never goes backwards.
    if (!transcript.events.empty() && event.at < transcript.events.back().at) {
      return ParseError{number, "time goes backwards"};
    }
    transcript.events.push_back(std::move(event));
  }
  if (!seen_first_line) return ParseError{number, "empty: no \"" + std::string(kFirstLine) + "\""};
  return transcript;
}

}  // namespace teaparty::core::transcript
