#pragma once
// HeldInput: what a connection sent that core has received but not yet acted on, because its
// line rate limit is spent. That is the one line the decoder found when there was no allowance
// left for it, and the undecoded bytes that came after it in the same read. Both are taken up,
// in order, as the allowance returns; meanwhile the shell does not read the connection, so the
// bytes are at most what one receive() brought in, and the line at most --max-line.
//
// Only a line waits: telnet commands and the line end's second byte (the LF of a CR LF) are
// decoded as they come, so a connection is never held back for anything but a line.
//
// Bytes are taken from the front by moving an offset, so releasing one line at a time from
// a large held read copies nothing per line; the storage is given back once it is all taken.

#include <cstddef>
#include <optional>
#include <string>
#include <utility>

#include "core/input_decoder.h"
#include "core/payload.h"

namespace teaparty::core {

// A line event kept beyond the decoder's next call, so it owns its text.
struct WaitingLine {
  std::string text;                           // the line (LineReceived)
  std::optional<std::size_t> too_long_limit;  // set instead for a LineTooLong

  static WaitingLine from(const InputEvent& event) {
    if (const auto* too_long = std::get_if<LineTooLong>(&event)) return {{}, too_long->limit};
    return {std::string(std::get<LineReceived>(event).text), std::nullopt};
  }
};

class HeldInput {
 public:
  bool empty() const { return !line_ && start_ == bytes_.size(); }
  // Held bytes and the waiting line's, for the bound on what a connection costs.
  std::size_t size() const { return bytes_.size() - start_ + (line_ ? line_->text.size() : 0); }

  void hold_line(WaitingLine line) { line_ = std::move(line); }
  bool has_line() const { return line_.has_value(); }
  WaitingLine take_line() { return *std::exchange(line_, std::nullopt); }

  // The bytes not yet taken, valid until the next append or take.
  ByteView bytes() const { return as_bytes(std::string_view(bytes_).substr(start_)); }
  void append(ByteView more) {
    if (start_ > 0) {  // compact first, so the held bytes never exceed what is owed
      bytes_.erase(0, start_);
      start_ = 0;
    }
    bytes_.append(as_text(more));
  }
  // The first `count` bytes have been decoded.
  void take(std::size_t count) {
    start_ += count;
    if (start_ == bytes_.size()) {
      bytes_.clear();
      bytes_.shrink_to_fit();
      start_ = 0;
    }
  }

 private:
  std::optional<WaitingLine> line_;
  std::string bytes_;
  std::size_t start_ = 0;
};

}  // namespace teaparty::core
