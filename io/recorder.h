#pragma once
// Recorder: writes a live session as a transcript (core/transcript.h), so that whatever a real
// server saw can be replayed through core on a laptop: `teaparty --record FILE`, then
// `teaparty-sim replay FILE`.
//
// It listens on the shell's Tap, which sees every call the shell makes into core, and writes
// each as an event with its time since the recording began. Three things need care:
// - The Tap shows a write as the views it wrote, one call per view, and core's wrote() right
//   after; the recorder joins a connection's consecutive views into one `out` and adds the
//   `wrote` with their total once the next event shows the write is over. (Two writes with
//   nothing between become one wrote() of their sum: core treats the two alike.)
// - The shell ticks core on every wake; most of those ticks come before any deadline and, by
//   Server::tick's contract, do nothing. Only a tick that is due (core's next deadline is at or
//   before it) is written, so a transcript is not one tick per line of chat.
// - The close reason is core's business and the Tap does not show it: `close` has none.
// Each event is flushed as it is written, so a server that crashes leaves its transcript
// complete up to the input that crashed it.

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "core/server.h"
#include "core/transcript.h"
#include "io/shell.h"
#include "io/socket.h"

namespace teaparty::io {

class Recorder {
 public:
  // Creates FILE (truncating it) and writes the header with the server's configuration.
  // `start` is time zero of the transcript.
  static std::variant<std::unique_ptr<Recorder>, SystemError> open(const std::string& path,
                                                                   const core::Server& server,
                                                                   core::Instant start);
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // The observers to hand to the Shell. They refer to this recorder, which must outlive it.
  Tap tap();

 private:
  struct PendingWrite {
    core::Instant at;
    core::ConnId conn;
    std::string bytes;
  };

  Recorder(std::FILE* file, const core::Server& server, core::Instant start);
  void on_written(core::Instant now, core::ConnId conn, core::ByteView bytes);
  void on_ticked(core::Instant now);
  void record(core::Instant now, core::ConnId conn, core::transcript::What what);
  void write_pending();
  void write_line(const std::string& line);

  std::FILE* file_;
  const core::Server& server_;
  core::Instant start_;
  std::optional<PendingWrite> pending_;
  bool failed_ = false;  // a write failed: said once, and recording stopped
};

}  // namespace teaparty::io
