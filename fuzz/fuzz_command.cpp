// Fuzz target: the command handler, through the whole of core, on one connection. The first
// byte chooses the dialect (odd: modern, even: classic). A watcher logs in first; then the user
// sends the rest of the input, each of its lines as one read ending in CR LF, as a line-mode
// client sends it. After every line the model shell checks the invariants and
// the contract with the shell. At the end the user hangs up: it must be closed once its output
// is written, and the watcher must still be served (the server keeps serving everyone else,
// whatever one client sent).

#include <string>
#include <string_view>

#include "fuzz/fuzz_target.h"
#include "tests/props/model_shell.h"

namespace teaparty::fuzz {
namespace {

void check(const harness::ModelShell& shell) {
  if (shell.violation()) fail(*shell.violation());
}

core::ConnId must_connect(harness::ModelShell& shell) {
  const auto conn = shell.connect();
  if (!conn) fail("a connection was refused before any shutdown");
  return *conn;
}

}  // namespace

void fuzz_one_input(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return;
  core::Config config;
  if (data[0] % 2 == 1) config.dialect = core::DialectKind::Modern;
  harness::ModelShell shell(config);
  const core::ConnId watcher = must_connect(shell);
  shell.receive(watcher, "login watcher\r\n");
  const core::ConnId user = must_connect(shell);
  shell.flush_all();
  check(shell);

  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  while (!input.empty()) {
    const std::size_t end = input.find('\n');
    const std::string_view line = input.substr(0, end);
    input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
    shell.receive(user, std::string(line) + "\r\n");
    shell.flush_all();
    check(shell);
  }

  shell.peer_gone(user, core::PeerGone::EndOfStream);
  shell.flush_all();
  check(shell);
  if (shell.is_open(user)) fail("the user hung up and took all its output but is still open");
  if (!shell.is_open(watcher)) fail("the watcher was closed by another user's input");

  const std::size_t before = shell.delivered(watcher).size();
  shell.receive(watcher, "say still here\r\n");
  shell.flush_all();
  check(shell);
  if (shell.delivered(watcher).find("still here", before) == std::string::npos) {
    fail("the watcher is no longer served after the user's input");
  }
}

}  // namespace teaparty::fuzz
