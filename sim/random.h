#pragma once
// Random: the simulator's only source of chance, seeded, and the same on every machine.
//
// xoshiro256** (Blackman and Vigna) seeded through splitmix64, written out here rather than
// taken from <random>: the standard engines are portable but its distributions are not (libstdc++
// and libc++ turn the same engine output into different numbers), and a seed that finds a bug
// must find it on everyone's laptop.

#include <cstddef>
#include <cstdint>
#include <span>

namespace teaparty::sim {

class Random {
 public:
  explicit Random(std::uint64_t seed) {
    for (std::uint64_t& word : state_)
      word = splitmix64(seed);
  }

  std::uint64_t next() {
    const std::uint64_t result = rotate_left(state_[1] * 5, 7) * 9;
    const std::uint64_t shifted = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= shifted;
    state_[3] = rotate_left(state_[3], 45);
    return result;
  }

  // Uniform in [0, bound); bound must be positive. Rejection keeps it unbiased.
  std::uint64_t below(std::uint64_t bound) {
    const std::uint64_t threshold = (0 - bound) % bound;
    while (true) {
      const std::uint64_t value = next();
      if (value >= threshold) return value % bound;
    }
  }
  // Uniform in [low, high].
  std::uint64_t between(std::uint64_t low, std::uint64_t high) {
    return low + below(high - low + 1);
  }
  // True `percent` times in a hundred.
  bool percent(std::uint64_t percent) { return below(100) < percent; }
  bool one_in(std::uint64_t n) { return below(n) == 0; }

  template <typename T>
  const T& pick(std::span<const T> items) {
    return items[below(items.size())];
  }

  // Picks an index with probability proportional to its weight (the weights must not all be 0).
  std::size_t weighted(std::span<const unsigned> weights) {
    std::uint64_t total = 0;
    for (unsigned weight : weights)
      total += weight;
    std::uint64_t roll = below(total);
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (roll < weights[i]) return i;
      roll -= weights[i];
    }
    return weights.size() - 1;
  }

 private:
  static std::uint64_t rotate_left(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
  }

  std::uint64_t state_[4];
};

}  // namespace teaparty::sim
