// CUDA registrations of the optimiser tables (kernels/optim_kernels.h): the fused update rules
// and the vector primitives of gradient clipping and L-BFGS. The optimisers hand raw pointers,
// so the device is looked up from the parameter's address.
#include <cmath>
#include <limits>

#include "cuda/cuda_check.h"
#include "cuda/iter.h"
#include "cuda/optim_launch.h"
#include "fluxion/ops/creation.h"
#include "kernels/optim_kernels.h"

namespace fluxion::kernels {
namespace {

namespace cd = ::fluxion::cuda::detail;
namespace kern = ::fluxion::cuda::kern;

int device_of(const void* p, const char* what) {
  cudaPointerAttributes attr{};
  FX_CUDA_CHECK(cudaPointerGetAttributes(&attr, p));
  FX_CHECK(attr.type == cudaMemoryTypeDevice, what, ": a CUDA kernel got a buffer that is not in device memory");
  return attr.device;
}

// Runs launcher(args, ty, stream) on the parameter's device and current stream.
template <DType kDt, class Args, class Launcher>
void run_step(const Args& a, Launcher launcher, const char* what) {
  if (a.n == 0) return;
  const int dev = device_of(a.param, what);
  cd::SetDevice guard(dev);
  launcher(a, cd::to_ty(kDt), cd::current_stream(dev));
}

template <DType kDt>
void sgd_cuda(const SGDKernelArgs& a) {
  run_step<kDt>(a, kern::sgd_step, "SGD");
}
template <DType kDt>
void adam_cuda(const AdamKernelArgs& a) {
  run_step<kDt>(a, kern::adam_step, "Adam");
}
template <DType kDt>
void rmsprop_cuda(const RMSpropKernelArgs& a) {
  run_step<kDt>(a, kern::rmsprop_step, "RMSprop");
}
template <DType kDt>
void adagrad_cuda(const AdagradKernelArgs& a) {
  run_step<kDt>(a, kern::adagrad_step, "Adagrad");
}
template <DType kDt>
void adadelta_cuda(const AdadeltaKernelArgs& a) {
  run_step<kDt>(a, kern::adadelta_step, "Adadelta");
}
template <DType kDt>
void adamax_cuda(const AdamaxKernelArgs& a) {
  run_step<kDt>(a, kern::adamax_step, "Adamax");
}
template <DType kDt>
void nadam_cuda(const NAdamKernelArgs& a) {
  run_step<kDt>(a, kern::nadam_step, "NAdam");
}
template <DType kDt>
void radam_cuda(const RAdamKernelArgs& a) {
  run_step<kDt>(a, kern::radam_step, "RAdam");
}

// Multi-tensor steps: one launch for all parameters (they share the device and dtype: the
// optimiser groups them so); the descriptors go into a scratch buffer from the caching allocator.
template <DType kDt, class Args, class Launcher>
void run_multi(const Args* a, int64_t count, Launcher launcher, const char* what) {
  if (count == 0) return;
  const int dev = device_of(a[0].param, what);
  cd::SetDevice guard(dev);
  const Tensor scratch = empty({static_cast<int64_t>(kern::multi_step_bytes(count))},
                               TensorOptions(kUInt8).device(Device(DeviceType::CUDA, dev)));
  launcher(a, count, cd::to_ty(kDt), scratch.data_ptr(), cd::current_stream(dev));
}
template <DType kDt>
void sgd_multi_cuda(const SGDKernelArgs* a, int64_t count) {
  run_multi<kDt>(a, count, kern::sgd_multi_step, "SGD");
}
template <DType kDt>
void adam_multi_cuda(const AdamKernelArgs* a, int64_t count) {
  run_multi<kDt>(a, count, kern::adam_multi_step, "Adam");
}

// The fold of x (and y) into one double, copied back to the host (the callers need the value).
double reduce_to_host(const void* x, const void* y, int64_t n, kern::Ty t, kern::VecReduce op, double p) {
  const int dev = device_of(x, "vector reduction");
  cd::SetDevice guard(dev);
  const Tensor scratch =
      empty({kern::vec_reduce_blocks(n) + 1}, TensorOptions(kFloat64).device(Device(DeviceType::CUDA, dev)));
  double* partial = scratch.data_ptr<double>();
  const cudaStream_t s = cd::current_stream(dev);
  kern::vec_reduce(x, y, n, t, op, p, partial + 1, partial, s);
  double result = 0;
  FX_CUDA_CHECK(cudaMemcpyAsync(&result, partial, sizeof(double), cudaMemcpyDeviceToHost, s));
  FX_CUDA_CHECK(cudaStreamSynchronize(s));
  return result;
}

template <DType kDt>
double norm_cuda(const void* x, int64_t n, double p) {
  const kern::Ty t = cd::to_ty(kDt);
  using R = kern::VecReduce;
  if (std::isinf(p)) {
    if (p < 0 && n == 0) return std::numeric_limits<double>::infinity();
    return n == 0 ? 0.0 : reduce_to_host(x, nullptr, n, t, p > 0 ? R::MaxAbs : R::MinAbs, p);
  }
  if (n == 0) return 0.0;
  if (p == 0) return reduce_to_host(x, nullptr, n, t, R::Count, p);
  if (p == 1) return reduce_to_host(x, nullptr, n, t, R::SumAbs, p);
  if (p == 2) return std::sqrt(reduce_to_host(x, nullptr, n, t, R::SumSquares, p));
  return std::pow(reduce_to_host(x, nullptr, n, t, R::SumAbsPow, p), 1.0 / p);
}

template <DType kDt>
double dot_cuda(const void* x, const void* y, int64_t n) {
  if (n == 0) return 0.0;
  return reduce_to_host(x, y, n, cd::to_ty(kDt), kern::VecReduce::Dot, 0);
}

template <DType kDt>
void axpy_cuda(void* y, const void* x, double alpha, int64_t n) {
  if (n == 0) return;
  const int dev = device_of(y, "vector axpy");
  cd::SetDevice guard(dev);
  kern::vec_axpy(y, x, alpha, n, cd::to_ty(kDt), false, cd::current_stream(dev));
}

template <DType kDt>
void scale_cuda(void* y, const void* x, double alpha, int64_t n) {
  if (n == 0) return;
  const int dev = device_of(y, "vector scale");
  cd::SetDevice guard(dev);
  kern::vec_axpy(y, x, alpha, n, cd::to_ty(kDt), true, cd::current_stream(dev));
}

template <DType kDt>
void clamp_cuda(void* x, double lo, double hi, int64_t n) {
  if (n == 0) return;
  const int dev = device_of(x, "vector clamp");
  cd::SetDevice guard(dev);
  kern::vec_clamp(x, lo, hi, n, cd::to_ty(kDt), cd::current_stream(dev));
}

#define FX_CUDA_REG_FLOATING(table, fn)                                            \
  FX_REGISTER_KERNEL(table, DeviceType::CUDA, DType::Float32, fn<DType::Float32>); \
  FX_REGISTER_KERNEL(table, DeviceType::CUDA, DType::Float64, fn<DType::Float64>)

FX_CUDA_REG_FLOATING(sgd_step_kernel, sgd_cuda);
FX_CUDA_REG_FLOATING(adam_step_kernel, adam_cuda);
FX_CUDA_REG_FLOATING(sgd_multi_step_kernel, sgd_multi_cuda);
FX_CUDA_REG_FLOATING(adam_multi_step_kernel, adam_multi_cuda);
FX_CUDA_REG_FLOATING(rmsprop_step_kernel, rmsprop_cuda);
FX_CUDA_REG_FLOATING(adagrad_step_kernel, adagrad_cuda);
FX_CUDA_REG_FLOATING(adadelta_step_kernel, adadelta_cuda);
FX_CUDA_REG_FLOATING(adamax_step_kernel, adamax_cuda);
FX_CUDA_REG_FLOATING(nadam_step_kernel, nadam_cuda);
FX_CUDA_REG_FLOATING(radam_step_kernel, radam_cuda);
FX_CUDA_REG_FLOATING(vec_norm_kernel, norm_cuda);
FX_CUDA_REG_FLOATING(vec_dot_kernel, dot_cuda);
FX_CUDA_REG_FLOATING(vec_axpy_kernel, axpy_cuda);
FX_CUDA_REG_FLOATING(vec_scale_kernel, scale_cuda);
FX_CUDA_REG_FLOATING(vec_clamp_kernel, clamp_cuda);
#undef FX_CUDA_REG_FLOATING

}  // namespace
}  // namespace fluxion::kernels
