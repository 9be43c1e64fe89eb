#pragma once
// ActionQueue: the actions waiting for the shell, first in, first out. It keeps its storage
// from one wake to the next: a broadcast to N idle members queues N WantWrites at once and
// the shell takes them all in the same wake, so a std::deque here would allocate and free a
// block for every twenty-odd actions — heap work proportional to the room on every line said.
// Once drained the queue rewinds to the start of its storage instead.

#include <cstddef>
#include <utility>
#include <vector>

#include "core/actions.h"

namespace teaparty::core {

class ActionQueue {
 public:
  using value_type = Action;
  using const_iterator = std::vector<Action>::const_iterator;

  void push_back(Action action) { slots_.push_back(std::move(action)); }
  bool empty() const { return head_ == slots_.size(); }
  std::size_t size() const { return slots_.size() - head_; }
  Action& front() { return slots_[head_]; }
  const Action& operator[](std::size_t i) const { return slots_[head_ + i]; }
  void pop_front() {
    if (++head_ == slots_.size()) clear();
  }
  void clear() {
    slots_.clear();  // keeps the capacity: the next broadcast reuses it
    head_ = 0;
  }
  // The pending actions, oldest first.
  const_iterator begin() const { return slots_.begin() + static_cast<std::ptrdiff_t>(head_); }
  const_iterator end() const { return slots_.end(); }

 private:
  std::vector<Action> slots_;
  std::size_t head_ = 0;  // slots_ before it have been taken
};

}  // namespace teaparty::core
