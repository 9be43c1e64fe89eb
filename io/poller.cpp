#include "io/poller.h"

namespace teaparty::io {

std::string_view name_of(PollerKind kind) {
  return kind == PollerKind::Epoll ? "epoll" : "poll";
}

Poller::Poller(PollerKind kind) {
#if defined(TEAPARTY_HAS_EPOLL)
  if (kind == PollerKind::Epoll) {
    backend_.emplace<EpollBackend>();
    if (std::get<EpollBackend>(backend_).valid()) return;
  }
#endif
  (void)kind;
  backend_.emplace<PollBackend>();
}

PollerKind Poller::kind() const {
  return std::holds_alternative<PollBackend>(backend_) ? PollerKind::Poll : PollerKind::Epoll;
}

bool Poller::watch(int fd, std::uint64_t token, Interest interest) {
  return std::visit([&](auto& backend) { return backend.watch(fd, token, interest); }, backend_);
}

WaitResult Poller::wait(int timeout_ms) {
  return std::visit([&](auto& backend) { return backend.wait(timeout_ms); }, backend_);
}

}  // namespace teaparty::io
