#include "io/recorder.h"

#include <cerrno>
#include <cstring>
#include <utility>

namespace teaparty::io {
namespace {

namespace transcript = core::transcript;

}  // namespace

std::variant<std::unique_ptr<Recorder>, SystemError> Recorder::open(const std::string& path,
                                                                    const core::Server& server,
                                                                    core::Instant start) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) {
    const int code = errno;
    return SystemError{code, "cannot create " + path + ": " + std::strerror(code)};
  }
  std::unique_ptr<Recorder> recorder(new Recorder(file, server, start));
  recorder->write_line(transcript::format_header(server.config()));
  return recorder;
}

Recorder::Recorder(std::FILE* file, const core::Server& server, core::Instant start)
    : file_(file), server_(server), start_(start) {}

Recorder::~Recorder() {
  write_pending();
  std::fclose(file_);
}

Tap Recorder::tap() {
  Tap tap;
  tap.connected = [this](core::Instant now, core::ConnId conn, const std::string& peer) {
    record(now, conn, transcript::Connected{peer});
  };
  tap.received = [this](core::Instant now, core::ConnId conn, core::ByteView bytes) {
    record(now, conn, transcript::Received{std::string(core::as_text(bytes))});
  };
  tap.gone = [this](core::Instant now, core::ConnId conn, core::PeerGone how) {
    record(now, conn, transcript::PeerWentAway{how});
  };
  tap.written = [this](core::Instant now, core::ConnId conn, core::ByteView bytes) {
    on_written(now, conn, bytes);
  };
  tap.closed = [this](core::Instant now, core::ConnId conn) {
    record(now, conn, transcript::Closed{});
  };
  tap.ticked = [this](core::Instant now) { on_ticked(now); };
  tap.shutdown_begun = [this](core::Instant now) {
    record(now, core::ConnId{}, transcript::ShutdownBegun{});
  };
  return tap;
}

void Recorder::on_written(core::Instant now, core::ConnId conn, core::ByteView bytes) {
  if (pending_ && pending_->conn != conn) write_pending();
  if (!pending_) pending_ = PendingWrite{now, conn, {}};
  pending_->bytes.append(core::as_text(bytes));
}

void Recorder::on_ticked(core::Instant now) {
  const std::optional<core::Instant> deadline = server_.next_deadline();
  if (deadline && *deadline <= now) record(now, core::ConnId{}, transcript::Ticked{});
}

void Recorder::record(core::Instant now, core::ConnId conn, transcript::What what) {
  write_pending();
  write_line(transcript::format_event({core::Instant{now - start_}, conn, std::move(what)}));
}

// The write the Tap showed is over: its bytes, then the count core was told.
void Recorder::write_pending() {
  if (!pending_) return;
  PendingWrite write = std::move(*pending_);
  pending_.reset();
  const core::Instant at{write.at - start_};
  const std::size_t count = write.bytes.size();
  write_line(transcript::format_event({at, write.conn, transcript::Sent{std::move(write.bytes)}}));
  write_line(transcript::format_event({at, write.conn, transcript::Wrote{count}}));
}

void Recorder::write_line(const std::string& line) {
  if (failed_) return;
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0) {
    failed_ = true;
    std::fprintf(stderr, "teaparty: recording stopped, the transcript cannot be written: %s\n",
                 std::strerror(errno));
  }
}

}  // namespace teaparty::io
