#include "core/admission.h"

namespace teaparty::core {

std::string_view address_of(std::string_view peer) {
  if (peer.size() > 2 && peer.front() == '[') {
    const std::size_t close = peer.find("]:");
    if (close != std::string_view::npos) return peer.substr(1, close - 1);
    return peer;
  }
  const std::size_t colon = peer.find(':');
  // Exactly one colon: ADDRESS:PORT. None, or several (a bare IPv6 address), is no port.
  if (colon == std::string_view::npos || peer.find(':', colon + 1) != std::string_view::npos)
    return peer;
  return peer.substr(0, colon);
}

std::string_view describe(Verdict verdict) {
  switch (verdict) {
    case Verdict::Admit:
      return "admitted";
    case Verdict::ServerFull:
      return "server full";
    case Verdict::TooManyFromAddress:
      return "too many connections from the address";
  }
  return "unknown";
}

Verdict Admission::judge(std::string_view address, const ConnectionCaps& caps) const {
  if (caps.total != 0 && total_ >= caps.total) return Verdict::ServerFull;
  if (caps.per_address != 0 && from(address) >= caps.per_address)
    return Verdict::TooManyFromAddress;
  return Verdict::Admit;
}

void Admission::admit(std::string_view address) {
  ++total_;
  ++per_address_[std::string(address)];
}

void Admission::release(std::string_view address) {
  auto it = per_address_.find(std::string(address));
  if (it == per_address_.end()) return;
  --total_;
  if (--it->second == 0) per_address_.erase(it);
}

std::size_t Admission::from(std::string_view address) const {
  auto it = per_address_.find(std::string(address));
  return it == per_address_.end() ? 0 : it->second;
}

}  // namespace teaparty::core
