// Fuzz target: the whole of core, driven by a byte script over several connections. The model
// shell checks the invariants and the contract with the shell after every operation, and the
// run ends with a shutdown that must close everyone within the grace period.
//
// The first byte chooses the configuration: bit 0, every limit on and small (tight_limits())
// rather than none (Config{}); bit 1, the modern dialect rather than the classic one. The rest is a
// list of operations, each an opcode byte (taken modulo 8) and its operands; a script that ends
// early reads zeros. CONN is a byte choosing among every connection made so far, closed ones
// included (input for a closed connection is legal and must be ignored).
//   0 connect
//   1 receive  CONN LEN BYTES...   LEN raw bytes arrive on the connection
//   2 command  CONN K              one of kCommands arrives (complete lines, fragments, telnet)
//   3 hang up  CONN                the client closed its side (read returned 0)
//   4 break    CONN                the connection broke (reset, write error)
//   5 write    CONN N              the socket takes N bytes of the output; 255: all of it
//   6 tick     T                   T * 16 ms pass (the shutdown grace is 2 s = 125 units)
//   7 shutdown

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include "fuzz/fuzz_target.h"
#include "tests/props/model_shell.h"

namespace teaparty::fuzz {
namespace {

using namespace std::string_view_literals;

// What clients send most, so that the fuzzer reaches logged-in states without having to
// discover the protocol first.
constexpr std::array kCommands = {
    // the classic dialect's commands, fragments and line ends (0 to 12)
    "login alice\r\n"sv,
    "login bob\r\n"sv,
    "login\r\n"sv,
    "say hi\r\n"sv,
    "say\r\n"sv,
    "look\r\n"sv,
    "who\r\n"sv,
    "logout\r\n"sv,
    "\r\n"sv,
    "\x04"sv,
    "say partial"sv,
    "\n"sv,
    "\r"sv,
    // telnet: DO TIMING-MARK, a subnegotiation left open, a stray SE (13 to 15)
    "\xff\xfd\x06"sv,
    "\xff\xfa\x18"sv,
    "\xff\xf0"sv,
    // the modern dialect's commands (16 to 23)
    "/join tea\r\n"sv,
    "/nick zed\r\n"sv,
    "/msg alice hi\r\n"sv,
    "/me waves\r\n"sv,
    "/rooms\r\n"sv,
    "/leave\r\n"sv,
    "hello all\r\n"sv,
    "/quit\r\n"sv,
    // agreeing to what the modern dialect offers: DO GMCP, DO EOR, DO MSSP; WILL CHARSET
    // (24 to 27)
    "\xff\xfd\xc9"sv,
    "\xff\xfd\x19"sv,
    "\xff\xfd\x46"sv,
    "\xff\xfb\x2a"sv,
};

class Script {
 public:
  Script(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  bool done() const { return at_ >= size_; }
  std::uint8_t byte() { return at_ < size_ ? data_[at_++] : 0; }
  std::string_view bytes(std::size_t count) {
    const std::size_t take = std::min(count, size_ - std::min(at_, size_));
    const std::string_view out(reinterpret_cast<const char*>(data_ + at_), take);
    at_ += take;
    return out;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t at_ = 0;
};

class Run {
 public:
  explicit Run(core::Config config) : shell_(std::move(config)) {}

  void operation(Script& script) {
    const std::uint8_t op = script.byte() % 8;
    if (op == 0) {
      shell_.connect();
      return;
    }
    if (op == 6) return shell_.advance(std::chrono::milliseconds(16 * script.byte()));
    if (op == 7) return shell_.begin_shutdown();
    const auto conn = pick(script.byte());
    if (!conn) return;
    switch (op) {
      case 1: {
        const std::size_t length = script.byte();
        return shell_.receive(*conn, script.bytes(length));
      }
      case 2:
        return shell_.receive(*conn, kCommands[script.byte() % kCommands.size()]);
      case 3:
        return shell_.peer_gone(*conn, core::PeerGone::EndOfStream);
      case 4:
        return shell_.peer_gone(*conn, core::PeerGone::Broken);
      case 5: {
        const std::uint8_t n = script.byte();
        return shell_.write(*conn, n == 255 ? SIZE_MAX : n);
      }
      default:
        return;
    }
  }

  void check() const {
    if (shell_.violation()) fail(*shell_.violation());
  }

  // Whatever happened, time lets every held line through and reading resume, and a shutdown
  // ends everything within its grace period.
  void finish() {
    shell_.live_through(std::chrono::minutes(1));
    check();
    for (core::ConnId conn : shell_.open_connections()) {
      if (shell_.server().reading_paused(conn)) fail("reading is still paused a minute later");
    }
    shell_.begin_shutdown();
    shell_.flush_all();
    shell_.advance(shell_.server().config().shutdown_grace);
    check();
    if (!shell_.open_connections().empty()) fail("connections are open after the shutdown grace");
    if (!shell_.server().finished()) fail("the server is not finished after the shutdown grace");
  }

 private:
  std::optional<core::ConnId> pick(std::uint8_t choice) const {
    const auto all = shell_.connections();
    if (all.empty()) return std::nullopt;
    return all[choice % all.size()];
  }

  harness::ModelShell shell_;
};

}  // namespace

void fuzz_one_input(const std::uint8_t* data, std::size_t size) {
  Script script(data, size);
  const std::uint8_t choice = script.byte();
  core::Config config = choice & 1 ? harness::tight_limits() : core::Config{};
  if (choice & 2) config.dialect = core::DialectKind::Modern;
  Run run(std::move(config));
  while (!script.done()) {
    run.operation(script);
    run.check();
  }
  run.finish();
}

}  // namespace teaparty::fuzz
