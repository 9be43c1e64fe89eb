#include "tests/io/chat_steps.h"

#include <cstdio>
#include <fstream>

namespace teaparty::io_test {
namespace {

// Long enough to show where two streams part ways, short enough to read.
constexpr std::size_t kShownBytes = 400;

std::string shortened(std::string_view bytes) {
  if (bytes.size() <= kShownBytes) return printable(bytes);
  return printable(bytes.substr(0, kShownBytes / 2)) + " [... " +
         std::to_string(bytes.size() - kShownBytes) + " bytes ...] " +
         printable(bytes.substr(bytes.size() - kShownBytes / 2));
}

std::string difference(std::string_view expected, std::string_view got) {
  std::size_t same = 0;
  while (same < expected.size() && same < got.size() && expected[same] == got[same])
    ++same;
  return "\n  expected (" + std::to_string(expected.size()) + " bytes): " + shortened(expected) +
         "\n       got (" + std::to_string(got.size()) + " bytes): " + shortened(got) +
         "\n  first difference at byte " + std::to_string(same);
}

// The largest send buffer TCP auto-tuning may give a socket (the third figure of tcp_wmem).
std::size_t kernel_send_buffer_max() {
  std::ifstream limits("/proc/sys/net/ipv4/tcp_wmem");
  std::size_t least = 0;
  std::size_t usual = 0;
  std::size_t most = 0;
  if (limits >> least >> usual >> most) return most;
  return 4 << 20;  // Linux's default
}

}  // namespace

std::string printable(std::string_view bytes) {
  std::string out;
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '\r':
        out += "\\r";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (byte < 0x20 || byte >= 0x7f) {
          char escape[8];
          std::snprintf(escape, sizeof escape, "\\x%02x", byte);
          out += escape;
        } else {
          out += c;
        }
    }
  }
  return out;
}

::testing::AssertionResult next_is(ChatClient& client, std::string_view expected) {
  const std::string got = client.read_until(expected);
  if (got == expected) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << difference(expected, got);
}

::testing::AssertionResult rest_is(ChatClient& client, std::string_view expected) {
  const std::string got = client.read_until_eof();
  if (got == expected && client.at_eof()) return ::testing::AssertionSuccess();
  auto failure = ::testing::AssertionFailure();
  if (!client.at_eof()) failure << "\n  the server did not close the connection";
  return failure << difference(expected, got);
}

std::unique_ptr<ChatClient> connect_to(const ServerProcess& server, ClientOptions options,
                                       std::string_view server_name) {
  auto client = std::make_unique<ChatClient>(server.host(), server.port(), options);
  EXPECT_TRUE(client->connected()) << "cannot connect to " << server.host() << ":" << server.port();
  EXPECT_TRUE(next_is(*client, welcome(server_name)));
  return client;
}

std::unique_ptr<ChatClient> log_in(const ServerProcess& server, std::string_view name,
                                   ClientOptions options) {
  auto client = connect_to(server, options);
  EXPECT_TRUE(client->send("login " + std::string(name) + "\r\nlook\r\n"));
  // The list ends with our own name, the newest member; nothing else can have come first.
  const std::string header = "The following are in this room:\r\n";
  const std::string look = client->read_until("\r\n" + std::string(name) + "\r\n");
  EXPECT_TRUE(look.starts_with(header)) << printable(look);
  return client;
}

std::string flood_text(std::string_view tag, int i, std::size_t width) {
  std::string text = std::string(tag) + " line " + std::to_string(i) + " ";
  // Filler that changes with i, so a repeated or skipped line cannot go unnoticed.
  while (text.size() < width)
    text += static_cast<char>('a' + (i + text.size()) % 26);
  return text;
}

std::string flood(ChatClient& talker, std::string_view talker_name, std::string_view tag, int count,
                  std::size_t width) {
  constexpr int kBatch = 100;
  std::string everything;
  for (int first = 0; first < count; first += kBatch) {
    std::string lines;
    std::string echoes;
    for (int i = first; i < std::min(count, first + kBatch); ++i) {
      const std::string text = flood_text(tag, i, width);
      lines += "say " + text + "\r\n";
      echoes += said(talker_name, text);
    }
    everything += echoes;
    // One lost batch would make every later one wait out its timeout too: stop at the first.
    const bool sent = talker.send(lines);
    EXPECT_TRUE(sent);
    const auto echoed = next_is(talker, echoes);
    EXPECT_TRUE(echoed) << "in the batch from line " << first;
    if (!sent || !echoed) break;
  }
  return everything;
}

std::size_t overflowing_backlog_bytes() {
  const std::size_t send_buffer_max = kernel_send_buffer_max();
  // Half as much again as the kernel can hold, and a MiB more: the kernel's count includes
  // its own overhead, so the payload it holds is less than its limit.
  return send_buffer_max + send_buffer_max / 2 + (1 << 20);
}

int overflowing_flood_lines(std::size_t width) {
  const std::size_t line = width + 10;  // "NAME: " and CR LF around the text
  return static_cast<int>(overflowing_backlog_bytes() / line + 1);
}

}  // namespace teaparty::io_test
