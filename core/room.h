#pragma once
// A room: a name, who is in it (in order of entry) and what was said there lately. The world
// keeps its rooms; the main room always exists, and any other room is gone once it is empty
// (clustered: once it is empty on every node).

#include <string>
#include <vector>

#include "core/conn_id.h"
#include "core/history.h"

namespace teaparty::core {

struct Room {
  Room(std::string name_, std::size_t history_limit)
      : name(std::move(name_)), history(history_limit) {}

  std::string name;             // as first written by whoever created it
  std::vector<ConnId> members;  // in order of entry
  History history;
  // Clustered: members on other nodes keep the room, and what is said in it, alive here
  // though nobody here is in it; so whoever enters it here hears the same history.
  bool held_elsewhere = false;
};

}  // namespace teaparty::core
