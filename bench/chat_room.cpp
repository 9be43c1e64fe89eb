#include "bench/chat_room.h"

#include <utility>
#include <variant>

namespace teaparty::bench {

ChatRoom::ChatRoom(std::size_t members, core::Config config) : server_(std::move(config)) {
  members_.reserve(members);
  for (std::size_t i = 0; i < members; ++i) {
    const core::ConnId id = server_.connect(now_, "127.0.0.1:40000");
    members_.push_back(id);
    receive(id, "login m" + std::to_string(i) + "\r\n");
    // Drain after every login: each join is announced to everyone already in, and letting
    // those notices pile up would cost memory quadratic in the room's size.
    drain();
  }
}

void ChatRoom::receive(core::ConnId from, std::string_view bytes) {
  server_.receive(now_, from, core::as_bytes(bytes));
}

std::size_t ChatRoom::drain() {
  written_ = 0;
  while (auto action = server_.poll_action()) {
    if (const auto* want = std::get_if<core::WantWrite>(&*action)) write_all(want->conn);
  }
  while (server_.poll_log()) {
  }
  return written_;
}

void ChatRoom::write_all(core::ConnId conn) {
  while (true) {
    const std::size_t count = server_.gather_output(conn, views_);
    if (count == 0) return;
    std::size_t total = 0;
    for (std::size_t i = 0; i < count; ++i)
      total += views_[i].size();
    server_.wrote(now_, conn, total);
    written_ += total;
  }
}

std::string repeated(std::string_view line, std::size_t count) {
  std::string text;
  text.reserve(line.size() * count);
  for (std::size_t i = 0; i < count; ++i)
    text += line;
  return text;
}

}  // namespace teaparty::bench
