// Fused optimiser steps on CUDA (SGD with momentum/Nesterov/weight decay, Adam with amsgrad,
// AdamW) against the same steps on the CPU: a few steps of least squares on both devices.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "cuda/cuda_test_util.h"

namespace fx = fluxion;
using fxtest::kGpu;

namespace {

using MakeOpt = std::function<std::unique_ptr<fx::optim::Optimizer>(const fx::Tensor&)>;

// Runs `steps` optimiser steps of mean((x w - y)^2) on `device`; returns the final w on the CPU.
fx::Tensor train(const fx::Device& device, fx::DType dt, const MakeOpt& make, int steps) {
  fx::manual_seed(7);
  const fx::Tensor x = fx::randn({64, 8}, fx::TensorOptions(dt)).to(device);
  const fx::Tensor y = fx::randn({64, 3}, fx::TensorOptions(dt)).to(device);
  fx::Tensor w = fx::randn({8, 3}, fx::TensorOptions(dt)).to(device).requires_grad_();
  auto opt = make(w);
  for (int s = 0; s < steps; ++s) {
    opt->zero_grad();
    fx::Tensor loss = fx::mean(fx::square(fx::matmul(x, w) - y));
    loss.backward();
    opt->step();
  }
  EXPECT_EQ(w.device(), device);
  return w.detach().cpu();
}

void check(const std::string& name, const MakeOpt& make) {
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64}) {
    const fx::Tensor cpu = train(fx::kCPU, dt, make, 5);
    const fx::Tensor gpu = train(kGpu, dt, make, 5);
    const double tol = dt == fx::kFloat32 ? 1e-5 : 1e-12;
    EXPECT_TRUE(fxtest::tensors_close(gpu, cpu, tol, tol)) << name << " " << fx::dtype_name(dt);
  }
}

TEST(CudaOptim, SgdMatchesCpu) {
  FX_SKIP_WITHOUT_GPU();
  check("sgd", [](const fx::Tensor& w) {
    return std::make_unique<fx::optim::SGD>(std::vector<fx::Tensor>{w}, fx::optim::SGDOptions(0.1));
  });
  check("sgd momentum nesterov wd", [](const fx::Tensor& w) {
    return std::make_unique<fx::optim::SGD>(
        std::vector<fx::Tensor>{w}, fx::optim::SGDOptions(0.05).momentum(0.9).nesterov(true).weight_decay(0.01));
  });
  check("sgd momentum dampening maximize", [](const fx::Tensor& w) {
    return std::make_unique<fx::optim::SGD>(std::vector<fx::Tensor>{w},
                                            fx::optim::SGDOptions(0.05).momentum(0.5).dampening(0.1).maximize(true));
  });
}

TEST(CudaOptim, AdamAndAdamWMatchCpu) {
  FX_SKIP_WITHOUT_GPU();
  check("adam", [](const fx::Tensor& w) {
    return std::make_unique<fx::optim::Adam>(std::vector<fx::Tensor>{w}, fx::optim::AdamOptions(0.01));
  });
  check("adam amsgrad l2", [](const fx::Tensor& w) {
    return std::make_unique<fx::optim::Adam>(std::vector<fx::Tensor>{w},
                                             fx::optim::AdamOptions(0.01).amsgrad(true).weight_decay(0.1));
  });
  check("adamw", [](const fx::Tensor& w) {
    return std::make_unique<fx::optim::AdamW>(std::vector<fx::Tensor>{w}, fx::optim::AdamWOptions(0.01));
  });
}

}  // namespace
