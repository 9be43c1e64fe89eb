// Properties of the framer (core/input_decoder.h): how a stream is cut into reads never
// changes what it means, a doubled IAC is the data byte 255, and no stream makes the decoder
// hold more than a line and a subnegotiation.

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

#include "core/input_decoder.h"
#include "core/telnet.h"
#include "tests/props/decoded_events.h"
#include "tests/props/generators.h"

namespace teaparty::harness {
namespace {

using core::InputDecoder;
using core::telnet::kIAC;
using Kind = DecodedEvent::Kind;

rc::Gen<std::size_t> gen_max_line() {
  return rc::gen::weightedOneOf<std::size_t>(
      {{3, rc::gen::inRange<std::size_t>(1, 48)}, {1, rc::gen::just<std::size_t>(4096)}});
}

RC_GTEST_PROP(FramerProperties, AnySplitIntoReadsYieldsTheSameEvents, ()) {
  const std::string stream = *gen_stream();
  const std::size_t max_line = *gen_max_line();
  const auto reads = *rc::gen::container<std::vector<std::size_t>>(
      rc::gen::inRange<std::size_t>(0, stream.size() + 2));

  const Decoded whole = decode_whole(max_line, stream);
  const Decoded split = decode_in_reads(max_line, stream, reads);
  RC_ASSERT(split.events == whole.events);

  const std::vector<std::size_t> one_byte_reads(stream.size(), 1);
  RC_ASSERT(decode_in_reads(max_line, stream, one_byte_reads).events == whole.events);
}

// Text with every byte 255 doubled, as a telnet client sends it, arrives with single 255s.
RC_GTEST_PROP(FramerProperties, IacIacIsTheDataByte255InLines, ()) {
  // Bytes that have no meaning of their own inside a line, with 255 often.
  const auto plain_byte = rc::gen::weightedOneOf<char>(
      {{1, rc::gen::just(static_cast<char>(kIAC))},
       {3, rc::gen::suchThat(rc::gen::arbitrary<char>(), [](char c) {
          return std::string_view("\r\n\b\x7f\x04", 5).find(c) == std::string_view::npos &&
                 c != '\0';
        })}});
  const std::string text = *rc::gen::container<std::string>(plain_byte);
  std::string escaped;
  for (char c : text) {
    escaped += c;
    if (static_cast<std::uint8_t>(c) == kIAC) escaped += c;
  }
  const Decoded decoded = decode_whole(text.size() + 1, escaped + "\r\n");
  RC_ASSERT(decoded.events == std::vector{DecodedEvent::line(text)});
}

RC_GTEST_PROP(FramerProperties, IacIacIsTheDataByte255InSubnegotiations, ()) {
  using namespace core::telnet;
  const auto data = *rc::gen::container<std::string>(rc::gen::weightedOneOf<char>(
      {{1, rc::gen::just(static_cast<char>(kIAC))}, {3, rc::gen::arbitrary<char>()}}));
  RC_PRE(data.size() <= InputDecoder::kMaxSubnegotiation);
  std::string escaped;
  for (char c : data) {
    escaped += c;
    if (static_cast<std::uint8_t>(c) == kIAC) escaped += c;
  }
  const std::string stream = bytes_of({kIAC, kSB, kOptTTYPE}) + escaped + bytes_of({kIAC, kSE});
  const Decoded decoded = decode_whole(16, stream);
  RC_ASSERT(decoded.events == std::vector{DecodedEvent::subnegotiation(kOptTTYPE, data, false)});
}

RC_GTEST_PROP(FramerProperties, NoStreamMakesItHoldMoreThanALineAndASubnegotiation, ()) {
  const std::string stream = *gen_stream();
  const std::size_t max_line = *gen_max_line();
  const auto reads = *rc::gen::container<std::vector<std::size_t>>(
      rc::gen::inRange<std::size_t>(1, stream.size() + 2));

  const Decoded decoded = decode_in_reads(max_line, stream, reads);
  RC_ASSERT(decoded.most_buffered <= max_line + InputDecoder::kMaxSubnegotiation);
  for (const DecodedEvent& event : decoded.events) {
    if (event.kind == Kind::Line) RC_ASSERT(event.bytes.size() <= max_line);
    if (event.kind == Kind::Subnegotiation) {
      RC_ASSERT(event.bytes.size() <= InputDecoder::kMaxSubnegotiation);
    }
  }
}

// A line over the limit is reported once and never delivered, not even in part.
RC_GTEST_PROP(FramerProperties, AnOverlongLineIsReportedOnceAndDropped, ()) {
  const std::size_t max_line = *rc::gen::inRange<std::size_t>(1, 64);
  const std::size_t over = *rc::gen::inRange<std::size_t>(1, 64);
  const std::string text =
      *rc::gen::container<std::string>(max_line + over, rc::gen::inRange<char>('a', 'z' + 1));
  const Decoded decoded = decode_whole(max_line, text + "\r\nn\r\n");
  RC_ASSERT(decoded.events ==
            (std::vector{DecodedEvent::line_too_long(max_line), DecodedEvent::line("n")}));
}

}  // namespace
}  // namespace teaparty::harness
