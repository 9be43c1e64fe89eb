// The poll(2) backend of io/poller.h.

#include <cerrno>

#include "io/poller.h"

namespace teaparty::io {

bool PollBackend::watch(int fd, std::uint64_t token, Interest interest) {
  if (fd < 0) return false;
  const auto index = static_cast<std::size_t>(fd);
  if (index >= slot_of_fd_.size()) slot_of_fd_.resize(index + 1, -1);
  const int slot = slot_of_fd_[index];
  if (!interest.any()) {
    if (slot < 0) return true;
    // The last slot moves into the freed one, so the set stays dense without a rebuild.
    const auto freed = static_cast<std::size_t>(slot);
    set_[freed] = set_.back();
    tokens_[freed] = tokens_.back();
    slot_of_fd_[static_cast<std::size_t>(set_[freed].fd)] = slot;
    set_.pop_back();
    tokens_.pop_back();
    slot_of_fd_[index] = -1;
    return true;
  }
  const short events =
      static_cast<short>((interest.read ? POLLIN : 0) | (interest.write ? POLLOUT : 0));
  if (slot >= 0) {
    set_[static_cast<std::size_t>(slot)].events = events;
    tokens_[static_cast<std::size_t>(slot)] = token;
    return true;
  }
  slot_of_fd_[index] = static_cast<int>(set_.size());
  set_.push_back({fd, events, 0});
  tokens_.push_back(token);
  return true;
}

WaitResult PollBackend::wait(int timeout_ms) {
  ready_.clear();
  const int count = ::poll(set_.data(), set_.size(), timeout_ms);
  if (count < 0) return {&ready_, errno};
  for (std::size_t i = 0; i < set_.size() && ready_.size() < static_cast<std::size_t>(count); ++i) {
    const short revents = set_[i].revents;
    if (revents == 0) continue;
    ready_.push_back({tokens_[i], (revents & (POLLIN | POLLHUP | POLLERR)) != 0,
                      (revents & (POLLOUT | POLLHUP | POLLERR)) != 0});
  }
  return {&ready_, 0};
}

}  // namespace teaparty::io
