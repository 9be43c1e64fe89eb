#include "sim/driver.h"

#include <algorithm>
#include <utility>

#include "core/invariants.h"
#include "sim/queued_output.h"

namespace teaparty::sim {
namespace {

namespace transcript = core::transcript;
using transcript::Event;

template <typename... Handlers>
struct Overloaded : Handlers... {
  using Handlers::operator()...;
};
template <typename... Handlers>
Overloaded(Handlers...) -> Overloaded<Handlers...>;

std::string name(core::ConnId conn) {
  return "connection " + std::to_string(conn.value);
}

std::string close_text(core::ConnId conn, std::optional<core::CloseReason> reason) {
  std::string text = "close of " + name(conn);
  if (reason) text += " (" + std::string(core::describe(*reason)) + ")";
  return text;
}

// Both sides of an `out` that differs, escaped, from a little before the first byte that
// differs: enough to recognise the place without printing a whole backlog.
Difference describe_output_difference(std::string_view expected, std::string_view actual) {
  constexpr std::size_t kBefore = 40;
  constexpr std::size_t kAfter = 120;
  const auto mismatch =
      std::mismatch(expected.begin(), expected.end(), actual.begin(), actual.end());
  const std::size_t at = static_cast<std::size_t>(mismatch.first - expected.begin());
  const std::size_t from = at > kBefore ? at - kBefore : 0;
  const std::size_t length = at - from + kAfter;
  auto window = [&](std::string_view bytes) {
    if (from >= bytes.size()) return std::string("(nothing)");
    std::string text = from > 0 ? "..." : "";
    text += transcript::escape(bytes.substr(from, length));
    if (from + length < bytes.size()) text += "...";
    return text;
  };
  const std::string where = " (first difference at byte " + std::to_string(at) + ")";
  return Difference{window(expected) + where, window(actual)};
}

// Events that must name a connection core has issued.
bool names_an_issued_connection(const transcript::What& what) {
  return !std::holds_alternative<transcript::Connected>(what) &&
         !std::holds_alternative<transcript::Closed>(what) &&
         !std::holds_alternative<transcript::Ticked>(what) &&
         !std::holds_alternative<transcript::ShutdownBegun>(what);
}

}  // namespace

Driver::Driver(core::Config config) : server_(std::move(config)) {}

std::optional<Finding> Driver::apply(const Event& event) {
  // Core aborts on an id it never issued (that would be a broken shell); a broken transcript
  // gets a message instead.
  if (names_an_issued_connection(event.what) &&
      (event.conn.value == 0 || event.conn.value > connects_)) {
    return Difference{"an event for " + name(event.conn), "core never issued " + name(event.conn)};
  }
  auto finding = std::visit([&](const auto& what) { return on(event, what); }, event.what);
  if (finding) return finding;
  if (auto broken = take_actions()) return broken;
  if (auto broken = core::check_invariants(server_)) return Violation{"invariant: " + *broken};
  return std::nullopt;
}

std::optional<Finding> Driver::on(const Event& e, const transcript::Connected& connected) {
  const core::ConnId issued = server_.connect(e.at, connected.peer);
  ++connects_;
  open_.insert(issued.value);
  if (issued != e.conn) return Difference{name(e.conn), "core issued " + name(issued)};
  return std::nullopt;
}

std::optional<Finding> Driver::on(const Event& e, const transcript::Received& received) {
  oracle_.before_input(server_, e.conn);
  server_.receive(e.at, e.conn, core::as_bytes(received.bytes));
  if (auto broken = oracle_.after_input(server_)) return Violation{*broken};
  return std::nullopt;
}

std::optional<Finding> Driver::on(const Event& e, const transcript::PeerWentAway& gone) {
  server_.peer_gone(e.at, e.conn, gone.how);
  return std::nullopt;
}

std::optional<Finding> Driver::on(const Event& e, const transcript::Wrote& wrote) {
  const std::size_t queued = server_.queued_bytes(e.conn);
  server_.wrote(e.at, e.conn, wrote.count);
  std::size_t& matched = matched_[e.conn.value];
  matched -= std::min(matched, wrote.count);
  if (queued == 0 || wrote.count < queued) return std::nullopt;
  // Everything core had queued is written now, every say it owed included.
  if (auto broken = oracle_.after_writing_everything(e.conn)) return Violation{*broken};
  return std::nullopt;
}

// A tick may release lines the rate limit held back, so it may say things too.
std::optional<Finding> Driver::on(const Event& e, const transcript::Ticked&) {
  oracle_.before_input(server_);
  server_.tick(e.at);
  if (auto broken = oracle_.after_input(server_)) return Violation{*broken};
  return std::nullopt;
}

std::optional<Finding> Driver::on(const Event& e, const transcript::ShutdownBegun&) {
  server_.begin_shutdown(e.at);
  return std::nullopt;
}

// The bytes must be the next ones core has queued, past those earlier `out` events matched.
std::optional<Finding> Driver::on(const Event& e, const transcript::Sent& sent) {
  std::size_t& matched = matched_[e.conn.value];
  std::string actual = queued_output(server_, e.conn, matched + sent.bytes.size());
  actual.erase(0, std::min(matched, actual.size()));
  if (actual != sent.bytes) {
    if (!server_.world().find(e.conn)) {
      return Difference{transcript::escape(sent.bytes), "nothing: core has no " + name(e.conn)};
    }
    return describe_output_difference(sent.bytes, actual);
  }
  matched += sent.bytes.size();
  if (auto broken = oracle_.on_written(e.conn, sent.bytes)) return Violation{*broken};
  return std::nullopt;
}

// Core's closes come in the order it made them; the transcript must show the same order.
std::optional<Finding> Driver::on(const Event& e, const transcript::Closed& closed) {
  if (closes_.empty())
    return Difference{close_text(e.conn, closed.reason), "core did not close it"};
  const core::CloseConnection next = closes_.front();
  if (next.conn != e.conn || (closed.reason && *closed.reason != next.reason)) {
    return Difference{close_text(e.conn, closed.reason),
                      "core's next close is the " + close_text(next.conn, next.reason)};
  }
  closes_.pop_front();
  matched_.erase(e.conn.value);
  oracle_.on_closed(e.conn);
  return std::nullopt;
}

// Serves core's actions as a shell must, checking that each one makes sense: nothing may be
// addressed to a connection core has closed.
std::optional<Finding> Driver::take_actions() {
  std::optional<Finding> finding;
  auto note = [&](std::string what) {
    if (!finding) finding = Violation{std::move(what)};
  };
  auto must_be_open = [&](core::ConnId conn, std::string_view what) {
    if (open_.contains(conn.value)) return true;
    note("core " + std::string(what) + " " + name(conn) + ", which is closed");
    return false;
  };
  while (auto action = server_.poll_action()) {
    std::visit(Overloaded{
                   [&](const core::WantWrite& want) { must_be_open(want.conn, "asked to write"); },
                   [&](const core::CloseConnection& close) {
                     if (must_be_open(close.conn, "closed")) open_.erase(close.conn.value);
                     paused_.erase(close.conn.value);
                     closes_.push_back(close);
                   },
                   [&](const core::StopAccepting&) {
                     if (!accepting_) note("core said StopAccepting twice");
                     accepting_ = false;
                   },
                   [&](const core::PauseReading& pause) {
                     if (!must_be_open(pause.conn, "paused reading")) return;
                     if (!paused_.insert(pause.conn.value).second) {
                       note("core paused reading " + name(pause.conn) + " twice");
                     }
                   },
                   [&](const core::ResumeReading& resume) {
                     if (!must_be_open(resume.conn, "resumed reading")) return;
                     if (paused_.erase(resume.conn.value) == 0) {
                       note("core resumed reading " + name(resume.conn) + ", never paused");
                     }
                   },
               },
               *action);
  }
  while (server_.poll_log()) {
  }
  return finding;
}

std::optional<Finding> Driver::finish() const {
  if (closes_.empty()) return std::nullopt;
  const core::CloseConnection& close = closes_.front();
  return Difference{"the end of the transcript",
                    "core's " + close_text(close.conn, close.reason) + ", not in the transcript"};
}

}  // namespace teaparty::sim
