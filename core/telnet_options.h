#pragma once
// The telnet option negotiation of one connection, by the Q method of RFC 1143: for each
// option, our side ("us") and the client's side ("him") are each NO, YES, WANTNO or WANTYES.
// Answering by these states is what prevents negotiation loops: a request is answered once,
// an answer is never answered, and a refusal changes nothing.
//
// Teaparty never asks to turn an option off while asking to turn it on, so the RFC's queue
// bit (for changing one's mind mid-negotiation) is not needed and not kept.
//
// TIMING-MARK (RFC 860) is not a state but a question: "have you processed everything before
// this?". Every DO TIMING-MARK is answered WILL TIMING-MARK at once. Telnet sends it after
// Ctrl-C and shows nothing more until it is answered.

#include <bitset>
#include <cstdint>
#include <string>
#include <vector>

#include "core/telnet.h"

namespace teaparty::core {

// Which options a dialect agrees to: `local` we will perform when asked (DO x → WILL x),
// `remote` we let the client perform (WILL x → DO x). Everything else is refused.
struct TelnetPolicy {
  std::bitset<256> local;
  std::bitset<256> remote;
};

class TelnetOptions {
 public:
  // Reacts to a negotiation the client sent, appending our answer (if one is due) to `reply`.
  void receive(telnet::Verb verb, std::uint8_t option, const TelnetPolicy& policy,
               std::string& reply);
  // Offers to enable an option on our side (WILL) or asks the client to enable one (DO).
  void offer_local(std::uint8_t option, std::string& out);
  void request_remote(std::uint8_t option, std::string& out);

  bool local_enabled(std::uint8_t option) const { return find(option).us == Q::Yes; }
  bool remote_enabled(std::uint8_t option) const { return find(option).him == Q::Yes; }

 private:
  enum class Q : std::uint8_t { No, Yes, WantNo, WantYes };
  struct Entry {
    std::uint8_t option = 0;
    Q us = Q::No;
    Q him = Q::No;
  };

  // Options touched by either side, in a small list: most connections touch none or a few,
  // and a fixed table for all 256 would cost every connection half a kilobyte.
  Entry find(std::uint8_t option) const;
  Entry& entry(std::uint8_t option);

  std::vector<Entry> entries_;
};

// Appends IAC verb option.
void append_negotiation(std::string& out, telnet::Verb verb, std::uint8_t option);

}  // namespace teaparty::core
