#pragma once
// The file descriptor limit. Every client costs one descriptor, so the server raises its soft
// RLIMIT_NOFILE to the hard limit at start (the soft limit is often 1024 while the hard one
// allows far more), and by default admits as many connections as that leaves room for.

#include <cstddef>

namespace teaparty::io {

// Descriptors kept back from clients: stdin/stdout/stderr, the listener, the signal pipe, a
// recorder's file, and room to accept a connection past the cap long enough to tell it
// "Server is full" instead of leaving it in the listen queue.
inline constexpr std::size_t kReservedDescriptors = 32;

// Raises the soft limit as far as the hard limit allows (to the kernel's nr_open when the
// hard limit is unlimited) and returns the soft limit in force afterwards.
std::size_t raise_descriptor_limit();

// How many connections `descriptor_limit` descriptors can serve: the limit less the reserve,
// and at least one.
std::size_t connections_for(std::size_t descriptor_limit);

}  // namespace teaparty::io
