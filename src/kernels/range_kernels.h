// Kernel tables for range fills (arange, linspace, logspace) into a contiguous 1-d `out`.
#pragma once

#include "fluxion/tensor.h"
#include "kernels/dispatch.h"

namespace fluxion::kernels {

/// out[i] = start + step * i, computed in the accumulation type (int64 for integers, double
/// for float32/float64, float for float16/bfloat16) as PyTorch does.
using ArangeFn = void (*)(const Tensor& out, const Scalar& start, const Scalar& step);
/// out = steps = out.numel() evenly spaced values from start to end; the second half is
/// computed from `end` backwards so both ends are exact (PyTorch's formula).
using LinspaceFn = void (*)(const Tensor& out, const Scalar& start, const Scalar& end);
/// out[i] = base ** linspace(start, end)[i].
using LogspaceFn = void (*)(const Tensor& out, const Scalar& start, const Scalar& end, double base);

FX_DECLARE_KERNEL(arange_kernel, ArangeFn);
FX_DECLARE_KERNEL(linspace_kernel, LinspaceFn);
FX_DECLARE_KERNEL(logspace_kernel, LogspaceFn);

}  // namespace fluxion::kernels
