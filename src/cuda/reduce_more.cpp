// CUDA registrations of prod, norm, logsumexp, all, any, count_nonzero, var_mean, cumsum and
// cumprod (kernels/reduce_kernels.h). As for sum (kernels.cpp), the reduced dims of the input are
// permuted last and packed into a contiguous rows x cols buffer, and reduce_more.cu reduces each
// row; scans run on the contiguous input viewed as [outer, D, inner].
#include <cmath>

#include "cuda/cuda_check.h"
#include "cuda/iter.h"
#include "cuda/reduce_more_launch.h"
#include "cuda/rows.h"
#include "cuda/via_f32.h"
#include "fluxion/ops/creation.h"
#include "kernels/cpu/copy.h"
#include "kernels/reduce_kernels.h"

namespace fluxion::kernels {
namespace {

namespace cd = ::fluxion::cuda::detail;
namespace kern = ::fluxion::cuda::kern;

using cd::pack_rows;
using cd::Rows;
using cd::scratch_buffer;

template <kern::RowOp kOp>
void reduce_cuda(const Tensor& out, const Tensor& in, const Shape& dims, double arg) {
  constexpr const char* kNames[] = {"prod", "all",  "any",  "count_nonzero", "norm",     "norm",
                                    "norm", "norm", "norm", "norm",          "logsumexp"};
  const char* name = kNames[static_cast<int>(kOp)];
  const int dev = cd::common_cuda_device({&out, &in}, name);
  const kern::Ty t = cd::to_ty(in.dtype());
  FX_CHECK(out.is_contiguous(), name, ": the CUDA kernel expects a contiguous output");
  if (out.numel() == 0) return;
  kern::RowOp op = kOp;
  if (kOp == kern::RowOp::Norm2) {  // the norm table: pick the kind from p
    if (arg == 0)
      op = kern::RowOp::Norm0;
    else if (arg == 1)
      op = kern::RowOp::Norm1;
    else if (arg == 2)
      op = kern::RowOp::Norm2;
    else if (std::isinf(arg))
      op = arg > 0 ? kern::RowOp::NormInf : kern::RowOp::NormNegInf;
    else
      op = kern::RowOp::NormP;
  }
  cd::SetDevice guard(dev);
  const Rows r = pack_rows(in, dims);
  const Tensor scratch = scratch_buffer(kern::reduce_more_scratch_bytes(r.rows, r.cols), in.device());
  kern::reduce_rows_more(r.packed.data_ptr(), out.data_ptr(), r.rows, r.cols, t, op, arg,
                         scratch.defined() ? scratch.data_ptr() : nullptr, cd::current_stream(dev));
}

void var_mean_cuda(const Tensor& var, const Tensor& mean, const Tensor& in, const Shape& dims, double correction,
                   bool take_sqrt) {
  const int dev = cd::common_cuda_device({&var, &mean, &in}, "var");
  const kern::Ty t = cd::to_ty(in.dtype());
  FX_CHECK((!var.defined() || var.is_contiguous()) && (!mean.defined() || mean.is_contiguous()),
           "var: the CUDA kernel expects contiguous outputs");
  const Tensor& ref = var.defined() ? var : mean;
  if (!ref.defined() || ref.numel() == 0) return;
  cd::SetDevice guard(dev);
  const Rows r = pack_rows(in, dims);
  const Tensor scratch = scratch_buffer(kern::reduce_more_scratch_bytes(r.rows, r.cols), in.device());
  kern::var_mean_rows(r.packed.data_ptr(), var.defined() ? var.data_ptr() : nullptr,
                      mean.defined() ? mean.data_ptr() : nullptr, r.rows, r.cols, t, correction, take_sqrt,
                      scratch.defined() ? scratch.data_ptr() : nullptr, cd::current_stream(dev));
}

template <bool kProd>
void scan_cuda(const Tensor& out, const Tensor& in, int64_t dim, bool reverse) {
  const char* name = kProd ? "cumprod" : "cumsum";
  const int dev = cd::common_cuda_device({&out, &in}, name);
  const kern::Ty t = cd::to_ty(in.dtype());
  FX_CHECK(in.is_contiguous() && out.is_contiguous(), name, ": the CUDA kernel expects contiguous tensors");
  if (in.numel() == 0) return;
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < dim; ++d) outer *= in.sizes()[d];
  for (int64_t d = dim + 1; d < in.dim(); ++d) inner *= in.sizes()[d];
  const int64_t D = in.dim() == 0 ? 1 : in.sizes()[dim];
  cd::SetDevice guard(dev);
  kern::scan_dim(in.data_ptr(), out.data_ptr(), outer, D, inner, t, kProd, reverse, cd::current_stream(dev));
}

// float16 / bfloat16: through the float32 kernels (cuda/via_f32.h), so accumulation is in float32
// (double for var/mean and the scans), as the CPU's 16-bit kernels.
void var_mean_via_f32(const Tensor& var, const Tensor& mean, const Tensor& in, const Shape& dims, double correction,
                      bool take_sqrt) {
  cd::Float32Call c;
  var_mean_cuda(c.out(var), c.out(mean), c.in(in), dims, correction, take_sqrt);
  c.finish();
}
template <bool kProd>
void scan_via_f32(const Tensor& out, const Tensor& in, int64_t dim, bool reverse) {
  cd::Float32Call c;
  scan_cuda<kProd>(c.out(out), c.in(in), dim, reverse);
  c.finish();
}

bool register_all() {
  constexpr DeviceType kCuda = DeviceType::CUDA;
  for (DType dt : {kFloat32, kFloat64, kInt64, kInt32, kBool}) {
    prod_kernel.set(kCuda, dt, &reduce_cuda<kern::RowOp::Prod>);
    all_kernel.set(kCuda, dt, &reduce_cuda<kern::RowOp::All>);
    any_kernel.set(kCuda, dt, &reduce_cuda<kern::RowOp::Any>);
    count_nonzero_kernel.set(kCuda, dt, &reduce_cuda<kern::RowOp::CountNonzero>);
    cumsum_kernel.set(kCuda, dt, &scan_cuda<false>);
    cumprod_kernel.set(kCuda, dt, &scan_cuda<true>);
  }
  for (DType dt : {kFloat32, kFloat64}) {
    norm_kernel.set(kCuda, dt, &reduce_cuda<kern::RowOp::Norm2>);  // the kind is chosen from p
    logsumexp_kernel.set(kCuda, dt, &reduce_cuda<kern::RowOp::LogSumExp>);
    var_mean_kernel.set(kCuda, dt, &var_mean_cuda);
  }
  for (DType dt : {kFloat16, kBFloat16}) {
    prod_kernel.set(kCuda, dt, &cd::reduce_via_f32<&reduce_cuda<kern::RowOp::Prod>>);
    all_kernel.set(kCuda, dt, &cd::reduce_via_f32<&reduce_cuda<kern::RowOp::All>>);
    any_kernel.set(kCuda, dt, &cd::reduce_via_f32<&reduce_cuda<kern::RowOp::Any>>);
    count_nonzero_kernel.set(kCuda, dt, &cd::reduce_via_f32<&reduce_cuda<kern::RowOp::CountNonzero>>);
    norm_kernel.set(kCuda, dt, &cd::reduce_via_f32<&reduce_cuda<kern::RowOp::Norm2>>);
    logsumexp_kernel.set(kCuda, dt, &cd::reduce_via_f32<&reduce_cuda<kern::RowOp::LogSumExp>>);
    var_mean_kernel.set(kCuda, dt, &var_mean_via_f32);
    cumsum_kernel.set(kCuda, dt, &scan_via_f32<false>);
    cumprod_kernel.set(kCuda, dt, &scan_via_f32<true>);
  }
  return true;
}
const bool registered = register_all();

}  // namespace
}  // namespace fluxion::kernels
