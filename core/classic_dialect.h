#pragma once
// The classic dialect: the book's protocol, exactly. A line is a command word (everything
// before the first space) and an argument (the rest, stripped of the six ASCII whitespace
// bytes Python 2 stripped). Commands are case-sensitive: login and logout before logging in;
// say, look, who and logout after. Blank lines are ignored everywhere.
//
// Names and relayed text reach other people's terminals through terminal_safety.h, after the
// book's stripping: control characters are shown escaped (^[ for ESC), printable text and
// UTF-8 go out byte for byte as the book sent them. Names are kept as typed (the book's
// names: any bytes, case-sensitive); only their display is escaped, wherever it appears, and
// so is the word echoed in `Unknown command: WORD`.

#include <string_view>

#include "core/cluster.h"
#include "core/session.h"
#include "core/telnet_options.h"
#include "core/time.h"
#include "core/world.h"

namespace teaparty::core {

class ClassicDialect {
 public:
  // `cluster`: the cluster this node is part of, or nullptr for a chat of its own.
  ClassicDialect(World& world, std::string_view server_name, Cluster* cluster = nullptr);

  void on_connect(Session& session);
  void on_line(Session& session, std::string_view line, Instant now);
  // The user is leaving for any reason: logout, Ctrl-D, the client closing.
  void on_leave(Session& session, Instant now);
  void on_line_too_long(Session& session, std::size_t limit);
  void on_shutdown(Session& session);
  void on_server_full(Session& session);
  void on_too_many_from_address(Session& session);
  void on_login_timeout(Session& session);
  void on_idle_timeout(Session& session);
  // Clustered: what the cluster heard or decided, for this node's users.
  void on_cluster(const ClusterNews& news, Instant now);
  // The book's server knew nothing of telnet: refuse every option.
  const TelnetPolicy& telnet_policy() const { return telnet_policy_; }

 private:
  void login(Session& session, std::string_view name, Instant now);
  void look(Session& session);
  void who(Session& session);
  void list_names(Session& session, std::string_view header, std::span<const ConnId> ids);
  void list_cluster_names(Session& session, std::string_view header);
  void finish_login(Session& session, std::string name, Instant now);
  void settle_claim(const ClaimSettled& settled, Instant now);
  void lose_name(ConnId conn, Instant now);
  void tell_everyone(std::string_view text);
  Payload entered(std::string_view name) const;
  Payload left(std::string_view name) const;

  World& world_;
  Cluster* cluster_;
  Payload welcome_;
  Payload please_log_in_;
  Payload shutting_down_;
  TelnetPolicy telnet_policy_;
};

// The book's whitespace: exactly space, TAB, LF, CR, VT and FF.
std::string_view strip_book_whitespace(std::string_view text);

}  // namespace teaparty::core
