// Float16 / BFloat16 on CUDA against the CPU's 16-bit kernels: both compute in float and round
// once, so results agree to a 16-bit rounding step (reductions: float32 accumulation in a
// different order). Matmul goes through cuBLAS with float32 accumulation.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "cuda/cuda_test_util.h"

namespace fx = fluxion;
using fxtest::kGpu;

namespace {

using Fn = std::function<fx::Tensor(const fx::Tensor&)>;

double tol(fx::DType dt) { return dt == fx::kFloat16 ? 2e-3 : 1.6e-2; }

void check(const std::string& name, const Fn& f, double lo = -3, double hi = 3) {
  for (fx::DType dt : {fx::kFloat16, fx::kBFloat16}) {
    fx::manual_seed(9);
    const fx::Tensor x = (fx::rand({33, 65}) * (hi - lo) + lo).to(dt);
    const fx::Tensor cpu = f(x), gpu = f(x.to(kGpu));
    ASSERT_TRUE(gpu.is_cuda()) << name;
    EXPECT_EQ(gpu.dtype(), cpu.dtype()) << name;
    EXPECT_TRUE(fxtest::tensors_close(gpu.cpu().to(fx::kFloat32), cpu.to(fx::kFloat32), tol(dt), tol(dt)))
        << name << " " << fx::dtype_name(dt);
  }
}

TEST(CudaHalf, ElementwiseMatchesTheCpu) {
  FX_SKIP_WITHOUT_GPU();
  check("exp", [](const fx::Tensor& x) { return fx::exp(x); });
  check("tanh", [](const fx::Tensor& x) { return fx::tanh(x); });
  check("relu", [](const fx::Tensor& x) { return fx::relu(x); });
  check("sigmoid", [](const fx::Tensor& x) { return fx::sigmoid(x); });
  check(
      "log", [](const fx::Tensor& x) { return fx::log(x); }, 0.1, 5);
  check("x * x.t().t() + 1", [](const fx::Tensor& x) { return x * x.t().t() + 1; });
  check("x - 0.1 (number kept in float)", [](const fx::Tensor& x) { return x - 0.1; });
  check("x / row", [](const fx::Tensor& x) { return x / (x.slice(0, 0, 1).abs() + 1); });
  check("maximum", [](const fx::Tensor& x) { return fx::maximum(x, x.flip({1})); });
  check("where(x > 0)", [](const fx::Tensor& x) { return fx::where(x > 0, x, x * 0.5); });
  check("addcmul", [](const fx::Tensor& x) { return fx::addcmul(x, x, x, 0.5); });
  check("isfinite as float", [](const fx::Tensor& x) { return fx::isfinite(x / x).to(x.dtype()); });
  check("convert via f64", [](const fx::Tensor& x) { return x.to(fx::kFloat64).to(x.dtype()); });
  check("convert via int64", [](const fx::Tensor& x) { return (x * 10).to(fx::kInt64).to(x.dtype()); });
}

// addcmul/addcdiv keep their number in float (opmath, as the CPU): 2e-8 rounds to 0 in float16.
TEST(CudaHalf, TernaryNumberIsNotRoundedTo16Bits) {
  FX_SKIP_WITHOUT_GPU();
  for (fx::DType dt : {fx::kFloat16, fx::kBFloat16}) {
    const fx::TensorOptions o(dt);
    const fx::Tensor x = fx::zeros({5}, o), y = fx::full({5}, 60000.0, o), z = fx::full({5}, 0.001, o);
    const fx::Tensor mc = fx::addcmul(x, y, y, 2e-8), dc = fx::addcdiv(x, y, z, 2e-8);
    const fx::Tensor mg = fx::addcmul(x.to(kGpu), y.to(kGpu), y.to(kGpu), 2e-8);
    const fx::Tensor dg = fx::addcdiv(x.to(kGpu), y.to(kGpu), z.to(kGpu), 2e-8);
    ASSERT_GT(mc.to(fx::kFloat32).min().item<float>(), 50.0f) << fx::dtype_name(dt);  // 2e-8 * 60000^2 = 72
    ASSERT_GT(dc.to(fx::kFloat32).min().item<float>(), 1.0f) << fx::dtype_name(dt);   // 2e-8 * 60000 / 0.001 = 1.2
    EXPECT_TRUE(fxtest::tensors_close(mg.cpu().to(fx::kFloat32), mc.to(fx::kFloat32), tol(dt), tol(dt)))
        << "addcmul " << fx::dtype_name(dt);
    EXPECT_TRUE(fxtest::tensors_close(dg.cpu().to(fx::kFloat32), dc.to(fx::kFloat32), tol(dt), tol(dt)))
        << "addcdiv " << fx::dtype_name(dt);
  }
}

TEST(CudaHalf, ReductionsSoftmaxAndMatmulMatchTheCpu) {
  FX_SKIP_WITHOUT_GPU();
  check("sum(1)", [](const fx::Tensor& x) { return x.sum({1}); });
  check("mean", [](const fx::Tensor& x) { return x.mean().reshape({1}); });
  check("amax(0)", [](const fx::Tensor& x) { return x.amax({0}); });
  check("max(1) values", [](const fx::Tensor& x) { return std::get<0>(x.max(1)); });
  check("argmax as float", [](const fx::Tensor& x) { return x.argmax(1).to(x.dtype()); });
  check("softmax", [](const fx::Tensor& x) { return fx::softmax(x, 1); });
  check("log_softmax", [](const fx::Tensor& x) { return fx::log_softmax(x, 0); });
  check("matmul", [](const fx::Tensor& x) { return fx::matmul(x.t(), x) / 33; });
}

TEST(CudaHalf, GradientsFlowInHalfPrecision) {
  FX_SKIP_WITHOUT_GPU();
  for (fx::DType dt : {fx::kFloat16, fx::kBFloat16}) {
    auto grad_of = [dt](const fx::Device& d) {
      fx::manual_seed(2);
      fx::Tensor w = fx::randn({8, 4}).to(dt).to(d).requires_grad_();
      const fx::Tensor x = fx::randn({16, 8}).to(dt).to(d);
      fx::sum(fx::tanh(fx::matmul(x, w))).backward();
      return w.grad().cpu().to(fx::kFloat32);
    };
    EXPECT_TRUE(fxtest::tensors_close(grad_of(kGpu), grad_of(fx::kCPU), 4 * tol(dt), 4 * tol(dt)))
        << fx::dtype_name(dt);
  }
}

}  // namespace
