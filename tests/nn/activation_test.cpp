// Activation functions and modules: golden values vs PyTorch (functional and module forms),
// gradchecks, PReLU's learnable slope, gumbel-softmax, errors.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <sstream>

#include "fluxion/fluxion.h"
#include "fluxion/nn.h"
#include "nn/nn_core_golden.h"
#include "support/test_util.h"

namespace fx = fluxion;
namespace nn = fluxion::nn;
namespace F = fluxion::nn::functional;
using fx::TensorList;

namespace {

// The tensor core's celu and hardsigmoid gradients differ from PyTorch 2.x's by ~1e-8 relative in
// float64 (constant rounding), so activations are compared at 1e-7.
constexpr double kActRtol = 1e-7;

/// The functional form of activation `name` with the golden case's keyword arguments.
fx::Tensor call_functional(const std::string& name, const fx::Tensor& x, const nlohmann::json& kw) {
  if (name == "relu") return F::relu(x);
  if (name == "relu6") return F::relu6(x);
  if (name == "leaky_relu") return F::leaky_relu(x, kw.at("negative_slope").get<double>());
  if (name == "elu") return F::elu(x, kw.at("alpha").get<double>());
  if (name == "selu") return F::selu(x);
  if (name == "celu") return F::celu(x, kw.at("alpha").get<double>());
  if (name == "gelu" || name == "gelu_tanh") return F::gelu(x, kw.at("approximate").get<std::string>());
  if (name == "silu") return F::silu(x);
  if (name == "sigmoid") return F::sigmoid(x);
  if (name == "tanh") return F::tanh(x);
  if (name == "softplus") return F::softplus(x, kw.at("beta").get<double>(), kw.at("threshold").get<double>());
  if (name == "mish") return F::mish(x);
  if (name == "hardtanh") return F::hardtanh(x, kw.at("min_val").get<double>(), kw.at("max_val").get<double>());
  if (name == "hardsigmoid") return F::hardsigmoid(x);
  if (name == "hardswish") return F::hardswish(x);
  if (name == "softsign") return F::softsign(x);
  if (name == "tanhshrink") return F::tanhshrink(x);
  if (name == "logsigmoid") return F::logsigmoid(x);
  if (name == "threshold") return F::threshold(x, kw.at("threshold").get<double>(), kw.at("value").get<double>());
  if (name == "hardshrink") return F::hardshrink(x, kw.at("lambd").get<double>());
  if (name == "softshrink") return F::softshrink(x, kw.at("lambd").get<double>());
  if (name == "softmax") return F::softmax(x, kw.at("dim").get<int64_t>());
  if (name == "log_softmax") return F::log_softmax(x, kw.at("dim").get<int64_t>());
  if (name == "softmin") return F::softmin(x, kw.at("dim").get<int64_t>());
  if (name == "glu") return F::glu(x, kw.at("dim").get<int64_t>());
  if (name == "normalize") return F::normalize(x, kw.at("p").get<double>(), kw.at("dim").get<int64_t>());
  ADD_FAILURE() << "unknown activation " << name;
  return x;
}

/// The module form of activation `name` (nullptr handle when there is none).
nn::Module make_module(const std::string& name, const nlohmann::json& kw) {
  if (name == "relu") return nn::ReLU();
  if (name == "relu6") return nn::ReLU6();
  if (name == "leaky_relu") return nn::LeakyReLU(kw.at("negative_slope").get<double>());
  if (name == "elu") return nn::ELU(kw.at("alpha").get<double>());
  if (name == "selu") return nn::SELU();
  if (name == "celu") return nn::CELU(kw.at("alpha").get<double>());
  if (name == "gelu" || name == "gelu_tanh") return nn::GELU(kw.at("approximate").get<std::string>());
  if (name == "silu") return nn::SiLU();
  if (name == "sigmoid") return nn::Sigmoid();
  if (name == "tanh") return nn::Tanh();
  if (name == "softplus") return nn::Softplus(kw.at("beta").get<double>(), kw.at("threshold").get<double>());
  if (name == "mish") return nn::Mish();
  if (name == "hardtanh") return nn::Hardtanh(kw.at("min_val").get<double>(), kw.at("max_val").get<double>());
  if (name == "hardsigmoid") return nn::Hardsigmoid();
  if (name == "hardswish") return nn::Hardswish();
  if (name == "softsign") return nn::Softsign();
  if (name == "tanhshrink") return nn::Tanhshrink();
  if (name == "logsigmoid") return nn::LogSigmoid();
  if (name == "threshold") return nn::Threshold(kw.at("threshold").get<double>(), kw.at("value").get<double>());
  if (name == "hardshrink") return nn::Hardshrink(kw.at("lambd").get<double>());
  if (name == "softshrink") return nn::Softshrink(kw.at("lambd").get<double>());
  if (name == "softmax") return nn::Softmax(kw.at("dim").get<int64_t>());
  if (name == "log_softmax") return nn::LogSoftmax(kw.at("dim").get<int64_t>());
  if (name == "softmin") return nn::Softmin(kw.at("dim").get<int64_t>());
  if (name == "glu") return nn::GLU(kw.at("dim").get<int64_t>());
  return nn::Module(nullptr);
}

}  // namespace

TEST(Activation, GoldenFunctional) {
  int ran = nntest::run_golden(
      {"act"},
      [](nntest::Inputs& in, const nlohmann::json& kw) {
        return call_functional(kw.at("fn").get<std::string>(), in["x"], kw);
      },
      kActRtol);
  EXPECT_EQ(ran, 39);
}

TEST(Activation, GoldenModules) {
  int ran = 0;
  nntest::run_golden(
      {"act"},
      [&](nntest::Inputs& in, const nlohmann::json& kw) {
        nn::Module m = make_module(kw.at("fn").get<std::string>(), kw);
        if (m.is_empty()) return call_functional(kw.at("fn").get<std::string>(), in["x"], kw);
        ++ran;
        return m(in["x"]);
      },
      kActRtol);
  EXPECT_EQ(ran, 38);  // every activation but normalize has a module
}

TEST(Activation, GoldenPReLU) {
  int ran = nntest::run_golden({"prelu"}, [](nntest::Inputs& in, const nlohmann::json&) {
    nn::PReLU m(in["weight"].numel());
    m->to(fx::kFloat64);
    m->load_state_dict(fx::OrderedDict<std::string, fx::Tensor>{{"weight", in["weight"].detach()}});
    in["weight"] = m->weight;
    return m(in["x"]);
  });
  EXPECT_EQ(ran, 2);
}

TEST(Activation, Gradchecks) {
  // Inputs kept away from the kinks (0, +-1, thresholds) where finite differences straddle branches.
  fx::Tensor x = fx::tensor(std::vector<double>{-2.3, -1.4, -0.7, -0.3, 0.2, 0.45, 0.8, 1.3, 2.6, 3.7, -4.2, 5.1},
                            fx::Shape{3, 4});
  const nlohmann::json kw = {{"negative_slope", 0.2},
                             {"alpha", 0.7},
                             {"approximate", "none"},
                             {"beta", 2.0},
                             {"threshold", 3.0},
                             {"min_val", -0.5},
                             {"max_val", 2.0},
                             {"value", -2.0},
                             {"lambd", 0.6},
                             {"dim", 1},
                             {"p", 2.0}};
  for (const char* name :
       {"relu",      "relu6",       "leaky_relu", "elu",        "selu",      "celu",       "gelu",
        "silu",      "sigmoid",     "tanh",       "softplus",   "mish",      "hardtanh",   "hardsigmoid",
        "hardswish", "softsign",    "tanhshrink", "logsigmoid", "threshold", "hardshrink", "softshrink",
        "softmax",   "log_softmax", "softmin",    "glu",        "normalize"}) {
    SCOPED_TRACE(name);
    auto f = [&](const TensorList& t) { return TensorList{call_functional(name, t[0], kw)}; };
    EXPECT_TRUE(fx::autograd::gradcheck(f, {x}));
    EXPECT_TRUE(fx::autograd::jvp_vjp_check(f, {x}));
  }
  for (const char* name : {"elu", "gelu", "silu", "softplus", "mish", "softmax", "log_softmax", "glu", "normalize"}) {
    SCOPED_TRACE(name);
    auto f = [&](const TensorList& t) { return TensorList{call_functional(name, t[0], kw)}; };
    EXPECT_TRUE(fx::autograd::gradgradcheck(f, {x}));
  }
  // PReLU: both the input and the learnable weight.
  fx::Tensor x3 = fx::randn({2, 3, 4}, fx::kFloat64) + 0.05, w = fx::tensor(std::vector<double>{0.1, 0.3, -0.2});
  auto fp = [](const TensorList& t) { return TensorList{F::prelu(t[0], t[1])}; };
  EXPECT_TRUE(fx::autograd::gradcheck(fp, {x3, w}));
  EXPECT_TRUE(fx::autograd::gradgradcheck(fp, {x3, w}));
}

TEST(Activation, PReLUModuleLearnsSlope) {
  nn::PReLU shared;
  EXPECT_EQ(shared->weight.sizes(), (fx::Shape{1}));
  EXPECT_EQ(shared->weight.item<float>(), 0.25f);
  nn::PReLU per_channel(3, 0.1);
  fx::Tensor x = fx::full({2, 3, 2}, -1.0);
  fx::Tensor y = per_channel(x);
  EXPECT_TRUE(fxtest::tensors_close(y, fx::full({2, 3, 2}, -0.1)));
  y.sum().backward();
  // d/dw_c sum(w_c * x) over the 4 negative elements of channel c = 4 * -1.
  EXPECT_TRUE(fxtest::tensors_close(per_channel->weight.grad(), fx::full({3}, -4.0)));
  EXPECT_FX_ERROR(per_channel(fx::zeros({2, 4})), "must have 1 or input.size(1) = 4 elements");
  std::ostringstream os;
  os << *per_channel;
  EXPECT_EQ(os.str(), "PReLU(num_parameters=3)");
}

TEST(Activation, ModulesPrintAndValidate) {
  std::ostringstream os;
  os << *nn::LeakyReLU(0.2) << " " << *nn::GELU("tanh") << " " << *nn::Softmax(1) << " " << *nn::ReLU(true) << " "
     << *nn::Tanh();
  EXPECT_EQ(os.str(),
            "LeakyReLU(negative_slope=0.2) GELU(approximate='tanh') Softmax(dim=1) ReLU(inplace=true) Tanh()");
  EXPECT_FX_ERROR(nn::GELU("fast"), "approximate must be 'none' or 'tanh'");
  EXPECT_FX_ERROR(nn::Hardtanh(1.0, -1.0), "min_val (1) must not exceed max_val (-1)");
  EXPECT_FX_ERROR(F::glu(fx::zeros({2, 3})), "must be even");
  EXPECT_FX_ERROR(F::prelu(fx::zeros({2}, fx::kInt64), fx::ones({1})), "floating-point input");
}

TEST(Activation, InplaceReLU) {
  fx::Tensor x = fx::tensor(std::vector<float>{-1, 2, -3});
  nn::ReLU relu(true);
  fx::Tensor y = relu(x);
  EXPECT_TRUE(fxtest::tensors_equal(x, fx::tensor(std::vector<float>{0, 2, 0})));  // written in place
  EXPECT_EQ(y.data_ptr(), x.data_ptr());
}

TEST(Activation, GumbelSoftmax) {
  fx::manual_seed(3);
  fx::Tensor logits = fx::randn({64, 5}, fx::TensorOptions(fx::kFloat64).requires_grad(true));
  fx::Tensor soft = F::gumbel_softmax(logits, 0.5);
  EXPECT_TRUE(fxtest::tensors_close(soft.sum(1), fx::ones({64}, fx::kFloat64)));
  fx::Tensor hard = F::gumbel_softmax(logits, 0.5, /*hard=*/true);
  EXPECT_TRUE(fxtest::tensors_close(hard.sum(1), fx::ones({64}, fx::kFloat64)));
  EXPECT_TRUE(((hard == 0) | (hard == 1)).all().item<bool>());
  // Straight-through: the gradient reaches the logits.
  (hard * fx::randn({64, 5}, fx::kFloat64)).sum().backward();
  ASSERT_TRUE(logits.grad().defined());
  EXPECT_GT(logits.grad().abs().sum().item<double>(), 0.0);
  // Samples follow softmax(logits): with large logit gaps the argmax dominates.
  fx::Tensor peaked = fx::tensor(std::vector<double>{8, 0, 0}).unsqueeze(0).expand({2000, 3}).contiguous();
  double frac = (F::gumbel_softmax(peaked, 1.0, true).select(1, 0)).mean().item<double>();
  EXPECT_GT(frac, 0.99);
}
