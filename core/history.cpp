#include "core/history.h"

#include <algorithm>
#include <iterator>

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

void History::take_earlier(std::vector<Payload> earlier, std::size_t recent) {
  std::vector<Payload> lines = std::move(earlier);
  const std::size_t kept = std::min(recent, lines_.size());
  for_each([&, skip = lines_.size() - kept](const Payload& line) mutable {
    if (skip > 0) {
      --skip;
      return;
    }
    lines.push_back(line);
  });
  const std::size_t drop = lines.size() > limit_ ? lines.size() - limit_ : 0;
  lines_.assign(std::make_move_iterator(lines.begin() + static_cast<std::ptrdiff_t>(drop)),
                std::make_move_iterator(lines.end()));
  oldest_ = 0;
}

}  // namespace teaparty::core
