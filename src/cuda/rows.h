// Host-side helpers shared by the CUDA reduction and sorting registrations: reduced dims packed
// into rows, scratch buffers from the caching allocator.
#pragma once

#include <cstddef>

#include "fluxion/tensor.h"

namespace fluxion::cuda::detail {

// The reduced dims of `in` permuted last and packed into a contiguous rows x cols buffer (`in`
// itself when it already is one).
struct Rows {
  Tensor packed;
  int64_t rows = 1, cols = 1;
};
Rows pack_rows(const Tensor& in, const Shape& dims);

/// A uint8 device buffer of `bytes` (undefined when 0) on the current stream of `device`.
Tensor scratch_buffer(size_t bytes, Device device);

}  // namespace fluxion::cuda::detail
