#include "fluxion/version.h"

#include "fluxion/device.h"

namespace fluxion {

BuildInfo build_info() {
  BuildInfo b;
  b.version = FLUXION_VERSION;
  b.build_type = FLUXION_BUILD_TYPE;
  b.blas_vendor = FLUXION_BLAS_VENDOR;
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f"))
    b.simd_level = "avx512";
  else if (__builtin_cpu_supports("avx2"))
    b.simd_level = "avx2";
  else if (__builtin_cpu_supports("sse4.2"))
    b.simd_level = "sse4.2";
  else
    b.simd_level = "scalar";
  b.cuda = cuda_compiled();
#if defined(__clang__)
  b.compiler = std::string("Clang ") + __clang_version__;
#elif defined(__GNUC__)
  b.compiler = std::string("GCC ") + __VERSION__;
#endif
  return b;
}

}  // namespace fluxion
