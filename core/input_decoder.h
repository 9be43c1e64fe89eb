#pragma once
// InputDecoder turns the raw bytes of one connection into what they mean: telnet commands are
// taken out of the stream, typed lines are assembled with the user's erasures applied, and
// everything that ends a line in the wild ends one here (CR LF, LF, CR NUL, a lone CR).
//
// It is a pull parser in the manner of h11: `next(input)` consumes bytes from the front of
// `input` until it has an event, and keeps all partial state between calls, so a line or a
// telnet sequence may be split across reads at any byte.
//
// Memory is bounded whatever arrives: a line longer than the limit is dropped (one
// LineTooLong event, then the rest of it is skipped up to its end), and a subnegotiation keeps
// at most kMaxSubnegotiation bytes.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/payload.h"
#include "core/telnet.h"

namespace teaparty::core {

// A complete line, without its line end. The view is valid until the next call to next().
struct LineReceived {
  std::string_view text;
};
// A line passed the length limit; it is being dropped up to its end.
struct LineTooLong {
  std::size_t limit = 0;
};
// Ctrl-D (0x04) on an empty line: the user wants out.
struct EndOfTransmission {};
struct TelnetNegotiation {
  telnet::Verb verb;
  std::uint8_t option = 0;
};
// IAC SB option ... IAC SE. The view is valid until the next call to next().
struct TelnetSubnegotiation {
  std::uint8_t option = 0;
  std::string_view data;
  bool truncated = false;  // longer than kMaxSubnegotiation; the tail was skipped
};

using InputEvent = std::variant<LineReceived, LineTooLong, EndOfTransmission, TelnetNegotiation,
                                TelnetSubnegotiation>;

class InputDecoder {
 public:
  static constexpr std::size_t kMaxSubnegotiation = 1024;

  explicit InputDecoder(std::size_t max_line) : max_line_(max_line) {}

  // Consumes bytes from the front of `input` up to and including the next event and returns
  // it; returns nullopt once `input` is used up with no further event.
  std::optional<InputEvent> next(ByteView& input);

  // Bytes held for a partial line or subnegotiation: never more than the two limits.
  std::size_t buffered_bytes() const { return line_.size() + sub_.size(); }
  std::size_t max_line() const { return max_line_; }

 private:
  enum class State : std::uint8_t { Data, Iac, Negotiation, SubOption, Sub, SubIac };

  std::optional<InputEvent> step(std::uint8_t byte, bool& consumed);
  std::optional<InputEvent> on_data(std::uint8_t byte);
  std::optional<InputEvent> on_command(std::uint8_t command);
  std::optional<InputEvent> append_run(ByteView& input);
  std::optional<InputEvent> append(std::string_view bytes);
  std::optional<InputEvent> end_line();
  void erase_character();
  void drop_partial_line();
  void recycle_buffers();

  std::size_t max_line_;
  State state_ = State::Data;
  bool after_cr_ = false;    // the previous data byte was a CR that ended a line
  bool discarding_ = false;  // inside a line that passed the limit
  bool line_handed_out_ = false;
  bool sub_handed_out_ = false;
  bool sub_truncated_ = false;
  telnet::Verb verb_ = telnet::Verb::Will;
  std::uint8_t sub_option_ = 0;
  std::string line_;
  std::string sub_;
};

}  // namespace teaparty::core
