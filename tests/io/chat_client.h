#pragma once
// ChatClient: one TCP connection to the server under test, as a test sees it. It keeps what
// has arrived but not yet been looked at, so a test can ask for "everything up to this text"
// and compare the answer byte for byte with what it expected: an extra or missing byte
// anywhere before the text shows up as a difference.
//
// Waits are bounded by a quiet spell: a read gives up when nothing at all has arrived for
// `quiet` (a generous bound, so a passing test never reaches it), however long the transfer
// as a whole takes.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace teaparty::io_test {

using namespace std::chrono_literals;

inline constexpr std::chrono::milliseconds kQuiet = 5s;

struct ClientOptions {
  // SO_RCVBUF before connecting, to make a slow reader's socket fill sooner; 0 keeps the
  // kernel's default (and its auto-tuning).
  int receive_buffer = 0;
};

class ChatClient {
 public:
  ChatClient(const std::string& host, std::uint16_t port, ClientOptions options = {});
  ChatClient(const ChatClient&) = delete;
  ChatClient& operator=(const ChatClient&) = delete;
  ~ChatClient();

  bool connected() const { return fd_ >= 0 && connected_; }
  // Our end as the server sees it: "127.0.0.1:PORT" (or "[::1]:PORT").
  std::string local_address() const;

  // Sends all of `bytes` in as many writes as the socket needs.
  bool send(std::string_view bytes, std::chrono::milliseconds quiet = kQuiet);
  // Sends `bytes` one write per byte, so the server sees a line arrive in pieces.
  bool send_bytewise(std::string_view bytes);

  // Everything up to and including the first `needle`, taken out of what has arrived. If the
  // needle does not come, everything that did arrive (so the comparison shows what is wrong).
  std::string read_until(std::string_view needle, std::chrono::milliseconds quiet = kQuiet);
  // Everything until the server closes the connection; check at_eof() for whether it did.
  std::string read_until_eof(std::chrono::milliseconds quiet = kQuiet);
  // One read of at most `max_bytes` (what is kept from before comes first).
  std::string read_some(std::size_t max_bytes, std::chrono::milliseconds quiet = kQuiet);
  bool at_eof() const { return eof_; }
  // How the connection ended, if with an error (ECONNRESET...); 0 otherwise.
  int error() const { return error_; }

  // Stops sending (a FIN) but keeps reading: a half-close.
  void half_close();
  // Closes so that the server sees a reset, not an orderly end (SO_LINGER with zero time).
  void reset();
  void close();

 private:
  // Waits up to `quiet` for bytes and appends what one read returns; false on timeout,
  // end of stream or error.
  bool receive_more(std::chrono::milliseconds quiet, std::size_t max_bytes = 64 * 1024);

  int fd_ = -1;
  bool connected_ = false;
  bool eof_ = false;
  int error_ = 0;
  std::string pending_;  // arrived, not yet handed to the test
};

}  // namespace teaparty::io_test
