// Where the examples find the Iris and 8x8-digits tables of scikit-learn: the directory named by
// $FLUXION_SKLEARN_DATA, else the one scripts/setup.sh fills from Debian's python3-sklearn .deb.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace examples {

inline constexpr const char* kSklearnDataDir = "/usr/local/share/fluxion/sklearn-data";
// Exit status of a program whose data is missing: its CTest test counts as skipped, not failed.
inline constexpr int kMissingData = 77;

inline std::string sklearn_data_dir() {
  const char* env = std::getenv("FLUXION_SKLEARN_DATA");
  return env && *env ? env : kSklearnDataDir;
}

// The path of `name` (e.g. "iris.csv"), or "" after a message saying how to get it.
inline std::string sklearn_file(const std::string& name) {
  const std::string path = sklearn_data_dir() + "/" + name;
  if (std::filesystem::is_regular_file(path)) return path;
  std::fprintf(stderr,
               "%s not found: run scripts/setup.sh (it extracts it from Debian's python3-sklearn package into %s), "
               "or set FLUXION_SKLEARN_DATA to a directory holding it\n",
               path.c_str(), kSklearnDataDir);
  return "";
}

}  // namespace examples
