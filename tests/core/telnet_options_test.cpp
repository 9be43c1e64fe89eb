// TelnetOptions: RFC 1143 negotiation, answered byte for byte. The rules that matter in the
// wild: a refusal is sent once per request, an answer is never answered, so two sides can
// never talk each other into a loop.

#include "core/telnet_options.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "bytes.h"
#include "core/input_decoder.h"

namespace teaparty::core {
namespace {

using namespace telnet;
using testing::escaped;
using testing::iac;

const TelnetPolicy kRefuseEverything{};

// What we answer to one message from the client.
std::string answer(TelnetOptions& options, Verb verb, std::uint8_t option,
                   const TelnetPolicy& policy = kRefuseEverything) {
  std::string reply;
  options.receive(verb, option, policy, reply);
  return reply;
}

TelnetPolicy accepting_local(std::uint8_t option) {
  TelnetPolicy policy;
  policy.local.set(option);
  return policy;
}

TelnetPolicy accepting_remote(std::uint8_t option) {
  TelnetPolicy policy;
  policy.remote.set(option);
  return policy;
}

TEST(TelnetNegotiationBytes, AppendNegotiationWritesIacVerbOption) {
  std::string out = "x";
  append_negotiation(out, Verb::Wont, kOptEcho);
  append_negotiation(out, Verb::Do, kOptGMCP);
  EXPECT_EQ(out, "x" + iac(kWONT, kOptEcho) + iac(kDO, kOptGMCP));
}

// --- refusals ---

TEST(TelnetOptionsRefusing, DoIsAnsweredWont) {
  for (std::uint8_t option :
       {kOptEcho, kOptSGA, kOptNAWS, kOptLinemode, std::uint8_t{0}, std::uint8_t{255}}) {
    TelnetOptions options;
    EXPECT_EQ(answer(options, Verb::Do, option), iac(kWONT, option)) << int{option};
    EXPECT_FALSE(options.local_enabled(option));
  }
}

TEST(TelnetOptionsRefusing, WillIsAnsweredDont) {
  for (std::uint8_t option : {kOptEcho, kOptSGA, kOptNAWS, kOptTTYPE, kOptCharset}) {
    TelnetOptions options;
    EXPECT_EQ(answer(options, Verb::Will, option), iac(kDONT, option)) << int{option};
    EXPECT_FALSE(options.remote_enabled(option));
  }
}

TEST(TelnetOptionsRefusing, WontAndDontForAnOptionThatIsOffAreNotAnswered) {
  TelnetOptions options;
  EXPECT_EQ(answer(options, Verb::Wont, kOptNAWS), "");
  EXPECT_EQ(answer(options, Verb::Dont, kOptEcho), "");
  // Also after a refusal: the client's acknowledgement of our WONT must not be acknowledged.
  EXPECT_EQ(answer(options, Verb::Do, kOptSGA), iac(kWONT, kOptSGA));
  EXPECT_EQ(answer(options, Verb::Dont, kOptSGA), "");
  EXPECT_EQ(answer(options, Verb::Will, kOptNAWS), iac(kDONT, kOptNAWS));
  EXPECT_EQ(answer(options, Verb::Wont, kOptNAWS), "");
}

TEST(TelnetOptionsRefusing, EachRepeatedRequestGetsExactlyOneRefusal) {
  TelnetOptions options;
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(answer(options, Verb::Do, kOptEcho), iac(kWONT, kOptEcho));
    EXPECT_EQ(answer(options, Verb::Will, kOptNAWS), iac(kDONT, kOptNAWS));
  }
  EXPECT_FALSE(options.local_enabled(kOptEcho));
  EXPECT_FALSE(options.remote_enabled(kOptNAWS));
}

TEST(TelnetOptionsRefusing, LocalPolicyDoesNotAcceptRemoteRequestsAndViceVersa) {
  TelnetOptions options;
  EXPECT_EQ(answer(options, Verb::Will, kOptEcho, accepting_local(kOptEcho)), iac(kDONT, kOptEcho));
  EXPECT_EQ(answer(options, Verb::Do, kOptNAWS, accepting_remote(kOptNAWS)), iac(kWONT, kOptNAWS));
}

// --- acceptance ---

TEST(TelnetOptionsAccepting, DoForAnAcceptedOptionIsAnsweredWillOnce) {
  TelnetOptions options;
  const TelnetPolicy policy = accepting_local(kOptEcho);
  EXPECT_EQ(answer(options, Verb::Do, kOptEcho, policy), iac(kWILL, kOptEcho));
  EXPECT_TRUE(options.local_enabled(kOptEcho));
  EXPECT_EQ(answer(options, Verb::Do, kOptEcho, policy), "");  // a repeat, not a new request
  EXPECT_TRUE(options.local_enabled(kOptEcho));
}

TEST(TelnetOptionsAccepting, WillForAnAcceptedOptionIsAnsweredDoOnce) {
  TelnetOptions options;
  const TelnetPolicy policy = accepting_remote(kOptNAWS);
  EXPECT_EQ(answer(options, Verb::Will, kOptNAWS, policy), iac(kDO, kOptNAWS));
  EXPECT_TRUE(options.remote_enabled(kOptNAWS));
  EXPECT_EQ(answer(options, Verb::Will, kOptNAWS, policy), "");
  EXPECT_TRUE(options.remote_enabled(kOptNAWS));
}

TEST(TelnetOptionsAccepting, TurningAnEnabledOptionOffIsAcknowledgedOnce) {
  TelnetOptions options;
  const TelnetPolicy policy = accepting_local(kOptEcho);
  answer(options, Verb::Do, kOptEcho, policy);
  EXPECT_EQ(answer(options, Verb::Dont, kOptEcho, policy), iac(kWONT, kOptEcho));
  EXPECT_FALSE(options.local_enabled(kOptEcho));
  EXPECT_EQ(answer(options, Verb::Dont, kOptEcho, policy), "");

  const TelnetPolicy remote = accepting_remote(kOptNAWS);
  answer(options, Verb::Will, kOptNAWS, remote);
  EXPECT_EQ(answer(options, Verb::Wont, kOptNAWS, remote), iac(kDONT, kOptNAWS));
  EXPECT_FALSE(options.remote_enabled(kOptNAWS));
  EXPECT_EQ(answer(options, Verb::Wont, kOptNAWS, remote), "");
}

TEST(TelnetOptionsAccepting, OptionsAreIndependent) {
  TelnetOptions options;
  TelnetPolicy policy;
  policy.local.set(kOptEcho);
  policy.remote.set(kOptNAWS);
  EXPECT_EQ(answer(options, Verb::Do, kOptEcho, policy), iac(kWILL, kOptEcho));
  EXPECT_EQ(answer(options, Verb::Do, kOptSGA, policy), iac(kWONT, kOptSGA));
  EXPECT_EQ(answer(options, Verb::Will, kOptNAWS, policy), iac(kDO, kOptNAWS));
  EXPECT_EQ(answer(options, Verb::Will, kOptEcho, policy), iac(kDONT, kOptEcho));
  EXPECT_TRUE(options.local_enabled(kOptEcho));
  EXPECT_FALSE(options.local_enabled(kOptSGA));
  EXPECT_TRUE(options.remote_enabled(kOptNAWS));
  EXPECT_FALSE(options.remote_enabled(kOptEcho));
}

// --- our own requests ---

TEST(TelnetOptionsOwnRequests, OfferLocalSendsWillOnceAndTakesDoWithoutReplying) {
  TelnetOptions options;
  const TelnetPolicy policy = accepting_local(kOptEcho);
  std::string out;
  options.offer_local(kOptEcho, out);
  EXPECT_EQ(out, iac(kWILL, kOptEcho));
  options.offer_local(kOptEcho, out);
  EXPECT_EQ(out, iac(kWILL, kOptEcho)) << "offered twice";
  EXPECT_FALSE(options.local_enabled(kOptEcho)) << "enabled before the client agreed";
  EXPECT_EQ(answer(options, Verb::Do, kOptEcho, policy), "");
  EXPECT_TRUE(options.local_enabled(kOptEcho));
  options.offer_local(kOptEcho, out);
  EXPECT_EQ(out, iac(kWILL, kOptEcho)) << "offered what is already on";
}

TEST(TelnetOptionsOwnRequests, OfferLocalTakesDontWithoutReplying) {
  TelnetOptions options;
  std::string out;
  options.offer_local(kOptEcho, out);
  EXPECT_EQ(answer(options, Verb::Dont, kOptEcho, accepting_local(kOptEcho)), "");
  EXPECT_FALSE(options.local_enabled(kOptEcho));
}

TEST(TelnetOptionsOwnRequests, RequestRemoteSendsDoOnceAndTakesWillWithoutReplying) {
  TelnetOptions options;
  const TelnetPolicy policy = accepting_remote(kOptNAWS);
  std::string out;
  options.request_remote(kOptNAWS, out);
  options.request_remote(kOptNAWS, out);
  EXPECT_EQ(out, iac(kDO, kOptNAWS));
  EXPECT_FALSE(options.remote_enabled(kOptNAWS));
  EXPECT_EQ(answer(options, Verb::Will, kOptNAWS, policy), "");
  EXPECT_TRUE(options.remote_enabled(kOptNAWS));
}

TEST(TelnetOptionsOwnRequests, RequestRemoteTakesWontWithoutReplying) {
  TelnetOptions options;
  std::string out;
  options.request_remote(kOptNAWS, out);
  EXPECT_EQ(answer(options, Verb::Wont, kOptNAWS, accepting_remote(kOptNAWS)), "");
  EXPECT_FALSE(options.remote_enabled(kOptNAWS));
}

// --- TIMING-MARK ---

TEST(TelnetOptionsTimingMark, DoTimingMarkIsAnsweredWillTimingMarkEveryTime) {
  TelnetOptions options;
  for (int i = 0; i < 3; ++i) {
    const std::string reply = answer(options, Verb::Do, kOptTimingMark);
    EXPECT_EQ(reply, "\xff\xfb\x06") << escaped(reply);
  }
}

// --- two sides talking ---

// Delivers each side's output to the other until both are quiet; returns how many messages
// crossed, or -1 if they were still talking after many rounds (a loop).
int converse(TelnetOptions& a, const TelnetPolicy& policy_a, TelnetOptions& b,
             const TelnetPolicy& policy_b, std::string from_a) {
  InputDecoder decode_at_a(64), decode_at_b(64);
  std::string from_b;
  int messages = 0;
  for (int round = 0; round < 100; ++round) {
    if (from_a.empty() && from_b.empty()) return messages;
    std::string next_from_a, next_from_b;
    ByteView to_b = as_bytes(from_a);
    while (auto event = decode_at_b.next(to_b)) {
      const auto& n = std::get<TelnetNegotiation>(*event);
      b.receive(n.verb, n.option, policy_b, next_from_b);
      ++messages;
    }
    ByteView to_a = as_bytes(from_b);
    while (auto event = decode_at_a.next(to_a)) {
      const auto& n = std::get<TelnetNegotiation>(*event);
      a.receive(n.verb, n.option, policy_a, next_from_a);
      ++messages;
    }
    from_a = std::move(next_from_a);
    from_b = std::move(next_from_b);
  }
  return -1;
}

TEST(TelnetOptionsConversation, AClientOfferRefusedByTheServerEndsAfterTwoMessages) {
  TelnetOptions client, server;
  TelnetPolicy eager;
  eager.local.set();
  eager.remote.set();
  std::string opening;
  client.offer_local(kOptNAWS, opening);     // tf5's unsolicited WILL NAWS
  client.request_remote(kOptEcho, opening);  // and a DO ECHO for good measure
  EXPECT_EQ(converse(client, eager, server, kRefuseEverything, opening), 4);
  EXPECT_FALSE(client.local_enabled(kOptNAWS));
  EXPECT_FALSE(client.remote_enabled(kOptEcho));
}

TEST(TelnetOptionsConversation, AnAcceptedRequestEndsAfterTwoMessages) {
  TelnetOptions client, server;
  TelnetPolicy eager;
  eager.local.set();
  eager.remote.set();
  std::string opening;
  client.offer_local(kOptNAWS, opening);
  EXPECT_EQ(converse(client, eager, server, accepting_remote(kOptNAWS), opening), 2);
  EXPECT_TRUE(client.local_enabled(kOptNAWS));
  EXPECT_TRUE(server.remote_enabled(kOptNAWS));
}

TEST(TelnetOptionsConversation, RepeatedRequestsFromAClientDoNotLoop) {
  // A client that asks three times before hearing back still gets one answer per request,
  // and our answers draw no further answers from it.
  TelnetOptions client, server;
  TelnetPolicy eager;
  eager.local.set();
  eager.remote.set();
  const std::string opening = iac(kDO, kOptEcho) + iac(kDO, kOptEcho) + iac(kDO, kOptEcho);
  EXPECT_EQ(converse(client, eager, server, kRefuseEverything, opening), 6);
}

}  // namespace
}  // namespace teaparty::core
