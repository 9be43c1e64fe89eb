// The io Recorder (io/recorder.h) driven through its Tap by hand, as the shell would: what it
// writes for each call, line by line, and that the result replays.

#include "io/recorder.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <variant>

#include "core/transcript.h"
#include "sim/replay.h"

namespace teaparty::io {
namespace {

using namespace std::chrono_literals;
namespace transcript = core::transcript;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The event lines of a transcript, without the header.
std::string events_of(const std::string& text) {
  std::string events;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#' || line.starts_with("config ") ||
        line == transcript::kFirstLine) {
      continue;
    }
    events += line + "\n";
  }
  return events;
}

// A shell's calls, made by hand: each one through the tap first, as io/shell.cpp does.
class TappedServer {
 public:
  explicit TappedServer(const std::string& path) {
    auto opened = Recorder::open(path, server, kStart);
    if (auto* error = std::get_if<SystemError>(&opened)) ADD_FAILURE() << error->what;
    recorder = std::move(std::get<std::unique_ptr<Recorder>>(opened));
    tap = recorder->tap();
  }
  core::ConnId connect(core::Instant now) {
    const core::ConnId id = server.connect(now, "192.0.2.1:40000");
    tap.connected(now, id, "192.0.2.1:40000");
    return id;
  }
  void receive(core::Instant now, core::ConnId id, std::string_view bytes) {
    tap.received(now, id, core::as_bytes(bytes));
    server.receive(now, id, core::as_bytes(bytes));
  }
  // One writev of everything queued, shown to the tap a view at a time.
  void write_all(core::Instant now, core::ConnId id) {
    std::array<core::ByteView, 64> views;
    const std::size_t count = server.gather_output(id, views);
    std::size_t total = 0;
    for (std::size_t i = 0; i < count; ++i) {
      tap.written(now, id, views[i]);
      total += views[i].size();
    }
    server.wrote(now, id, total);
  }
  void tick(core::Instant now) {
    tap.ticked(now);
    server.tick(now);
  }
  void shut_down(core::Instant now) {
    tap.shutdown_begun(now);
    server.begin_shutdown(now);
  }
  void serve_closes(core::Instant now) {
    while (auto action = server.poll_action()) {
      if (const auto* close = std::get_if<core::CloseConnection>(&*action))
        tap.closed(now, close->conn);
    }
  }

  static constexpr core::Instant kStart{100s};
  core::Server server{core::Config{}};
  std::unique_ptr<Recorder> recorder;
  Tap tap;
};

TEST(Recorder, WritesEveryCallWithItsTimeSinceTheStart) {
  const std::string path = ::testing::TempDir() + "recorder_test.transcript";
  {
    TappedServer shell(path);
    const core::Instant t = TappedServer::kStart;
    const core::ConnId alice = shell.connect(t + 1s);
    shell.write_all(t + 1s, alice);
    shell.tick(t + 2s);  // nothing is due: not written
    shell.receive(t + 3s, alice, "login alice\r\nsay hi\r\nlook\r\n");
    shell.write_all(t + 3s, alice);  // three payloads in one write: one `out`
    shell.shut_down(t + 4s);
    shell.tick(t + 5s);  // before the two-second grace ends: not written
    shell.write_all(t + 5500ms, alice);
    shell.serve_closes(t + 5500ms);
  }
  EXPECT_EQ(events_of(read_file(path)),
            "1.000000000 1 connect 192.0.2.1:40000\n"
            "1.000000000 1 out Welcome to TestChat\\r\\n\n"
            "1.000000000 1 wrote 21\n"
            "3.000000000 1 in login alice\\r\\nsay hi\\r\\nlook\\r\\n\n"
            "3.000000000 1 out alice: hi\\r\\nThe following are in this room:\\r\\nalice\\r\\n\n"
            "3.000000000 1 wrote 51\n"
            "4.000000000 - shutdown\n"
            "5.500000000 1 out \\r\\nShutting down...\\r\\n\n"
            "5.500000000 1 wrote 20\n"
            "5.500000000 1 close\n");
}

TEST(Recorder, WritesATickThatIsDueAndTheTranscriptReplays) {
  const std::string path = ::testing::TempDir() + "recorder_due_tick.transcript";
  {
    TappedServer shell(path);
    const core::Instant t = TappedServer::kStart;
    const core::ConnId carol = shell.connect(t);  // never reads a byte
    shell.shut_down(t + 1s);
    shell.tick(t + 2s);
    shell.tick(t + 3s);  // the grace period is over: carol is closed
    shell.serve_closes(t + 3s);
    EXPECT_FALSE(shell.server.world().find(carol));
  }
  const std::string recorded = read_file(path);
  EXPECT_EQ(events_of(recorded),
            "0.000000000 1 connect 192.0.2.1:40000\n"
            "1.000000000 - shutdown\n"
            "3.000000000 - tick\n"
            "3.000000000 1 close\n");
  auto parsed = transcript::parse(recorded);
  ASSERT_TRUE(std::holds_alternative<transcript::Transcript>(parsed));
  EXPECT_FALSE(sim::replay(std::get<transcript::Transcript>(parsed)).finding);
}

TEST(Recorder, WritesTheServersConfigurationFirst) {
  const std::string path = ::testing::TempDir() + "recorder_config.transcript";
  { TappedServer shell(path); }
  EXPECT_EQ(read_file(path), transcript::format_header(core::Config{}));
}

TEST(Recorder, AFileThatCannotBeCreatedIsAnError) {
  core::Server server{core::Config{}};
  auto opened = Recorder::open("/nonexistent-directory/x.transcript", server, core::Instant{});
  ASSERT_TRUE(std::holds_alternative<SystemError>(opened));
  EXPECT_NE(std::get<SystemError>(opened).what.find("/nonexistent-directory/x.transcript"),
            std::string::npos);
}

}  // namespace
}  // namespace teaparty::io
