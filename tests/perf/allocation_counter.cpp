#include "tests/perf/allocation_counter.h"

#include <cstdlib>
#include <new>

namespace teaparty::perf {
namespace {

// Plain globals, not atomics: the tests are single-threaded and so is core. They are only
// ever read between the operations counted, never concurrently with them.
AllocationCount total;
int counting_scopes = 0;

void* allocate(std::size_t size) {
  if (counting_scopes > 0) {
    ++total.allocations;
    total.bytes += size;
  }
  // malloc(0) may return null; operator new must not.
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}

void* allocate_aligned(std::size_t size, std::align_val_t alignment) {
  if (counting_scopes > 0) {
    ++total.allocations;
    total.bytes += size;
  }
  const auto align = static_cast<std::size_t>(alignment);
  const std::size_t rounded = (size + align - 1) / align * align;
  if (void* memory = std::aligned_alloc(align, rounded == 0 ? align : rounded)) return memory;
  throw std::bad_alloc();
}

}  // namespace

CountingAllocations::CountingAllocations() : start_(total) {
  ++counting_scopes;
}

CountingAllocations::~CountingAllocations() {
  --counting_scopes;
}

AllocationCount CountingAllocations::so_far() const {
  return {total.allocations - start_.allocations, total.bytes - start_.bytes};
}

}  // namespace teaparty::perf

// The replacements. Every form of new ends in allocate(); every form of delete in free().
void* operator new(std::size_t size) {
  return teaparty::perf::allocate(size);
}
void* operator new[](std::size_t size) {
  return teaparty::perf::allocate(size);
}
void* operator new(std::size_t size, std::align_val_t alignment) {
  return teaparty::perf::allocate_aligned(size, alignment);
}
void* operator new[](std::size_t size, std::align_val_t alignment) {
  return teaparty::perf::allocate_aligned(size, alignment);
}
void operator delete(void* memory) noexcept {
  std::free(memory);
}
void operator delete[](void* memory) noexcept {
  std::free(memory);
}
void operator delete(void* memory, std::size_t) noexcept {
  std::free(memory);
}
void operator delete[](void* memory, std::size_t) noexcept {
  std::free(memory);
}
void operator delete(void* memory, std::align_val_t) noexcept {
  std::free(memory);
}
void operator delete[](void* memory, std::align_val_t) noexcept {
  std::free(memory);
}
void operator delete(void* memory, std::size_t, std::align_val_t) noexcept {
  std::free(memory);
}
void operator delete[](void* memory, std::size_t, std::align_val_t) noexcept {
  std::free(memory);
}
