#pragma once
// What the operator decides at start-up, as core sees it.

#include <chrono>
#include <cstddef>
#include <string>

#include "core/time.h"

namespace teaparty::core {

enum class DialectKind { Classic };

struct Config {
  std::string server_name = "TestChat";
  DialectKind dialect = DialectKind::Classic;
  std::size_t max_line = 4096;  // bytes of one line, without its line end
  // How long a shutdown waits for clients to take their last output before closing anyway.
  Duration shutdown_grace = std::chrono::seconds(2);
};

}  // namespace teaparty::core
