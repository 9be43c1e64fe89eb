#pragma once
// Outbox: what a connection has been sent but the shell has not yet written to its socket.
// It holds references to shared payloads, the first one possibly partly written, in a ring
// that reuses its storage: queueing a delivery allocates nothing once the ring has grown to
// the connection's usual backlog.

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

 private:
  struct Chunk {
    Payload payload;
    std::uint32_t offset = 0;  // bytes of the payload already written
  };

  static constexpr std::size_t kRetainedChunks = 64;

  Chunk& at(std::size_t i) { return ring_[(head_ + i) % ring_.size()]; }
  const Chunk& at(std::size_t i) const { return ring_[(head_ + i) % ring_.size()]; }
  void grow();

  std::vector<Chunk> ring_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  std::size_t bytes_ = 0;
};

}  // namespace teaparty::core
