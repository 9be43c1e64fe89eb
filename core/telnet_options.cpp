#include "core/telnet_options.h"

#include <algorithm>

namespace teaparty::core {
namespace {

using telnet::Verb;

// One direction of an option, seen from the side that may enable it: the receipt of an
// "enabled" (WILL for him, DO for us) or "disabled" (WONT / DONT) message.
template <typename State>
void on_enable(State& state, bool agree, Verb yes, Verb no, std::uint8_t option,
               std::string& reply) {
  switch (state) {
    case State::No:
      state = agree ? State::Yes : State::No;
      append_negotiation(reply, agree ? yes : no, option);
      break;
    case State::Yes:  // already on: this is an answer or a repeat; answering it would loop
      break;
    case State::WantNo:  // we asked for off and got on: the peer is wrong; settle on off
      state = State::No;
      break;
    case State::WantYes:  // the answer to our request
      state = State::Yes;
      break;
  }
}

template <typename State>
void on_disable(State& state, Verb no, std::uint8_t option, std::string& reply) {
  switch (state) {
    case State::No:  // already off: nothing to say
      break;
    case State::Yes:  // the peer turns it off; we must acknowledge
      state = State::No;
      append_negotiation(reply, no, option);
      break;
    case State::WantNo:
    case State::WantYes:  // the answer to our request (a refusal in the WantYes case)
      state = State::No;
      break;
  }
}

}  // namespace

void append_negotiation(std::string& out, Verb verb, std::uint8_t option) {
  out.push_back(static_cast<char>(telnet::kIAC));
  out.push_back(static_cast<char>(verb));
  out.push_back(static_cast<char>(option));
}

TelnetOptions::Entry TelnetOptions::find(std::uint8_t option) const {
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [option](const Entry& e) { return e.option == option; });
  return it == entries_.end() ? Entry{option} : *it;
}

TelnetOptions::Entry& TelnetOptions::entry(std::uint8_t option) {
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [option](const Entry& e) { return e.option == option; });
  if (it != entries_.end()) return *it;
  return entries_.emplace_back(Entry{option});
}

void TelnetOptions::receive(Verb verb, std::uint8_t option, const TelnetPolicy& policy,
                            std::string& reply) {
  if (option == telnet::kOptTimingMark && verb == Verb::Do) {
    append_negotiation(reply, Verb::Will, option);
    return;
  }
  Entry& e = entry(option);
  switch (verb) {
    case Verb::Will:
      on_enable(e.him, policy.remote.test(option), Verb::Do, Verb::Dont, option, reply);
      break;
    case Verb::Wont:
      on_disable(e.him, Verb::Dont, option, reply);
      break;
    case Verb::Do:
      on_enable(e.us, policy.local.test(option), Verb::Will, Verb::Wont, option, reply);
      break;
    case Verb::Dont:
      on_disable(e.us, Verb::Wont, option, reply);
      break;
  }
}

void TelnetOptions::offer_local(std::uint8_t option, std::string& out) {
  Entry& e = entry(option);
  if (e.us != Q::No) return;
  e.us = Q::WantYes;
  append_negotiation(out, Verb::Will, option);
}

void TelnetOptions::request_remote(std::uint8_t option, std::string& out) {
  Entry& e = entry(option);
  if (e.him != Q::No) return;
  e.him = Q::WantYes;
  append_negotiation(out, Verb::Do, option);
}

}  // namespace teaparty::core
