#pragma once
// teaparty-sim's exit codes, distinct so a script can tell what kind of failure it has.

namespace teaparty::sim::exit_code {

inline constexpr int kPassed = 0;
inline constexpr int kUsage = 1;       // bad arguments, an unreadable or malformed file
inline constexpr int kViolation = 2;   // core broke an invariant or the say oracle
inline constexpr int kDifference = 3;  // a transcript does not replay: core's bytes differ
inline constexpr int kCrash = 4;       // core crashed (a signal such as SIGSEGV or SIGABRT)

}  // namespace teaparty::sim::exit_code
