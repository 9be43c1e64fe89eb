#include "sim/whisper_check.h"

#include "sim/room_lines.h"

namespace teaparty::sim {

namespace {

std::string whisper_name(std::uint64_t number) {
  return "whisper [w" + std::to_string(number) + "]";
}

std::string session_name(SessionKey session) {
  return "session " + std::to_string(session);
}

}  // namespace

void WhisperCheck::fail(std::string what) {
  if (!violation_) violation_ = std::move(what);
}

void WhisperCheck::sent(std::uint64_t number, SessionKey sender, std::string to) {
  ++stats_.sent;
  whispers_[number] = Whisper{sender, std::move(to), std::nullopt, false};
}

void WhisperCheck::heard(SessionKey session, std::string_view name, std::string_view line) {
  const std::optional<WhisperLine> whisper = classify_whisper(line);
  if (!whisper) return;
  ++stats_.heard;
  const auto found = whispers_.find(whisper->number);
  if (found == whispers_.end()) {
    fail(session_name(session) + " got \"" + std::string(line) + "\", a " +
         whisper_name(whisper->number) + " nobody sent");
    return;
  }
  Whisper& sent = found->second;
  const std::string what = whisper_name(whisper->number);
  if (whisper->echo) {
    if (session != sent.sender) {
      fail(session_name(session) + " got the sender's copy of " + what + ", sent by " +
           session_name(sent.sender) + ": \"" + std::string(line) + "\"");
    } else if (sent.echoed) {
      fail(session_name(session) + " got its copy of " + what + " twice");
    }
    sent.echoed = true;
    echoes_.push_back({whisper->number, sent.to});
    return;
  }
  if (sent.reached) {
    fail(what + " to " + sent.to + " reached " + session_name(*sent.reached) + " and then " +
         session_name(session) + ": \"" + std::string(line) + "\"");
  } else if (name != sent.to) {
    fail(what + " to " + sent.to + " reached " + session_name(session) + ", called \"" +
         std::string(name) + "\": \"" + std::string(line) + "\"");
  }
  sent.reached = session;
}

std::vector<WhisperCheck::Echo> WhisperCheck::take_echoes() {
  std::vector<Echo> echoes;
  echoes.swap(echoes_);
  return echoes;
}

void WhisperCheck::due(SessionKey session, std::uint64_t number) {
  const auto found = whispers_.find(number);
  if (found == whispers_.end()) return;  // not the simulator's (junk on the channel)
  if (found->second.reached != session) {
    fail(session_name(session) + ", called " + found->second.to + ", did not get " +
         whisper_name(number) + " when its node acted on it");
    return;
  }
  ++stats_.checked;
}

}  // namespace teaparty::sim
