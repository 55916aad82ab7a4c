// Identity, Linear, Bilinear, Flatten, Unflatten: golden values vs PyTorch, gradchecks, default
// initialisation, errors.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "fluxion/fluxion.h"
#include "fluxion/nn.h"
#include "nn/nn_core_golden.h"
#include "support/test_util.h"

namespace fx = fluxion;
namespace nn = fluxion::nn;
namespace F = fluxion::nn::functional;
using fx::TensorList;

TEST(Linear, GoldenFunctionalAndModule) {
  int ran = nntest::run_golden({"linear"}, [](nntest::Inputs& in, const nlohmann::json&) {
    return F::linear(in["x"], in["weight"], nntest::opt(in, "bias"));
  });
  ran += nntest::run_golden({"bilinear"}, [](nntest::Inputs& in, const nlohmann::json&) {
    return F::bilinear(in["x1"], in["x2"], in["weight"], nntest::opt(in, "bias"));
  });
  ran += nntest::run_golden({"Linear"}, [](nntest::Inputs& in, const nlohmann::json&) {
    // Load PyTorch's parameters through load_state_dict and read the gradients back from the
    // module's own parameter handles.
    nn::Linear lin(in["weight"].size(1), in["weight"].size(0));
    lin->to(in["weight"].dtype());
    fx::OrderedDict<std::string, fx::Tensor> sd;
    sd.insert("weight", in["weight"].detach());
    sd.insert("bias", in["bias"].detach());
    lin->load_state_dict(sd);
    in["weight"] = lin->weight;
    in["bias"] = lin->bias;
    return lin(in["x"]);
  });
  EXPECT_EQ(ran, 6);
}

TEST(Linear, DefaultInitMatchesPyTorch) {
  nn::Linear lin(400, 300);
  const double bound = 1.0 / std::sqrt(400.0);  // kaiming_uniform(a = sqrt(5)) == U(-1/sqrt(in), 1/sqrt(in))
  EXPECT_LE(lin->weight.abs().max().item<double>(), bound);
  EXPECT_GT(lin->weight.abs().max().item<double>(), 0.99 * bound);
  EXPECT_NEAR(lin->weight.std().item<double>(), bound / std::sqrt(3.0), 0.01 * bound);
  EXPECT_NEAR(lin->weight.mean().item<double>(), 0.0, 0.01 * bound);
  EXPECT_LE(lin->bias.abs().max().item<double>(), bound);
  EXPECT_GT(lin->bias.abs().max().item<double>(), 0.9 * bound);
  nn::Linear nobias(nn::LinearOptions(3, 2).bias(false));
  EXPECT_FALSE(nobias->bias.defined());
  EXPECT_EQ(nobias->parameters().size(), 1u);
  std::ostringstream os;
  os << *nobias;
  EXPECT_NE(os.str().find("Linear(in_features=3, out_features=2, bias=false)"), std::string::npos);
  nn::Bilinear bil(5, 3, 2);
  EXPECT_LE(bil->weight.abs().max().item<double>(), 1.0 / std::sqrt(5.0));
  EXPECT_EQ(bil->weight.sizes(), (fx::Shape{2, 5, 3}));
}

TEST(Linear, Gradchecks) {
  fx::Tensor x = fx::randn({3, 4}, fx::kFloat64), w = fx::randn({2, 4}, fx::kFloat64), b = fx::randn({2}, fx::kFloat64);
  auto f = [](const TensorList& t) { return TensorList{F::linear(t[0], t[1], t[2])}; };
  EXPECT_TRUE(fx::autograd::gradcheck(f, {x, w, b}));
  EXPECT_TRUE(fx::autograd::gradgradcheck(f, {x, w, b}));
  EXPECT_TRUE(fx::autograd::jvp_vjp_check(f, {x, w, b}));
  fx::Tensor x3 = fx::randn({2, 3, 4}, fx::kFloat64);
  auto f3 = [](const TensorList& t) { return TensorList{F::linear(t[0], t[1])}; };
  EXPECT_TRUE(fx::autograd::gradcheck(f3, {x3, w}));
  fx::Tensor x1 = fx::randn({3, 2}, fx::kFloat64), x2 = fx::randn({3, 4}, fx::kFloat64);
  fx::Tensor wb = fx::randn({5, 2, 4}, fx::kFloat64), bb = fx::randn({5}, fx::kFloat64);
  auto fb = [](const TensorList& t) { return TensorList{F::bilinear(t[0], t[1], t[2], t[3])}; };
  EXPECT_TRUE(fx::autograd::gradcheck(fb, {x1, x2, wb, bb}));
  EXPECT_TRUE(fx::autograd::gradgradcheck(fb, {x1, x2, wb, bb}));
  EXPECT_TRUE(fx::autograd::jvp_vjp_check(fb, {x1, x2, wb, bb}));
  // Through the module (parameters as inputs).
  nn::Linear lin(4, 2);
  lin->to(fx::kFloat64);
  auto fm = [&](const TensorList& t) { return TensorList{lin(t[0])}; };
  EXPECT_TRUE(fx::autograd::gradcheck(fm, {x}));
}

TEST(Linear, NonContiguousAndThreadedInputs) {
  nn::Linear lin(8, 5);
  fx::Tensor xt = fx::randn({8, 6}).t();  // (6, 8) transposed view
  EXPECT_FALSE(xt.is_contiguous());
  EXPECT_TRUE(fxtest::tensors_close(lin(xt), lin(xt.contiguous())));
  fx::Tensor big = fx::randn({512, 8});
  int prev = fx::get_num_threads();
  fx::set_num_threads(1);
  fx::Tensor one = lin(big);
  fx::set_num_threads(2);
  fx::Tensor two = lin(big);
  fx::set_num_threads(prev);
  EXPECT_TRUE(fxtest::tensors_close(one, two));
  // Empty batch.
  EXPECT_EQ(lin(fx::zeros({0, 8})).sizes(), (fx::Shape{0, 5}));
  // 1-d input.
  EXPECT_EQ(lin(fx::zeros({8})).sizes(), (fx::Shape{5}));
}

TEST(Linear, Errors) {
  nn::Linear lin(4, 2);
  EXPECT_FX_ERROR(lin(fx::zeros({3, 5})), "linear: input sizes [3, 5] do not match weight sizes [2, 4]");
  EXPECT_FX_ERROR(F::linear(fx::zeros({3, 4}), fx::zeros({2, 4}), fx::zeros({3})), "bias of sizes [3]");
  EXPECT_FX_ERROR(F::bilinear(fx::zeros({2, 3}), fx::zeros({2, 2}), fx::zeros({1, 3, 3})), "do not match weight sizes");
  EXPECT_FX_ERROR(F::bilinear(fx::zeros({2, 3}), fx::zeros({3, 3}), fx::zeros({1, 3, 3})), "batch dimensions differ");
}

TEST(Flatten, IdentityFlattenUnflatten) {
  fx::Tensor x = fx::randn({2, 3, 4, 5});
  nn::Identity id;
  EXPECT_TRUE(id(x).is_same(x));
  nn::Flatten flat;
  EXPECT_EQ(flat(x).sizes(), (fx::Shape{2, 60}));
  nn::Flatten flat2(0, 1);
  EXPECT_EQ(flat2(x).sizes(), (fx::Shape{6, 4, 5}));
  nn::Unflatten unflat(1, fx::Shape{3, 20});
  EXPECT_EQ(unflat(flat(x)).sizes(), (fx::Shape{2, 3, 20}));
  EXPECT_TRUE(fxtest::tensors_equal(nn::Unflatten(1, fx::Shape{3, 4, 5})(flat(x)), x));
  std::ostringstream os;
  os << *flat << " " << *unflat;
  EXPECT_EQ(os.str(), "Flatten(start_dim=1, end_dim=-1) Unflatten(dim=1, unflattened_size=[3, 20])");
  // Gradients flow through the views.
  fx::Tensor xg = fx::randn({2, 3, 4}, fx::kFloat64);
  auto f = [&](const TensorList& t) { return TensorList{unflat(nn::Flatten()(t[0]).repeat({1, 5}))}; };
  EXPECT_TRUE(fx::autograd::gradcheck(f, {xg}));
}
