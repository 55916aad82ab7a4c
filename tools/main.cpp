// `fluxion`: the command-line tool. Subcommands register themselves (see command.h).
#include <cstdlib>
#include <iostream>
#include <string>

#include "command.h"
#include "fluxion/error.h"
#include "fluxion/version.h"

namespace {

// Idle OpenMP workers sleep instead of spinning (unless the user set OMP_WAIT_POLICY): on a
// 2-core machine shared with other work a spinning worker takes the core the busy thread needs,
// and 2 threads ran 2-5x slower than 1 (bench/README.md, "Threads on a busy machine"). libgomp
// reads the variable when it is loaded, before main; a .preinit_array entry of the executable
// runs before any shared library's initialiser, so setting it there takes effect.
void default_omp_wait_policy(int, char**, char**) { setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/0); }
[[gnu::used, gnu::section(".preinit_array")]] void (*const preinit_omp)(int, char**, char**) = &default_omp_wait_policy;

}  // namespace

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
