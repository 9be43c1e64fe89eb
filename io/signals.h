#pragma once
// SIGINT and SIGTERM become a readable byte on a pipe (the self-pipe trick), so the poll loop
// learns of them in its ordinary way instead of inside a signal handler. SIGPIPE is ignored:
// a client that vanishes mid-write is an error value from writev, not a dead server.

#include "io/socket.h"

namespace teaparty::io {

class StopSignals {
 public:
  // Installs the handlers; only one instance may exist at a time.
  StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  ~StopSignals();

  int fd() const { return read_end_.get(); }
  // Empties the pipe; returns true if a stop signal had arrived.
  bool drain();

 private:
  FileDescriptor read_end_;
  FileDescriptor write_end_;
};

}  // namespace teaparty::io
