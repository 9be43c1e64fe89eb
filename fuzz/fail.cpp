#include <cstdio>
#include <cstdlib>

#include "fuzz/fuzz_target.h"

namespace teaparty::fuzz {

void fail(std::string_view what) {
  std::fprintf(stderr, "teaparty fuzz check failed: %.*s\n", static_cast<int>(what.size()),
               what.data());
  std::abort();
}

}  // namespace teaparty::fuzz
