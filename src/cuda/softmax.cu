// CUDA softmax / log_softmax along one dim of a contiguous tensor viewed as [outer, D, inner],
// with the CPU kernel's semantics (kernels/cpu/reduce_softmax.cpp): the row max is subtracted
// before exp (0 when the max is -inf), a NaN anywhere makes the row NaN, log_softmax is
// (x - m) - log(s). The float exp is the shared Cephes-style math::exp_f.
//   inner == 1: one block per row (block reductions for the max and the sum of exps).
//   inner  > 1: one thread per column, walking the D elements with stride inner (coalesced
//               across the threads of a warp).
#include <cmath>
#include <limits>

#include "cuda/cuda_check.h"
#include "cuda/launch.h"
#include "kernels/functors.h"

namespace fluxion::cuda::kern {
namespace {

constexpr int kThreads = 256;

__device__ __forceinline__ float exp_a(float v) { return ::fluxion::kernels::math::exp_f(v); }
__device__ __forceinline__ double exp_a(double v) { return ::exp(v); }

template <class A>
__device__ __forceinline__ A nan_max(A a, A b) {
  return (a != a || a > b) ? a : b;  // NaN wins
}
template <class A>
__device__ __forceinline__ A finite_shift(A m) {
  return m == -std::numeric_limits<A>::infinity() ? A(0) : m;
}

// Reduction of one value per thread over the block; every thread gets the result.
template <class A, bool kMax>
__device__ A block_all_reduce(A v) {
  __shared__ A part[kThreads / 32];
  __shared__ A result;
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
    const A w = __shfl_down_sync(0xffffffffu, v, o);
    v = kMax ? nan_max(v, w) : v + w;
  }
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  if (lane == 0) part[warp] = v;
  __syncthreads();
  if (warp == 0) {
    v = lane < kThreads / 32 ? part[lane] : (kMax ? -std::numeric_limits<A>::infinity() : A(0));
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
      const A w = __shfl_down_sync(0xffffffffu, v, o);
      v = kMax ? nan_max(v, w) : v + w;
    }
    if (lane == 0) result = v;
  }
  __syncthreads();
  const A r = result;
  __syncthreads();  // part/result are reused by the next call
  return r;
}

template <class T, bool kLog>
__global__ void softmax_rows_kernel(const T* x, T* y, int64_t rows, int64_t D) {
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const T* xr = x + r * D;
    T* yr = y + r * D;
    T m = -std::numeric_limits<T>::infinity();
    for (int64_t i = threadIdx.x; i < D; i += blockDim.x) m = nan_max(m, xr[i]);
    m = block_all_reduce<T, true>(m);
    if (m != m) {
      for (int64_t i = threadIdx.x; i < D; i += blockDim.x) yr[i] = m;
      continue;  // uniform across the block
    }
    m = finite_shift(m);
    T s = 0;
    for (int64_t i = threadIdx.x; i < D; i += blockDim.x) s += exp_a(xr[i] - m);
    s = block_all_reduce<T, false>(s);
    if constexpr (kLog) {
      const T ls = ::log(s);
      for (int64_t i = threadIdx.x; i < D; i += blockDim.x) yr[i] = (xr[i] - m) - ls;
    } else {
      const T inv = T(1) / s;
      for (int64_t i = threadIdx.x; i < D; i += blockDim.x) yr[i] = exp_a(xr[i] - m) * inv;
    }
  }
}

template <class T, bool kLog>
__global__ void softmax_columns_kernel(const T* x, T* y, int64_t outer, int64_t D, int64_t inner) {
  const int64_t cols = outer * inner;
  for (int64_t c = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; c < cols;
       c += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t o = c / inner, j = c % inner;
    const T* xc = x + o * D * inner + j;
    T* yc = y + o * D * inner + j;
    T m = -std::numeric_limits<T>::infinity();
    for (int64_t i = 0; i < D; ++i) m = nan_max(m, xc[i * inner]);
    m = m != m ? m : finite_shift(m);  // NaN stays: exp gives NaN
    T s = 0;
    for (int64_t i = 0; i < D; ++i) s += exp_a(xc[i * inner] - m);
    s = kLog ? ::log(s) : T(1) / s;
    for (int64_t i = 0; i < D; ++i) {
      const T v = xc[i * inner];
      yc[i * inner] = kLog ? (v - m) - s : exp_a(v - m) * s;
    }
  }
}

template <class T, bool kLog>
void softmax_typed(const T* x, T* y, int64_t outer, int64_t D, int64_t inner, cudaStream_t s) {
  if (outer == 0 || D == 0 || inner == 0) return;
  if (inner == 1) {
    const int64_t blocks = outer < 65535 ? outer : 65535;
    softmax_rows_kernel<T, kLog><<<static_cast<unsigned>(blocks), kThreads, 0, s>>>(x, y, outer, D);
  } else {
    int64_t blocks = (outer * inner + kThreads - 1) / kThreads;
    if (blocks > 65535) blocks = 65535;
    softmax_columns_kernel<T, kLog><<<static_cast<unsigned>(blocks), kThreads, 0, s>>>(x, y, outer, D, inner);
  }
  FX_CUDA_CHECK_LAUNCH();
}

}  // namespace

void softmax(const void* x, void* y, int64_t outer, int64_t D, int64_t inner, Ty t, bool log, cudaStream_t s) {
  switch (t) {
    case Ty::F32:
      if (log)
        return softmax_typed<float, true>(static_cast<const float*>(x), static_cast<float*>(y), outer, D, inner, s);
      return softmax_typed<float, false>(static_cast<const float*>(x), static_cast<float*>(y), outer, D, inner, s);
    case Ty::F64:
      if (log)
        return softmax_typed<double, true>(static_cast<const double*>(x), static_cast<double*>(y), outer, D, inner, s);
      return softmax_typed<double, false>(static_cast<const double*>(x), static_cast<double*>(y), outer, D, inner, s);
    default: FX_FAIL("softmax: not implemented on CUDA for this dtype");
  }
}

}  // namespace fluxion::cuda::kern
