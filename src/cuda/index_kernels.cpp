// CUDA registrations of the indexing and sorting kernel tables (kernels/index_kernels.h): the
// host side turns tensors into the plain descriptors of index_launch.h; kernels run on the
// current stream of the tensors' device.
//
// Synchronisations: index_offsets_kernel copies a 16-byte status back after its launch (an
// out-of-range index must throw the CPU's fluxion::Error), nonzero_kernel copies the per-chunk
// counts back and unique_kernel the number of groups (the output sizes depend on them).
#include <cstring>
#include <vector>

#include "cuda/cuda_check.h"
#include "cuda/index_launch.h"
#include "cuda/iter.h"
#include "cuda/rows.h"
#include "fluxion/ops/creation.h"
#include "kernels/cpu/copy.h"
#include "kernels/index_kernels.h"

namespace fluxion::kernels {
namespace {

namespace cd = ::fluxion::cuda::detail;
namespace kern = ::fluxion::cuda::kern;

static_assert(static_cast<int>(PutMode::Assign) == static_cast<int>(kern::PutOp::Assign));
static_assert(static_cast<int>(PutMode::Add) == static_cast<int>(kern::PutOp::Add));
static_assert(static_cast<int>(PutMode::Mul) == static_cast<int>(kern::PutOp::Mul));
static_assert(static_cast<int>(PutMode::Max) == static_cast<int>(kern::PutOp::Max));
static_assert(static_cast<int>(PutMode::Min) == static_cast<int>(kern::PutOp::Min));

using cd::scratch_buffer;

Tensor view_of(const Tensor& t, const Shape& sizes, const Shape& strides) {
  return Tensor(std::make_shared<TensorImpl>(t.impl()->storage(), t.storage_offset(), sizes, strides, t.dtype()));
}

// Same-dtype device copy through the CUDA copy kernel (no autograd, any strides).
void copy_into(const Tensor& dst, const Tensor& src) { copy_kernel.get(DeviceType::CUDA, dst.dtype())(dst, src); }

bool is_dense(const Tensor& t) {
  const Shape dense = contiguous_strides(t.sizes());
  for (int64_t d = 0; d < t.dim(); ++d)
    if (t.sizes()[d] != 1 && t.strides()[d] != dense[d]) return false;
  return true;
}

// t with `dim` moved last (a 0-d tensor as one element of a 1-d view).
Tensor dim_last(const Tensor& t, int64_t dim) {
  if (t.dim() == 0) return view_of(t, Shape{1}, Shape{1});
  Shape sizes, strides;
  for (int64_t d = 0; d < t.dim(); ++d)
    if (d != dim) {
      sizes.push_back(t.sizes()[d]);
      strides.push_back(t.strides()[d]);
    }
  sizes.push_back(t.sizes()[dim]);
  strides.push_back(t.strides()[dim]);
  return view_of(t, sizes, strides);
}

// A dense tensor with v's sizes and values: v itself or a packed copy.
Tensor packed(const Tensor& v) {
  if (is_dense(v)) return v;
  Tensor p = empty(v.sizes(), v.options());
  copy_into(p, v);
  return p;
}

// ---- gather / scatter ------------------------------------------------------------------------

void index_offsets_cuda(const Tensor& off, const Tensor& idx, int64_t size, int64_t stride, int64_t dim,
                        bool wrap_negative, const char* op) {
  const int dev = cd::common_cuda_device({&off, &idx}, op);
  if (off.numel() == 0) return;
  cd::SetDevice guard(dev);
  const cudaStream_t s = cd::current_stream(dev);
  const Tensor status = empty({2}, TensorOptions(kInt64).device(off.device()));
  FX_CUDA_CHECK(cudaMemsetAsync(status.data_ptr(), 0, 2 * sizeof(int64_t), s));
  kern::index_offsets(cd::strided_of<2>({&off, &idx}), off.numel(), idx.dtype() == kInt32, size, stride, wrap_negative,
                      static_cast<int64_t*>(status.data_ptr()), s);
  int64_t host[2] = {0, 0};
  FX_CUDA_CHECK(cudaMemcpyAsync(host, status.data_ptr(), sizeof(host), cudaMemcpyDeviceToHost, s));
  FX_CUDA_CHECK(cudaStreamSynchronize(s));
  if (host[0] != 0) FX_FAIL(op, ": index ", host[1], " is out of bounds for dimension ", dim, " with size ", size);
}

void index_gather_cuda(const Tensor& out, const Tensor& src, const Tensor& off) {
  const int dev = cd::common_cuda_device({&out, &src, &off}, "index");
  if (out.numel() == 0) return;
  cd::SetDevice guard(dev);
  kern::index_gather(cd::strided_of<3>({&out, &src, &off}), out.numel(), static_cast<int>(out.element_size()),
                     cd::current_stream(dev));
}

void index_put_cuda(const Tensor& self, const Tensor& values, const Tensor& off, PutMode mode) {
  const int dev = cd::common_cuda_device({&self, &values, &off}, "index_put");
  if (self.numel() == 0) return;
  const kern::Ty t = cd::to_ty(self.dtype());
  cd::SetDevice guard(dev);
  kern::index_put(cd::strided_of<3>({&self, &values, &off}), self.numel(), t, static_cast<kern::PutOp>(mode),
                  cd::current_stream(dev));
}

// ---- nonzero / tril / triu -------------------------------------------------------------------

Tensor nonzero_cuda(const Tensor& x) {
  const int dev = cd::common_cuda_device({&x}, "nonzero");
  const kern::Ty t = cd::to_ty(x.dtype());
  const int64_t n = x.numel(), nd = x.dim();
  FX_CHECK(nd <= 16, "nonzero: at most 16 dimensions are supported on CUDA (got ", nd, ")");
  const int64_t chunks = (n + kern::kNonzeroChunk - 1) / kern::kNonzeroChunk;
  FX_CHECK(chunks < (int64_t{1} << 31), "nonzero: the input is too large for the CUDA kernel (", n, " elements)");
  cd::SetDevice guard(dev);
  const cudaStream_t s = cd::current_stream(dev);
  if (chunks == 0) return empty({0, nd}, TensorOptions(kInt64).device(x.device()));
  const kern::Strided<1> it = cd::strided_of<1>({&x});
  const Tensor counts = empty({chunks}, TensorOptions(kInt64).device(x.device()));
  auto* cp = static_cast<int64_t*>(counts.data_ptr());
  kern::nonzero_count(it, n, t, cp, s);
  std::vector<int64_t> host(static_cast<size_t>(chunks));
  FX_CUDA_CHECK(cudaMemcpyAsync(host.data(), cp, host.size() * sizeof(int64_t), cudaMemcpyDeviceToHost, s));
  FX_CUDA_CHECK(cudaStreamSynchronize(s));
  int64_t total = 0;
  for (int64_t& c : host) {  // counts -> exclusive offsets
    const int64_t v = c;
    c = total;
    total += v;
  }
  Tensor out = empty({total, nd}, TensorOptions(kInt64).device(x.device()));
  if (total == 0 || nd == 0) return out;
  // Pageable source: cudaMemcpyAsync returns once `host` has been staged, so it may go away.
  FX_CUDA_CHECK(cudaMemcpyAsync(cp, host.data(), host.size() * sizeof(int64_t), cudaMemcpyHostToDevice, s));
  kern::NzShape shape;
  shape.nd = static_cast<int>(nd);
  for (int64_t d = 0; d < nd; ++d) shape.sizes[d] = x.sizes()[d];
  kern::nonzero_write(it, n, t, shape, cp, static_cast<int64_t*>(out.data_ptr()), s);
  return out;
}

void tri_cuda(const Tensor& out, const Tensor& x, int64_t diagonal, bool upper) {
  const int dev = cd::common_cuda_device({&out, &x}, upper ? "triu" : "tril");
  if (out.numel() == 0) return;
  FX_CHECK(out.is_contiguous(), "tril/triu: the CUDA kernel expects a contiguous output");
  const int64_t nd = x.dim();
  cd::SetDevice guard(dev);
  kern::tri(cd::strided_of<2>({&out, &x}), out.numel(), x.sizes()[nd - 2], x.sizes()[nd - 1], diagonal, upper,
            static_cast<int>(out.element_size()), cd::current_stream(dev));
}

// ---- sort / topk / searchsorted / unique -----------------------------------------------------

struct Sorted {
  Tensor values, cols;  // dense, sizes of dim_last(x, dim)
  bool direct = false;  // values/cols are the caller's outputs
};

// Sorts the rows of x along dim into fresh dense buffers (values optional), or straight into
// values/indices when both already are dense with dim last.
Sorted sort_into(const Tensor& x, int64_t dim, bool descending, const Tensor& values, const Tensor& indices,
                 bool want_values, int dev) {
  const kern::Ty t = cd::to_ty(x.dtype());
  const Tensor xl = packed(dim_last(x, dim));
  const int64_t n = xl.sizes().back(), rows = n == 0 ? 0 : xl.numel() / n;
  Sorted r;
  if (values.defined() && is_dense(dim_last(values, dim)) && is_dense(dim_last(indices, dim))) {
    r.values = dim_last(values, dim);
    r.cols = dim_last(indices, dim);
    r.direct = true;
  } else {
    if (want_values) r.values = empty(xl.sizes(), xl.options());
    r.cols = empty(xl.sizes(), TensorOptions(kInt64).device(x.device()));
  }
  const cudaStream_t s = cd::current_stream(dev);
  const Tensor scratch = scratch_buffer(kern::sort_scratch_bytes(rows, n, t), x.device());
  kern::sort_rows(xl.data_ptr(), r.values.defined() ? r.values.data_ptr() : nullptr,
                  static_cast<int64_t*>(r.cols.data_ptr()), rows, n, t, descending,
                  scratch.defined() ? scratch.data_ptr() : nullptr, s);
  return r;
}

void sort_cuda(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t dim, bool descending) {
  const int dev = cd::common_cuda_device({&values, &indices, &x}, "sort");
  if (x.numel() == 0) return;
  cd::SetDevice guard(dev);
  const Sorted r = sort_into(x, dim, descending, values, indices, true, dev);
  if (!r.direct) {
    copy_into(dim_last(values, dim), r.values);
    copy_into(dim_last(indices, dim), r.cols);
  }
}

void topk_cuda(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t k, int64_t dim, bool largest) {
  const int dev = cd::common_cuda_device({&values, &indices, &x}, "topk");
  if (values.numel() == 0 || k == 0) return;  // k == 0 of a 0-d input: nothing to take (as the CPU)
  cd::SetDevice guard(dev);
  // Sort the whole row (descending for the largest), then take the first k columns.
  const Sorted r = sort_into(x, dim, largest, Tensor(), Tensor(), true, dev);
  Shape sizes = r.values.sizes();
  const Shape strides = contiguous_strides(sizes);
  sizes.back() = k;
  copy_into(dim_last(values, dim), view_of(r.values, sizes, strides));
  copy_into(dim_last(indices, dim), view_of(r.cols, sizes, strides));
}

void searchsorted_cuda(const Tensor& out, const Tensor& seq, const Tensor& values, bool right) {
  const int dev = cd::common_cuda_device({&out, &seq, &values}, "searchsorted");
  if (out.numel() == 0) return;
  const kern::Ty t = cd::to_ty(values.dtype());
  FX_CHECK(out.is_contiguous() && seq.is_contiguous() && values.is_contiguous(),
           "searchsorted: the CUDA kernel expects contiguous tensors");
  cd::SetDevice guard(dev);
  kern::searchsorted(seq.data_ptr(), values.data_ptr(), out.data_ptr(), out.dtype() == kInt32, values.sizes()[0],
                     values.sizes()[1], seq.sizes()[1], seq.sizes()[0] == 1, t, right, cd::current_stream(dev));
}

// unique on the device (sort.cu): one synchronisation to learn the number of groups.
UniqueResult unique_cuda(const Tensor& rows) {
  const int dev = cd::common_cuda_device({&rows}, "unique");
  const kern::Ty t = cd::to_ty(rows.dtype());
  FX_CHECK(rows.dim() == 2 && rows.is_contiguous(), "unique: the CUDA kernel expects a contiguous (n, m) tensor");
  const int64_t n = rows.sizes()[0], m = rows.sizes()[1];
  cd::SetDevice guard(dev);
  const cudaStream_t s = cd::current_stream(dev);
  const TensorOptions i64 = TensorOptions(kInt64).device(rows.device());
  UniqueResult r;
  r.inverse = empty({n}, i64);
  const Tensor scratch = scratch_buffer(kern::unique_scratch_bytes(n, t), rows.device());
  void* sp = scratch.defined() ? scratch.data_ptr() : nullptr;
  const int64_t u = kern::unique_sort(rows.data_ptr(), n, m, t, static_cast<int64_t*>(r.inverse.data_ptr()), sp, s);
  r.values = empty({u, m}, rows.options());
  r.counts = empty({u}, i64);
  kern::unique_finish(rows.data_ptr(), n, m, u, t, r.values.data_ptr(), static_cast<int64_t*>(r.counts.data_ptr()), sp,
                      s);
  return r;
}

// The dtypes without CUDA arithmetic (int8, uint8): the rows go to the host,
// the CPU kernel groups them and the results come back.
UniqueResult unique_via_host(const Tensor& rows) {
  cd::common_cuda_device({&rows}, "unique");
  Tensor h = empty(rows.sizes(), TensorOptions(rows.dtype()));
  h.copy_(rows);
  const UniqueResult c = unique_kernel.get(DeviceType::CPU, rows.dtype())(h);
  UniqueResult r;
  r.values = c.values.to(rows.device());
  r.inverse = c.inverse.to(rows.device());
  r.counts = c.counts.to(rows.device());
  return r;
}

bool register_all() {
  constexpr DeviceType kCuda = DeviceType::CUDA;
  index_offsets_kernel.set(kCuda, kInt64, &index_offsets_cuda);
  index_offsets_kernel.set(kCuda, kInt32, &index_offsets_cuda);
  for (int d = 0; d < kNumDTypes; ++d) {
    const DType dt = static_cast<DType>(d);
    index_gather_kernel.set(kCuda, dt, &index_gather_cuda);  // by element size
    tri_kernel.set(kCuda, dt, &tri_cuda);                    // by element size (zero = all bits 0)
  }
  for (DType dt : {kFloat32, kFloat64, kInt64, kInt32, kBool, kFloat16, kBFloat16}) {
    index_put_kernel.set(kCuda, dt, &index_put_cuda);
    nonzero_kernel.set(kCuda, dt, &nonzero_cuda);
    sort_kernel.set(kCuda, dt, &sort_cuda);
    topk_kernel.set(kCuda, dt, &topk_cuda);
    unique_kernel.set(kCuda, dt, &unique_cuda);
    if (dt != kBool) searchsorted_kernel.set(kCuda, dt, &searchsorted_cuda);
  }
  for (DType dt : {kInt8, kUInt8}) unique_kernel.set(kCuda, dt, &unique_via_host);
  return true;
}
const bool registered = register_all();

}  // namespace
}  // namespace fluxion::kernels
