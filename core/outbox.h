#pragma once
// Outbox: what a connection has been sent but the shell has not yet written to its socket.
// It holds references to shared payloads, the first one possibly partly written, in a ring
// that reuses its storage: queueing a delivery allocates nothing once the ring has grown to
// the connection's usual backlog. A slot is one pointer: only the front payload can be partly
// written, so its offset is kept once for the whole outbox rather than in every slot, which
// halves what a ring kept after a burst costs an idle connection.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/payload.h"

namespace teaparty::core {

class Outbox {
 public:
  void push(Payload payload);
  // Fills `out` with views of the queued bytes, oldest first; returns how many it filled.
  // The views stay valid until the next push, consume or clear.
  std::size_t gather(std::span<ByteView> out) const;
  // The shell wrote `count` bytes from the front.
  void consume(std::size_t count);
  void clear();

  std::size_t bytes() const { return bytes_; }
  std::size_t chunks() const { return count_; }
  bool empty() const { return count_ == 0; }
  // The heap its ring holds, queued or not.
  std::size_t ring_bytes() const { return ring_.capacity() * sizeof(Payload); }

 private:
  static constexpr std::size_t kRetainedChunks = 64;

  // The ring's size is always a power of two (it starts at 4 and doubles), so wrapping around
  // is a mask, not a division: this runs for every delivery, and a 64-bit divide costs tens
  // of cycles.
  std::size_t wrap(std::size_t i) const { return i & (ring_.size() - 1); }
  Payload& at(std::size_t i) { return ring_[wrap(head_ + i)]; }
  const Payload& at(std::size_t i) const { return ring_[wrap(head_ + i)]; }
  void grow();

  std::vector<Payload> ring_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  std::size_t bytes_ = 0;
  std::size_t front_written_ = 0;  // bytes of the front payload already written
};

}  // namespace teaparty::core
