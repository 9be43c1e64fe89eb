#pragma once
// Every text the modern dialect can send, in one place: read this file and you have read the
// protocol as a user sees it. Lines end in CR LF; a prompt has no line end (it is followed by
// IAC EOR where the client agreed to EOR). NAME, ROOM and TEXT are filled in by
// modern_dialect.cpp, always as `prefix + value + suffix`, so no text is ever formatted twice.

#include <array>
#include <string_view>

namespace teaparty::core::modern_text {

inline constexpr std::string_view kLineEnd = "\r\n";

// --- arriving and choosing a name ---
inline constexpr std::string_view kWelcomePrefix = "Welcome to ";  // + server name + suffix
inline constexpr std::string_view kWelcomeSuffix =
    "!\r\n"
    "Choose a name: up to 24 letters, digits, _ or -. Type /help for help.\r\n";
inline constexpr std::string_view kNamePrompt = "Your name: ";
inline constexpr std::string_view kLoginUsage = "Usage: /login NAME\r\n";
inline constexpr std::string_view kLogInFirst = "Choose a name first: type it, or /login NAME.\r\n";
inline constexpr std::string_view kNameTakenPrefix = "The name \"";  // + NAME + suffix
inline constexpr std::string_view kNameTakenSuffix = "\" is taken; choose another.\r\n";
inline constexpr std::string_view kHelloPrefix = "Hello, ";  // + NAME + middle + ROOM + suffix
inline constexpr std::string_view kHelloMiddle = "! You are in ";
inline constexpr std::string_view kHelloSuffix = ". Type /help for the commands.\r\n";
inline constexpr std::string_view kAlreadyLoggedInPrefix = "You are already logged in as ";
inline constexpr std::string_view kAlreadyLoggedInSuffix = "; /nick changes your name.\r\n";

// --- why a name (or a room name) was refused: subject + reason ---
inline constexpr std::string_view kNameSubject = "A name";
inline constexpr std::string_view kRoomSubject = "A room name";
inline constexpr std::string_view kEmptySuffix = " cannot be empty.\r\n";
inline constexpr std::string_view kTooLongMiddle = " can have at most 24 characters, not ";
inline constexpr std::string_view kTooLongSuffix = ".\r\n";  // after the count
inline constexpr std::string_view kNotAllowedMiddle =
    " can only have letters, digits, _ and -, not ";  // + the character shown as below
inline constexpr std::string_view kNotAllowedSuffix = ".\r\n";
inline constexpr std::string_view kSpaceShown = "a space";  // a space, rather than `" "`
inline constexpr std::string_view kMixedScriptsMiddle = " must keep to one script, not mix ";
inline constexpr std::string_view kMixedScriptsWith = " with ";  // script + this + script
inline constexpr std::string_view kMixedScriptsSuffix = ".\r\n";
inline constexpr std::string_view kStrayMarkMiddle = " cannot have a combining mark (";
inline constexpr std::string_view kStrayMarkSuffix = ") without a letter before it.\r\n";
inline constexpr std::string_view kMarkOnPrecomposedMiddle = " cannot put a combining mark (";
inline constexpr std::string_view kMarkOnPrecomposedOn = ") on a ";  // + script + suffix
inline constexpr std::string_view kMarkOnPrecomposedSuffix =
    " letter; type the accented letter itself.\r\n";

// --- talking ---
inline constexpr std::string_view kSaySeparator = ": ";  // NAME + ": " + TEXT + CRLF
inline constexpr std::string_view kEmotePrefix = "* ";   // "* " + NAME + " " + ACTION + CRLF
inline constexpr std::string_view kEmoteSeparator = " ";
inline constexpr std::string_view kSayUsage = "Usage: /say TEXT\r\n";
inline constexpr std::string_view kEmoteUsage = "Usage: /me ACTION\r\n";

// --- private messages ---
inline constexpr std::string_view kWhisperFromSuffix = " whispers: ";    // NAME + this + TEXT
inline constexpr std::string_view kWhisperToPrefix = "You whisper to ";  // + NAME + ": " + TEXT
inline constexpr std::string_view kWhisperToSeparator = ": ";
inline constexpr std::string_view kMsgUsage = "Usage: /msg NAME TEXT\r\n";
inline constexpr std::string_view kNoSuchUserPrefix = "No one called \"";  // + NAME + suffix
inline constexpr std::string_view kNoSuchUserSuffix = "\" is here; /who lists everyone.\r\n";
inline constexpr std::string_view kWhisperToSelf = "You cannot whisper to yourself.\r\n";
// Clustered: the addressee of a whisper left while it travelled to their server.
inline constexpr std::string_view kUndeliveredPrefix = "Your whisper to ";  // + NAME + suffix
inline constexpr std::string_view kUndeliveredSuffix =
    " was not delivered: they left before it arrived.\r\n";
// The GMCP channel of private messages (rooms are channels under their own names).
inline constexpr std::string_view kGmcpTellChannel = "tell";

// --- arrivals and departures, told to the room concerned ---
inline constexpr std::string_view kJoinedChatSuffix = " has joined the chat.\r\n";  // NAME + ...
inline constexpr std::string_view kLeftChatSuffix = " has left the chat.\r\n";
inline constexpr std::string_view kCameInFromMiddle = " has come in from ";  // NAME + this + ROOM
inline constexpr std::string_view kWentToMiddle = " has gone to ";           // NAME + this + ROOM
inline constexpr std::string_view kMoveSuffix = ".\r\n";
inline constexpr std::string_view kRenamedMiddle = " is now known as ";  // OLD + this + NEW
inline constexpr std::string_view kRenamedSuffix = ".\r\n";

// --- rooms ---
inline constexpr std::string_view kNowInPrefix = "You are now in ";  // + ROOM + suffix
inline constexpr std::string_view kNowInSuffix = ".\r\n";
inline constexpr std::string_view kJoinUsage = "Usage: /join ROOM\r\n";
inline constexpr std::string_view kAlreadyInPrefix = "You are already in ";  // + ROOM + suffix
inline constexpr std::string_view kAlreadyInSuffix = ".\r\n";
inline constexpr std::string_view kHistoryPrefix = "--- the last lines said in ";  // + ROOM
inline constexpr std::string_view kHistorySuffix = " ---\r\n";
inline constexpr std::string_view kHistoryEnd = "--- end of history ---\r\n";
inline constexpr std::string_view kRoomsHeader = "Rooms:\r\n";
inline constexpr std::string_view kListIndent = "  ";  // before each listed room or person
inline constexpr std::string_view kCountOpen = " (";   // ROOM + " (" + members + ")" + CRLF
inline constexpr std::string_view kCountClose = ")\r\n";
inline constexpr std::string_view kLookPrefix = "In ";  // + ROOM + " (" + count + "): " + names
inline constexpr std::string_view kLookCountClose = "): ";
inline constexpr std::string_view kNameSeparator = ", ";
inline constexpr std::string_view kWhoHeaderPrefix = "Logged in (";  // + count + suffix
inline constexpr std::string_view kWhoHeaderSuffix = "):\r\n";
inline constexpr std::string_view kWhoInRoom = " in ";  // "  " + NAME + " in " + ROOM + CRLF

// --- names ---
inline constexpr std::string_view kNickUsage = "Usage: /nick NAME\r\n";
inline constexpr std::string_view kAlreadyCalledPrefix = "You are already called ";
inline constexpr std::string_view kAlreadyCalledSuffix = ".\r\n";
inline constexpr std::string_view kNowKnownAsPrefix = "You are now known as ";
inline constexpr std::string_view kNowKnownAsSuffix = ".\r\n";

// --- several nodes, one chat (core/cluster.h) ---
inline constexpr std::string_view kClusterLost =
    "Lost contact with the other servers; you can go on talking with those on this one.\r\n";
inline constexpr std::string_view kClusterBack = "In contact with the other servers again.\r\n";
// Told to a user whose name another server's user took while this one was cut off; they are
// logged out and asked for a name again.
inline constexpr std::string_view kNameLostPrefix = "Someone on another server took the name \"";
inline constexpr std::string_view kNameLostSuffix =
    "\" while this one was cut off; choose another.\r\n";

// --- leaving and errors ---
inline constexpr std::string_view kGoodbyePrefix = "Goodbye";  // + ", " + NAME if any + suffix
inline constexpr std::string_view kGoodbyeNameSeparator = ", ";
inline constexpr std::string_view kGoodbyeSuffix = "!\r\n";
inline constexpr std::string_view kUnknownPrefix = "Unknown command /";  // + word + suffix
inline constexpr std::string_view kUnknownSuffix = "; type /help for the list.\r\n";
inline constexpr std::string_view kLineTooLongPrefix = "That line was over ";  // + limit
inline constexpr std::string_view kLineTooLongSuffix = " bytes and was dropped.\r\n";
inline constexpr std::string_view kShuttingDown = "The server is shutting down. Goodbye!\r\n";
// The limits (docs/operations.md): each is the last line its connection gets. A refused
// connection gets only this, no welcome and no telnet offers; the login timeout starts with a
// line end because the name prompt is still on the line.
inline constexpr std::string_view kServerFull = "The server is full; please try again later.\r\n";
inline constexpr std::string_view kTooManyFromAddress =
    "Too many connections from your address; close one and try again.\r\n";
inline constexpr std::string_view kLoginTimedOut = "\r\nNo name was chosen in time. Goodbye!\r\n";
inline constexpr std::string_view kIdleTimedOut = "You were idle too long. Goodbye!\r\n";

// --- help ---
struct CommandHelp {
  std::string_view name;     // without the slash
  std::string_view alias;    // another name for the same command, or empty
  std::string_view usage;    // what follows the name
  std::string_view summary;  // one line, for the list
  std::string_view details;  // for /help NAME
};

// In the order /help lists them.
inline constexpr std::array<CommandHelp, 12> kCommands{{
    {"say", "", "TEXT", "say TEXT to the room",
     "Says TEXT to everyone in your room. A line that does not start with / does the same; "
     "start a line with // to say something that starts with /."},
    {"me", "", "ACTION", "act: /me waves shows * NAME waves",
     "Shows * NAME ACTION to everyone in your room."},
    {"msg", "tell", "NAME TEXT", "say TEXT to NAME alone",
     "Sends TEXT to NAME only, wherever they are; you see it as sent."},
    {"join", "", "ROOM", "go to ROOM, making it if need be",
     "Leaves your room for ROOM, which is made if it does not exist, and shows the last lines "
     "said there. Room names follow the rules for names."},
    {"leave", "", "", "go back to the main room",
     "Leaves your room for the main room. A room other than the main one is gone once empty."},
    {"rooms", "", "", "list the rooms and how many are in each",
     "Lists every room, the main room first, with the number of people in it."},
    {"look", "", "", "list who is in your room", "Lists who is in your room, in order of entry."},
    {"who", "", "", "list everyone and their room",
     "Lists everyone logged in, in order of login, with the room each is in."},
    {"nick", "", "NAME", "change your name",
     "Changes your name to NAME, which follows the same rules as at login; your room is told."},
    {"login", "", "NAME", "choose your name (on arrival)",
     "Logs in as NAME: up to 24 letters, digits, _ or -, one script, unique without regard to "
     "case. Typing the name alone does the same."},
    {"help", "", "[COMMAND]", "list the commands, or describe one",
     "Lists every command, or describes COMMAND."},
    {"quit", "logout", "", "leave the chat",
     "Leaves the chat; your room is told. Everything sent to you before is delivered first."},
}};

inline constexpr std::string_view kHelpHeader = "Commands:\r\n";
inline constexpr std::string_view kHelpItemIndent = "  /";  // + name + " " + usage, padded
inline constexpr std::string_view kHelpSummaryGap = "  ";   // between the padded usage and ...
inline constexpr std::string_view kHelpAliasPrefix = " (also /";  // summary + this + alias + ")"
inline constexpr std::string_view kHelpAliasSuffix = ")";
inline constexpr std::string_view kHelpFooter =
    "A line that does not start with / is said to the room; //text says /text.\r\n"
    "The book's words say, look, who, login and logout work without the slash.\r\n";
inline constexpr std::string_view kHelpDetailSeparator = ": ";  // "/" + usage + ": " + details
inline constexpr std::string_view kNoSuchCommandPrefix = "There is no command /";
inline constexpr std::string_view kNoSuchCommandSuffix = "; type /help for the list.\r\n";

}  // namespace teaparty::core::modern_text
