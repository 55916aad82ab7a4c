// Host side and registration of the CUDA kernels of the nn tables other than convolution
// (kernels/nn_kernels.h): window pooling, the per-plane index scatter, resampling and
// normalisation, float32 and float64. The launchers are in pool.cu and norm.cu (cuda/nn_launch.h).
//
// Pooling and resampling tables (PoolWindows, ResampleTables) are packed into one int64 host
// tensor (the double tables by bit pattern), pinned, and copied to the device asynchronously on
// the current stream; the pinned cache does not reuse the block before the copy has completed,
// and the device copy returns to the caching allocator in stream order.
#include <cstring>
#include <vector>

#include "cuda/context.h"
#include "cuda/cuda_check.h"
#include "cuda/iter.h"
#include "cuda/nn_launch.h"
#include "fluxion/ops/creation.h"
#include "kernels/nn_kernels.h"

namespace fluxion::kernels {
namespace {

namespace cd = ::fluxion::cuda::detail;
namespace kern = ::fluxion::cuda::kern;

kern::Ty ty_of(DType dt, const char* what) {
  FX_CHECK(dt == kFloat32 || dt == kFloat64, what, ": not implemented on CUDA for dtype ", dtype_name(dt));
  return dt == kFloat32 ? kern::Ty::F32 : kern::Ty::F64;
}

void check_contiguous(std::initializer_list<const Tensor*> ts, const char* what) {
  for (const Tensor* t : ts)
    FX_CHECK(!t->defined() || t->is_contiguous(), what, ": the CUDA kernel expects contiguous tensors");
}

void* mptr(const Tensor& t) { return t.defined() ? t.data_ptr() : nullptr; }

// ---- table upload ---------------------------------------------------------------------------------

// Tables packed back to back into int64 slots; device() uploads them and returns the device
// buffer, whose base + offset(k) is table k.
class Tables {
 public:
  size_t add(const std::vector<int64_t>& v) {
    const size_t off = data_.size();
    data_.insert(data_.end(), v.begin(), v.end());
    return off;
  }
  size_t add(const std::vector<double>& v) {
    static_assert(sizeof(double) == sizeof(int64_t));
    const size_t off = data_.size();
    data_.resize(off + v.size());
    if (!v.empty()) std::memcpy(data_.data() + off, v.data(), v.size() * sizeof(double));
    return off;
  }
  Tensor device(int dev) const {
    Tensor host = empty({static_cast<int64_t>(std::max<size_t>(data_.size(), 1))}, TensorOptions(kInt64));
    if (!data_.empty()) std::memcpy(host.data_ptr(), data_.data(), data_.size() * sizeof(int64_t));
    return host.pin_memory().to(Device(kCUDA, dev), /*non_blocking=*/true);
  }

 private:
  std::vector<int64_t> data_;
};

void check_size(const std::vector<int64_t>& v, int64_t n, const char* what, const char* table) {
  FX_CHECK(static_cast<int64_t>(v.size()) == n, what, ": table ", table, " has ", v.size(), " entries, expected ", n);
}
void check_size(const std::vector<double>& v, int64_t n, const char* what, const char* table) {
  FX_CHECK(static_cast<int64_t>(v.size()) == n, what, ": table ", table, " has ", v.size(), " entries, expected ", n);
}

// The device descriptor of win over P planes; `keep` holds the uploaded tables.
kern::PoolDesc pool_desc(const PoolWindows& win, int64_t P, int dev, bool need_div, const char* what, Tensor& keep) {
  check_size(win.h_first, win.OH, what, "h_first");
  check_size(win.h_count, win.OH, what, "h_count");
  check_size(win.w_first, win.OW, what, "w_first");
  check_size(win.w_count, win.OW, what, "w_count");
  const bool divs = need_div && win.divisor_override <= 0;
  if (divs) {
    check_size(win.h_div, win.OH, what, "h_div");
    check_size(win.w_div, win.OW, what, "w_div");
  }
  Tables t;
  const size_t hf = t.add(win.h_first), hc = t.add(win.h_count), wf = t.add(win.w_first), wc = t.add(win.w_count);
  const size_t hd = divs ? t.add(win.h_div) : 0, wd = divs ? t.add(win.w_div) : 0;
  keep = t.device(dev);
  const int64_t* base = static_cast<const int64_t*>(keep.data_ptr());
  kern::PoolDesc d;
  d.P = P;
  d.H = win.H;
  d.W = win.W;
  d.OH = win.OH;
  d.OW = win.OW;
  d.h_step = win.h_step;
  d.w_step = win.w_step;
  d.h_first = base + hf;
  d.h_count = base + hc;
  d.w_first = base + wf;
  d.w_count = base + wc;
  d.h_div = divs ? reinterpret_cast<const double*>(base + hd) : nullptr;
  d.w_div = divs ? reinterpret_cast<const double*>(base + wd) : nullptr;
  d.divisor_override = win.divisor_override;
  return d;
}

int64_t planes(const Tensor& t, int64_t H, int64_t W) { return H * W == 0 ? 0 : t.numel() / (H * W); }

// ---- pooling --------------------------------------------------------------------------------------

void max_pool_cuda(const Tensor& x, const Tensor& y, const Tensor& idx, const PoolWindows& win) {
  const char* what = "max_pool";
  const int dev = cd::common_cuda_device({&x, &y, &idx}, what);
  check_contiguous({&x, &y, &idx}, what);
  FX_CHECK(idx.dtype() == kInt64, what, ": expected int64 indices");
  const int64_t P = planes(x, win.H, win.W);
  if (P * win.OH * win.OW == 0) return;
  cd::SetDevice guard(dev);
  Tensor keep;
  const kern::PoolDesc d = pool_desc(win, P, dev, false, what, keep);
  kern::max_pool(x.data_ptr(), y.data_ptr(), static_cast<int64_t*>(idx.data_ptr()), d, ty_of(x.dtype(), what),
                 cd::current_stream(dev));
}

void avg_pool_forward_cuda(const Tensor& x, const Tensor& y, const PoolWindows& win) {
  const char* what = "avg_pool";
  const int dev = cd::common_cuda_device({&x, &y}, what);
  check_contiguous({&x, &y}, what);
  const int64_t P = planes(x, win.H, win.W);
  if (P * win.OH * win.OW == 0) return;
  cd::SetDevice guard(dev);
  Tensor keep;
  const kern::PoolDesc d = pool_desc(win, P, dev, true, what, keep);
  kern::avg_pool_forward(x.data_ptr(), y.data_ptr(), d, ty_of(x.dtype(), what), cd::current_stream(dev));
}

void avg_pool_backward_cuda(const Tensor& gy, const Tensor& gx, const PoolWindows& win) {
  const char* what = "avg_pool_backward";
  const int dev = cd::common_cuda_device({&gy, &gx}, what);
  check_contiguous({&gy, &gx}, what);
  const int64_t P = planes(gx, win.H, win.W);
  if (gx.numel() == 0) return;
  cd::SetDevice guard(dev);
  Tensor keep;
  const kern::PoolDesc d = pool_desc(win, P, dev, true, what, keep);
  kern::avg_pool_backward(gy.data_ptr(), gx.data_ptr(), d, ty_of(gx.dtype(), what), cd::current_stream(dev));
}

// The range check of the indices happens in the kernel (nothing out of range is written); the
// flag is read back after the launch, which synchronises the stream, to throw the CPU's error.
void plane_scatter_cuda(const Tensor& src, const Tensor& idx, const Tensor& out, bool accumulate, const char* op) {
  const int dev = cd::common_cuda_device({&src, &idx, &out}, op);
  check_contiguous({&src, &idx, &out}, op);
  FX_CHECK(idx.dtype() == kInt64, op, ": expected int64 indices");
  const int64_t P = src.dim() == 0 ? 1 : src.size(0);
  const int64_t L = P == 0 ? 0 : src.numel() / P;
  const int64_t M = P == 0 ? 0 : out.numel() / P;
  if (P * L == 0) return;
  cd::SetDevice guard(dev);
  const cudaStream_t s = cd::current_stream(dev);
  const Tensor bad = empty({2}, TensorOptions(kInt64).device(Device(kCUDA, dev)));
  FX_CUDA_CHECK(cudaMemsetAsync(bad.data_ptr(), 0, 2 * sizeof(int64_t), s));
  kern::plane_scatter(src.data_ptr(), static_cast<const int64_t*>(idx.data_ptr()), out.data_ptr(), P, L, M, accumulate,
                      static_cast<unsigned long long*>(bad.data_ptr()), ty_of(src.dtype(), op), s);
  int64_t host[2] = {0, 0};
  FX_CUDA_CHECK(cudaMemcpyAsync(host, bad.data_ptr(), sizeof(host), cudaMemcpyDeviceToHost, s));
  FX_CUDA_CHECK(cudaStreamSynchronize(s));
  FX_CHECK(host[0] == 0, op, ": index ", host[1], " is out of bounds for an output plane of ", M, " elements");
}

// ---- resampling -----------------------------------------------------------------------------------

kern::ResampleDesc resample_desc(const ResampleTables& tb, int64_t P, int dev, const char* what, Tensor& keep) {
  check_size(tb.h0, tb.OH, what, "h0");
  check_size(tb.h1, tb.OH, what, "h1");
  check_size(tb.w0, tb.OW, what, "w0");
  check_size(tb.w1, tb.OW, what, "w1");
  check_size(tb.h_lambda, tb.OH, what, "h_lambda");
  check_size(tb.w_lambda, tb.OW, what, "w_lambda");
  Tables t;
  const size_t h0 = t.add(tb.h0), h1 = t.add(tb.h1), w0 = t.add(tb.w0), w1 = t.add(tb.w1);
  const size_t hl = t.add(tb.h_lambda), wl = t.add(tb.w_lambda);
  keep = t.device(dev);
  const int64_t* base = static_cast<const int64_t*>(keep.data_ptr());
  kern::ResampleDesc d;
  d.P = P;
  d.H = tb.H;
  d.W = tb.W;
  d.OH = tb.OH;
  d.OW = tb.OW;
  d.h0 = base + h0;
  d.h1 = base + h1;
  d.w0 = base + w0;
  d.w1 = base + w1;
  d.h_lambda = reinterpret_cast<const double*>(base + hl);
  d.w_lambda = reinterpret_cast<const double*>(base + wl);
  return d;
}

void resample_forward_cuda(const Tensor& x, const Tensor& y, const ResampleTables& tb) {
  const char* what = "interpolate";
  const int dev = cd::common_cuda_device({&x, &y}, what);
  check_contiguous({&x, &y}, what);
  const int64_t P = planes(x, tb.H, tb.W);
  if (P * tb.OH * tb.OW == 0) return;
  cd::SetDevice guard(dev);
  Tensor keep;
  const kern::ResampleDesc d = resample_desc(tb, P, dev, what, keep);
  kern::resample_forward(x.data_ptr(), y.data_ptr(), d, ty_of(x.dtype(), what), cd::current_stream(dev));
}

void resample_backward_cuda(const Tensor& gy, const Tensor& gx, const ResampleTables& tb) {
  const char* what = "interpolate_backward";
  const int dev = cd::common_cuda_device({&gy, &gx}, what);
  check_contiguous({&gy, &gx}, what);
  const int64_t P = planes(gx, tb.H, tb.W);
  if (gx.numel() == 0) return;
  cd::SetDevice guard(dev);
  Tensor keep;
  const kern::ResampleDesc d = resample_desc(tb, P, dev, what, keep);
  kern::resample_backward(gy.data_ptr(), gx.data_ptr(), d, ty_of(gx.dtype(), what), cd::current_stream(dev));
}

// ---- normalisation --------------------------------------------------------------------------------

// A device buffer of `bytes` bytes (8-byte aligned: float64 elements), or undefined for 0.
Tensor scratch_of(size_t bytes, int dev) {
  if (bytes == 0) return Tensor();
  const int64_t n = static_cast<int64_t>((bytes + sizeof(double) - 1) / sizeof(double));
  return empty({n}, TensorOptions(kFloat64).device(Device(kCUDA, dev)));
}

void norm_stats_cuda(const Tensor& x, const Tensor& mean, const Tensor& var, int64_t A, int64_t C, int64_t B) {
  const char* what = "norm_stats";
  const int dev = cd::common_cuda_device({&x, &mean, &var}, what);
  check_contiguous({&x, &mean, &var}, what);
  if (C == 0) return;
  cd::SetDevice guard(dev);
  const Tensor scratch = scratch_of(kern::norm_stats_scratch_bytes(A, C, B), dev);
  kern::norm_stats(x.data_ptr(), mean.data_ptr(), var.data_ptr(), A, C, B, mptr(scratch), ty_of(x.dtype(), what),
                   cd::current_stream(dev));
}

void norm_apply_cuda(const Tensor& x, const Tensor& mean, const Tensor& rstd, const Tensor& weight, const Tensor& bias,
                     const Tensor& y, int64_t A, int64_t C, int64_t B) {
  const char* what = "norm_apply";
  const int dev = cd::common_cuda_device({&x, &mean, &rstd, &weight, &bias, &y}, what);
  check_contiguous({&x, &mean, &rstd, &weight, &bias, &y}, what);
  if (A * C * B == 0) return;
  cd::SetDevice guard(dev);
  kern::norm_apply(x.data_ptr(), mean.data_ptr(), rstd.data_ptr(), mptr(weight), mptr(bias), y.data_ptr(), A, C, B,
                   ty_of(x.dtype(), what), cd::current_stream(dev));
}

void norm_backward_cuda(const Tensor& gy, const Tensor& x, const Tensor& mean, const Tensor& rstd, const Tensor& weight,
                        const Tensor& gx, const Tensor& gw, const Tensor& gb, int64_t A, int64_t C, int64_t B,
                        bool stats_are_constant) {
  const char* what = "norm_backward";
  const int dev = cd::common_cuda_device({&gy, &x, &mean, &rstd, &weight, &gx, &gw, &gb}, what);
  check_contiguous({&gy, &x, &mean, &rstd, &weight, &gx, &gw, &gb}, what);
  if (C == 0 || (!gx.defined() && !gw.defined() && !gb.defined())) return;
  cd::SetDevice guard(dev);
  const Tensor scratch = scratch_of(kern::norm_backward_scratch_bytes(A, C, B), dev);
  kern::norm_backward(gy.data_ptr(), x.data_ptr(), mean.data_ptr(), rstd.data_ptr(), mptr(weight), mptr(gx), mptr(gw),
                      mptr(gb), A, C, B, stats_are_constant, scratch.data_ptr(), ty_of(gy.dtype(), what),
                      cd::current_stream(dev));
}

}  // namespace

#define FX_CUDA_REG2(table, fn)                                    \
  FX_REGISTER_KERNEL(table, DeviceType::CUDA, DType::Float32, fn); \
  FX_REGISTER_KERNEL(table, DeviceType::CUDA, DType::Float64, fn)
FX_CUDA_REG2(max_pool_kernel, &max_pool_cuda);
FX_CUDA_REG2(avg_pool_forward_kernel, &avg_pool_forward_cuda);
FX_CUDA_REG2(avg_pool_backward_kernel, &avg_pool_backward_cuda);
FX_CUDA_REG2(plane_scatter_kernel, &plane_scatter_cuda);
FX_CUDA_REG2(resample_forward_kernel, &resample_forward_cuda);
FX_CUDA_REG2(resample_backward_kernel, &resample_backward_cuda);
FX_CUDA_REG2(norm_stats_kernel, &norm_stats_cuda);
FX_CUDA_REG2(norm_apply_kernel, &norm_apply_cuda);
FX_CUDA_REG2(norm_backward_kernel, &norm_backward_cuda);
#undef FX_CUDA_REG2

}  // namespace fluxion::kernels
