#pragma once
// Replay: feeds a transcript's inputs through a fresh core and checks every output against it.

#include <cstddef>
#include <functional>
#include <optional>
#include <variant>

#include "core/transcript.h"
#include "sim/driver.h"

namespace teaparty::sim {

struct ReplayReport {
  std::size_t events_replayed = 0;  // the ones that matched
  // The first event that did not replay: the finding and the event (nullopt when the
  // transcript ended but core had done something it does not show).
  std::optional<Finding> finding;
  std::optional<core::transcript::Event> at;
  std::size_t says_checked = 0;
};

// `before_each`, if given, is told of each event before core sees it (to say which one was
// under way if core crashes).
ReplayReport replay(const core::transcript::Transcript& transcript,
                    const std::function<void(const core::transcript::Event&)>& before_each = {});

}  // namespace teaparty::sim
