// Fused optimiser kernels: each update rule reads and writes a parameter, its gradient and its
// state buffers once per step (no chain of tensor ops, no temporaries). Buffers are contiguous
// and of the parameter's dtype; f16/bf16 compute in float. Hyperparameters that depend only on
// the step (bias corrections, ...) are computed by the optimiser on the host in double and passed
// in, so a CUDA kernel registered for the same table sees the same arguments.
//
// The per-element arithmetic follows the order of PyTorch's single-tensor CPU implementation
// (torch/optim/*.py with ATen's lerp/addcmul/addcdiv), so trajectories agree to rounding.
#pragma once

#include <cstdint>

#include "kernels/dispatch.h"
#include "kernels/optim_args.h"

namespace fluxion::kernels {

using SGDStepFn = void (*)(const SGDKernelArgs&);
using AdamStepFn = void (*)(const AdamKernelArgs&);
using RMSpropStepFn = void (*)(const RMSpropKernelArgs&);
using AdagradStepFn = void (*)(const AdagradKernelArgs&);
using AdadeltaStepFn = void (*)(const AdadeltaKernelArgs&);
using AdamaxStepFn = void (*)(const AdamaxKernelArgs&);
using NAdamStepFn = void (*)(const NAdamKernelArgs&);
using RAdamStepFn = void (*)(const RAdamKernelArgs&);

/// Keyed by the parameter's device and dtype.
FX_DECLARE_KERNEL(sgd_step_kernel, SGDStepFn);
FX_DECLARE_KERNEL(adam_step_kernel, AdamStepFn);

/// Multi-tensor SGD and Adam/AdamW steps: `count` parameters of one device and dtype in one call
/// (one kernel launch on CUDA; the CPU runs the single-tensor kernel for each).
using SGDMultiStepFn = void (*)(const SGDKernelArgs* args, int64_t count);
using AdamMultiStepFn = void (*)(const AdamKernelArgs* args, int64_t count);
FX_DECLARE_KERNEL(sgd_multi_step_kernel, SGDMultiStepFn);
FX_DECLARE_KERNEL(adam_multi_step_kernel, AdamMultiStepFn);
FX_DECLARE_KERNEL(rmsprop_step_kernel, RMSpropStepFn);
FX_DECLARE_KERNEL(adagrad_step_kernel, AdagradStepFn);
FX_DECLARE_KERNEL(adadelta_step_kernel, AdadeltaStepFn);
FX_DECLARE_KERNEL(adamax_step_kernel, AdamaxStepFn);
FX_DECLARE_KERNEL(nadam_step_kernel, NAdamStepFn);
FX_DECLARE_KERNEL(radam_step_kernel, RAdamStepFn);

// ---- vector primitives on contiguous buffers (gradient clipping, L-BFGS) ----------------------
/// p-norm of x (p = inf: max |x|, -inf: min |x|, 0: count of nonzeros), accumulated in double.
using VecNormFn = double (*)(const void* x, int64_t n, double p);
/// sum x[i] * y[i], accumulated in double.
using VecDotFn = double (*)(const void* x, const void* y, int64_t n);
/// y[i] += alpha * x[i].
using VecAxpyFn = void (*)(void* y, const void* x, double alpha, int64_t n);
/// y[i] = alpha * x[i] (y may alias x).
using VecScaleFn = void (*)(void* y, const void* x, double alpha, int64_t n);
/// x[i] = clamp(x[i], lo, hi) (NaN stays NaN).
using VecClampFn = void (*)(void* x, double lo, double hi, int64_t n);

FX_DECLARE_KERNEL(vec_norm_kernel, VecNormFn);
FX_DECLARE_KERNEL(vec_dot_kernel, VecDotFn);
FX_DECLARE_KERNEL(vec_axpy_kernel, VecAxpyFn);
FX_DECLARE_KERNEL(vec_scale_kernel, VecScaleFn);
FX_DECLARE_KERNEL(vec_clamp_kernel, VecClampFn);

}  // namespace fluxion::kernels
