// The connection caps: a total and a per-address cap; a refused client is told why and closed.

#include "core/admission.h"

#include <gtest/gtest.h>

#include "tests/limits/limits_helpers.h"

namespace teaparty::limits_test {
namespace {

using core::address_of;

TEST(AddressOf, DropsThePortOfEachForm) {
  EXPECT_EQ(address_of("192.0.2.1:40000"), "192.0.2.1");
  EXPECT_EQ(address_of("[2001:db8::1]:40000"), "2001:db8::1");
  EXPECT_EQ(address_of("[::ffff:192.0.2.1]:1"), "::ffff:192.0.2.1");
  EXPECT_EQ(address_of("2001:db8::1"), "2001:db8::1");  // no brackets: no port to drop
  EXPECT_EQ(address_of("unix-socket"), "unix-socket");
  EXPECT_EQ(address_of(""), "");
}

TEST(Admission, CountsPerAddressAndInAll) {
  core::Admission admission;
  const core::ConnectionCaps caps{3, 2};
  EXPECT_EQ(admission.judge("a", caps), core::Verdict::Admit);
  admission.admit("a");
  admission.admit("a");
  EXPECT_EQ(admission.judge("a", caps), core::Verdict::TooManyFromAddress);
  EXPECT_EQ(admission.judge("b", caps), core::Verdict::Admit);
  admission.admit("b");
  EXPECT_EQ(admission.judge("c", caps), core::Verdict::ServerFull);
  admission.release("a");
  EXPECT_EQ(admission.total(), 2u);
  EXPECT_EQ(admission.from("a"), 1u);
  EXPECT_EQ(admission.judge("a", caps), core::Verdict::Admit);
  EXPECT_EQ(admission.judge("a", core::ConnectionCaps{}), core::Verdict::Admit);
}

core::Config caps(std::size_t total, std::size_t per_address) {
  core::Config config;
  config.max_connections = total;
  config.max_per_address = per_address;
  return config;
}

std::string peer(int host, int port = 40000) {
  return "192.0.2." + std::to_string(host) + ":" + std::to_string(port);
}

TEST(ConnectionCaps, TheServerIsFullAtTheTotalCap) {
  VirtualShell shell(caps(3, 0));
  for (int i = 1; i <= 3; ++i) {
    const ConnId id = shell.connect(peer(i));
    EXPECT_EQ(shell.take_output(id), "Welcome to TestChat\r\n");
  }
  const ConnId late = shell.connect(peer(4));
  EXPECT_EQ(shell.take_output(late), "Server is full\r\n");
  EXPECT_EQ(shell.close_reason(late), CloseReason::Refused);
  EXPECT_TRUE(shell.logged(core::LogLevel::Warning, "refused " + peer(4) + ": server full"));
}

TEST(ConnectionCaps, AFreedPlaceIsTakenByTheNext) {
  VirtualShell shell(caps(1, 0));
  const ConnId first = shell.connect(peer(1));
  EXPECT_TRUE(shell.closed(shell.connect(peer(2))));
  shell.send(first, "logout\r\n");
  const ConnId next = shell.connect(peer(3));
  EXPECT_EQ(shell.take_output(next), "Welcome to TestChat\r\n");
  EXPECT_FALSE(shell.closed(next));
}

TEST(ConnectionCaps, RefusedConnectionsDoNotCount) {
  VirtualShell shell(caps(1, 0));
  const ConnId first = shell.connect(peer(1));
  // It never reads its refusal, so it lingers as a closing session.
  const ConnId refused = shell.connect_stalled(peer(2));
  EXPECT_FALSE(shell.closed(refused));
  EXPECT_TRUE(shell.closed(shell.connect(peer(3))));  // still full: `first` holds the place
  shell.send(first, "logout\r\n");
  const ConnId next = shell.connect(peer(4));  // the lingering refusal does not hold it
  EXPECT_EQ(shell.take_output(next), "Welcome to TestChat\r\n");
}

TEST(ConnectionCaps, TooManyFromOneAddress) {
  VirtualShell shell(caps(0, 2));
  shell.connect(peer(1, 1));
  shell.connect(peer(1, 2));
  const ConnId third = shell.connect(peer(1, 3));
  EXPECT_EQ(shell.take_output(third), "Too many connections from your address\r\n");
  EXPECT_EQ(shell.close_reason(third), CloseReason::Refused);
  EXPECT_TRUE(shell.logged(core::LogLevel::Warning, "2 connections from 192.0.2.1 already"));
  const ConnId elsewhere = shell.connect(peer(2, 1));
  EXPECT_EQ(shell.take_output(elsewhere), "Welcome to TestChat\r\n");
}

TEST(ConnectionCaps, IPv6PeersAreCountedByAddress) {
  VirtualShell shell(caps(0, 1));
  EXPECT_FALSE(shell.closed(shell.connect("[2001:db8::1]:1000")));
  EXPECT_TRUE(shell.closed(shell.connect("[2001:db8::1]:1001")));
  EXPECT_FALSE(shell.closed(shell.connect("[2001:db8::2]:1000")));
}

TEST(ConnectionCaps, ZeroIsNoCap) {
  VirtualShell shell(caps(0, 0));
  for (int i = 0; i < 500; ++i)
    ASSERT_FALSE(shell.closed(shell.connect(peer(1, 1000 + i))));
}

TEST(ConnectionCaps, ARefusedClientNeverEntersTheRoom) {
  VirtualShell shell(caps(2, 0));
  const ConnId alice = log_in(shell, "alice", peer(1));
  log_in(shell, "bob", peer(2));
  shell.take_output(alice);
  const ConnId refused = shell.connect(peer(3));
  shell.send(refused, "login mallory\r\n");
  shell.send(alice, "who\r\n");
  EXPECT_EQ(shell.take_output(alice), "The following are logged in:\r\nalice\r\nbob\r\n");
}

}  // namespace
}  // namespace teaparty::limits_test
