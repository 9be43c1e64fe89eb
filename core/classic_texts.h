#pragma once
// Every byte the classic dialect can send, in one place. The texts are the book's (Listing
// 24-6 of "A Virtual Tea Party"), byte for byte, including the bare LF inside the login
// prodding; the lines after the divider are teaparty's own, for what the book did not handle.

#include <string_view>

#include "core/payload.h"

namespace teaparty::core::classic_text {

// --- the book ---
inline constexpr std::string_view kWelcomePrefix = "Welcome to ";  // + server name + CRLF
inline constexpr std::string_view kPleaseLogIn = "Please log in\nUse \"login <nick>\"\r\n";
inline constexpr std::string_view kPleaseEnterName = "Please enter a name\r\n";
inline constexpr std::string_view kNameTakenPrefix = "The name \"";  // + name + suffix
inline constexpr std::string_view kNameTakenSuffix = "\" is taken.\r\nPlease try again.\r\n";
inline constexpr std::string_view kEnteredSuffix = " has entered the room.\r\n";  // name + ...
inline constexpr std::string_view kLeftSuffix = " has left the room.\r\n";
inline constexpr std::string_view kSaySeparator = ": ";  // name + ": " + text + CRLF
inline constexpr std::string_view kLookHeader = "The following are in this room:\r\n";
inline constexpr std::string_view kWhoHeader = "The following are logged in:\r\n";
inline constexpr std::string_view kUnknownPrefix = "Unknown command: ";  // + word + CRLF
inline constexpr std::string_view kLineEnd = "\r\n";

// --- teaparty's additions ---
inline constexpr std::string_view kLineTooLongPrefix = "Line too long (limit ";
inline constexpr std::string_view kLineTooLongSuffix = " bytes); it was dropped.\r\n";
// Seed 000's graceful shutdown.
inline constexpr std::string_view kShuttingDown = "\r\nShutting down...\r\n";
// The limits (docs/operations.md): each is the last line its connection gets.
inline constexpr std::string_view kServerFull = "Server is full\r\n";
inline constexpr std::string_view kTooManyFromAddress =
    "Too many connections from your address\r\n";
inline constexpr std::string_view kLoginTimedOut = "Login timed out\r\n";
inline constexpr std::string_view kIdleTimedOut = "Idle too long; disconnected\r\n";
// Several nodes, one chat (core/cluster.h): the node lost its link to the others and got it
// back; a name taken by someone on another node while the link was down.
inline constexpr std::string_view kClusterLost =
    "Lost contact with the other servers; you can go on talking with those on this one.\r\n";
inline constexpr std::string_view kClusterBack = "In contact with the other servers again.\r\n";
inline constexpr std::string_view kNameLostPrefix = "Someone on another server took the name \"";
inline constexpr std::string_view kNameLostSuffix =
    "\" while this one was cut off.\r\nPlease log in again under another name.\r\n";

}  // namespace teaparty::core::classic_text
