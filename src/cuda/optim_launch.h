// Launchers of the CUDA optimiser kernels (cuda/optim.cu) and the vector primitives used by
// gradient clipping and L-BFGS (cuda/vec.cu). They take the kernel tables' own argument structs
// (kernels/optim_args.h, dependency-free), so nothing is copied field by field.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "cuda/launch.h"
#include "kernels/optim_args.h"

namespace fluxion::cuda::kern {

// One fused pass per parameter, f32/f64 (computed in the storage type), on stream s.
void sgd_step(const kernels::SGDKernelArgs& a, Ty t, cudaStream_t s);
void adam_step(const kernels::AdamKernelArgs& a, Ty t, cudaStream_t s);
void rmsprop_step(const kernels::RMSpropKernelArgs& a, Ty t, cudaStream_t s);
void adagrad_step(const kernels::AdagradKernelArgs& a, Ty t, cudaStream_t s);
void adadelta_step(const kernels::AdadeltaKernelArgs& a, Ty t, cudaStream_t s);
void adamax_step(const kernels::AdamaxKernelArgs& a, Ty t, cudaStream_t s);
void nadam_step(const kernels::NAdamKernelArgs& a, Ty t, cudaStream_t s);
void radam_step(const kernels::RAdamKernelArgs& a, Ty t, cudaStream_t s);

/// Multi-tensor SGD / Adam(W): `count` parameters of type t in one launch. `scratch` is device
/// memory of multi_step_bytes(count) bytes (it receives the per-parameter descriptors).
size_t multi_step_bytes(int64_t count);
void sgd_multi_step(const kernels::SGDKernelArgs* a, int64_t count, Ty t, void* scratch, cudaStream_t s);
void adam_multi_step(const kernels::AdamKernelArgs* a, int64_t count, Ty t, void* scratch, cudaStream_t s);

/// Which fold vec_reduce computes over the elements (in double).
enum class VecReduce : int { SumAbsPow, Count, SumAbs, SumSquares, MaxAbs, MinAbs, Dot };
/// Blocks vec_reduce uses for n elements (its `partial` buffer holds that many doubles + 1).
int vec_reduce_blocks(int64_t n);
/// Writes the fold of x (and y for Dot) into result[0] (device double), using `partial`
/// (vec_reduce_blocks(n) doubles) in between. p is the exponent of SumAbsPow. f32/f64.
void vec_reduce(const void* x, const void* y, int64_t n, Ty t, VecReduce op, double p, double* partial, double* result,
                cudaStream_t s);
/// y = y + alpha * x (axpy) or y = alpha * x (scale; y may alias x), f32/f64.
void vec_axpy(void* y, const void* x, double alpha, int64_t n, Ty t, bool scale_only, cudaStream_t s);
/// x = clamp(x, lo, hi), NaN stays NaN.
void vec_clamp(void* x, double lo, double hi, int64_t n, Ty t, cudaStream_t s);

}  // namespace fluxion::cuda::kern
