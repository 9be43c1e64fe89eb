#pragma once
// History: the last lines said in a room, for those who come in later. It holds references to
// the very payloads that were broadcast, so remembering a line copies nothing, and at most
// `limit` of them, so a room's memory is bounded however long it lives.

#include <cstddef>
#include <vector>

#include "core/payload.h"

namespace teaparty::core {

class History {
 public:
  explicit History(std::size_t limit = 0) : limit_(limit) {}

  // Remembers a line, forgetting the oldest once `limit` are held; does nothing if limit is 0.
  void add(Payload line);
  std::size_t size() const { return lines_.size(); }
  bool empty() const { return lines_.empty(); }
  std::size_t limit() const { return limit_; }
  // `earlier`, oldest first, is what was said before the last `recent` lines held here, as
  // another node remembers it: it replaces whatever this history holds from before those.
  void take_earlier(std::vector<Payload> earlier, std::size_t recent);
  // Oldest first.
  template <typename F>
  void for_each(F&& f) const {
    for (std::size_t i = 0; i < lines_.size(); ++i)
      f(lines_[(oldest_ + i) % lines_.size()]);
  }

 private:
  std::vector<Payload> lines_;  // a ring once full: lines_[oldest_] is the oldest
  std::size_t oldest_ = 0;
  std::size_t limit_;
};

}  // namespace teaparty::core
