#pragma once
// ChatRoom: a core::Server with N members logged in, driven the way io/shell drives it but
// without sockets — bytes go in with receive(), and drain() takes every connection's output
// as the shell does on a wake (for each WantWrite: gather_output, then wrote() for all of it).
// What the benchmarks time through it is therefore core's own work, all of it, per line.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/server.h"

namespace teaparty::bench {

class ChatRoom {
 public:
  // Logs in `members` clients named m0, m1, ... and drains the welcome and join notices.
  explicit ChatRoom(std::size_t members, core::Config config = {});

  core::ConnId member(std::size_t index) const { return members_[index]; }
  std::size_t size() const { return members_.size(); }
  core::Server& server() { return server_; }

  // The client sent `bytes` in one read. Output is left queued until drain().
  void receive(core::ConnId from, std::string_view bytes);
  // Writes out everything queued, as the shell would; returns the bytes "written".
  std::size_t drain();

 private:
  void write_all(core::ConnId conn);

  core::Server server_;
  core::Instant now_{};
  std::vector<core::ConnId> members_;
  // The shell gathers up to IOV_MAX views per writev; so does this.
  std::array<core::ByteView, 1024> views_{};
  std::size_t written_ = 0;
};

// `count` copies of `line`, back to back: what one large read of a chatty client looks like.
std::string repeated(std::string_view line, std::size_t count);

}  // namespace teaparty::bench
