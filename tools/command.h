// Subcommand registry of the `fluxion` tool. Each subcommand lives in its own cmd_<name>.cpp:
//
//   void add_info(CLI::App& app) {
//     auto* cmd = app.add_subcommand("info", "Build and device information");
//     auto opts = std::make_shared<InfoOptions>();
//     cmd->add_flag("--json", opts->json, "...");
//     cmd->callback([opts] { run_info(*opts); });
//   }
//   FLUXION_COMMAND(info, add_info);
//
// Callbacks report failures by throwing (fluxion::Error or CliError); main() prints
// "fluxion: error: <message>" and exits with status 1.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace fluxion::cli {

/// A user error detected by a subcommand (bad file, inconsistent options).
class CliError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using CommandSetup = std::function<void(CLI::App&)>;

/// Registers a subcommand's setup function (called once, in name order, when main builds the app).
bool register_command(const std::string& name, CommandSetup setup);
/// All registered setups, sorted by name so --help lists subcommands alphabetically.
std::vector<std::pair<std::string, CommandSetup>> registered_commands();

}  // namespace fluxion::cli

#define FLUXION_COMMAND(name, setup) \
  static const bool fluxion_cli_registered_##name = ::fluxion::cli::register_command(#name, setup)
