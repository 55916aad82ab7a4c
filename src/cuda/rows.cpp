// Reduced dims packed into rows and scratch buffers for the CUDA registrations (cuda/rows.h).
#include "cuda/rows.h"

#include <vector>

#include "fluxion/ops/creation.h"
#include "kernels/cpu/copy.h"

namespace fluxion::cuda::detail {

Rows pack_rows(const Tensor& in, const Shape& dims) {
  std::vector<bool> reduced(static_cast<size_t>(in.dim()), false);
  for (int64_t d : dims) reduced[static_cast<size_t>(d)] = true;
  Rows r;
  Shape sizes, strides;
  for (int pass = 0; pass < 2; ++pass)
    for (int64_t d = 0; d < in.dim(); ++d)
      if (reduced[static_cast<size_t>(d)] == (pass == 1)) {
        sizes.push_back(in.sizes()[d]);
        strides.push_back(in.strides()[d]);
        (pass == 1 ? r.cols : r.rows) *= in.sizes()[d];
      }
  const Shape dense = contiguous_strides(sizes);
  bool is_dense = true;
  for (size_t d = 0; d < sizes.size(); ++d) is_dense = is_dense && (sizes[d] == 1 || strides[d] == dense[d]);
  r.packed = in;
  if (!is_dense) {
    r.packed = empty(sizes, in.options());
    const Tensor view(
        std::make_shared<TensorImpl>(in.impl()->storage(), in.storage_offset(), sizes, strides, in.dtype()));
    kernels::copy_kernel.get(DeviceType::CUDA, in.dtype())(r.packed, view);
  }
  return r;
}

Tensor scratch_buffer(size_t bytes, Device device) {
  return bytes ? empty({static_cast<int64_t>(bytes)}, TensorOptions(kUInt8).device(device)) : Tensor();
}

}  // namespace fluxion::cuda::detail
