#include "command.h"

#include <algorithm>
#include <map>

namespace fluxion::cli {

namespace {
// Function-local so registration from other files' static initialisers is order-safe.
std::map<std::string, CommandSetup>& registry() {
  static std::map<std::string, CommandSetup> r;
  return r;
}
}  // namespace

bool register_command(const std::string& name, CommandSetup setup) {
  registry()[name] = std::move(setup);
  return true;
}

std::vector<std::pair<std::string, CommandSetup>> registered_commands() {
  return {registry().begin(), registry().end()};
}

}  // namespace fluxion::cli
