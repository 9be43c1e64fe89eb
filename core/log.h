#pragma once
// Log records are values core hands out (Server::poll_log); the shell decides where they go.

#include <string>
#include <string_view>

#include "core/conn_id.h"
#include "core/time.h"

namespace teaparty::core {

enum class LogLevel { Debug, Info, Warning, Error };

std::string_view describe(LogLevel level);

struct LogRecord {
  Instant at;
  LogLevel level = LogLevel::Info;
  ConnId conn;  // 0 when the record is about the server as a whole
  std::string text;
};

}  // namespace teaparty::core
