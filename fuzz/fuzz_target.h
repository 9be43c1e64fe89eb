#pragma once
// The shape every fuzz target has: one function that takes an input and aborts, with a
// message, if core breaks a promise on it. The libFuzzer entry point (libfuzzer_main.cpp)
// calls it, and so does the replay test in tests/fuzz_regressions/, which runs every saved
// input through the same function in the ordinary suite, with either compiler.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace teaparty::fuzz {

// Runs one input; defined once per target (fuzz_framer.cpp, fuzz_command.cpp, ...).
void fuzz_one_input(const std::uint8_t* data, std::size_t size);

// Reports what broke and aborts, which both libFuzzer and a test runner see as a crash.
[[noreturn]] void fail(std::string_view what);

}  // namespace teaparty::fuzz
