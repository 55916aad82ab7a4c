// Helpers of the CUDA tests: skip without a GPU, compare a CUDA result with the CPU one.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "fluxion/cuda.h"
#include "support/test_util.h"

namespace fxtest {

#define FX_SKIP_WITHOUT_GPU()                                                   \
  do {                                                                          \
    if (::fluxion::cuda::device_count() == 0) GTEST_SKIP() << "no CUDA device"; \
  } while (0)

inline const fluxion::Device kGpu{fluxion::kCUDA, 0};

/// A CUDA result against the CPU one, with tolerances per dtype: the formulas are shared, only
/// libm-level functions and the summation order differ. Integer and bool results are exact.
inline ::testing::AssertionResult matches_cpu(const fluxion::Tensor& gpu, const fluxion::Tensor& cpu) {
  if (!gpu.is_cuda()) return ::testing::AssertionFailure() << "result is on " << gpu.device().str() << ", not CUDA";
  if (gpu.dtype() != cpu.dtype())
    return ::testing::AssertionFailure() << "dtype " << fluxion::dtype_name(gpu.dtype()) << " vs "
                                         << fluxion::dtype_name(cpu.dtype());
  const fluxion::Tensor g = gpu.cpu();
  if (cpu.dtype() == fluxion::kFloat32) return tensors_close(g, cpu, 2e-5, 2e-6);
  if (cpu.dtype() == fluxion::kFloat64) return tensors_close(g, cpu, 1e-12, 1e-14);
  return tensors_equal(g, cpu);
}

}  // namespace fxtest
