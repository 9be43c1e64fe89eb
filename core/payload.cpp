#include "core/payload.h"

#include <cstring>
#include <new>
#include <utility>

namespace teaparty::core {

Payload Payload::uninitialized(std::size_t size) {
  Payload p;
  if (size == 0) return p;
  void* memory = ::operator new(sizeof(Block) + size);
  p.block_ = new (memory) Block{1, static_cast<std::uint32_t>(size)};
  return p;
}

Payload Payload::copy_of(std::string_view text) {
  Payload p = uninitialized(text.size());
  if (p.empty()) return p;  // no block: writable() would offset a null pointer
  append(p.writable(), text);
  return p;
}

char* Payload::append(char* out, std::string_view piece) {
  if (!piece.empty()) std::memcpy(out, piece.data(), piece.size());
  return out + piece.size();
}

Payload& Payload::operator=(const Payload& other) noexcept {
  Payload copy(other);
  std::swap(block_, copy.block_);
  return *this;
}

Payload& Payload::operator=(Payload&& other) noexcept {
  if (this != &other) {
    release();
    block_ = std::exchange(other.block_, nullptr);
  }
  return *this;
}

void Payload::release() noexcept {
  if (block_ && --block_->refs == 0) {
    block_->~Block();
    ::operator delete(block_);
  }
  block_ = nullptr;
}

}  // namespace teaparty::core
