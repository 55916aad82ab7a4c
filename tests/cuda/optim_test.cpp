// Fused optimiser steps on CUDA (every rule: SGD, Adam/AdamW, RMSprop, Adagrad, Adadelta,
// Adamax, NAdam, RAdam, with their options) and the vector primitives (gradient clipping by norm
// and value, L-BFGS) against the same steps on the CPU: a few steps of least squares on both.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <utility>

#include "cuda/cuda_test_util.h"
#include "fluxion/models.h"

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

// All parameters of a model go through one multi-tensor launch per step (SGD, Adam, AdamW).
// Adam divides by |g| + eps: with the default eps = 1e-8, a gradient of ~1e-8 (LeNet-5 has such
// entries) turns the cuDNN/CPU float32 summation differences (~1e-7 of the gradients' rms) into
// updates differing by a good fraction of lr, so these runs use eps = 1e-5 (the kernels and
// formulas are the same; the single-parameter tests above use the default eps).
TEST(CudaOptim, MultiTensorStepsOverAModelMatchCpu) {
  FX_SKIP_WITHOUT_GPU();
  using MakeModelOpt = std::function<std::unique_ptr<fx::optim::Optimizer>(std::vector<fx::Tensor>)>;
  const std::vector<std::pair<const char*, MakeModelOpt>> rules = {
      {"sgd momentum",
       [](std::vector<fx::Tensor> p) {
         return std::make_unique<fx::optim::SGD>(std::move(p), fx::optim::SGDOptions(0.05).momentum(0.9));
       }},
      {"adam",
       [](std::vector<fx::Tensor> p) {
         return std::make_unique<fx::optim::Adam>(std::move(p), fx::optim::AdamOptions(1e-3).eps(1e-5));
       }},
      {"adamw", [](std::vector<fx::Tensor> p) {
         return std::make_unique<fx::optim::AdamW>(std::move(p), fx::optim::AdamWOptions(1e-3).eps(1e-5));
       }}};
  for (const auto& [name, make_opt] : rules) {
    auto run = [&](const fx::Device& d) {
      fx::manual_seed(0);
      fx::nn::Module m = fx::models::create("lenet5");
      m.to(d);
      const fx::Tensor x = fx::randn({16, 1, 28, 28}).to(d), y = fx::randint(0, 10, {16}).to(d);
      auto opt = make_opt(m.parameters());
      for (int s = 0; s < 3; ++s) {
        opt->zero_grad();
        fx::nn::functional::cross_entropy(m(x), y).backward();
        opt->step();
      }
      std::vector<fx::Tensor> out;
      for (const fx::Tensor& p : m.parameters()) out.push_back(p.detach().cpu());
      return out;
    };
    const auto gpu = run(kGpu), cpu = run(fx::kCPU);
    for (size_t i = 0; i < cpu.size(); ++i)
      EXPECT_TRUE(fxtest::tensors_close(gpu[i], cpu[i], 1e-4, 1e-5)) << name << " parameter " << i;
  }
}

template <class Opt, class Options>
MakeOpt make(Options o) {
  return [o](const fx::Tensor& w) { return std::make_unique<Opt>(std::vector<fx::Tensor>{w}, o); };
}

TEST(CudaOptim, RmspropAdagradAdadeltaMatchCpu) {
  FX_SKIP_WITHOUT_GPU();
  namespace o = fx::optim;
  check("rmsprop", make<o::RMSprop>(o::RMSpropOptions(0.01)));
  check("rmsprop centered momentum wd",
        make<o::RMSprop>(o::RMSpropOptions(0.01).centered(true).momentum(0.9).weight_decay(0.1)));
  check("rmsprop alpha<0.5 maximize",
        make<o::RMSprop>(o::RMSpropOptions(0.01).alpha(0.3).centered(true).maximize(true)));
  check("adagrad", make<o::Adagrad>(o::AdagradOptions(0.1)));
  check("adagrad lr_decay wd",
        make<o::Adagrad>(o::AdagradOptions(0.1).lr_decay(0.01).weight_decay(0.1).initial_accumulator_value(0.5)));
  check("adadelta", make<o::Adadelta>(o::AdadeltaOptions(1.0)));
  check("adadelta wd maximize", make<o::Adadelta>(o::AdadeltaOptions(0.5).weight_decay(0.1).rho(0.4).maximize(true)));
}

TEST(CudaOptim, AdamaxNadamRadamMatchCpu) {
  FX_SKIP_WITHOUT_GPU();
  namespace o = fx::optim;
  check("adamax", make<o::Adamax>(o::AdamaxOptions(0.01)));
  check("adamax wd beta1<0.5", make<o::Adamax>(o::AdamaxOptions(0.01).weight_decay(0.1).betas({0.3, 0.9})));
  check("nadam", make<o::NAdam>(o::NAdamOptions(0.01)));
  check("nadam decoupled", make<o::NAdam>(o::NAdamOptions(0.01).weight_decay(0.1).decoupled_weight_decay(true)));
  check("nadam l2", make<o::NAdam>(o::NAdamOptions(0.01).weight_decay(0.1)));
  // RAdam rectifies from step 6 on (rho_t > 5): 5 steps stay unrectified, so run both ways.
  check("radam", make<o::RAdam>(o::RAdamOptions(0.01)));
  check("radam decoupled", make<o::RAdam>(o::RAdamOptions(0.01).weight_decay(0.1).decoupled_weight_decay(true)));
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64}) {
    const auto m = make<o::RAdam>(o::RAdamOptions(0.01).weight_decay(0.05));
    const double tol = dt == fx::kFloat32 ? 1e-5 : 1e-12;
    EXPECT_TRUE(fxtest::tensors_close(train(kGpu, dt, m, 12), train(fx::kCPU, dt, m, 12), tol, tol))
        << "radam rectified";
  }
}

// Gradients of the least-squares problem on `device`, clipped by `clip`; returns the clipped
// gradient on the CPU and the returned total norm.
std::pair<fx::Tensor, double> clipped(const fx::Device& device, fx::DType dt,
                                      const std::function<double(const fx::Tensor&)>& clip) {
  fx::manual_seed(3);
  const fx::Tensor x = fx::randn({32, 5}, fx::TensorOptions(dt)).to(device);
  fx::Tensor w = (fx::randn({5, 2}, fx::TensorOptions(dt)) * 4).to(device).requires_grad_();
  fx::sum(fx::square(fx::matmul(x, w))).backward();
  const double norm = clip(w);
  return {w.grad().cpu(), norm};
}

TEST(CudaOptim, GradientClippingMatchesCpu) {
  FX_SKIP_WITHOUT_GPU();
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64}) {
    const double tol = dt == fx::kFloat32 ? 1e-5 : 1e-12;
    for (double p : {2.0, 1.0, 3.0, 0.0, std::numeric_limits<double>::infinity()}) {
      auto by_norm = [p](const fx::Tensor& w) { return fx::optim::clip_grad_norm_(w, 1.0, p); };
      const auto [gc, nc] = clipped(fx::kCPU, dt, by_norm);
      const auto [gg, ng] = clipped(kGpu, dt, by_norm);
      EXPECT_NEAR(ng, nc, tol * std::abs(nc)) << "norm p=" << p;
      EXPECT_TRUE(fxtest::tensors_close(gg, gc, tol, tol)) << "clip_grad_norm_ p=" << p;
    }
    auto by_value = [](const fx::Tensor& w) {
      fx::optim::clip_grad_value_(w, 0.5);
      return 0.0;
    };
    EXPECT_TRUE(fxtest::tensors_close(clipped(kGpu, dt, by_value).first, clipped(fx::kCPU, dt, by_value).first, 0, 0))
        << "clip_grad_value_";
  }
}

TEST(CudaOptim, LbfgsMatchesCpu) {
  FX_SKIP_WITHOUT_GPU();
  auto run = [](const fx::Device& device) {
    fx::manual_seed(5);
    const fx::Tensor x = fx::randn({40, 6}, fx::TensorOptions(fx::kFloat64)).to(device);
    const fx::Tensor y = fx::randn({40, 1}, fx::TensorOptions(fx::kFloat64)).to(device);
    fx::Tensor w = fx::zeros({6, 1}, fx::TensorOptions(fx::kFloat64)).to(device).requires_grad_();
    fx::optim::LBFGS opt({w}, fx::optim::LBFGSOptions(1).max_iter(20));
    for (int s = 0; s < 3; ++s) {
      opt.step([&] {
        opt.zero_grad();
        fx::Tensor loss = fx::mean(fx::square(fx::matmul(x, w) - y));
        loss.backward();
        return loss;
      });
    }
    return w.detach().cpu();
  };
  EXPECT_TRUE(fxtest::tensors_close(run(kGpu), run(fx::kCPU), 1e-9, 1e-9));
}

}  // namespace
