#pragma once
// Counts the heap allocations made while a CountingAllocations is alive. The test binary that
// includes allocation_counter.cpp replaces the global operator new and delete, so every
// allocation by core (std::string, std::vector, std::deque, Payload) passes through it.
//
// Counting, not timing: the figures are exact and the same on every machine.

#include <cstddef>

namespace teaparty::perf {

struct AllocationCount {
  std::size_t allocations = 0;
  std::size_t bytes = 0;
};

class CountingAllocations {
 public:
  CountingAllocations();
  ~CountingAllocations();
  CountingAllocations(const CountingAllocations&) = delete;
  CountingAllocations& operator=(const CountingAllocations&) = delete;

  // What was allocated since construction.
  AllocationCount so_far() const;

 private:
  AllocationCount start_;
};

}  // namespace teaparty::perf
