#include "sim/differential_sessions.h"

#include <array>
#include <map>
#include <set>

#include "sim/random.h"

namespace teaparty::sim {
namespace {

using namespace std::literals;

// The vocabulary, UTF-8 included; everything printable, no control characters.
constexpr std::array kNames = {"ann"sv,      "bob"sv,        "Bob"sv, "Zo\xc3\xab"sv,
                               "Mary Ann"sv, "\"q\""sv,      "x:y"sv, "\xe6\x97\xa5\xe6\x9c\xac"sv,
                               "o'neil"sv,   "caf\xc3\xa9"sv};
constexpr std::array kWords = {"hello"sv, "tea"sv,     "party"sv,       "why"sv,
                               "a"sv,     "raven"sv,   "caf\xc3\xa9"sv, "\xe2\x82\xac"sv,
                               "100%"sv,  "\"bat\""sv, "Twinkle,"sv,    "\xc3\x9f!"sv};
constexpr std::array kUnknown = {"SAY hi"sv, "Look"sv,   "WHO"sv,         "logouts"sv,
                                 "LOGOUT"sv, "foo"sv,    "foo bar"sv,     " look"sv,
                                 "says x"sv, "whoami"sv, "h\xc3\xa9llo"sv};
constexpr std::array kBlanks = {""sv, " "sv, "   "sv};
constexpr std::array kLookWho = {"look"sv, "who"sv, "look "sv, "who now"sv};
constexpr std::array kLogouts = {"logout"sv, "logout"sv, "logout "sv, "logout now"sv};

template <typename T, std::size_t N>
std::string pick(Random& random, const std::array<T, N>& items) {
  return std::string(items[random.below(N)]);
}

// Where one client stands, as far as choosing what it may send goes.
enum class Standing { Offline, LoggingIn, Chatting };

class SessionWriter {
 public:
  SessionWriter(Random& random, std::size_t clients) : random_(random), clients_(clients) {}

  std::vector<SessionStep> write(std::size_t target) {
    while (steps_.size() < target)
      act(static_cast<char>('a' + random_.below(clients_)));
    return std::move(steps_);
  }

 private:
  void act(char client) {
    if (standing_[client] == Standing::Offline) {
      steps_.push_back({SessionStep::Kind::Connect, client, {}});
      standing_[client] = Standing::LoggingIn;
      return;
    }
    const std::size_t roll = random_.below(100);
    if (roll < 4) {
      leave(client, SessionStep::Kind::Close);
    } else if (roll < 7) {
      leave(client, SessionStep::Kind::HalfClose);
    } else if (roll < 10) {
      send_lines(client, {pick(random_, kLogouts)});
    } else if (roll < 22) {  // several lines in one read, now and then ending with a logout
      std::vector<std::string> lines;
      const std::size_t count = random_.between(2, 4);
      for (std::size_t i = 0; i < count; ++i)
        lines.push_back(line_for(client, i));
      if (random_.one_in(8)) lines.push_back(pick(random_, kLogouts));
      send_lines(client, lines);
    } else {
      send_lines(client, {line_for(client, 0)});
    }
  }

  // A line for the client's standing; `earlier` lines of the same read may change it, which
  // does not matter: whatever the standing, any line is in the protocol.
  std::string line_for(char client, std::size_t earlier) {
    if (standing_[client] == Standing::Chatting && earlier == 0) return chat_line();
    return random_.percent(75) ? login_line() : chat_line();
  }

  std::string login_line() {
    const std::size_t roll = random_.below(100);
    if (roll < 55) {
      std::string name = pick(random_, kNames);
      if (random_.percent(30) && !names_.empty())
        name = *std::next(names_.begin(), random_.below(names_.size()));
      // One draw after the other (the sides of `+` may be evaluated in either order).
      const std::size_t spaces = random_.between(1, 2);
      const bool trailing_space = random_.one_in(4);
      return "login" + std::string(spaces, ' ') + name + (trailing_space ? " " : "");
    }
    if (roll < 65) return random_.one_in(2) ? "login" : "login  ";
    if (roll < 90) return random_.one_in(2) ? pick(random_, kUnknown) : say_line();
    return pick(random_, kBlanks);
  }

  std::string chat_line() {
    const std::size_t roll = random_.below(100);
    if (roll < 50) return say_line();
    if (roll < 65) return pick(random_, kLookWho);
    if (roll < 85) return pick(random_, kUnknown);
    if (roll < 92) return pick(random_, kBlanks);
    return "login " + pick(random_, kNames);
  }

  std::string say_line() {
    if (random_.one_in(10)) return "say";
    std::string text = random_.one_in(5) ? "  " : " ";
    const std::size_t words = random_.between(0, 4);
    for (std::size_t i = 0; i < words; ++i)
      text += (i ? " " : "") + pick(random_, kWords);
    return "say" + text;
  }

  // The lines in one send, or cut over up to three consecutive sends, never between CR and LF.
  void send_lines(char client, const std::vector<std::string>& lines) {
    std::string bytes;
    for (const std::string& line : lines) {
      bytes += line + "\r\n";
      follow(client, line);
      if (standing_[client] == Standing::Offline) break;  // nothing after a logout
    }
    std::set<std::size_t> cuts;
    if (random_.percent(15)) {
      const std::size_t wanted = random_.between(1, 2);
      for (std::size_t i = 0; i < wanted; ++i) {
        const std::size_t cut = random_.between(1, bytes.size() - 1);
        if (bytes[cut - 1] != '\r') cuts.insert(cut);
      }
    }
    std::size_t begin = 0;
    cuts.insert(bytes.size());
    for (std::size_t end : cuts) {
      steps_.push_back({SessionStep::Kind::Send, client, bytes.substr(begin, end - begin)});
      begin = end;
    }
  }

  void leave(char client, SessionStep::Kind how) {
    if (random_.one_in(5)) {  // a partial line the server must drop
      steps_.push_back({SessionStep::Kind::Send, client, "say lost"});
    }
    steps_.push_back({how, client, {}});
    forget(client);
  }

  // What the server will make of one line, as far as standing goes (the book's rules: the
  // first space-separated word is the command, the name is the rest without surrounding
  // whitespace, a name in use is refused).
  void follow(char client, std::string_view line) {
    const std::size_t space = line.find(' ');
    const std::string_view command = line.substr(0, space);
    std::string_view argument = space == std::string_view::npos ? ""sv : line.substr(space + 1);
    while (!argument.empty() && argument.front() == ' ')
      argument.remove_prefix(1);
    while (!argument.empty() && argument.back() == ' ')
      argument.remove_suffix(1);
    if (command == "logout") {
      forget(client);
    } else if (standing_[client] == Standing::LoggingIn && command == "login" &&
               !argument.empty() && !names_.contains(std::string(argument))) {
      standing_[client] = Standing::Chatting;
      name_of_[client] = std::string(argument);
      names_.insert(std::string(argument));
    }
  }

  void forget(char client) {
    if (standing_[client] == Standing::Chatting) names_.erase(name_of_[client]);
    standing_[client] = Standing::Offline;
  }

  Random& random_;
  std::size_t clients_;
  std::vector<SessionStep> steps_;
  std::map<char, Standing> standing_;  // absent: Offline
  std::map<char, std::string> name_of_;
  std::set<std::string> names_;
};

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char byte : bytes) {
    out += kDigits[byte >> 4];
    out += kDigits[byte & 15];
  }
  return out;
}

std::string_view kind_name(SessionStep::Kind kind) {
  switch (kind) {
    case SessionStep::Kind::Connect:
      return "connect";
    case SessionStep::Kind::Send:
      return "send";
    case SessionStep::Kind::Close:
      return "close";
    case SessionStep::Kind::HalfClose:
      return "half_close";
  }
  return "?";
}

}  // namespace

std::vector<DifferentialSession> generate_sessions(const SessionOptions& options) {
  Random random(options.seed);
  const std::size_t clients =
      std::min(std::max<std::size_t>(options.clients, 1), kMaxSessionClients);
  std::vector<DifferentialSession> sessions;
  for (std::size_t k = 0; k < options.count; ++k) {
    SessionWriter writer(random, clients);
    sessions.push_back({"sim-s" + std::to_string(options.seed) + "-" + std::to_string(k),
                        writer.write(options.steps)});
  }
  return sessions;
}

std::string to_json_line(const DifferentialSession& session) {
  std::string out = "{\"name\": \"" + session.name + "\", \"steps\": [";
  for (std::size_t i = 0; i < session.steps.size(); ++i) {
    const SessionStep& step = session.steps[i];
    out +=
        (i ? ", [\"" : "[\"") + std::string(kind_name(step.kind)) + "\", \"" + step.client + "\"";
    if (step.kind == SessionStep::Kind::Send) out += ", \"" + hex(step.bytes) + "\"";
    out += "]";
  }
  return out + "]}";
}

}  // namespace teaparty::sim
