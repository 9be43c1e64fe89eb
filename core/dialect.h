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
#include "core/telnet_options.h"

namespace teaparty::core {

class Dialect {
 public:
  Dialect(World& world, const Config& config) : impl_(make(world, config)) {}

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
  const TelnetPolicy& telnet_policy() const {
    return std::visit([](const auto& d) -> const TelnetPolicy& { return d.telnet_policy(); },
                      impl_);
  }

 private:
  using Impl = std::variant<ClassicDialect>;

  static Impl make(World& world, const Config& config) {
    switch (config.dialect) {
      case core::DialectKind::Classic:
        break;
    }
    return Impl(std::in_place_type<ClassicDialect>, world, config.server_name);
  }
  template <typename F>
  void visit(F&& f) {
    std::visit(std::forward<F>(f), impl_);
  }

  Impl impl_;
};

}  // namespace teaparty::core
