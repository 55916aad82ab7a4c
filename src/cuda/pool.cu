// CUDA window pooling (max with indices, average forward/backward), the per-plane index scatter
// (max-pool backward, max-unpool) and separable resampling (interpolate forward/backward), with
// the CPU kernels' semantics (kernels/cpu/pool.cpp, pool_resample.cpp). The window and weight
// tables (kernels::PoolWindows / ResampleTables) are uploaded by nn_kernels.cpp.
//   - Forward kernels: one thread per output element (grid-stride), reading its window in the
//     CPU's order, so max/argmax and the window sums are the CPU's exactly.
//   - Adjoint kernels (average-pool backward, resample backward, max-pool backward): the output is
//     zeroed, then one thread per gradient element atomicAdds its contributions (windows may
//     overlap and adaptive windows have no closed-form inverse); the float summation order is
//     therefore not the CPU's and not deterministic between runs.
//   - plane_scatter without accumulation stores; with duplicate indices any one value wins (the
//     CPU: the last one). Out-of-range indices are never written and reported through a flag.
#include <limits>

#include "cuda/cuda_check.h"
#include "cuda/nn_launch.h"

namespace fluxion::cuda::kern {
namespace {

constexpr int kThreads = 256;

unsigned blocks_for(int64_t n) {
  const int64_t b = (n + kThreads - 1) / kThreads;
  return static_cast<unsigned>(b < (int64_t{1} << 20) ? b : (int64_t{1} << 20));  // grid-stride beyond
}

__device__ __forceinline__ int64_t first_index() { return static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; }
__device__ __forceinline__ int64_t grid_stride() { return static_cast<int64_t>(gridDim.x) * blockDim.x; }

template <class T>
__global__ void max_pool_kernel(const T* __restrict__ x, T* __restrict__ y, int64_t* __restrict__ idx, PoolDesc d,
                                int64_t n) {
  for (int64_t i = first_index(); i < n; i += grid_stride()) {
    const int64_t ow = i % d.OW, r = i / d.OW;
    const int64_t oh = r % d.OH, p = r / d.OH;
    const T* xs = x + p * d.H * d.W;
    const int64_t h0 = d.h_first[oh], hc = d.h_count[oh], w0 = d.w_first[ow], wc = d.w_count[ow];
    T best = -std::numeric_limits<T>::infinity();
    int64_t best_i = h0 * d.W + w0;
    for (int64_t a = 0; a < hc; ++a) {
      const int64_t row = (h0 + a * d.h_step) * d.W + w0;
      for (int64_t b = 0; b < wc; ++b) {
        const int64_t pos = row + b * d.w_step;
        const T v = xs[pos];
        if (v > best || v != v) {  // strict >: the first maximum wins; a NaN always replaces
          best = v;
          best_i = pos;
        }
      }
    }
    y[i] = best;
    idx[i] = best_i;
  }
}

template <class T>
__device__ __forceinline__ T pool_divisor(const PoolDesc& d, int64_t oh, int64_t ow) {
  return static_cast<T>(d.divisor_override > 0 ? d.divisor_override : d.h_div[oh] * d.w_div[ow]);
}

template <class T>
__global__ void avg_pool_forward_kernel(const T* __restrict__ x, T* __restrict__ y, PoolDesc d, int64_t n) {
  for (int64_t i = first_index(); i < n; i += grid_stride()) {
    const int64_t ow = i % d.OW, r = i / d.OW;
    const int64_t oh = r % d.OH, p = r / d.OH;
    const T* xs = x + p * d.H * d.W;
    const int64_t h0 = d.h_first[oh], hc = d.h_count[oh], w0 = d.w_first[ow], wc = d.w_count[ow];
    T s = 0;
    for (int64_t a = 0; a < hc; ++a) {
      const T* row = xs + (h0 + a * d.h_step) * d.W + w0;
      for (int64_t b = 0; b < wc; ++b) s += row[b * d.w_step];
    }
    y[i] = s / pool_divisor<T>(d, oh, ow);
  }
}

// gx must be zero on entry.
template <class T>
__global__ void avg_pool_backward_kernel(const T* __restrict__ gy, T* __restrict__ gx, PoolDesc d, int64_t n) {
  for (int64_t i = first_index(); i < n; i += grid_stride()) {
    const int64_t ow = i % d.OW, r = i / d.OW;
    const int64_t oh = r % d.OH, p = r / d.OH;
    T* gs = gx + p * d.H * d.W;
    const int64_t h0 = d.h_first[oh], hc = d.h_count[oh], w0 = d.w_first[ow], wc = d.w_count[ow];
    const T g = gy[i] / pool_divisor<T>(d, oh, ow);
    for (int64_t a = 0; a < hc; ++a) {
      T* row = gs + (h0 + a * d.h_step) * d.W + w0;
      for (int64_t b = 0; b < wc; ++b) atomicAdd(row + b * d.w_step, g);
    }
  }
}

template <class T>
__global__ void plane_scatter_kernel(const T* __restrict__ src, const int64_t* __restrict__ idx, T* __restrict__ out,
                                     int64_t L, int64_t M, bool accumulate, unsigned long long* bad, int64_t n) {
  for (int64_t i = first_index(); i < n; i += grid_stride()) {
    const int64_t j = idx[i];
    if (j < 0 || j >= M) {
      atomicExch(bad + 1, static_cast<unsigned long long>(j));
      atomicExch(bad, 1ull);
      continue;
    }
    T* o = out + (i / L) * M + j;
    if (accumulate)
      atomicAdd(o, src[i]);
    else
      *o = src[i];
  }
}

template <class T>
__global__ void resample_forward_kernel(const T* __restrict__ x, T* __restrict__ y, ResampleDesc d, int64_t n) {
  for (int64_t i = first_index(); i < n; i += grid_stride()) {
    const int64_t ow = i % d.OW, r = i / d.OW;
    const int64_t oh = r % d.OH, p = r / d.OH;
    const T* xs = x + p * d.H * d.W;
    const T hl = static_cast<T>(d.h_lambda[oh]), hl0 = T(1) - hl;
    const T wl = static_cast<T>(d.w_lambda[ow]), wl0 = T(1) - wl;
    const T* r0 = xs + d.h0[oh] * d.W;
    const T* r1 = xs + d.h1[oh] * d.W;
    const int64_t a = d.w0[ow], b = d.w1[ow];
    y[i] = hl0 * (wl0 * r0[a] + wl * r0[b]) + hl * (wl0 * r1[a] + wl * r1[b]);
  }
}

// Adds c unless it is exactly zero (adding +-0 to a sum that starts at +0 changes nothing, and
// nearest-neighbour tables have three zero weights per output); NaN and inf are added.
template <class T>
__device__ __forceinline__ void add_nonzero(T* p, T c) {
  if (c != T(0)) atomicAdd(p, c);
}

// gx must be zero on entry.
template <class T>
__global__ void resample_backward_kernel(const T* __restrict__ gy, T* __restrict__ gx, ResampleDesc d, int64_t n) {
  for (int64_t i = first_index(); i < n; i += grid_stride()) {
    const int64_t ow = i % d.OW, r = i / d.OW;
    const int64_t oh = r % d.OH, p = r / d.OH;
    T* gs = gx + p * d.H * d.W;
    const T hl = static_cast<T>(d.h_lambda[oh]), hl0 = T(1) - hl;
    const T wl = static_cast<T>(d.w_lambda[ow]), wl0 = T(1) - wl;
    T* r0 = gs + d.h0[oh] * d.W;
    T* r1 = gs + d.h1[oh] * d.W;
    const int64_t a = d.w0[ow], b = d.w1[ow];
    const T g = gy[i];
    add_nonzero(r0 + a, hl0 * wl0 * g);
    add_nonzero(r0 + b, hl0 * wl * g);
    add_nonzero(r1 + a, hl * wl0 * g);
    add_nonzero(r1 + b, hl * wl * g);
  }
}

[[noreturn]] void bad_type(const char* what) { FX_FAIL(what, ": not implemented on CUDA for this dtype"); }

void zero(void* p, int64_t elems, Ty t, cudaStream_t s) {
  const size_t es = t == Ty::F64 ? sizeof(double) : sizeof(float);
  FX_CUDA_CHECK(cudaMemsetAsync(p, 0, static_cast<size_t>(elems) * es, s));
}

}  // namespace

void max_pool(const void* x, void* y, int64_t* idx, const PoolDesc& d, Ty t, cudaStream_t s) {
  const int64_t n = d.P * d.OH * d.OW;
  if (n == 0) return;
  switch (t) {
    case Ty::F32:
      max_pool_kernel<float>
          <<<blocks_for(n), kThreads, 0, s>>>(static_cast<const float*>(x), static_cast<float*>(y), idx, d, n);
      break;
    case Ty::F64:
      max_pool_kernel<double>
          <<<blocks_for(n), kThreads, 0, s>>>(static_cast<const double*>(x), static_cast<double*>(y), idx, d, n);
      break;
    default: bad_type("max_pool");
  }
  FX_CUDA_CHECK_LAUNCH();
}

void avg_pool_forward(const void* x, void* y, const PoolDesc& d, Ty t, cudaStream_t s) {
  const int64_t n = d.P * d.OH * d.OW;
  if (n == 0) return;
  switch (t) {
    case Ty::F32:
      avg_pool_forward_kernel<float>
          <<<blocks_for(n), kThreads, 0, s>>>(static_cast<const float*>(x), static_cast<float*>(y), d, n);
      break;
    case Ty::F64:
      avg_pool_forward_kernel<double>
          <<<blocks_for(n), kThreads, 0, s>>>(static_cast<const double*>(x), static_cast<double*>(y), d, n);
      break;
    default: bad_type("avg_pool");
  }
  FX_CUDA_CHECK_LAUNCH();
}

void avg_pool_backward(const void* gy, void* gx, const PoolDesc& d, Ty t, cudaStream_t s) {
  if (t != Ty::F32 && t != Ty::F64) bad_type("avg_pool_backward");
  const int64_t in = d.P * d.H * d.W, n = d.P * d.OH * d.OW;
  if (in == 0) return;
  zero(gx, in, t, s);
  if (n == 0) return;
  if (t == Ty::F32)
    avg_pool_backward_kernel<float>
        <<<blocks_for(n), kThreads, 0, s>>>(static_cast<const float*>(gy), static_cast<float*>(gx), d, n);
  else
    avg_pool_backward_kernel<double>
        <<<blocks_for(n), kThreads, 0, s>>>(static_cast<const double*>(gy), static_cast<double*>(gx), d, n);
  FX_CUDA_CHECK_LAUNCH();
}

void plane_scatter(const void* src, const int64_t* idx, void* out, int64_t P, int64_t L, int64_t M, bool accumulate,
                   unsigned long long* bad, Ty t, cudaStream_t s) {
  const int64_t n = P * L;
  if (n == 0) return;
  switch (t) {
    case Ty::F32:
      plane_scatter_kernel<float><<<blocks_for(n), kThreads, 0, s>>>(
          static_cast<const float*>(src), idx, static_cast<float*>(out), L, M, accumulate, bad, n);
      break;
    case Ty::F64:
      plane_scatter_kernel<double><<<blocks_for(n), kThreads, 0, s>>>(
          static_cast<const double*>(src), idx, static_cast<double*>(out), L, M, accumulate, bad, n);
      break;
    default: bad_type("plane_scatter");
  }
  FX_CUDA_CHECK_LAUNCH();
}

void resample_forward(const void* x, void* y, const ResampleDesc& d, Ty t, cudaStream_t s) {
  const int64_t n = d.P * d.OH * d.OW;
  if (n == 0) return;
  switch (t) {
    case Ty::F32:
      resample_forward_kernel<float>
          <<<blocks_for(n), kThreads, 0, s>>>(static_cast<const float*>(x), static_cast<float*>(y), d, n);
      break;
    case Ty::F64:
      resample_forward_kernel<double>
          <<<blocks_for(n), kThreads, 0, s>>>(static_cast<const double*>(x), static_cast<double*>(y), d, n);
      break;
    default: bad_type("resample");
  }
  FX_CUDA_CHECK_LAUNCH();
}

void resample_backward(const void* gy, void* gx, const ResampleDesc& d, Ty t, cudaStream_t s) {
  if (t != Ty::F32 && t != Ty::F64) bad_type("resample_backward");
  const int64_t in = d.P * d.H * d.W, n = d.P * d.OH * d.OW;
  if (in == 0) return;
  zero(gx, in, t, s);
  if (n == 0) return;
  if (t == Ty::F32)
    resample_backward_kernel<float>
        <<<blocks_for(n), kThreads, 0, s>>>(static_cast<const float*>(gy), static_cast<float*>(gx), d, n);
  else
    resample_backward_kernel<double>
        <<<blocks_for(n), kThreads, 0, s>>>(static_cast<const double*>(gy), static_cast<double*>(gx), d, n);
  FX_CUDA_CHECK_LAUNCH();
}

}  // namespace fluxion::cuda::kern
