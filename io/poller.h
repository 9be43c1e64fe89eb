#pragma once
// Poller: the seam between the shell and the kernel's readiness interface. The shell tells it
// which descriptors it wants to read or write, when that changes, and asks it to wait; it
// answers which of them are ready. Two backends, chosen once at start:
//
//   poll   poll(2), portable: the whole interest list is handed to the kernel on every wait,
//          and the kernel checks every descriptor in it, so a wake costs O(connections).
//   epoll  epoll(7), Linux: interest is registered with the kernel when it changes, and a
//          wait returns only what is ready, so a wake costs O(ready connections). With ten
//          thousand silent connections open, poll spent 80 % of the server's CPU scanning
//          them (docs/performance.md).
//
// Both are level-triggered: a descriptor stays ready until it has been read or written out.
// The shell relies on that: it reads a socket at most a few times per wake (so one flood
// cannot starve the others) and stops reading a paused connection, and in both cases the rest
// must be reported again at the next wait.
//
// A descriptor with no interest is not watched at all, not even for hang-ups or errors: both
// kernels report those whatever was asked, and a connection the shell neither reads nor
// writes (reading paused, nothing queued) would then be reported at every wait with nothing
// to do about it. Its hang-up is found when it next reads or writes.

#include <cstdint>
#include <string_view>
#include <variant>
#include <vector>

#include <poll.h>

#if defined(__linux__)
#define TEAPARTY_HAS_EPOLL 1
#include <sys/epoll.h>
#endif

namespace teaparty::io {

enum class PollerKind { Poll, Epoll };

// The backend used when --poller is not given: epoll where there is one.
constexpr PollerKind kDefaultPoller =
#if defined(TEAPARTY_HAS_EPOLL)
    PollerKind::Epoll;
#else
    PollerKind::Poll;
#endif

std::string_view name_of(PollerKind kind);

struct Interest {
  bool read = false;
  bool write = false;
  bool any() const { return read || write; }
  friend bool operator==(Interest, Interest) = default;
};

// One ready descriptor, named by the token it was registered with. A hang-up or an error
// makes it both readable and writable, whatever was asked: the shell's read or write then
// finds out what happened (and does nothing if it has nothing to read or write).
struct Readiness {
  std::uint64_t token = 0;
  bool readable = false;
  bool writable = false;
};

struct WaitResult {
  std::vector<Readiness>* ready = nullptr;  // valid until the next wait
  int error = 0;                            // errno of a failed wait (EINTR included)
};

// poll(2): a pollfd per watched descriptor, kept between waits (a slot is patched when its
// interest changes, and the last slot moved into a removed one's place), so no wait rebuilds
// the set; the kernel still scans all of it.
class PollBackend {
 public:
  bool watch(int fd, std::uint64_t token, Interest interest);
  WaitResult wait(int timeout_ms);

 private:
  std::vector<pollfd> set_;
  std::vector<std::uint64_t> tokens_;  // tokens_[i] belongs to set_[i]
  std::vector<int> slot_of_fd_;        // index into set_ by descriptor, -1 if not watched
  std::vector<Readiness> ready_;
};

#if defined(TEAPARTY_HAS_EPOLL)
// epoll(7), level-triggered: epoll_ctl only when a descriptor's interest changes.
class EpollBackend {
 public:
  EpollBackend();
  ~EpollBackend();
  EpollBackend(const EpollBackend&) = delete;
  EpollBackend& operator=(const EpollBackend&) = delete;

  bool valid() const { return epoll_fd_ >= 0; }
  bool watch(int fd, std::uint64_t token, Interest interest);
  WaitResult wait(int timeout_ms);

 private:
  int epoll_fd_ = -1;
  std::vector<Interest> interest_of_fd_;  // what the kernel holds, by descriptor
  std::vector<epoll_event> events_;
  std::vector<Readiness> ready_;
};
#endif

class Poller {
 public:
  // Falls back to poll if the kernel refuses an epoll instance (error() says why).
  explicit Poller(PollerKind kind);

  PollerKind kind() const;
  // Sets what `fd` is watched for; no interest stops watching it. Call it with no interest
  // before the descriptor is closed: a closed descriptor's number is soon reused. False if
  // the kernel refused (epoll out of memory or past max_user_watches).
  bool watch(int fd, std::uint64_t token, Interest interest);
  void forget(int fd) { watch(fd, 0, Interest{}); }
  // Waits up to `timeout_ms` (-1: for ever) for a watched descriptor to become ready.
  WaitResult wait(int timeout_ms);

 private:
#if defined(TEAPARTY_HAS_EPOLL)
  std::variant<PollBackend, EpollBackend> backend_;
#else
  std::variant<PollBackend> backend_;
#endif
};

}  // namespace teaparty::io
