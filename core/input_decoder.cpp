#include "core/input_decoder.h"

#include <array>
#include <utility>

namespace teaparty::core {
namespace {

constexpr std::uint8_t kNul = 0x00;
constexpr std::uint8_t kCtrlD = 0x04;
constexpr std::uint8_t kBackspace = 0x08;
constexpr std::uint8_t kLf = 0x0a;
constexpr std::uint8_t kCr = 0x0d;
constexpr std::uint8_t kDel = 0x7f;

// Bytes that need a decision of their own; every other byte is ordinary text.
constexpr std::array<bool, 256> kSpecial = [] {
  std::array<bool, 256> special{};
  for (std::uint8_t b : {kNul, kCtrlD, kBackspace, kLf, kCr, kDel, telnet::kIAC})
    special[b] = true;
  return special;
}();

// A line buffer that grew for one long line is given back once that line is done, so an idle
// connection costs little however long its longest line was.
constexpr std::size_t kRetainedLineCapacity = 256;

bool is_utf8_continuation(char c) {
  return (static_cast<std::uint8_t>(c) & 0xC0) == 0x80;
}

}  // namespace

std::optional<InputEvent> InputDecoder::next(ByteView& input) {
  recycle_buffers();
  while (!input.empty()) {
    if (state_ == State::Data && !after_cr_ && !kSpecial[std::to_integer<std::uint8_t>(input[0])]) {
      if (auto event = append_run(input)) return event;
      continue;
    }
    bool consumed = true;
    auto event = step(std::to_integer<std::uint8_t>(input[0]), consumed);
    if (consumed) input = input.subspan(1);
    if (event) return event;
  }
  return std::nullopt;
}

void InputDecoder::recycle_buffers() {
  if (std::exchange(line_handed_out_, false)) {
    line_.clear();
    if (line_.capacity() > kRetainedLineCapacity) line_.shrink_to_fit();
  }
  if (std::exchange(sub_handed_out_, false)) {
    sub_.clear();
    sub_.shrink_to_fit();
  }
}

// The fast path: a run of ordinary text goes into the line in one piece.
std::optional<InputEvent> InputDecoder::append_run(ByteView& input) {
  std::size_t n = 0;
  while (n < input.size() && !kSpecial[std::to_integer<std::uint8_t>(input[n])])
    ++n;
  const std::string_view run = as_text(input.first(n));
  input = input.subspan(n);
  return append(run);
}

std::optional<InputEvent> InputDecoder::append(std::string_view bytes) {
  if (discarding_) return std::nullopt;
  if (line_.size() + bytes.size() > max_line_) {
    line_.clear();
    discarding_ = true;
    return LineTooLong{max_line_};
  }
  line_.append(bytes);
  return std::nullopt;
}

std::optional<InputEvent> InputDecoder::step(std::uint8_t byte, bool& consumed) {
  switch (state_) {
    case State::Data:
      if (byte == telnet::kIAC) {
        state_ = State::Iac;
        return std::nullopt;
      }
      return on_data(byte);
    case State::Iac:
      state_ = State::Data;
      return on_command(byte);
    case State::Negotiation:
      state_ = State::Data;
      return TelnetNegotiation{verb_, byte};
    case State::SubOption:
      sub_option_ = byte;
      sub_.clear();
      sub_truncated_ = false;
      state_ = State::Sub;
      return std::nullopt;
    case State::Sub:
      if (byte == telnet::kIAC) {
        state_ = State::SubIac;
      } else if (sub_.size() < kMaxSubnegotiation) {
        sub_.push_back(static_cast<char>(byte));
      } else {
        sub_truncated_ = true;
      }
      return std::nullopt;
    case State::SubIac:
      if (byte == telnet::kIAC) {  // a doubled IAC is a data byte 255 inside the subnegotiation
        state_ = State::Sub;
        if (sub_.size() < kMaxSubnegotiation) sub_.push_back(static_cast<char>(byte));
        return std::nullopt;
      }
      // IAC SE ends it properly. Any other command also ends it (RFC 855 allows nothing
      // else here) and is then read again as the command it is.
      state_ = byte == telnet::kSE ? State::Data : State::Iac;
      consumed = byte == telnet::kSE;
      sub_handed_out_ = true;
      return TelnetSubnegotiation{sub_option_, sub_, sub_truncated_};
  }
  return std::nullopt;
}

std::optional<InputEvent> InputDecoder::on_command(std::uint8_t command) {
  switch (command) {
    case telnet::kIAC:  // IAC IAC: the data byte 255
      return on_data(telnet::kIAC);
    case telnet::kWILL:
    case telnet::kWONT:
    case telnet::kDO:
    case telnet::kDONT:
      verb_ = static_cast<telnet::Verb>(command);
      state_ = State::Negotiation;
      return std::nullopt;
    case telnet::kSB:
      state_ = State::SubOption;
      return std::nullopt;
    case telnet::kIP:  // telnet's Ctrl-C: the client has already thrown the line away
    case telnet::kEL:
      drop_partial_line();
      return std::nullopt;
    case telnet::kEC:
      erase_character();
      return std::nullopt;
    default:  // NOP, GA, DM, BRK, AO, AYT, a stray SE: nothing to do for a line-based chat
      return std::nullopt;
  }
}

std::optional<InputEvent> InputDecoder::on_data(std::uint8_t byte) {
  const bool after_cr = std::exchange(after_cr_, false);
  switch (byte) {
    case kCr:
      after_cr_ = true;
      return end_line();
    case kLf:
      if (after_cr) return std::nullopt;  // the LF of a CR LF
      return end_line();
    case kNul:
      if (after_cr) return std::nullopt;  // the NUL of a CR NUL (telnet's character mode)
      break;
    case kBackspace:
    case kDel:
      erase_character();
      return std::nullopt;
    case kCtrlD:
      if (line_.empty() && !discarding_) return EndOfTransmission{};
      return std::nullopt;
    default:
      break;
  }
  const char c = static_cast<char>(byte);
  return append(std::string_view(&c, 1));
}

std::optional<InputEvent> InputDecoder::end_line() {
  if (std::exchange(discarding_, false)) return std::nullopt;
  line_handed_out_ = true;
  return LineReceived{line_};
}

// Erases the last character, not the last byte: a UTF-8 character is erased whole.
void InputDecoder::erase_character() {
  if (discarding_ || line_.empty()) return;
  std::size_t start = line_.size() - 1;
  while (start > 0 && is_utf8_continuation(line_[start]) && line_.size() - start < 4)
    --start;
  const auto lead = static_cast<std::uint8_t>(line_[start]);
  const bool multibyte_lead = lead >= 0xC0;
  line_.resize(multibyte_lead ? start : line_.size() - 1);
}

void InputDecoder::drop_partial_line() {
  line_.clear();
  discarding_ = false;
}

}  // namespace teaparty::core
