#pragma once
// Terminal safety: what one client types is shown on other clients' terminals, and a terminal
// obeys the control characters it is sent (ESC [ 2 J clears the screen, OSC 52 writes the
// clipboard, a bare CR overwrites the line the reader was looking at). Every dialect passes
// names and relayed text through here before they reach anyone's screen, so no client can make
// another's terminal do anything but print.
//
// The rules, applied to a text after the dialect's own stripping:
//   - C0 controls other than TAB (0x00-0x1F) and DEL (0x7F) are shown in caret notation:
//     ^@ ^A ... ^Z ^[ ^\ ^] ^^ ^_ and ^? (ESC is ^[, so an escape sequence is shown, not run).
//   - C1 controls, U+0080-U+009F (UTF-8 C2 80 ... C2 9F), are shown as cat -v shows 8-bit
//     controls: M-^@ ... M-^_ (U+009B, the one-character CSI, is M-^[).
//   - A byte that is not part of well-formed UTF-8 (a stray continuation byte, a truncated or
//     overlong sequence, an encoded surrogate, anything past U+10FFFF, 0xC0, 0xC1, 0xF5-0xFF)
//     is shown as \xHH with two upper-case hex digits. A raw 0x9B would be a CSI to a terminal
//     in an 8-bit mode, and a lone lead byte could swallow the bytes after it.
//   - Everything else is kept byte for byte: printable ASCII, TAB, and every well-formed UTF-8
//     character from U+00A0 up.
// So the result is always well-formed UTF-8 with no control character but TAB, and a line of
// printable text is its own result: the classic dialect stays byte-exact with the book there.
//
// What is not done here: look-alike characters and bidirectional overrides print harmlessly
// but can mislead; restricting names against them is a dialect's choice (the modern one makes
// it, the classic one keeps the book's names).

#include <string>
#include <string_view>

namespace teaparty::core {

// Whether `text` is shown as it is (the common case, answered without copying).
bool is_terminal_safe(std::string_view text);

// Appends `text` to `out` with the rules above applied.
void append_terminal_safe(std::string& out, std::string_view text);

// `text` with the rules above applied.
std::string terminal_safe(std::string_view text);

// A text ready for a terminal: a view of the original when it is safe already, an escaped
// copy only when it is not. Converts to std::string_view, so it can be a piece of
// Payload::concat.
class SafeText {
 public:
  explicit SafeText(std::string_view raw);

  std::string_view view() const { return escaped_ ? std::string_view(copy_) : raw_; }
  operator std::string_view() const { return view(); }  // NOLINT: meant to convert implicitly

 private:
  std::string_view raw_;
  std::string copy_;
  bool escaped_ = false;
};

}  // namespace teaparty::core
