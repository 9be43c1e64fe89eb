// Replays saved fuzz inputs through a fuzz target's own function, in the ordinary test suite
// and with either compiler: the target's seed corpus (fuzz/corpus/TARGET/) and every input
// that once broke it (tests/fuzz_regressions/TARGET/). Each file is a test of its own, named
// after it, so a failure names the input. The target aborts with a message on a violation.
//
// Built once per target, with FUZZ_TARGET (its name), FUZZ_CORPUS_DIR and FUZZ_REGRESSION_DIR.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz/fuzz_target.h"

namespace teaparty::fuzz {
namespace {

namespace fs = std::filesystem;

struct SavedInput {
  std::string test_name;  // where it comes from and its file name, as a test name allows
  fs::path path;
};

// Test names allow only letters, digits and underscores.
std::string test_name_for(std::string_view kind, const fs::path& file) {
  std::string name(kind);
  name += '_';
  for (char c : file.filename().string())
    name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

void add_inputs_in(const fs::path& dir, std::string_view kind, std::vector<SavedInput>& inputs) {
  std::error_code error;  // a folder not made yet (no regression so far) holds nothing
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    const std::string file = entry.path().filename().string();
    if (!entry.is_regular_file() || file.starts_with(".") || file.ends_with(".md")) continue;
    inputs.push_back({test_name_for(kind, entry.path()), entry.path()});
  }
}

std::vector<SavedInput> saved_inputs() {
  std::vector<SavedInput> inputs;
  add_inputs_in(FUZZ_CORPUS_DIR, "corpus", inputs);
  add_inputs_in(FUZZ_REGRESSION_DIR, "regression", inputs);
  std::sort(inputs.begin(), inputs.end(),
            [](const SavedInput& a, const SavedInput& b) { return a.test_name < b.test_name; });
  return inputs;
}

class ReplaySavedInput : public ::testing::Test {
 public:
  explicit ReplaySavedInput(fs::path path) : path_(std::move(path)) {}

  void TestBody() override {
    std::ifstream file(path_, std::ios::binary);
    ASSERT_TRUE(file) << "cannot read " << path_;
    const std::vector<char> bytes{std::istreambuf_iterator<char>(file),
                                  std::istreambuf_iterator<char>()};
    // On a violation the target prints it and aborts, and this test fails, named after the file.
    fuzz_one_input(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  }

 private:
  fs::path path_;
};

// One test per file, in a suite named after the target: fuzz_replay.TARGET.corpus_NAME,
// fuzz_replay.TARGET.regression_NAME.
const bool registered = [] {
  for (const SavedInput& input : saved_inputs()) {
    ::testing::RegisterTest(
        FUZZ_TARGET, input.test_name.c_str(), nullptr, nullptr, __FILE__, __LINE__,
        [path = input.path]() -> ::testing::Test* { return new ReplaySavedInput(path); });
  }
  return true;
}();

}  // namespace
}  // namespace teaparty::fuzz
