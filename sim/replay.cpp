#include "sim/replay.h"

namespace teaparty::sim {

ReplayReport replay(const core::transcript::Transcript& transcript,
                    const std::function<void(const core::transcript::Event&)>& before_each) {
  ReplayReport report;
  Driver driver(transcript.config);
  for (const core::transcript::Event& event : transcript.events) {
    if (before_each) before_each(event);
    if (auto finding = driver.apply(event)) {
      report.finding = std::move(finding);
      report.at = event;
      return report;
    }
    ++report.events_replayed;
  }
  report.finding = driver.finish();
  report.says_checked = driver.oracle().says_seen();
  return report;
}

}  // namespace teaparty::sim
