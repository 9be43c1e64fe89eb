// CrashGuard (sim/crash_guard.h): a crash leaves the transcript so far and a distinct exit code.

#include "sim/crash_guard.h"

#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "sim/exit_codes.h"

namespace teaparty::sim {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void crash_with(int signal, const std::string& transcript, const std::string& path) {
  CrashReport report;
  report.message = "CRASH: see " + path + "\n";
  report.transcript = &transcript;
  report.path = path;
  const CrashGuard guard(std::move(report));
  std::raise(signal);
}

class CrashGuardDeathTest : public ::testing::TestWithParam<int> {};

TEST_P(CrashGuardDeathTest, WritesTheTranscriptAndExitsWithTheCrashCode) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const std::string path =
      ::testing::TempDir() + "crash_guard_" + std::to_string(GetParam()) + ".transcript";
  std::remove(path.c_str());
  const std::string transcript =
      "teaparty-transcript 1\n0.000000000 1 connect 192.0.2.1:1\n0.000000000 1 in boom\n";
  EXPECT_EXIT(crash_with(GetParam(), transcript, path),
              ::testing::ExitedWithCode(exit_code::kCrash), "CRASH: see ");
  EXPECT_EQ(read_file(path), transcript);
}

INSTANTIATE_TEST_SUITE_P(Signals, CrashGuardDeathTest, ::testing::Values(SIGSEGV, SIGABRT, SIGFPE));

void crash_at_line(std::size_t line) {
  std::atomic<std::size_t> current = 0;
  CrashReport report;
  report.message = "CRASH: replaying";
  report.line = &current;
  const CrashGuard guard(std::move(report));
  current.store(line);
  std::abort();
}

TEST(CrashGuardDeathTest, NamesTheLineUnderWayWhenItHasOne) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(crash_at_line(1234), ::testing::ExitedWithCode(exit_code::kCrash),
              "CRASH: replaying \\(line 1234\\)");
}

TEST(CrashGuard, PutsBackTheHandlersItFoundWhenItGoesOutOfScope) {
  struct sigaction before {};
  ASSERT_EQ(sigaction(SIGSEGV, nullptr, &before), 0);
  {
    const CrashGuard guard(CrashReport{});
    struct sigaction during {};
    ASSERT_EQ(sigaction(SIGSEGV, nullptr, &during), 0);
    EXPECT_NE(during.sa_handler, before.sa_handler);
  }
  struct sigaction after {};
  ASSERT_EQ(sigaction(SIGSEGV, nullptr, &after), 0);
  EXPECT_EQ(after.sa_handler, before.sa_handler);
}

}  // namespace
}  // namespace teaparty::sim
