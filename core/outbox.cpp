#include "core/outbox.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace teaparty::core {

void Outbox::push(Payload payload) {
  if (payload.empty()) return;
  if (count_ == ring_.size()) grow();
  bytes_ += payload.size();
  at(count_) = std::move(payload);
  ++count_;
}

void Outbox::grow() {
  std::vector<Payload> bigger(std::max<std::size_t>(4, ring_.size() * 2));
  for (std::size_t i = 0; i < count_; ++i)
    bigger[i] = std::move(at(i));
  ring_ = std::move(bigger);
  head_ = 0;
}

std::size_t Outbox::gather(std::span<ByteView> out) const {
  const std::size_t n = std::min(out.size(), count_);
  for (std::size_t i = 0; i < n; ++i)
    out[i] = at(i).bytes();
  if (n > 0) out[0] = out[0].subspan(front_written_);
  return n;
}

void Outbox::consume(std::size_t count) {
  assert(count <= bytes_);
  bytes_ -= count;
  while (count > 0) {
    const std::size_t left = at(0).size() - front_written_;
    if (count < left) {
      front_written_ += count;
      return;
    }
    count -= left;
    at(0) = Payload{};
    front_written_ = 0;
    head_ = wrap(head_ + 1);
    --count_;
  }
  if (count_ == 0) {
    head_ = 0;
    // After a burst (a reader that paused), give the memory back rather than keep a large
    // ring for every connection that once lagged.
    // Not `ring_ = {}`: that assigns an empty list and keeps the capacity.
    if (ring_.size() > kRetainedChunks) ring_ = std::vector<Payload>();
  }
}

void Outbox::clear() {
  for (std::size_t i = 0; i < count_; ++i)
    at(i) = Payload{};
  head_ = count_ = bytes_ = front_written_ = 0;
}

}  // namespace teaparty::core
