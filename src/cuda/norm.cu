// CUDA normalisation kernels on tensors viewed as (A, C, B), statistics per channel c over the A
// and B axes, with the CPU kernels' semantics and formulas (kernels/cpu/norm.cpp):
//   - statistics: one block per channel (grid-stride over channels), sums in double for f32 and
//     f64 alike, two passes (mean, then the sum of squared deviations), block reduction by warp
//     shuffles; NaN for an empty channel.
//   - apply: one thread per element, y = x * scale[c] + shift[c] with scale and shift formed in
//     the element type as the CPU does.
//   - backward: per-channel double sums of gy and gy * xhat (one block per channel, only when gw,
//     gb or the batch-statistics gx need them), then one thread per element of gx.
// A channel's elements are read row by row when rows are long (B >= block size), else through
// the flat index of the channel's A * B elements so that short rows (batch norm on (N, C)) keep
// every thread busy. With few channels and many elements each (batch norm on images), a channel
// is split over several blocks whose double partial sums are added in a fixed order by a second
// kernel (deterministic; see splits_for).
#include <cmath>
#include <limits>

#include "cuda/cuda_check.h"
#include "cuda/nn_launch.h"

namespace fluxion::cuda::kern {
namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / 32;

unsigned blocks_for(int64_t n) {
  const int64_t b = (n + kThreads - 1) / kThreads;
  return static_cast<unsigned>(b < (int64_t{1} << 20) ? b : (int64_t{1} << 20));  // grid-stride beyond
}
unsigned channel_blocks(int64_t C) { return static_cast<unsigned>(C < (int64_t{1} << 20) ? C : (int64_t{1} << 20)); }

__device__ __forceinline__ int64_t first_index() { return static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; }
__device__ __forceinline__ int64_t grid_stride() { return static_cast<int64_t>(gridDim.x) * blockDim.x; }

__device__ __forceinline__ double warp_sum(double v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
  return v;
}

// Sums a and b over the block (blockDim.x == kThreads); every thread gets the results. Must be
// reached by all threads of the block.
__device__ void block_sum2(double& a, double& b) {
  __shared__ double pa[kWarps], pb[kWarps];
  __shared__ double ra, rb;
  a = warp_sum(a);
  b = warp_sum(b);
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  if (lane == 0) {
    pa[warp] = a;
    pb[warp] = b;
  }
  __syncthreads();
  if (warp == 0) {
    a = warp_sum(lane < kWarps ? pa[lane] : 0.0);
    b = warp_sum(lane < kWarps ? pb[lane] : 0.0);
    if (lane == 0) {
      ra = a;
      rb = b;
    }
  }
  __syncthreads();
  a = ra;
  b = rb;
  __syncthreads();  // pa/pb/ra/rb are reused by the next call
}

// Calls f(offset) for this thread's share of channel c's A * B elements.
template <class F>
__device__ __forceinline__ void for_channel(int64_t A, int64_t C, int64_t B, int64_t c, F&& f) {
  if (B >= kThreads) {
    for (int64_t a = 0; a < A; ++a) {
      const int64_t base = (a * C + c) * B;
      for (int64_t b = threadIdx.x; b < B; b += kThreads) f(base + b);
    }
  } else {
    const int64_t n = A * B;
    for (int64_t j = threadIdx.x; j < n; j += kThreads) {
      const int64_t a = j / B;
      f((a * C + c) * B + (j - a * B));
    }
  }
}

// ---- split channels ----
// With few channels and many elements per channel (batch norm on large images) one block per
// channel leaves most of the GPU idle; the channel's A * B elements are then split into S ranges
// of `chunk` (flat index j = a * B + b), one block each, whose double partial sums a second kernel
// adds in a fixed order (so the result does not depend on scheduling).
constexpr int64_t kTargetBlocks = 1024;  // enough blocks for the largest GPUs
constexpr int64_t kMinPerBlock = 4096;   // elements per block below which splitting does not pay

int64_t splits_for(int64_t A, int64_t C, int64_t B) {
  const int64_t M = A * B;
  if (C >= kTargetBlocks || M < 2 * kMinPerBlock) return 1;
  int64_t S = (kTargetBlocks + C - 1) / C;
  if (S > M / kMinPerBlock) S = M / kMinPerBlock;
  return S < 1 ? 1 : S;
}
int64_t chunk_for(int64_t A, int64_t B, int64_t S) { return (A * B + S - 1) / S; }

// Calls f(offset) for this thread's share of the flat indices [lo, hi) of channel c.
template <class F>
__device__ __forceinline__ void for_range(int64_t C, int64_t B, int64_t c, int64_t lo, int64_t hi, F&& f) {
  int64_t j = lo + threadIdx.x;
  if (j >= hi) return;
  int64_t a = j / B, b = j - a * B;
  while (true) {
    f((a * C + c) * B + b);
    j += kThreads;
    if (j >= hi) return;
    b += kThreads;
    if (B >= kThreads) {
      if (b >= B) {  // b < 2 * B: at most one row boundary per step
        b -= B;
        ++a;
      }
    } else {
      a = j / B;
      b = j - a * B;
    }
  }
}

// partial[c * S + split] = sum over the split of x (mu == null) or of (x - mu[c])^2.
template <class T>
__global__ void __launch_bounds__(kThreads)
    stats_partial_kernel(const T* __restrict__ x, const double* __restrict__ mu, double* __restrict__ partial,
                         int64_t A, int64_t C, int64_t B, int64_t S, int64_t chunk) {
  const int64_t split = blockIdx.y;
  const int64_t M = A * B, lo = split * chunk, hi = lo + chunk < M ? lo + chunk : M;
  for (int64_t c = blockIdx.x; c < C; c += gridDim.x) {  // uniform across the block
    double acc = 0, unused = 0;
    if (mu) {
      const double m = mu[c];
      for_range(C, B, c, lo, hi, [&](int64_t o) {
        const double d = static_cast<double>(x[o]) - m;
        acc += d * d;
      });
    } else {
      for_range(C, B, c, lo, hi, [&](int64_t o) { acc += static_cast<double>(x[o]); });
    }
    block_sum2(acc, unused);
    if (threadIdx.x == 0) partial[c * S + split] = acc;
  }
}

// mu[c] = (sum of the partials) / M.
__global__ void stats_mean_kernel(const double* __restrict__ partial, double* __restrict__ mu, int64_t C, int64_t S,
                                  double M) {
  for (int64_t c = first_index(); c < C; c += grid_stride()) {
    double s = 0;
    for (int64_t k = 0; k < S; ++k) s += partial[c * S + k];
    mu[c] = M > 0 ? s / M : std::numeric_limits<double>::quiet_NaN();
  }
}

// mean[c] = mu[c], var[c] = (sum of the partials) / M.
template <class T>
__global__ void stats_var_kernel(const double* __restrict__ partial, const double* __restrict__ mu,
                                 T* __restrict__ mean, T* __restrict__ var, int64_t C, int64_t S, double M) {
  for (int64_t c = first_index(); c < C; c += grid_stride()) {
    double s = 0;
    for (int64_t k = 0; k < S; ++k) s += partial[c * S + k];
    mean[c] = static_cast<T>(mu[c]);
    var[c] = static_cast<T>(M > 0 ? s / M : std::numeric_limits<double>::quiet_NaN());
  }
}

// partial[c * S + split] = sum of gy, partial[(C + c) * S + split] = sum of gy * xhat over the split.
template <class T>
__global__ void __launch_bounds__(kThreads)
    backward_partial_kernel(const T* __restrict__ gy, const T* __restrict__ x, const T* __restrict__ mean,
                            const T* __restrict__ rstd, double* __restrict__ partial, int64_t A, int64_t C, int64_t B,
                            int64_t S, int64_t chunk) {
  const int64_t split = blockIdx.y;
  const int64_t M = A * B, lo = split * chunk, hi = lo + chunk < M ? lo + chunk : M;
  for (int64_t c = blockIdx.x; c < C; c += gridDim.x) {  // uniform across the block
    const double mu = static_cast<double>(mean[c]), rs = static_cast<double>(rstd[c]);
    double sg = 0, sgx = 0;
    for_range(C, B, c, lo, hi, [&](int64_t o) {
      const double g = static_cast<double>(gy[o]);
      sg += g;
      sgx += g * (static_cast<double>(x[o]) - mu) * rs;
    });
    block_sum2(sg, sgx);
    if (threadIdx.x == 0) {
      partial[c * S + split] = sg;
      partial[(C + c) * S + split] = sgx;
    }
  }
}

// sums[c], sums[C + c] (and gb[c], gw[c] when non-null) from the partials.
template <class T>
__global__ void backward_finalize_kernel(const double* __restrict__ partial, double* __restrict__ sums,
                                         T* __restrict__ gw, T* __restrict__ gb, int64_t C, int64_t S) {
  for (int64_t c = first_index(); c < C; c += grid_stride()) {
    double sg = 0, sgx = 0;
    for (int64_t k = 0; k < S; ++k) {
      sg += partial[c * S + k];
      sgx += partial[(C + c) * S + k];
    }
    sums[c] = sg;
    sums[C + c] = sgx;
    if (gw) gw[c] = static_cast<T>(sgx);
    if (gb) gb[c] = static_cast<T>(sg);
  }
}

// ---- one block per channel ----

template <class T>
__global__ void __launch_bounds__(kThreads) norm_stats_kernel(const T* __restrict__ x, T* __restrict__ mean,
                                                              T* __restrict__ var, int64_t A, int64_t C, int64_t B) {
  const double M = static_cast<double>(A * B);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (int64_t c = blockIdx.x; c < C; c += gridDim.x) {  // uniform across the block
    double s = 0, unused = 0;
    for_channel(A, C, B, c, [&](int64_t o) { s += static_cast<double>(x[o]); });
    block_sum2(s, unused);
    const double mu = M > 0 ? s / M : nan;
    double ss = 0;
    unused = 0;
    for_channel(A, C, B, c, [&](int64_t o) {
      const double d = static_cast<double>(x[o]) - mu;
      ss += d * d;
    });
    block_sum2(ss, unused);
    if (threadIdx.x == 0) {
      mean[c] = static_cast<T>(mu);
      var[c] = static_cast<T>(M > 0 ? ss / M : nan);
    }
  }
}

template <class T>
__global__ void norm_apply_kernel(const T* __restrict__ x, const T* __restrict__ mean, const T* __restrict__ rstd,
                                  const T* __restrict__ weight, const T* __restrict__ bias, T* __restrict__ y,
                                  int64_t C, int64_t B, int64_t n) {
  for (int64_t i = first_index(); i < n; i += grid_stride()) {
    const int64_t c = (i / B) % C;
    const T sc = rstd[c] * (weight ? weight[c] : T(1));
    const T sh = (bias ? bias[c] : T(0)) - mean[c] * sc;
    y[i] = x[i] * sc + sh;
  }
}

// sums[c] = sum(gy), sums[C + c] = sum(gy * xhat) over channel c; gw/gb (if non-null) get them too.
template <class T>
__global__ void __launch_bounds__(kThreads)
    norm_backward_sums_kernel(const T* __restrict__ gy, const T* __restrict__ x, const T* __restrict__ mean,
                              const T* __restrict__ rstd, double* __restrict__ sums, T* __restrict__ gw,
                              T* __restrict__ gb, int64_t A, int64_t C, int64_t B) {
  for (int64_t c = blockIdx.x; c < C; c += gridDim.x) {  // uniform across the block
    const double mu = static_cast<double>(mean[c]), rs = static_cast<double>(rstd[c]);
    double sg = 0, sgx = 0;
    for_channel(A, C, B, c, [&](int64_t o) {
      const double g = static_cast<double>(gy[o]);
      sg += g;
      sgx += g * (static_cast<double>(x[o]) - mu) * rs;
    });
    block_sum2(sg, sgx);
    if (threadIdx.x == 0) {
      sums[c] = sg;
      sums[C + c] = sgx;
      if (gw) gw[c] = static_cast<T>(sgx);
      if (gb) gb[c] = static_cast<T>(sg);
    }
  }
}

// gx = rstd * w * (gy - sum_g / M - xhat * sum_gx / M), or rstd * w * gy for constant statistics.
template <class T>
__global__ void norm_backward_input_kernel(const T* __restrict__ gy, const T* __restrict__ x,
                                           const T* __restrict__ mean, const T* __restrict__ rstd,
                                           const T* __restrict__ weight, const double* __restrict__ sums,
                                           T* __restrict__ gx, int64_t C, int64_t B, double M, bool constant,
                                           int64_t n) {
  for (int64_t i = first_index(); i < n; i += grid_stride()) {
    const int64_t c = (i / B) % C;
    const T rs = rstd[c];
    const T k = rs * (weight ? weight[c] : T(1));
    if (constant) {
      gx[i] = gy[i] * k;
      continue;
    }
    const T mg = static_cast<T>(sums[c] / M);
    const T mgx = static_cast<T>(sums[C + c] / M);
    gx[i] = k * (gy[i] - mg - (x[i] - mean[c]) * rs * mgx);
  }
}

[[noreturn]] void bad_type(const char* what) { FX_FAIL(what, ": not implemented on CUDA for this dtype"); }

template <class T>
void stats_typed(const void* x, void* mean, void* var, int64_t A, int64_t C, int64_t B, double* scratch,
                 cudaStream_t s) {
  const int64_t S = splits_for(A, C, B);
  if (S == 1) {
    norm_stats_kernel<T><<<channel_blocks(C), kThreads, 0, s>>>(static_cast<const T*>(x), static_cast<T*>(mean),
                                                                static_cast<T*>(var), A, C, B);
    FX_CUDA_CHECK_LAUNCH();
    return;
  }
  // scratch: partial[C * S], mu[C]
  double* partial = scratch;
  double* mu = scratch + C * S;
  const int64_t chunk = chunk_for(A, B, S);
  const dim3 grid(channel_blocks(C), static_cast<unsigned>(S));
  const double M = static_cast<double>(A * B);
  stats_partial_kernel<T><<<grid, kThreads, 0, s>>>(static_cast<const T*>(x), nullptr, partial, A, C, B, S, chunk);
  FX_CUDA_CHECK_LAUNCH();
  stats_mean_kernel<<<blocks_for(C), kThreads, 0, s>>>(partial, mu, C, S, M);
  FX_CUDA_CHECK_LAUNCH();
  stats_partial_kernel<T><<<grid, kThreads, 0, s>>>(static_cast<const T*>(x), mu, partial, A, C, B, S, chunk);
  FX_CUDA_CHECK_LAUNCH();
  stats_var_kernel<T>
      <<<blocks_for(C), kThreads, 0, s>>>(partial, mu, static_cast<T*>(mean), static_cast<T*>(var), C, S, M);
  FX_CUDA_CHECK_LAUNCH();
}

template <class T>
void apply_typed(const void* x, const void* mean, const void* rstd, const void* weight, const void* bias, void* y,
                 int64_t C, int64_t B, int64_t n, cudaStream_t s) {
  norm_apply_kernel<T><<<blocks_for(n), kThreads, 0, s>>>(static_cast<const T*>(x), static_cast<const T*>(mean),
                                                          static_cast<const T*>(rstd), static_cast<const T*>(weight),
                                                          static_cast<const T*>(bias), static_cast<T*>(y), C, B, n);
  FX_CUDA_CHECK_LAUNCH();
}

template <class T>
void backward_typed(const void* gy, const void* x, const void* mean, const void* rstd, const void* weight, void* gx,
                    void* gw, void* gb, int64_t A, int64_t C, int64_t B, bool constant, double* sums, cudaStream_t s) {
  const bool need_sums = gw || gb || (gx && !constant);
  const int64_t S = splits_for(A, C, B);
  if (need_sums && S == 1) {
    norm_backward_sums_kernel<T><<<channel_blocks(C), kThreads, 0, s>>>(
        static_cast<const T*>(gy), static_cast<const T*>(x), static_cast<const T*>(mean), static_cast<const T*>(rstd),
        sums, static_cast<T*>(gw), static_cast<T*>(gb), A, C, B);
    FX_CUDA_CHECK_LAUNCH();
  } else if (need_sums) {
    double* partial = sums + 2 * C;  // [2 * C * S] after the sums
    const dim3 grid(channel_blocks(C), static_cast<unsigned>(S));
    backward_partial_kernel<T><<<grid, kThreads, 0, s>>>(static_cast<const T*>(gy), static_cast<const T*>(x),
                                                         static_cast<const T*>(mean), static_cast<const T*>(rstd),
                                                         partial, A, C, B, S, chunk_for(A, B, S));
    FX_CUDA_CHECK_LAUNCH();
    backward_finalize_kernel<T>
        <<<blocks_for(C), kThreads, 0, s>>>(partial, sums, static_cast<T*>(gw), static_cast<T*>(gb), C, S);
    FX_CUDA_CHECK_LAUNCH();
  }
  const int64_t n = A * C * B;
  if (!gx || n == 0) return;
  norm_backward_input_kernel<T><<<blocks_for(n), kThreads, 0, s>>>(
      static_cast<const T*>(gy), static_cast<const T*>(x), static_cast<const T*>(mean), static_cast<const T*>(rstd),
      static_cast<const T*>(weight), sums, static_cast<T*>(gx), C, B, static_cast<double>(A * B), constant, n);
  FX_CUDA_CHECK_LAUNCH();
}

}  // namespace

size_t norm_stats_scratch_bytes(int64_t A, int64_t C, int64_t B) {
  const int64_t S = splits_for(A, C, B);
  return S == 1 ? 0 : static_cast<size_t>(C * S + C) * sizeof(double);
}

void norm_stats(const void* x, void* mean, void* var, int64_t A, int64_t C, int64_t B, void* scratch, Ty t,
                cudaStream_t s) {
  if (C == 0) return;
  double* sc = static_cast<double*>(scratch);
  switch (t) {
    case Ty::F32: return stats_typed<float>(x, mean, var, A, C, B, sc, s);
    case Ty::F64: return stats_typed<double>(x, mean, var, A, C, B, sc, s);
    default: bad_type("norm_stats");
  }
}

void norm_apply(const void* x, const void* mean, const void* rstd, const void* weight, const void* bias, void* y,
                int64_t A, int64_t C, int64_t B, Ty t, cudaStream_t s) {
  const int64_t n = A * C * B;
  if (n == 0) return;
  switch (t) {
    case Ty::F32: return apply_typed<float>(x, mean, rstd, weight, bias, y, C, B, n, s);
    case Ty::F64: return apply_typed<double>(x, mean, rstd, weight, bias, y, C, B, n, s);
    default: bad_type("norm_apply");
  }
}

size_t norm_backward_scratch_bytes(int64_t A, int64_t C, int64_t B) {
  const int64_t S = splits_for(A, C, B);
  return static_cast<size_t>(2 * C + (S == 1 ? 0 : 2 * C * S)) * sizeof(double);
}

void norm_backward(const void* gy, const void* x, const void* mean, const void* rstd, const void* weight, void* gx,
                   void* gw, void* gb, int64_t A, int64_t C, int64_t B, bool stats_are_constant, void* scratch, Ty t,
                   cudaStream_t s) {
  if (C == 0) return;
  double* sums = static_cast<double*>(scratch);
  switch (t) {
    case Ty::F32:
      return backward_typed<float>(gy, x, mean, rstd, weight, gx, gw, gb, A, C, B, stats_are_constant, sums, s);
    case Ty::F64:
      return backward_typed<double>(gy, x, mean, rstd, weight, gx, gw, gb, A, C, B, stats_are_constant, sums, s);
    default: bad_type("norm_backward");
  }
}

}  // namespace fluxion::cuda::kern
