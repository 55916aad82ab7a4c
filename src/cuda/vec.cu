// CUDA vector primitives for gradient clipping and L-BFGS (kernels/optim_kernels.h, vec_*):
// norms and dot products folded in double (a block reduction per slice, then one block over the
// partials: the result does not depend on timing), axpy, scale and clamp in the storage type.
#include <cmath>

#include "cuda/cuda_check.h"
#include "cuda/optim_launch.h"

namespace fluxion::cuda::kern {
namespace {

constexpr int kThreads = 256;
constexpr int kMaxBlocks = 1024;

__device__ double nan_max(double a, double b) { return (a != a || b != b) ? a + b : (a > b ? a : b); }
__device__ double nan_min(double a, double b) { return (a != a || b != b) ? a + b : (a < b ? a : b); }

__device__ double fold(VecReduce op, double acc, double v) {
  switch (op) {
    case VecReduce::MaxAbs: return nan_max(acc, v);
    case VecReduce::MinAbs: return nan_min(acc, v);
    default: return acc + v;
  }
}

__host__ __device__ double identity(VecReduce op) {
  if (op == VecReduce::MinAbs) return INFINITY;
  return 0.0;  // sums, and max of absolute values (>= 0)
}

template <class T>
__device__ double term(VecReduce op, double p, const T* x, const T* y, int64_t i) {
  const double v = static_cast<double>(x[i]);
  switch (op) {
    case VecReduce::SumAbsPow: return pow(fabs(v), p);
    case VecReduce::Count: return v != 0 ? 1.0 : 0.0;
    case VecReduce::SumAbs:
    case VecReduce::MaxAbs:
    case VecReduce::MinAbs: return fabs(v);
    case VecReduce::SumSquares: return v * v;
    case VecReduce::Dot: return v * static_cast<double>(y[i]);
  }
  return 0.0;
}

// Block-wide fold of one value per thread; thread 0 gets the result.
__device__ double block_fold(VecReduce op, double v) {
  __shared__ double smem[kThreads];
  smem[threadIdx.x] = v;
  __syncthreads();
  for (int w = kThreads / 2; w > 0; w /= 2) {
    if (static_cast<int>(threadIdx.x) < w) smem[threadIdx.x] = fold(op, smem[threadIdx.x], smem[threadIdx.x + w]);
    __syncthreads();
  }
  return smem[0];
}

template <class T>
__global__ void partial_kernel(const T* x, const T* y, int64_t n, VecReduce op, double p, double* partial) {
  double acc = identity(op);
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * kThreads + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * kThreads)
    acc = fold(op, acc, term(op, p, x, y, i));
  const double r = block_fold(op, acc);
  if (threadIdx.x == 0) partial[blockIdx.x] = r;
}

__global__ void final_kernel(const double* partial, int nparts, VecReduce op, double* result) {
  double acc = identity(op);
  for (int i = static_cast<int>(threadIdx.x); i < nparts; i += kThreads) acc = fold(op, acc, partial[i]);
  const double r = block_fold(op, acc);
  if (threadIdx.x == 0) result[0] = r;
}

template <class T>
__global__ void axpy_kernel(T* y, const T* x, T alpha, int64_t n, bool scale_only) {
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * kThreads + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * kThreads)
    y[i] = scale_only ? x[i] * alpha : y[i] + alpha * x[i];
}

template <class T>
__global__ void clamp_kernel(T* x, T lo, T hi, int64_t n) {
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * kThreads + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * kThreads) {
    const T v = x[i];
    T c = v < lo ? lo : v;
    c = c > hi ? hi : c;
    x[i] = v != v ? v : c;  // NaN stays NaN, as torch.clamp
  }
}

unsigned elementwise_blocks(int64_t n) {
  int64_t b = (n + kThreads - 1) / kThreads;
  return static_cast<unsigned>(b < 1 ? 1 : (b > 65535 * 8 ? 65535 * 8 : b));
}

}  // namespace

int vec_reduce_blocks(int64_t n) {
  int64_t b = (n + kThreads * 4 - 1) / (kThreads * 4);
  return static_cast<int>(b < 1 ? 1 : (b > kMaxBlocks ? kMaxBlocks : b));
}

void vec_reduce(const void* x, const void* y, int64_t n, Ty t, VecReduce op, double p, double* partial, double* result,
                cudaStream_t s) {
  const int blocks = vec_reduce_blocks(n);
  if (t == Ty::F32)
    partial_kernel<float>
        <<<blocks, kThreads, 0, s>>>(static_cast<const float*>(x), static_cast<const float*>(y), n, op, p, partial);
  else if (t == Ty::F64)
    partial_kernel<double>
        <<<blocks, kThreads, 0, s>>>(static_cast<const double*>(x), static_cast<const double*>(y), n, op, p, partial);
  else
    FX_FAIL("vector norm/dot: not implemented on CUDA for this dtype (float32 and float64 are)");
  FX_CUDA_CHECK_LAUNCH();
  final_kernel<<<1, kThreads, 0, s>>>(partial, blocks, op, result);
  FX_CUDA_CHECK_LAUNCH();
}

void vec_axpy(void* y, const void* x, double alpha, int64_t n, Ty t, bool scale_only, cudaStream_t s) {
  if (n == 0) return;
  if (t == Ty::F32)
    axpy_kernel<float><<<elementwise_blocks(n), kThreads, 0, s>>>(static_cast<float*>(y), static_cast<const float*>(x),
                                                                  static_cast<float>(alpha), n, scale_only);
  else if (t == Ty::F64)
    axpy_kernel<double><<<elementwise_blocks(n), kThreads, 0, s>>>(static_cast<double*>(y),
                                                                   static_cast<const double*>(x), alpha, n, scale_only);
  else
    FX_FAIL("vector axpy/scale: not implemented on CUDA for this dtype (float32 and float64 are)");
  FX_CUDA_CHECK_LAUNCH();
}

void vec_clamp(void* x, double lo, double hi, int64_t n, Ty t, cudaStream_t s) {
  if (n == 0) return;
  if (t == Ty::F32)
    clamp_kernel<float><<<elementwise_blocks(n), kThreads, 0, s>>>(static_cast<float*>(x), static_cast<float>(lo),
                                                                   static_cast<float>(hi), n);
  else if (t == Ty::F64)
    clamp_kernel<double><<<elementwise_blocks(n), kThreads, 0, s>>>(static_cast<double*>(x), lo, hi, n);
  else
    FX_FAIL("vector clamp: not implemented on CUDA for this dtype (float32 and float64 are)");
  FX_CUDA_CHECK_LAUNCH();
}

}  // namespace fluxion::cuda::kern
