#include "core/outbox.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace teaparty::core {

void Outbox::push(Payload payload) {
  if (payload.empty()) return;
  if (count_ == ring_.size()) grow();
  bytes_ += payload.size();
  at(count_) = Chunk{std::move(payload), 0};
  ++count_;
}

void Outbox::grow() {
  std::vector<Chunk> bigger(std::max<std::size_t>(4, ring_.size() * 2));
  for (std::size_t i = 0; i < count_; ++i)
    bigger[i] = std::move(at(i));
  ring_ = std::move(bigger);
  head_ = 0;
}

std::size_t Outbox::gather(std::span<ByteView> out) const {
  const std::size_t n = std::min(out.size(), count_);
  for (std::size_t i = 0; i < n; ++i) {
    const Chunk& chunk = at(i);
    out[i] = chunk.payload.bytes().subspan(chunk.offset);
  }
  return n;
}

void Outbox::consume(std::size_t count) {
  assert(count <= bytes_);
  bytes_ -= count;
  while (count > 0) {
    Chunk& front = at(0);
    const std::size_t left = front.payload.size() - front.offset;
    if (count < left) {
      front.offset += static_cast<std::uint32_t>(count);
      return;
    }
    count -= left;
    front = Chunk{};
    head_ = (head_ + 1) % ring_.size();
    --count_;
  }
  if (count_ == 0) {
    head_ = 0;
    // After a burst (a reader that paused), give the memory back rather than keep a large
    // ring for every connection that once lagged.
    if (ring_.size() > kRetainedChunks) ring_ = {};
  }
}

void Outbox::clear() {
  for (std::size_t i = 0; i < count_; ++i)
    at(i) = Chunk{};
  head_ = count_ = bytes_ = 0;
}

}  // namespace teaparty::core
