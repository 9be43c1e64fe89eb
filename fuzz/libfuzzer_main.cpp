// libFuzzer's entry point for every target: the target itself is fuzz_one_input.

#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  teaparty::fuzz::fuzz_one_input(data, size);
  return 0;
}
