// Random sampling on CUDA against the CPU for the same seed: the device kernels use the CPU's
// Philox stream layout, so uniform, Bernoulli, integer draws and permutations are identical, and
// normal/exponential samples agree to a few ulp (device log/sin/cos). Dropout masks included.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "cuda/cuda_test_util.h"

namespace fx = fluxion;
using fxtest::kGpu;

namespace {

using Draw = std::function<fx::Tensor(const fx::Device&)>;

// The same draw after the same seed on both devices.
std::pair<fx::Tensor, fx::Tensor> both(const Draw& draw) {
  fx::manual_seed(1234);
  const fx::Tensor cpu = draw(fx::kCPU);
  fx::manual_seed(1234);
  const fx::Tensor gpu = draw(kGpu);
  EXPECT_TRUE(gpu.is_cuda());
  return {cpu, gpu.cpu()};
}

void expect_equal(const std::string& name, const Draw& draw) {
  const auto [cpu, gpu] = both(draw);
  EXPECT_TRUE(fxtest::tensors_equal(gpu, cpu)) << name;
}

void expect_close(const std::string& name, const Draw& draw, double tol) {
  const auto [cpu, gpu] = both(draw);
  EXPECT_TRUE(fxtest::tensors_close(gpu, cpu, tol, tol)) << name;
}

fx::TensorOptions on(const fx::Device& d, fx::DType dt) { return fx::TensorOptions(dt).device(d); }

TEST(CudaRandom, UniformBernoulliIntegersEqualTheCpu) {
  FX_SKIP_WITHOUT_GPU();
  // Odd sizes: the last Philox block is partly used.
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64}) {
    const std::string n = fx::dtype_name(dt);
    expect_equal("rand " + n, [dt](const fx::Device& d) { return fx::rand({1001, 3}, on(d, dt)); });
    expect_equal("uniform_ " + n, [dt](const fx::Device& d) {
      fx::Tensor t = fx::empty({77}, on(d, dt));
      return fx::uniform_(t, -2.5, 4.0);
    });
    expect_equal("bernoulli(p) " + n, [dt](const fx::Device& d) { return fx::bernoulli(fx::rand({513}, on(d, dt))); });
  }
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64, fx::kInt64, fx::kInt32, fx::kBool}) {
    const std::string n = fx::dtype_name(dt);
    expect_equal("bernoulli_ " + n, [dt](const fx::Device& d) {
      fx::Tensor t = fx::empty({333}, on(d, dt));
      return fx::bernoulli_(t, 0.3);
    });
    if (dt != fx::kBool)
      expect_equal("randint " + n, [dt](const fx::Device& d) { return fx::randint(-7, 50, {257}, on(d, dt)); });
  }
  expect_equal("randint wide",
               [](const fx::Device& d) { return fx::randint(0, int64_t{1} << 40, {101}, on(d, fx::kInt64)); });
  expect_equal("randperm", [](const fx::Device& d) { return fx::randperm(1000, on(d, fx::kInt64)); });
  expect_equal("multinomial", [](const fx::Device& d) {
    return fx::multinomial(fx::rand({4, 10}, on(d, fx::kFloat32)), 6, false);
  });
}

TEST(CudaRandom, NormalAndExponentialMatchTheCpu) {
  FX_SKIP_WITHOUT_GPU();
  expect_close(
      "randn f32", [](const fx::Device& d) { return fx::randn({1001}, on(d, fx::kFloat32)); }, 1e-5);
  expect_close(
      "randn f64", [](const fx::Device& d) { return fx::randn({1001}, on(d, fx::kFloat64)); }, 1e-13);
  expect_close(
      "normal(2, 3) f32", [](const fx::Device& d) { return fx::normal(2.0, 3.0, {99}, on(d, fx::kFloat32)); }, 1e-5);
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64})
    expect_close(
        "exponential_",
        [dt](const fx::Device& d) {
          fx::Tensor t = fx::empty({500}, on(d, dt));
          return fx::exponential_(t, 1.5);
        },
        dt == fx::kFloat32 ? 1e-5 : 1e-13);
}

TEST(CudaRandom, DropoutMaskEqualsTheCpu) {
  FX_SKIP_WITHOUT_GPU();
  expect_equal("dropout", [](const fx::Device& d) {
    return fx::nn::functional::dropout(fx::ones({64, 33}, on(d, fx::kFloat32)), 0.25, true);
  });
}

TEST(CudaRandom, InvalidProbabilitiesAreAnError) {
  FX_SKIP_WITHOUT_GPU();
  const fx::Tensor p = fx::full({5}, 1.5, on(kGpu, fx::kFloat32));
  EXPECT_THROW(fx::bernoulli(p), fx::Error);
  EXPECT_THROW(fx::randn({3}, on(kGpu, fx::kInt64)), fx::Error);
}

}  // namespace
