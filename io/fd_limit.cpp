#include "io/fd_limit.h"

#include <sys/resource.h>

#include <algorithm>
#include <fstream>

namespace teaparty::io {
namespace {

// The kernel's ceiling on any process's descriptors; setrlimit refuses more than this even
// when the hard limit says "unlimited".
rlim_t kernel_descriptor_ceiling() {
  std::ifstream file("/proc/sys/fs/nr_open");
  unsigned long long value = 0;
  if (file >> value && value > 0) return static_cast<rlim_t>(value);
  return 1 << 20;  // Linux's default nr_open
}

}  // namespace

std::size_t raise_descriptor_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  const rlim_t wanted =
      limit.rlim_max == RLIM_INFINITY ? kernel_descriptor_ceiling() : limit.rlim_max;
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= wanted) {
    return static_cast<std::size_t>(limit.rlim_cur == RLIM_INFINITY ? wanted : limit.rlim_cur);
  }
  rlimit raised = limit;
  raised.rlim_cur = wanted;
  if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) return static_cast<std::size_t>(wanted);
  return static_cast<std::size_t>(limit.rlim_cur);  // not allowed: keep what we have
}

std::size_t connections_for(std::size_t descriptor_limit) {
  return descriptor_limit > kReservedDescriptors + 1 ? descriptor_limit - kReservedDescriptors : 1;
}

}  // namespace teaparty::io
