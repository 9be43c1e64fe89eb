#include "core/actions.h"
#include "core/log.h"

namespace teaparty::core {

std::string_view describe(CloseReason reason) {
  switch (reason) {
    case CloseReason::Logout:
      return "logout";
    case CloseReason::PeerClosed:
      return "closed by client";
    case CloseReason::PeerReset:
      return "connection broken";
    case CloseReason::Shutdown:
      return "server shutdown";
    case CloseReason::SlowConsumer:
      return "slow consumer";
    case CloseReason::Refused:
      return "refused";
    case CloseReason::LoginTimeout:
      return "login timeout";
    case CloseReason::IdleTimeout:
      return "idle timeout";
  }
  return "unknown";
}

std::string_view describe(LogLevel level) {
  switch (level) {
    case LogLevel::Debug:
      return "debug";
    case LogLevel::Info:
      return "info";
    case LogLevel::Warning:
      return "warning";
    case LogLevel::Error:
      return "error";
  }
  return "unknown";
}

}  // namespace teaparty::core
