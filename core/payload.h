#pragma once
// Payload: an immutable run of bytes with a reference count, shared by every outbox it is
// queued on. A broadcast renders its line once into one Payload and hands each recipient a
// reference: N recipients cost N pointer copies, never N copies of the text.
//
// The count is deliberately not atomic: core is single-threaded by design (it is a state
// machine driven by one shell), and an atomic increment per recipient would be paid on the
// hottest path there is.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace teaparty::core {

using ByteView = std::span<const std::byte>;

inline ByteView as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::byte*>(text.data()), text.size()};
}
inline std::string_view as_text(ByteView bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

class Payload {
 public:
  Payload() = default;
  // One allocation holding the count, the size and the bytes.
  static Payload copy_of(std::string_view text);
  // Builds a payload from pieces without an intermediate string (e.g. name + ": " + text).
  template <typename... Pieces>
  static Payload concat(const Pieces&... pieces) {
    Payload p = uninitialized((std::string_view(pieces).size() + ...));
    if (p.empty()) return p;
    char* out = p.writable();
    ((out = append(out, std::string_view(pieces))), ...);
    return p;
  }

  Payload(const Payload& other) noexcept : block_(other.block_) { retain(); }
  Payload(Payload&& other) noexcept : block_(other.block_) { other.block_ = nullptr; }
  Payload& operator=(const Payload& other) noexcept;
  Payload& operator=(Payload&& other) noexcept;
  ~Payload() { release(); }

  std::size_t size() const { return block_ ? block_->size : 0; }
  bool empty() const { return size() == 0; }
  std::string_view text() const { return {data(), size()}; }
  ByteView bytes() const { return as_bytes(text()); }
  // How many holders share these bytes (for tests and invariants).
  std::uint32_t use_count() const { return block_ ? block_->refs : 0; }

 private:
  struct Block {
    std::uint32_t refs;
    std::uint32_t size;
  };

  static Payload uninitialized(std::size_t size);
  static char* append(char* out, std::string_view piece);
  const char* data() const { return block_ ? reinterpret_cast<const char*>(block_ + 1) : ""; }
  char* writable() { return reinterpret_cast<char*>(block_ + 1); }
  void retain() noexcept {
    if (block_) ++block_->refs;
  }
  void release() noexcept;

  Block* block_ = nullptr;
};

}  // namespace teaparty::core
