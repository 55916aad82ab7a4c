// CUDA registrations of the random tables (kernels/random_kernels.h). Elementwise draws run on
// the device (cuda/random.cu) with the CPU's stream layout. randperm is a serial Fisher-Yates
// shuffle: it runs on the host and is uploaded, so it is the CPU's permutation exactly
// (multinomial is sampled on the host by the op layer for the same reason).
#include "kernels/random_kernels.h"
#include "cuda/iter.h"
#include "cuda/random_launch.h"
#include "fluxion/ops/creation.h"

namespace fluxion::kernels {
namespace {

namespace cd = ::fluxion::cuda::detail;
namespace kern = ::fluxion::cuda::kern;

void run(const Tensor& out, const kern::RandomArgs& a, const char* what) {
  const int dev = cd::common_cuda_device({&out}, what);
  FX_CHECK(out.is_contiguous(), what, ": expected a contiguous output");
  cd::SetDevice guard(dev);
  kern::random_fill(out.data_ptr(), out.numel(), cd::to_ty(out.dtype()), a, cd::current_stream(dev));
}

kern::RandomArgs args(kern::RandomDist dist, uint64_t seed, uint64_t offset, bool wide) {
  kern::RandomArgs a;
  a.dist = dist;
  a.seed = seed;
  a.offset = offset;
  a.wide = wide;
  return a;
}

void uniform_cuda(const Tensor& out, uint64_t seed, uint64_t offset, double from, double to) {
  auto a = args(kern::RandomDist::Uniform, seed, offset, out.dtype() == kFloat64);
  a.a = from;
  a.b = to;
  run(out, a, "uniform_");
}

void normal_cuda(const Tensor& out, uint64_t seed, uint64_t offset, double mean, double std) {
  auto a = args(kern::RandomDist::Normal, seed, offset, out.dtype() == kFloat64);
  a.a = mean;
  a.b = std;
  run(out, a, "normal_");
}

void exponential_cuda(const Tensor& out, uint64_t seed, uint64_t offset, double lambd) {
  auto a = args(kern::RandomDist::Exponential, seed, offset, out.dtype() == kFloat64);
  a.a = lambd;
  run(out, a, "exponential_");
}

void random_int_cuda(const Tensor& out, uint64_t seed, uint64_t offset, int64_t low, uint64_t range) {
  auto a = args(kern::RandomDist::Integer, seed, offset, range > (uint64_t{1} << 32));
  a.low = low;
  a.range = range;
  run(out, a, "random_");
}

void bernoulli_scalar_cuda(const Tensor& out, uint64_t seed, uint64_t offset, double p) {
  auto a = args(kern::RandomDist::Bernoulli, seed, offset, true);
  a.a = p;
  run(out, a, "bernoulli_");
}

void bernoulli_tensor_cuda(const Tensor& out, const Tensor& p, uint64_t seed, uint64_t offset) {
  cd::common_cuda_device({&out, &p}, "bernoulli");
  FX_CHECK(p.dtype() == kFloat64 && p.is_contiguous() && p.sizes() == out.sizes(),
           "bernoulli: expected contiguous float64 probabilities of the output's sizes");
  auto a = args(kern::RandomDist::BernoulliP, seed, offset, true);
  a.p = p.data_ptr<double>();
  run(out, a, "bernoulli");
}

void randperm_cuda(const Tensor& out, uint64_t seed, uint64_t offset) {
  cd::common_cuda_device({&out}, "randperm");
  Tensor host = empty(out.sizes(), TensorOptions(out.dtype()));
  randperm_kernel.get(DeviceType::CPU, out.dtype())(host, seed, offset);
  Tensor o = out;  // a handle to the same storage
  o.copy_(host);
}

const bool g_registered = [] {
  for (DType dt : {kFloat32, kFloat64}) {
    uniform_kernel.set(DeviceType::CUDA, dt, &uniform_cuda);
    normal_kernel.set(DeviceType::CUDA, dt, &normal_cuda);
    exponential_kernel.set(DeviceType::CUDA, dt, &exponential_cuda);
  }
  for (DType dt : {kFloat32, kFloat64, kInt64, kInt32, kBool}) {
    random_int_kernel.set(DeviceType::CUDA, dt, &random_int_cuda);
    bernoulli_scalar_kernel.set(DeviceType::CUDA, dt, &bernoulli_scalar_cuda);
    bernoulli_tensor_kernel.set(DeviceType::CUDA, dt, &bernoulli_tensor_cuda);
    if (dt != kBool) randperm_kernel.set(DeviceType::CUDA, dt, &randperm_cuda);
  }
  return true;
}();

}  // namespace
}  // namespace fluxion::kernels
