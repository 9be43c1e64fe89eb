#pragma once
// WhisperCheck: the modern dialect's private messages (/msg) across a cluster. Each carries a
// unique marker ("[w4]"), so wherever it turns up it is known:
//   - the addressee's copy (`FROM whispers: TEXT [w4]`) reaches one session at most, once, and
//     only a session called by the name it was sent to (by key) when it gets it;
//   - the sender's copy (`You whisper to TO: ...`) reaches the sender's session only, once;
//   - it does reach the addressee when the addressee's node acts on it while the addressee is
//     logged in there under that name: on the sender's node at once, on another node when that
//     node is handed the store's Whisper message naming it (the simulator tells `due`).
// Nothing here is about rooms: a whisper goes to a person wherever they are.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sim/cluster_oracle.h"

namespace teaparty::sim {

struct WhisperCheckStats {
  std::size_t sent = 0;     // whispers typed
  std::size_t heard = 0;    // copies received (the addressee's and the sender's)
  std::size_t checked = 0;  // deliveries that had to happen, and did
};

class WhisperCheck {
 public:
  // A client typed a whisper with marker number `number` to `to` (by key).
  void sent(std::uint64_t number, SessionKey sender, std::string to);
  // A line the session received; `name`: the session's name now (by key), empty if none.
  void heard(SessionKey session, std::string_view name, std::string_view line);
  // The sender's copies received since the last call: their whisper's number and addressee,
  // for the simulator to say whether someone on the sender's node had to get it.
  struct Echo {
    std::uint64_t number = 0;
    std::string to;
  };
  std::vector<Echo> take_echoes();
  // The session, called by the addressee's name, must have received whisper `number` by now.
  void due(SessionKey session, std::uint64_t number);

  const std::optional<std::string>& violation() const { return violation_; }
  const WhisperCheckStats& stats() const { return stats_; }

 private:
  struct Whisper {
    SessionKey sender = 0;
    std::string to;
    std::optional<SessionKey> reached;  // the one session that got the addressee's copy
    bool echoed = false;
  };
  void fail(std::string what);

  std::map<std::uint64_t, Whisper> whispers_;
  std::vector<Echo> echoes_;
  std::optional<std::string> violation_;
  WhisperCheckStats stats_;
};

}  // namespace teaparty::sim
