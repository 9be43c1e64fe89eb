// Properties of core as a whole: random clients connect, send commands and junk split at
// random points, hang up or break, read their output slowly or not at all, while time passes
// and the server may shut down, in either dialect, with every limit on or none. After every
// step ModelShell checks the invariants and the contract with the shell (nothing addressed to
// a closed connection, the deadline after a tick in the future, ...). Then: every `say`
// reaches each member of the room exactly once, all members in the same order; held input is
// read in time and a shutdown closes everyone; lines held for a connection that closes are
// never said.

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/server.h"
#include "tests/props/decoded_events.h"
#include "tests/props/generators.h"
#include "tests/props/model_shell.h"

namespace teaparty::harness {
namespace {

using namespace std::chrono_literals;

rc::Gen<std::string> gen_command() {
  const auto name = rc::gen::element<std::string>("alice", "bob", "carol", "dave", "Dave");
  return rc::gen::weightedOneOf<std::string>({
      {4, rc::gen::map(name, [](const std::string& n) { return "login " + n; })},
      {1, rc::gen::map(name, [](const std::string& n) { return "login  " + n + " \t"; })},
      {3, rc::gen::map(gen_text(), [](const std::string& t) { return "say " + t; })},
      {3, rc::gen::element<std::string>("look", "who", "logout", "say", "login", "", "   ", "LOOK",
                                        "frobnicate now", "logout now")},
      // the modern dialect's (unknown commands to the classic one)
      {2, rc::gen::element<std::string>("/join tea", "/join Tea", "/leave", "/rooms", "/nick zed",
                                        "/msg alice hi", "/me waves", "/quit", "/help", "hello")},
  });
}

rc::Gen<std::string> gen_line_end() {
  return rc::gen::element<std::string>("\r\n", "\n", std::string("\r\0", 2), "\r");
}

// A say whose delivery is checked: its line as members receive it, and the room when said.
struct TrackedSay {
  std::string line;
  std::vector<core::ConnId> audience;
};

// One random run, as long as the generator likes. The step log is kept for failure reports.
class RandomRun {
 public:
  explicit RandomRun(core::Config config = {}) : shell_(std::move(config)) {}

  void run() {
    // Long runs from the first test on: rapidcheck would otherwise scale the count with its
    // growing size, and a run needs length to get several clients into the room.
    const int steps = *rc::gen::resize(100, rc::gen::inRange(1, 150));
    // A shutdown ends the chat for good, so it comes at most once, in a third of the runs.
    const int shutdown_at = *rc::gen::inRange(0, 3 * steps);
    for (int i = 0; i < steps && !shell_.violation(); ++i) {
      if (i == shutdown_at) {
        note("begin_shutdown");
        shell_.begin_shutdown();
      } else {
        step();
      }
    }
    if (!shell_.violation()) shell_.flush_all();
  }

  ModelShell& shell() { return shell_; }
  const ModelShell& shell() const { return shell_; }
  const std::vector<TrackedSay>& says() const { return says_; }
  const std::string& log() const { return log_; }

 private:
  enum class Kind { Connect, Command, TrackedSay, Junk, Hangup, Reset, Write, Tick };

  void step() {
    const Kind kind = *rc::gen::weightedElement<Kind>({{3, Kind::Connect},
                                                       {8, Kind::Command},
                                                       {4, Kind::TrackedSay},
                                                       {2, Kind::Junk},
                                                       {1, Kind::Hangup},
                                                       {1, Kind::Reset},
                                                       {5, Kind::Write},
                                                       {2, Kind::Tick}});
    if (kind == Kind::Connect || shell_.connections().empty()) return connect();
    if (kind == Kind::Tick) {
      const auto ms = *rc::gen::inRange(0, 3000);
      note("tick +" + std::to_string(ms) + "ms");
      return shell_.advance(std::chrono::milliseconds(ms));
    }
    if (kind == Kind::TrackedSay) return tracked_say();

    const core::ConnId conn = *rc::gen::elementOf(shell_.connections());
    const std::string who = "#" + std::to_string(conn.value) + " ";
    switch (kind) {
      case Kind::Command: {
        const std::string line = *gen_command() + *gen_line_end();
        note(who + "sends \"" + escaped(line) + '"');
        return send(conn, line);
      }
      case Kind::Junk: {
        const std::string junk = *gen_stream();
        dirty_.insert(conn.value);
        note(who + "sends junk \"" + escaped(junk) + '"');
        return send(conn, junk);
      }
      case Kind::Hangup:
        note(who + "hangs up");
        return shell_.peer_gone(conn, core::PeerGone::EndOfStream);
      case Kind::Reset:
        note(who + "breaks");
        return shell_.peer_gone(conn, core::PeerGone::Broken);
      case Kind::Write: {
        const std::size_t limit = *rc::gen::weightedOneOf<std::size_t>(
            {{3, rc::gen::inRange<std::size_t>(0, 100)}, {1, rc::gen::just(SIZE_MAX)}});
        note(who + "takes up to " + std::to_string(limit) + " bytes");
        return shell_.write(conn, limit);
      }
      default:
        return;
    }
  }

  void connect() {
    const auto conn = shell_.connect();
    note(conn ? "#" + std::to_string(conn->value) + " connects" : "connect refused");
  }

  // Bytes arrive in reads split at random points.
  void send(core::ConnId conn, const std::string& bytes) {
    const auto reads = *rc::gen::container<std::vector<std::size_t>>(
        rc::gen::inRange<std::size_t>(1, bytes.size() + 2));
    std::size_t at = 0;
    for (std::size_t size : reads) {
      if (at >= bytes.size()) break;
      const std::size_t take = std::min(size, bytes.size() - at);
      shell_.receive(conn, std::string_view(bytes).substr(at, take));
      at += take;
    }
    if (at < bytes.size()) shell_.receive(conn, std::string_view(bytes).substr(at));
  }

  // A say from a connection that never sent junk, so its framer is known to be between
  // lines and the say is a say exactly when the sender is in the room.
  void tracked_say() {
    std::vector<core::ConnId> clean;
    for (core::ConnId conn : shell_.open_connections()) {
      if (!dirty_.contains(conn.value)) clean.push_back(conn);
    }
    if (clean.empty()) return connect();
    const core::ConnId conn = *rc::gen::elementOf(clean);
    const std::string who = "#" + std::to_string(conn.value);
    const core::Session* sender = shell_.server().world().find(conn);
    if (sender && sender->phase == core::Phase::LoggingIn) {
      // Log in first under a name of its own, so that most tracked says are said.
      note(who + " logs in as c" + std::to_string(conn.value));
      send(conn, "login c" + std::to_string(conn.value) + *gen_line_end());
      sender = shell_.server().world().find(conn);
    }
    const std::string text = "#said-" + std::to_string(says_.size()) + "#";
    if (sender && sender->phase == core::Phase::Chatting) {
      const auto room = shell_.server().world().room_members();
      says_.push_back({sender->name + ": " + text + "\r\n", {room.begin(), room.end()}});
    }
    note(who + " says " + text);
    send(conn, "say " + text + *gen_line_end());
  }

  void note(const std::string& what) {
    log_ += what;
    log_ += '\n';
  }

  ModelShell shell_;
  std::set<std::uint64_t> dirty_;
  std::vector<TrackedSay> says_;
  std::string log_;
};

// Which tracked says a connection received, in the order it received them.
std::vector<std::size_t> says_received(const std::string& delivered,
                                       const std::vector<TrackedSay>& says) {
  std::vector<std::pair<std::size_t, std::size_t>> found;  // (position, say)
  for (std::size_t i = 0; i < says.size(); ++i) {
    for (std::size_t at = delivered.find(says[i].line); at != std::string::npos;
         at = delivered.find(says[i].line, at + 1))
      found.emplace_back(at, i);
  }
  std::sort(found.begin(), found.end());
  std::vector<std::size_t> order;
  for (const auto& [position, say] : found)
    order.push_back(say);
  return order;
}

// Any dialect, with every limit on and small or with none.
core::Config gen_config() {
  core::Config config = *rc::gen::arbitrary<bool>() ? tight_limits() : core::Config{};
  if (*rc::gen::arbitrary<bool>()) config.dialect = core::DialectKind::Modern;
  RC_CLASSIFY(config.line_rate > 0, "tight limits");
  RC_CLASSIFY(config.dialect == core::DialectKind::Modern, "modern");
  return config;
}

RC_GTEST_PROP(CoreProperties, InvariantsAndTheShellContractHoldAfterEveryStep, ()) {
  RandomRun run(gen_config());
  run.run();
  if (const auto& violation = run.shell().violation()) {
    RC_FAIL(*violation + "\nsteps:\n" + run.log());
  }
}

// Without limits (a held line would be said later than sent, to a room that may have changed)
// and without the close grace (a closing member that does not read loses its queue under its
// original close reason, so what it missed could not be told from outside).
RC_GTEST_PROP(CoreProperties, EverySayReachesEachMemberOnceAndAllInTheSameOrder, ()) {
  core::Config config;
  config.close_grace = core::Duration::zero();
  RandomRun run(config);
  run.run();
  RC_PRE(!run.shell().violation());  // the property above reports those

  std::map<std::uint64_t, std::vector<std::size_t>> expected;
  for (std::size_t i = 0; i < run.says().size(); ++i) {
    for (core::ConnId member : run.says()[i].audience)
      expected[member.value].push_back(i);
  }
  std::size_t widest = 0;
  for (const TrackedSay& say : run.says())
    widest = std::max(widest, say.audience.size());
  RC_CLASSIFY(run.says().empty(), "no says");
  RC_CLASSIFY(widest >= 3, "a say to 3 or more");
  for (core::ConnId conn : run.shell().connections()) {
    const std::vector<std::size_t> got = says_received(run.shell().delivered(conn), run.says());
    const std::vector<std::size_t>& want = expected[conn.value];
    // A broken connection, or one the shutdown grace ran out on, lost its queue: it may have
    // missed the last says, but never one in the middle and never in another order.
    const auto reason = run.shell().close_reason(conn);
    const bool lost_queue =
        reason == core::CloseReason::PeerReset || reason == core::CloseReason::Shutdown;
    const bool ok =
        lost_queue ? got.size() <= want.size() && std::equal(got.begin(), got.end(), want.begin())
                   : got == want;
    if (!ok) {
      RC_FAIL("connection " + std::to_string(conn.value) + " received says " +
              ::testing::PrintToString(got) + ", expected " + ::testing::PrintToString(want) +
              "\nsteps:\n" + run.log());
    }
  }
}

// However the run went, time lets every held line through and reading resume, and a
// shutdown closes everyone within the grace period.
RC_GTEST_PROP(CoreProperties, HeldInputIsReadInTimeAndShutdownClosesEveryone, ()) {
  RandomRun run(gen_config());
  run.run();
  RC_PRE(!run.shell().violation());
  ModelShell& shell = run.shell();
  RC_CLASSIFY(shell.pauses() > 0, "reading was paused");
  shell.live_through(std::chrono::minutes(1));
  for (core::ConnId conn : shell.open_connections())
    RC_ASSERT(!shell.server().reading_paused(conn));

  shell.begin_shutdown();
  shell.flush_all();
  shell.advance(shell.server().config().shutdown_grace);
  if (shell.violation()) RC_FAIL(*shell.violation() + "\nsteps:\n" + run.log());
  RC_ASSERT(shell.open_connections().empty());
  RC_ASSERT(shell.server().finished());
  RC_ASSERT(shell.server().next_deadline() == std::nullopt);
}

std::size_t count_of(std::string_view text, std::string_view part) {
  std::size_t count = 0;
  for (std::size_t at = text.find(part); at != std::string_view::npos; at = text.find(part, at + 1))
    ++count;
  return count;
}

// Lines the rate limit holds for a connection that then closes (the server shuts down, or its
// login time runs out in the same wake as the limit's refill) are never acted on: nobody hears
// them said by someone who has left or never logged in.
RC_GTEST_PROP(CoreProperties, LinesHeldForAConnectionThatClosesAreNeverSaid, ()) {
  core::Config config = tight_limits();
  if (*rc::gen::arbitrary<bool>()) config.dialect = core::DialectKind::Modern;
  ModelShell shell(config);
  const core::ConnId watcher = *shell.connect();
  shell.receive(watcher, "login watcher\r\n");
  const core::ConnId talker = *shell.connect();
  const bool logs_in = *rc::gen::arbitrary<bool>();
  if (logs_in) shell.receive(talker, "login talker\r\n");
  // Late enough that some held lines come due only after the login timeout (3 s).
  const auto before_timeout = std::chrono::milliseconds(2600 + *rc::gen::inRange(0, 350));
  shell.advance(before_timeout);

  std::string burst;
  const int lines = *rc::gen::inRange(config.line_burst + 1, config.line_burst + 10);
  for (int k = 0; k < lines; ++k)
    burst += "say held-" + std::to_string(k) + "\r\n";
  shell.receive(talker, burst);
  RC_ASSERT(shell.server().reading_paused(talker));
  shell.flush_all();
  const std::size_t said_before = count_of(shell.delivered(watcher), "held-");

  // The talker closes with output unread, so it is still there when its refills come due.
  if (logs_in) {
    shell.begin_shutdown();
    shell.advance(std::chrono::milliseconds(500));
  } else {  // one wake past the login timeout, with refills due in it too
    shell.advance(config.login_timeout - before_timeout + std::chrono::milliseconds(300));
  }
  shell.live_through(std::chrono::seconds(30));
  if (shell.violation()) RC_FAIL(*shell.violation());
  RC_ASSERT(count_of(shell.delivered(watcher), "held-") == (logs_in ? said_before : 0));
}

}  // namespace
}  // namespace teaparty::harness
