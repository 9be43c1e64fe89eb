#pragma once
// RedisProcess: a real redis-server for one test, on 127.0.0.1 and a port of its own, with no
// persistence; always killed at the end. The tests need the real thing: the link's whole job
// is to speak to Redis, and CI installs the Debian package (scripts/install-deps).
//
// Every wait is bounded and only waits for something to be present.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace teaparty::cluster_test {

// The redis-server on PATH, or nullopt.
std::optional<std::string> find_redis_server();
// A loopback TCP port nothing listens on right now.
std::uint16_t free_loopback_port();

class RedisProcess {
 public:
  explicit RedisProcess(std::uint16_t port);
  RedisProcess(const RedisProcess&) = delete;
  RedisProcess& operator=(const RedisProcess&) = delete;
  ~RedisProcess() { kill(); }

  // Starts redis-server (again, after kill()) and waits up to `limit` until it accepts
  // connections; false if it did not.
  bool start(std::chrono::milliseconds limit = std::chrono::seconds(10));
  // SIGKILL, and reaps it.
  void kill();
  // SIGSTOP / SIGCONT: a Redis that stops reading, and comes back.
  void pause() const;
  void resume() const;
  std::uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  std::uint16_t port_;
  pid_t pid_ = -1;
};

}  // namespace teaparty::cluster_test
