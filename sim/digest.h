#pragma once
// Digest: FNV-1a, 64 bits, over everything a run produced. Two runs of one seed agree on it
// exactly when they agree on every byte, which is what "same seed, same bytes" means; it is a
// fingerprint for comparing runs, not a defence against anyone.

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace teaparty::sim {

class Digest {
 public:
  void add(std::string_view bytes) {
    for (char c : bytes) {
      value_ ^= static_cast<unsigned char>(c);
      value_ *= kPrime;
    }
  }
  std::uint64_t value() const { return value_; }
  // Sixteen lowercase hex digits.
  std::string hex() const {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value_));
    return text;
  }

 private:
  static constexpr std::uint64_t kOffsetBasis = 0xcbf29ce484222325;
  static constexpr std::uint64_t kPrime = 0x100000001b3;
  std::uint64_t value_ = kOffsetBasis;
};

}  // namespace teaparty::sim
