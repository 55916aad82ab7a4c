// Copy with broadcasting and dtype conversion (dst and src already the same sizes).
#pragma once

#include "fluxion/tensor.h"

namespace fluxion::kernels {

/// dst[i] = cast(src[i]); src must have dst's sizes (use an expanded view to broadcast).
void copy_cpu(const Tensor& dst, const Tensor& src);
/// dst[i] = value for every element.
void fill_cpu(const Tensor& dst, const Scalar& value);

}  // namespace fluxion::kernels

#include "kernels/dispatch.h"
namespace fluxion::kernels {
using CopyFn = void (*)(const Tensor& dst, const Tensor& src);
using FillFn = void (*)(const Tensor& dst, const Scalar& value);
/// Keyed by the destination's device and dtype.
FX_DECLARE_KERNEL(copy_kernel, CopyFn);
FX_DECLARE_KERNEL(fill_kernel, FillFn);
}  // namespace fluxion::kernels
