#include "core/history.h"

#include <utility>

namespace teaparty::core {

void History::add(Payload line) {
  if (limit_ == 0) return;
  if (lines_.size() < limit_) {
    lines_.push_back(std::move(line));
    return;
  }
  lines_[oldest_] = std::move(line);
  oldest_ = (oldest_ + 1) % lines_.size();
}

}  // namespace teaparty::core
