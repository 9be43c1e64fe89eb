#pragma once
// The modern dialect: the book's "Further Exploration" built out. Commands start with `/`
// (the book's words say, look, who, login and logout work without it); any other line is said
// to the room. There are rooms beyond the main one, private messages, /me, /nick and /help,
// and names follow names.h. Every text is in modern_texts.h.
//
// Telnet, as MUD servers do it: the first write at connect offers WILL EOR, WILL GMCP and
// WILL MSSP and nothing else, and nothing waits for an answer. Where the client agrees to
// EOR, the name prompt is marked with IAC EOR (also the prompt already on screen when the
// agreement arrives); where it agrees to GMCP, chat lines also go out as Comm.Channel.Text
// and the login as Char.Name (gmcp.h); DO MSSP is answered with a status report (mssp.h); a
// client that asks for CHARSET is answered (charset.h). A client that agrees to nothing gets
// no further IAC except answers to its own requests.
//
// Clustered (core/cluster.h), with a Cluster: a login and /nick claim the name in the store
// (the session's input waits for the answer); lines, arrivals, departures, moves and renames
// go through the room's channel and are delivered, and remembered in the room's history, when
// they come back; /look, /who and /rooms list every node's members; /msg reaches users on
// other nodes.
//
// Input is UTF-8. Every line goes through terminal_safety.h before anything else: control
// characters and bytes that are not well-formed UTF-8 are shown escaped (^[, \xFF), never
// relayed raw.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/cluster.h"
#include "core/config.h"
#include "core/input_decoder.h"
#include "core/payload.h"
#include "core/session.h"
#include "core/telnet_options.h"
#include "core/time.h"
#include "core/world.h"

namespace teaparty::core {

class ModernDialect {
 public:
  // `cluster`: the cluster this node is part of, or nullptr for a node of its own.
  ModernDialect(World& world, const Config& config, Cluster* cluster = nullptr);

  void on_connect(Session& session);
  void on_line(Session& session, std::string_view line, Instant now);
  // The user is leaving for any reason: /quit, logout, Ctrl-D, the client closing.
  void on_leave(Session& session, Instant now);
  void on_line_too_long(Session& session, std::size_t limit);
  void on_shutdown(Session& session);
  void on_server_full(Session& session);
  void on_too_many_from_address(Session& session);
  void on_login_timeout(Session& session);
  void on_idle_timeout(Session& session);
  void on_option_changed(Session& session, std::uint8_t option);
  void on_subnegotiation(Session& session, const TelnetSubnegotiation& sub);
  // Clustered: what the cluster heard or decided.
  void on_cluster(const ClusterNews& news, Instant now);
  const TelnetPolicy& telnet_policy() const { return telnet_policy_; }

  // A command's handler: the session and the command's argument (stripped).
  using Handler = void (ModernDialect::*)(Session&, std::string_view, Instant);

 private:
  // Commands (modern_dialect.cpp has the table that maps names to these).
  void say(Session& session, std::string_view text, Instant now);
  void emote(Session& session, std::string_view action, Instant now);
  void whisper(Session& session, std::string_view argument, Instant now);
  void join(Session& session, std::string_view room, Instant now);
  void leave(Session& session, std::string_view, Instant now);
  void list_rooms(Session& session, std::string_view, Instant now);
  void look(Session& session, std::string_view, Instant now);
  void who(Session& session, std::string_view, Instant now);
  void nick(Session& session, std::string_view name, Instant now);
  void login(Session& session, std::string_view name, Instant now);
  void help(Session& session, std::string_view command, Instant now);
  void quit(Session& session, std::string_view, Instant now);

  // The name was granted (by the store, when clustered): the login or the rename goes ahead.
  void finish_login(Session& session, std::string name, Instant now);
  void finish_nick(Session& session, std::string name, Instant now);
  void settle_claim(const ClaimSettled& settled, Instant now);
  void lose_name(ConnId conn, Instant now);
  void arrived(ConnId own);
  void tell_everyone(std::string_view notice);
  bool name_taken(std::string_view name, const Session* self) const;
  void deliver_whisper(Session& to, std::string_view from, std::string_view said);
  void echo_whisper(Session& from, std::string_view to, std::string_view said);
  // Everyone logged in, with their room: this node's (in order of login), or the cluster's.
  std::vector<PlacedMember> everyone() const;
  // How many are logged in, on every node when clustered (MSSP's PLAYERS).
  std::size_t player_count() const;

  void run_command(Session& session, std::string_view word, std::string_view argument, Instant now);
  // Says a rendered line to a room: the text once, and the GMCP form once if anyone there
  // takes GMCP; the text line is remembered in the room's history.
  void tell_room(Room& room, std::string_view talker, const Payload& line);
  void announce(const Room& room, const Payload& notice, ConnId except = {});
  void enter_room(Session& session, Room& room);
  void show_history(Session& session, const Room& room);
  void prompt(Session& session);
  // Refuses a bad name with the reason; returns whether the name is usable.
  bool acceptable_name(Session& session, std::string_view name, std::string_view subject);
  void send_gmcp_name(Session& session);
  bool takes_gmcp(const Session& session) const;

  World& world_;
  Cluster* cluster_;
  std::string server_name_;
  bool telnet_;
  std::int64_t started_unix_time_;
  Payload greeting_;       // the first write: offers (if telnet), welcome and prompt
  Payload prompt_;         // the name prompt
  Payload end_of_record_;  // IAC EOR
  Payload help_;           // the whole /help list
  TelnetPolicy telnet_policy_;
};

}  // namespace teaparty::core
