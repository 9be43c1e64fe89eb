// The epoll(7) backend of io/poller.h (Linux only).

#include "io/poller.h"

#if defined(TEAPARTY_HAS_EPOLL)

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>

namespace teaparty::io {
namespace {

// Events taken from the kernel per wait. Level-triggered, so whatever is ready beyond this
// is reported again by the next wait.
constexpr int kMaxEventsPerWait = 4096;

std::uint32_t events_for(Interest interest) {
  // Neither EPOLLET (the shell leaves input unread on purpose, see io/poller.h) nor
  // EPOLLRDHUP: a half-close makes the socket readable anyway (the read returns 0), and asked
  // for while reading is paused it would be reported at every wait with nothing to do.
  return (interest.read ? EPOLLIN : 0u) | (interest.write ? EPOLLOUT : 0u);
}

}  // namespace

EpollBackend::EpollBackend() : epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)) {}

EpollBackend::~EpollBackend() {
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

bool EpollBackend::watch(int fd, std::uint64_t token, Interest interest) {
  if (fd < 0) return false;
  const auto index = static_cast<std::size_t>(fd);
  if (index >= interest_of_fd_.size()) interest_of_fd_.resize(index + 1);
  Interest& registered = interest_of_fd_[index];
  epoll_event event{};
  event.events = events_for(interest);
  event.data.u64 = token;
  int op = EPOLL_CTL_MOD;
  if (!interest.any()) {
    if (!registered.any()) return true;
    op = EPOLL_CTL_DEL;
  } else if (!registered.any()) {
    op = EPOLL_CTL_ADD;
  }
  if (::epoll_ctl(epoll_fd_, op, fd, &event) != 0) {
    // A descriptor closed behind our back is gone from the set already.
    if (op == EPOLL_CTL_DEL) registered = Interest{};
    return false;
  }
  registered = interest;
  return true;
}

WaitResult EpollBackend::wait(int timeout_ms) {
  ready_.clear();
  events_.resize(kMaxEventsPerWait);
  const int count = ::epoll_wait(epoll_fd_, events_.data(), kMaxEventsPerWait, timeout_ms);
  if (count < 0) return {&ready_, errno};
  for (int i = 0; i < count; ++i) {
    const std::uint32_t got = events_[static_cast<std::size_t>(i)].events;
    ready_.push_back({events_[static_cast<std::size_t>(i)].data.u64,
                      (got & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0,
                      (got & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0});
  }
  return {&ready_, 0};
}

}  // namespace teaparty::io

#endif
