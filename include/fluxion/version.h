// Build information (what `fluxion info` prints).
#pragma once

#include <string>

namespace fluxion {

struct BuildInfo {
  std::string version;      // "0.1.0"
  std::string build_type;   // "Release", "Debug", ...
  std::string blas_vendor;  // "OpenBLAS (OpenMP)"
  std::string simd_level;   // best SIMD level the running CPU supports: "avx512", "avx2", "sse4.2", "scalar"
  bool cuda = false;        // CUDA kernels compiled in
  std::string compiler;     // "GCC 12.2.0"
};

/// Facts about this build and the CPU it runs on.
BuildInfo build_info();

}  // namespace fluxion
