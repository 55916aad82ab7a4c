// Launchers of the CUDA kernels of the nn tables (pooling, index scatter, resampling,
// normalisation), defined in pool.cu and norm.cu and called by nn_kernels.cpp with plain
// descriptors: shared by nvcc and the C++ compiler, includes nothing from the tensor library.
// Every pointer is device memory; every tensor is contiguous; all work goes on stream `s`.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "cuda/launch.h"

namespace fluxion::cuda::kern {

/// kernels::PoolWindows on the device, over P planes (P, H, W) -> (P, OH, OW): the window of
/// output (oh, ow) reads rows h_first[oh] + i * h_step (i < h_count[oh]) and columns
/// w_first[ow] + j * w_step (j < w_count[ow]). Average pooling divides by divisor_override when it
/// is > 0, else by h_div[oh] * w_div[ow].
struct PoolDesc {
  int64_t P = 0, H = 1, W = 1, OH = 1, OW = 1, h_step = 1, w_step = 1;
  const int64_t* h_first = nullptr;  // [OH]
  const int64_t* h_count = nullptr;  // [OH]
  const int64_t* w_first = nullptr;  // [OW]
  const int64_t* w_count = nullptr;  // [OW]
  const double* h_div = nullptr;     // [OH]
  const double* w_div = nullptr;     // [OW]
  double divisor_override = 0;
};

/// y (P, OH, OW) = window maxima of x (P, H, W), idx = flat position ih * W + iw of the first
/// maximum (a NaN always wins, so the last NaN is reported), as the CPU kernel.
void max_pool(const void* x, void* y, int64_t* idx, const PoolDesc& d, Ty t, cudaStream_t s);
/// y = window sums / divisor.
void avg_pool_forward(const void* x, void* y, const PoolDesc& d, Ty t, cudaStream_t s);
/// gx (P, H, W) = the adjoint of avg_pool_forward applied to gy (P, OH, OW); gx is overwritten.
void avg_pool_backward(const void* gy, void* gx, const PoolDesc& d, Ty t, cudaStream_t s);

/// Per plane p < P: out[p, idx[p, l]] (+)= src[p, l] for l < L; out is (P, M) and not cleared.
/// Indices outside [0, M) are skipped and reported in `bad` (device memory, 2 x int64, zeroed by
/// the caller): bad[0] = 1, bad[1] = one of the offending indices.
void plane_scatter(const void* src, const int64_t* idx, void* out, int64_t P, int64_t L, int64_t M, bool accumulate,
                   unsigned long long* bad, Ty t, cudaStream_t s);

/// kernels::ResampleTables on the device, over P planes (P, H, W) -> (P, OH, OW).
struct ResampleDesc {
  int64_t P = 0, H = 1, W = 1, OH = 1, OW = 1;
  const int64_t* h0 = nullptr;       // [OH]
  const int64_t* h1 = nullptr;       // [OH]
  const int64_t* w0 = nullptr;       // [OW]
  const int64_t* w1 = nullptr;       // [OW]
  const double* h_lambda = nullptr;  // [OH]
  const double* w_lambda = nullptr;  // [OW]
};
/// y (P, OH, OW) = the separable 2x2 linear combination of x (P, H, W).
void resample_forward(const void* x, void* y, const ResampleDesc& d, Ty t, cudaStream_t s);
/// gx (P, H, W) = its adjoint applied to gy (P, OH, OW); gx is overwritten.
void resample_backward(const void* gy, void* gx, const ResampleDesc& d, Ty t, cudaStream_t s);

/// Normalisation on tensors viewed as (A, C, B), statistics per channel c over A and B
/// (kernels/nn_kernels.h). mean/var/rstd/weight/bias/gw/gb are (C); weight, bias may be null.
/// Bytes of scratch norm_stats needs (0 when one block per channel does; else per-split sums).
size_t norm_stats_scratch_bytes(int64_t A, int64_t C, int64_t B);
/// mean[c] and biased var[c], accumulated in double (two passes, as the CPU); NaN when A * B == 0.
void norm_stats(const void* x, void* mean, void* var, int64_t A, int64_t C, int64_t B, void* scratch, Ty t,
                cudaStream_t s);
/// y = (x - mean[c]) * rstd[c] * weight[c] + bias[c] (computed as x * scale + shift, as the CPU).
void norm_apply(const void* x, const void* mean, const void* rstd, const void* weight, const void* bias, void* y,
                int64_t A, int64_t C, int64_t B, Ty t, cudaStream_t s);
/// Bytes of scratch norm_backward needs (per-channel double sums, and per-split sums).
size_t norm_backward_scratch_bytes(int64_t A, int64_t C, int64_t B);
/// The fused backward of kernels::NormBackwardFn: writes the non-null ones among gx, gw, gb.
void norm_backward(const void* gy, const void* x, const void* mean, const void* rstd, const void* weight, void* gx,
                   void* gw, void* gb, int64_t A, int64_t C, int64_t B, bool stats_are_constant, void* scratch, Ty t,
                   cudaStream_t s);

}  // namespace fluxion::cuda::kern
