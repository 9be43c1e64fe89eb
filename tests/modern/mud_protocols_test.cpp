// The pieces the modern dialect sends inside telnet subnegotiations, on their own: the
// framing (core/subnegotiation.h), GMCP (core/gmcp.h), MSSP (core/mssp.h) and CHARSET
// (core/charset.h).

#include <gtest/gtest.h>

#include <string>

#include "core/charset.h"
#include "core/gmcp.h"
#include "core/mssp.h"
#include "core/subnegotiation.h"
#include "tests/core/bytes.h"

namespace teaparty::core {
namespace {

using testing::escaped;
using testing::iac;

TEST(Subnegotiation, FramesAndDoublesEveryIac) {
  EXPECT_EQ(escaped(subnegotiation(telnet::kOptGMCP,
                                   "a\xff"
                                   "b")),
            escaped(iac(telnet::kSB, telnet::kOptGMCP) +
                    "a\xff\xff"
                    "b" +
                    iac(telnet::kSE)));
  EXPECT_EQ(escaped(subnegotiation(70, "")),
            escaped(iac(telnet::kSB, 70, telnet::kIAC, telnet::kSE)));
}

TEST(Gmcp, MessagesAreAPackageNameASpaceAndCompactJson) {
  EXPECT_EQ(gmcp::char_name("alice").text(),
            iac(telnet::kSB, telnet::kOptGMCP) +
                R"(Char.Name {"name":"alice","fullname":"alice"})" + iac(telnet::kSE));
  EXPECT_EQ(gmcp::channel_text("main", "bob", "bob: hi").text(),
            iac(telnet::kSB, telnet::kOptGMCP) +
                R"(Comm.Channel.Text {"channel":"main","talker":"bob","text":"bob: hi"})" +
                iac(telnet::kSE));
}

TEST(Gmcp, TextIsEscapedAsJsonAndBadUtf8IsReplacedNotThrown) {
  const std::string sent =
      std::string(gmcp::channel_text("c", "t", "say \"x\"\t\\ \x01 \xc3 é").text());
  EXPECT_NE(sent.find(R"("text":"say \"x\"\t\\ \u0001 )"
                      "\xef\xbf\xbd"
                      " é\"}"),
            std::string::npos)
      << escaped(sent);
}

TEST(Mssp, ReportsNamePlayersAndStartTime) {
  EXPECT_EQ(escaped(mssp::report({"TestChat", 3, 1700000000})),
            escaped(iac(telnet::kSB, telnet::kOptMSSP) +
                    "\x01NAME\x02TestChat\x01PLAYERS\x02"
                    "3\x01UPTIME\x02"
                    "1700000000" +
                    iac(telnet::kSE)));
}

TEST(Mssp, ValuesCannotBreakTheReport) {
  const std::string report = mssp::report({std::string_view("a\x01"
                                                            "b\x02"
                                                            "c\0d\xff",
                                                            8),
                                           0, 0});
  EXPECT_EQ(escaped(report), escaped(iac(telnet::kSB, telnet::kOptMSSP) +
                                     "\x01NAME\x02"
                                     "abcd\x01PLAYERS\x02"
                                     "0" +
                                     iac(telnet::kSE)));
}

TEST(Charset, OurRequestOffersUtf8) {
  EXPECT_EQ(escaped(charset::request_utf8()),
            escaped(iac(telnet::kSB, telnet::kOptCharset) + "\x01;UTF-8" + iac(telnet::kSE)));
}

TEST(Charset, AClientsRequestIsAcceptedIfItListsUtf8) {
  auto answer = [](std::string_view data) { return escaped(charset::answer_request(data)); };
  const std::string accepted = iac(telnet::kSB, telnet::kOptCharset) + "\x02";
  const std::string end = iac(telnet::kSE);
  EXPECT_EQ(answer("\x01;UTF-8;ISO-8859-1"), escaped(accepted + "UTF-8" + end));
  EXPECT_EQ(answer("\x01 latin1 Utf-8"), escaped(accepted + "Utf-8" + end)) << "any separator";
  EXPECT_EQ(answer("\x01;ISO-8859-1"),
            escaped(iac(telnet::kSB, telnet::kOptCharset) + "\x03" + end));
  EXPECT_EQ(answer("\x01"), escaped(iac(telnet::kSB, telnet::kOptCharset) + "\x03" + end));
  EXPECT_EQ(answer("\x01;UTF-8X;UTF"),
            escaped(iac(telnet::kSB, telnet::kOptCharset) + "\x03" + end));
  EXPECT_EQ(answer(std::string("\x01[TTABLE]\x01;UTF-8", 16)), escaped(accepted + "UTF-8" + end));
}

}  // namespace
}  // namespace teaparty::core
