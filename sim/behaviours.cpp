#include "sim/behaviours.h"

#include <array>
#include <initializer_list>
#include <string_view>

#include "sim/say_oracle.h"

namespace teaparty::sim {
namespace {

using namespace std::literals;

enum class Act {
  LoginGood,
  LoginTaken,
  LoginEmpty,
  LoginOdd,
  Say,
  SayEmpty,
  Look,
  Who,
  Unknown,
  Blank,
  Logout,
  CtrlD,
  Telnet,
  TelnetCtrlC,
  OverLong,
  Junk,
  kCount,
};

constexpr std::size_t kActs = static_cast<std::size_t>(Act::kCount);

// How often each act is chosen, by standing: mostly what makes sense, sometimes what does not.
constexpr std::array<unsigned, kActs> kWeightsLoggingIn = {
    35, 8, 6, 10,         // login: good, taken, empty, odd
    6,  1, 3, 3,  4, 4,   // say, empty say, look, who, unknown, blank (all prodded)
    3,  1, 6, 2,  2, 4};  // logout, Ctrl-D, telnet, telnet Ctrl-C, over-long, junk
constexpr std::array<unsigned, kActs> kWeightsChatting = {
    2,  1, 1, 1,         // login (an unknown command here)
    45, 2, 7, 7, 6, 4,   // say, empty say, look, who, unknown, blank
    2,  1, 6, 2, 3, 3};  // logout, Ctrl-D, telnet, telnet Ctrl-C, over-long, junk

constexpr std::array kGoodNames = {"alice"sv, "bob"sv,   "carol"sv, "dave"sv, "erin"sv,
                                   "frank"sv, "grace"sv, "heidi"sv, "ivan"sv, "judy"sv};
constexpr std::array kOddNames = {"Mad Hatter"sv,
                                  "  spaced  "sv,
                                  "Ch\xc3\xa9shire"sv,
                                  "\"Quote\""sv,
                                  "a:b"sv,
                                  "tab\there"sv,
                                  "UPPER"sv,
                                  "x"sv,
                                  "%s%n"sv,
                                  "back\\slash"sv,
                                  "\xff\xff"sv,  // IAC IAC: the single byte 255
                                  "\x1b[1mbold"sv,
                                  "\x01"
                                  "ctrl"sv,
                                  "caf\xc3\xa9 \xe2\x82\xac"sv};
constexpr std::array kWords = {"hello"sv,        "tea"sv,         "party"sv,        "why"sv,
                               "is"sv,           "a"sv,           "raven"sv,        "like"sv,
                               "writing-desk"sv, "caf\xc3\xa9"sv, "\xe2\x82\xac"sv, "why\tnot"sv,
                               "\xff\xff"sv,     "\x1b[31mred"sv, "100%"sv,         "a\\b"sv,
                               "   "sv,          "Twinkle,"sv,    "twinkle!"sv,     "\"bat\""sv};
constexpr std::array kUnknownWords = {"dance"sv,    "LOOK"sv,  "Say"sv,       "logouts"sv,
                                      "/help"sv,    "sayhi"sv, "look\tnow"sv, " look"sv,
                                      "\xc3\xa9"sv, "quit"sv,  "who?"sv,      "SAY hi"sv};
constexpr std::array kTelnetOptions = {
    std::uint8_t{0},  std::uint8_t{1},  std::uint8_t{3},  std::uint8_t{6},  std::uint8_t{24},
    std::uint8_t{25}, std::uint8_t{31}, std::uint8_t{34}, std::uint8_t{39}, std::uint8_t{42},
    std::uint8_t{70}, std::uint8_t{86}, std::uint8_t{201}};

constexpr char kIac = '\xff';

template <typename T, std::size_t N>
const T& pick(Random& random, const std::array<T, N>& items) {
  return items[random.below(N)];
}

std::string line_end(Random& random) {
  switch (random.below(10)) {
    case 0:
    case 1:
    case 2:
      return "\n";  // nc
    case 3:
    case 4:
    case 5:
    case 6:
      return "\r\n";  // telnet in line mode, tf5, tintin++, nc -C
    case 7:
    case 8:
      return std::string("\r\0", 2);  // telnet in character mode
    default:
      return "\r";  // a lone CR
  }
}

// A slip of the fingers and its correction, which the server must undo: the text is the same
// afterwards.
std::string typo(Random& random) {
  switch (random.below(4)) {
    case 0:
      return "qz\x7f\x7f";  // DEL, as tmux and telnet in character mode send it
    case 1:
      return "xyz\b\b\b";  // BS
    case 2:
      return "\xc3\xa9\x7f";  // a UTF-8 character erased whole by one DEL
    default:
      return "q\xff\xf7";  // IAC EC
  }
}

// Words joined by spaces, now and then with a typo corrected after one of them.
std::string words(Random& random, std::size_t count) {
  std::string text;
  const std::size_t typo_after = random.percent(25) ? random.below(count + 1) : count + 1;
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) text += ' ';
    text += pick(random, kWords);
    if (i == typo_after) text += typo(random);
  }
  return text;
}

// Every draw from the seeded Random must happen in one order, whatever compiled the simulator,
// or a seed would type other bytes under clang than under g++. The two sides of `a + b` may be
// evaluated in either order (and the two compilers differ); a function's arguments are all
// evaluated before its body, and a braced list's elements left to right. So a line and its end
// are put together by ended(), and a line of several drawn pieces by in_order().
std::string ended(Random& random, std::string text) {
  return text + line_end(random);
}

std::string in_order(std::initializer_list<std::string> pieces) {
  std::string text;
  for (const std::string& piece : pieces)
    text += piece;
  return text;
}

std::string command(Random& random, std::string_view word) {
  std::string text(word);
  if (random.percent(10)) text += typo(random);
  return text;
}

std::string say_line(Random& random, TypingContext& context) {
  std::string text = command(random, "say") + " ";
  text += words(random, random.below(6));
  text += ' ';
  text += SayOracle::marker(context.say_number++);
  return text + line_end(random);
}

std::string login_line(Random& random, std::string_view name) {
  std::string text = command(random, "login") + " ";
  text += name;
  return text + line_end(random);
}

std::string telnet_bytes(Random& random) {
  std::string bytes;
  switch (random.below(6)) {
    case 0:
    case 1: {  // a negotiation, as clients send them unprompted or in answer
      static constexpr std::array kVerbs = {'\xfb', '\xfc', '\xfd', '\xfe'};
      bytes = {kIac, pick(random, kVerbs)};
      bytes += static_cast<char>(random.percent(80) ? pick(random, kTelnetOptions)
                                                    : static_cast<std::uint8_t>(random.below(256)));
      break;
    }
    case 2:  // NAWS, a size byte of 255 doubled as RFC 1073 says
      bytes = random.percent(50) ? "\xff\xfa\x1f\x00\x64\x00\x1e\xff\xf0"sv
                                 : "\xff\xfa\x1f\x00\xff\xff\x00\x1e\xff\xf0"sv;
      break;
    case 3:
      bytes = "\xff\xfa\x18\x00TINTIN++\xff\xf0"sv;  // TTYPE IS
      break;
    case 4:
      bytes = "\xff\xfb\x1f"sv;  // tf5's unsolicited WILL NAWS
      break;
    default: {  // a lone command: NOP, GA, AYT, DM, BRK, AO
      static constexpr std::array kCommands = {'\xf1', '\xf9', '\xf6', '\xf2', '\xf3', '\xf5'};
      bytes = {kIac, pick(random, kCommands)};
      break;
    }
  }
  return bytes;
}

std::string over_long_line(Random& random, TypingContext& context) {
  const std::size_t limit = context.max_line;
  std::size_t length = limit;
  switch (random.below(4)) {
    case 0:
      length = limit - 1;
      break;
    case 1:
      length = limit;
      break;
    case 2:
      length = limit + 1;
      break;
    default:
      length = limit + random.between(2, limit);
  }
  std::string line = "say ";
  const std::string marker = " " + SayOracle::marker(context.say_number++);
  if (length > line.size() + marker.size()) line.append(length - line.size() - marker.size(), 'x');
  line += marker;
  return line + line_end(random);
}

std::string junk(Random& random) {
  std::string bytes(random.between(1, 48), '\0');
  for (char& byte : bytes)
    byte = static_cast<char>(random.below(256));
  if (random.percent(50)) bytes += line_end(random);
  return bytes;
}

std::string act(Random& random, Act chosen, TypingContext& context) {
  switch (chosen) {
    case Act::LoginGood:
      return login_line(random, pick(random, kGoodNames));
    case Act::LoginTaken:
      if (context.names_in_use.empty()) return login_line(random, pick(random, kGoodNames));
      return login_line(random, context.names_in_use[random.below(context.names_in_use.size())]);
    case Act::LoginEmpty:
      return ended(random, (random.percent(50) ? "login"s : "login   "s));
    case Act::LoginOdd:
      if (random.one_in(8)) return login_line(random, std::string(random.between(100, 400), 'n'));
      return login_line(random, pick(random, kOddNames));
    case Act::Say:
      return say_line(random, context);
    case Act::SayEmpty:
      return ended(random, (random.percent(50) ? "say"s : "say  \t "s));
    case Act::Look:
      return ended(random, command(random, "look"));
    case Act::Who:
      return ended(random, command(random, random.percent(90) ? "who" : "who is here"));
    case Act::Unknown:
      return ended(random, std::string(pick(random, kUnknownWords)));
    case Act::Blank:
      return ended(random, (random.percent(50) ? ""s : random.percent(50) ? "   "s : "\t"s));
    case Act::Logout:
      return ended(random, (random.percent(80) ? "logout"s : "logout now"s));
    case Act::CtrlD:
      // telnet in line mode: a lone 04 on an empty line, at once; after text it is dropped.
      return random.percent(70) ? "\x04"s : "say abc\x04"s + line_end(random);
    case Act::Telnet:
      return telnet_bytes(random);
    case Act::TelnetCtrlC:
      // telnet's Ctrl-C in line mode: IAC IP, IAC DO TIMING-MARK; the partial line is dropped
      // (an IAC EL drops it the same way).
      return random.percent(70) ? "say xyz\xff\xf4\xff\xfd\x06"s : "say never\xff\xf8"s;
    case Act::OverLong:
      return over_long_line(random, context);
    case Act::Junk:
      return junk(random);
    case Act::kCount:
      break;
  }
  return {};
}

Act choose(Random& random, Standing standing) {
  const auto& weights = standing == Standing::Chatting ? kWeightsChatting : kWeightsLoggingIn;
  return static_cast<Act>(random.weighted(weights));
}

// --- the modern dialect ---

enum class ModernAct {
  Name,
  NameTaken,
  NameOdd,
  Chat,
  Say,
  Emote,
  Join,
  Leave,
  Rooms,
  Look,
  Who,
  MsgPresent,
  MsgAbsent,
  Nick,
  Help,
  UnknownCommand,
  DoubleSlash,
  Quit,
  Blank,
  CtrlD,
  Telnet,
  TelnetCtrlC,
  OverLong,
  Junk,
  kCount,
};

constexpr std::size_t kModernActs = static_cast<std::size_t>(ModernAct::kCount);

constexpr std::array<unsigned, kModernActs> kModernWeightsLoggingIn = {
    35, 8, 10,               // name: good, taken, odd
    4,  2, 1,  2, 1, 1, 2,   // chat, /say, /me, /join, /leave, /rooms, /look
    2,  1, 1,  2, 2, 2, 1,   // /who, /msg present, absent, /nick, /help, unknown, //text
    3,  3, 1,  6, 2, 2, 4};  // /quit, blank, Ctrl-D, telnet, telnet Ctrl-C, over-long, junk
constexpr std::array<unsigned, kModernActs> kModernWeightsChatting = {
    2,  1, 1,                // a name: said to the room
    25, 8, 6, 10, 4, 3, 3,   // chat, /say, /me, /join, /leave, /rooms, /look
    3,  6, 2, 3,  2, 3, 2,   // /who, /msg present, absent, /nick, /help, unknown, //text
    2,  3, 1, 5,  2, 2, 3};  // /quit, blank, Ctrl-D, telnet, telnet Ctrl-C, over-long, junk

constexpr std::array kRooms = {"tea"sv, "Tea"sv, "garden"sv, "zoo"sv, "main"sv, "#bad"sv, ""sv};
constexpr std::array kAbsentNames = {"nobody"sv, "zed"sv, "x y"sv, ""sv};
constexpr std::array kUnknownCommands = {"/dance"sv,    "/JOINS"sv,    "/"sv,     "/quit\tnow"sv,
                                         "/\xc3\xa9"sv, "/msgs bob"sv, "/sayhi"sv};

// A line that says something, ending with a fresh marker.
std::string marked(Random& random, TypingContext& context, std::string_view start) {
  std::string text(start);
  text += words(random, random.below(5));
  text += ' ';
  text += SayOracle::marker(context.say_number++);
  return ended(random, text);
}

// A private message to `to`, ending with a fresh whisper marker.
std::string whispered(Random& random, TypingContext& context, std::string_view to) {
  std::string text = (random.percent(80) ? "/msg "s : "/tell "s) + std::string(to) + " psst ";
  text += words(random, random.below(3));
  text += ' ';
  text += SayOracle::whisper_marker(context.whisper_number++);
  return ended(random, text);
}

std::string name_in_use_or_good(Random& random, const TypingContext& context) {
  if (context.names_in_use.empty()) return std::string(pick(random, kGoodNames));
  return context.names_in_use[random.below(context.names_in_use.size())];
}

std::string modern_act(Random& random, ModernAct chosen, TypingContext& context) {
  switch (chosen) {
    case ModernAct::Name:
      return ended(random, std::string(pick(random, kGoodNames)));
    case ModernAct::NameTaken:
      return ended(random, name_in_use_or_good(random, context));
    case ModernAct::NameOdd:
      return ended(random, std::string(pick(random, kOddNames)));
    case ModernAct::Chat:
      return marked(random, context, "");
    case ModernAct::Say:
      return marked(random, context, command(random, "/say") + " ");
    case ModernAct::Emote:
      // "* NAME says: ..." has a say's shape, so the oracle follows emotes too.
      return marked(random, context, "/me says: ");
    case ModernAct::Join:
      return ended(random,
                   in_order({command(random, "/join"), " ", std::string(pick(random, kRooms))}));
    case ModernAct::Leave:
      return ended(random, command(random, "/leave"));
    case ModernAct::Rooms:
      return ended(random, command(random, "/rooms"));
    case ModernAct::Look:
      return ended(random, command(random, random.percent(80) ? "/look" : "look"));
    case ModernAct::Who:
      return ended(random, command(random, "/who"));
    case ModernAct::MsgPresent:
      // Private: marked apart from says ([w4]), as only two connections may see it.
      return whispered(random, context, name_in_use_or_good(random, context));
    case ModernAct::MsgAbsent:
      // Marked too: a whisper to nobody must reach nobody.
      return whispered(random, context, pick(random, kAbsentNames));
    case ModernAct::Nick:
      return ended(random, in_order({command(random, "/nick"), " ",
                                     std::string(random.percent(80) ? pick(random, kGoodNames)
                                                                    : pick(random, kOddNames))}));
    case ModernAct::Help:
      return ended(random, (random.percent(70) ? "/help"s : "/help join"s));
    case ModernAct::UnknownCommand:
      return ended(random, std::string(pick(random, kUnknownCommands)));
    case ModernAct::DoubleSlash:
      return marked(random, context, "//");
    case ModernAct::Quit:
      return ended(random, (random.percent(80) ? "/quit"s : "logout"s));
    case ModernAct::Blank:
      return ended(random, (random.percent(50) ? ""s : "   "s));
    case ModernAct::CtrlD:
      return "\x04"s;
    case ModernAct::Telnet:
      return telnet_bytes(random);
    case ModernAct::TelnetCtrlC:
      return random.percent(70) ? "/say xyz\xff\xf4\xff\xfd\x06"s : "never\xff\xf8"s;
    case ModernAct::OverLong:
      return over_long_line(random, context);
    case ModernAct::Junk:
      return junk(random);
    case ModernAct::kCount:
      break;
  }
  return {};
}

std::string one_act(Random& random, TypingContext& context) {
  if (context.dialect == core::DialectKind::Modern) {
    const auto& weights =
        context.standing == Standing::Chatting ? kModernWeightsChatting : kModernWeightsLoggingIn;
    return modern_act(random, static_cast<ModernAct>(random.weighted(weights)), context);
  }
  return act(random, choose(random, context.standing), context);
}

}  // namespace

std::string compose_typing(Random& random, TypingContext& context) {
  // Several lines in one go now and then, as a paste or a client's queued input would send.
  const std::size_t acts = random.percent(15) ? random.between(2, 4) : 1;
  std::string typed;
  for (std::size_t i = 0; i < acts; ++i)
    typed += one_act(random, context);
  return typed;
}

}  // namespace teaparty::sim
