// `fluxion`: the command-line tool. Subcommands register themselves (see command.h).
#include <iostream>
#include <string>

#include "command.h"
#include "fluxion/error.h"
#include "fluxion/version.h"

int main(int argc, char** argv) {
  CLI::App app{"Fluxion: differentiable programming and deep learning in C++", "fluxion"};
  app.set_version_flag("--version", fluxion::build_info().version);
  app.require_subcommand(1);
  app.fallthrough(false);
  std::string names;
  bool known = false;
  for (const auto& [name, setup] : fluxion::cli::registered_commands()) {
    setup(app);
    names += (names.empty() ? "" : ", ") + name;
    known = known || (argc > 1 && name == argv[1]);
  }
  // CLI11 would report an unknown first word as "a subcommand is required"; name it instead.
  if (argc > 1 && argv[1][0] != '-' && !known) {
    std::cerr << "fluxion: unknown command '" << argv[1] << "' (commands: " << names << "; see fluxion --help)\n";
    return 2;
  }
  try {
    app.parse(argc, argv);  // runs the chosen subcommand's callback
  } catch (const CLI::ParseError& e) {
    return app.exit(e);  // --help / --version exit 0; bad arguments print the reason and exit non-zero
  } catch (const fluxion::Error& e) {
    std::cerr << "fluxion: error: " << e.what() << "\n";
    return 1;
  } catch (const fluxion::cli::CliError& e) {
    std::cerr << "fluxion: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
