#pragma once
// The steps the socket tests are written in: connect and log in, expect exactly these bytes
// next, have someone say a great deal.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tests/io/chat_client.h"
#include "tests/io/server_process.h"

namespace teaparty::io_test {

// These tests speak the book's protocol; the server's default dialect is the modern one.
inline const std::vector<std::string> kClassic{"--dialect", "classic"};
// The same with the production limits off, for the tests that flood the room: a line rate
// would make the flood wait, and an output cap would close the very slow reader under test.
inline const std::vector<std::string> kClassicUnlimited{
    "--dialect", "classic", "--line-rate", "0", "--line-burst", "0", "--max-output", "0"};

// The classic dialect's texts as they appear on the wire (from the book; see
// /work/shared/reference/README.md). Spelled out here rather than taken from core, so a change
// to core's texts is caught instead of followed.
inline std::string welcome(std::string_view server_name = "TestChat") {
  return "Welcome to " + std::string(server_name) + "\r\n";
}
inline std::string entered(std::string_view name) {
  return std::string(name) + " has entered the room.\r\n";
}
inline std::string left(std::string_view name) {
  return std::string(name) + " has left the room.\r\n";
}
inline std::string said(std::string_view name, std::string_view text) {
  return std::string(name) + ": " + std::string(text) + "\r\n";
}
inline constexpr std::string_view kShuttingDown = "\r\nShutting down...\r\n";

// Bytes as C-style escapes, so a failed comparison shows CR, LF, NUL and IAC plainly.
std::string printable(std::string_view bytes);

// Reads up to and including `expected` and checks that nothing else came before it.
::testing::AssertionResult next_is(ChatClient& client, std::string_view expected);
// Reads to the end of the stream and checks it is exactly `expected` followed by an EOF.
::testing::AssertionResult rest_is(ChatClient& client, std::string_view expected);

// Connects to the server and reads its welcome.
std::unique_ptr<ChatClient> connect_to(const ServerProcess& server, ClientOptions options = {},
                                       std::string_view server_name = "TestChat");
// Connects and logs in as `name`; `look` then proves the login took and leaves nothing unread.
std::unique_ptr<ChatClient> log_in(const ServerProcess& server, std::string_view name,
                                   ClientOptions options = {});

// The text of the i-th line of a flood: numbered, so order and completeness can be checked.
std::string flood_text(std::string_view tag, int i, std::size_t width);
// `talker` says `count` numbered lines of about `width` bytes, in batches, reading its own
// echo of each batch before sending the next (so only the listeners build a backlog). Returns
// the bytes every room member receives for them.
std::string flood(ChatClient& talker, std::string_view talker_name, std::string_view tag, int count,
                  std::size_t width);

// A client's receive buffer kept small, so the server's side does the buffering.
inline constexpr int kSmallReceiveBuffer = 4096;

// How many bytes of chat a stalled reader must be sent before most of it waits in core's
// outbox rather than in the kernel. On loopback the server's send buffer auto-tunes up to the
// maximum in /proc/sys/net/ipv4/tcp_wmem (4 MiB by default) almost at once, because the MTU is
// 64 KiB; a few hundred KiB would all be swallowed by the kernel and test nothing.
std::size_t overflowing_backlog_bytes();
// The number of flood lines of `width` bytes that make such a backlog.
int overflowing_flood_lines(std::size_t width);

}  // namespace teaparty::io_test
