#pragma once
// Admission: the connection caps, seed 002's verify_request. A new connection is admitted
// unless the server already holds its total cap of connections, or its address already holds
// the per-address cap. A refused connection is still a session for a moment — long enough to
// be told why — but is not counted, so refusals never crowd out admissions.

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

namespace teaparty::core {

// The address part of a peer as the shell names it: "192.0.2.1:4000" → "192.0.2.1",
// "[2001:db8::1]:4000" → "2001:db8::1". A peer in any other form is its own address.
std::string_view address_of(std::string_view peer);

enum class Verdict { Admit, ServerFull, TooManyFromAddress };

std::string_view describe(Verdict verdict);

struct ConnectionCaps {
  std::size_t total = 0;        // 0: no cap
  std::size_t per_address = 0;  // 0: no cap
};

class Admission {
 public:
  Verdict judge(std::string_view address, const ConnectionCaps& caps) const;
  void admit(std::string_view address);
  void release(std::string_view address);

  std::size_t total() const { return total_; }
  std::size_t from(std::string_view address) const;

 private:
  std::size_t total_ = 0;
  std::unordered_map<std::string, std::size_t> per_address_;  // only addresses with some
};

}  // namespace teaparty::core
