#pragma once
// Dialect: how a line becomes a command and how replies are worded. The server, the framer,
// the names and the broadcast machinery are shared; only this differs between the book's
// `classic` protocol and others. A variant rather than a base class: the set of dialects is
// closed and known here, and each one is a plain class with the same member functions.

#include <string_view>
#include <utility>
#include <variant>

#include "core/classic_dialect.h"
#include "core/config.h"
#include "core/input_decoder.h"
#include "core/modern_dialect.h"
#include "core/telnet_options.h"

namespace teaparty::core {

class Dialect {
 public:
  // `cluster`: the cluster this node is part of, or nullptr.
  Dialect(World& world, const Config& config, Cluster* cluster)
      : impl_(make(world, config, cluster)) {}

  void on_connect(Session& s) {
    visit([&](auto& d) { d.on_connect(s); });
  }
  void on_line(Session& s, std::string_view line, Instant now) {
    visit([&](auto& d) { d.on_line(s, line, now); });
  }
  void on_leave(Session& s, Instant now) {
    visit([&](auto& d) { d.on_leave(s, now); });
  }
  void on_line_too_long(Session& s, std::size_t limit) {
    visit([&](auto& d) { d.on_line_too_long(s, limit); });
  }
  void on_shutdown(Session& s) {
    visit([&](auto& d) { d.on_shutdown(s); });
  }
  // Limits (docs/operations.md); every dialect must word these. Each only sends the message:
  // the server closes the connection afterwards (and, for the idle timeout, calls on_leave
  // first). Refused at connect, instead of on_connect: over the total or the per-address cap.
  void on_server_full(Session& s) {
    visit([&](auto& d) { d.on_server_full(s); });
  }
  void on_too_many_from_address(Session& s) {
    visit([&](auto& d) { d.on_too_many_from_address(s); });
  }
  // Not logged in within --login-timeout; logged in but silent for --idle-timeout.
  void on_login_timeout(Session& s) {
    visit([&](auto& d) { d.on_login_timeout(s); });
  }
  void on_idle_timeout(Session& s) {
    visit([&](auto& d) { d.on_idle_timeout(s); });
  }
  // Telnet hooks, optional: a dialect that refuses every option (classic) has no use for them.
  // An option the client negotiated changed state (on or off, on either side).
  void on_option_changed(Session& s, std::uint8_t option) {
    visit([&](auto& d) {
      if constexpr (requires { d.on_option_changed(s, option); }) d.on_option_changed(s, option);
    });
  }
  void on_subnegotiation(Session& s, const TelnetSubnegotiation& sub) {
    visit([&](auto& d) {
      if constexpr (requires { d.on_subnegotiation(s, sub); }) d.on_subnegotiation(s, sub);
    });
  }
  // Clustered: what the cluster heard or decided (core/cluster.h).
  void on_cluster(const ClusterNews& news, Instant now) {
    visit([&](auto& d) {
      if constexpr (requires { d.on_cluster(news, now); }) d.on_cluster(news, now);
    });
  }
  const TelnetPolicy& telnet_policy() const {
    return std::visit([](const auto& d) -> const TelnetPolicy& { return d.telnet_policy(); },
                      impl_);
  }

 private:
  using Impl = std::variant<ClassicDialect, ModernDialect>;

  static Impl make(World& world, const Config& config, Cluster* cluster) {
    switch (config.dialect) {
      case core::DialectKind::Classic:
        break;
      case core::DialectKind::Modern:
        return Impl(std::in_place_type<ModernDialect>, world, config, cluster);
    }
    return Impl(std::in_place_type<ClassicDialect>, world, config.server_name, cluster);
  }
  template <typename F>
  void visit(F&& f) {
    std::visit(std::forward<F>(f), impl_);
  }

  Impl impl_;
};

}  // namespace teaparty::core
