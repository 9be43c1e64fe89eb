// Faults in the middle of delivery, on the virtual clock: a member whose socket breaks while a
// broadcast is being written costs the others nothing.

#include <gtest/gtest.h>

#include "tests/limits/limits_helpers.h"

namespace teaparty::limits_test {
namespace {

TEST(Faults, WriteErrorsInTheMiddleOfABroadcastMissNobodyElse) {
  VirtualShell shell(core::Config{});
  std::vector<ConnId> room;
  for (const char* name : {"ann", "bea", "cal", "dee", "eve", "fay"})
    room.push_back(log_in(shell, name));
  for (ConnId id : room)
    shell.take_output(id);
  // Every other member's connection breaks when the next line is written to it.
  for (std::size_t i = 1; i < room.size(); i += 2)
    shell.break_on_write(room[i]);
  shell.send(room[0], "say one line for all\r\n");

  for (std::size_t i = 0; i < room.size(); i += 2) {
    const std::string heard = shell.take_output(room[i]);
    EXPECT_TRUE(heard.starts_with("ann: one line for all\r\n")) << i << ": " << heard;
    for (const char* gone : {"bea", "dee", "fay"})
      EXPECT_NE(heard.find(std::string(gone) + " has left the room.\r\n"), std::string::npos)
          << i << " did not hear " << gone << " leave";
  }
  for (std::size_t i = 1; i < room.size(); i += 2)
    EXPECT_EQ(shell.close_reason(room[i]), CloseReason::PeerReset);
}

}  // namespace
}  // namespace teaparty::limits_test
