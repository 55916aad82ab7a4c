// Losses: golden values and gradients vs PyTorch for every loss and reduction, gradchecks (f64),
// module forms, numerical stability, and input errors.
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

namespace {
std::string red(const nlohmann::json& kw) { return kw.value("reduction", std::string("mean")); }
}  // namespace

TEST(Loss, GoldenRegression) {
  int ran = 0;
  auto by_op = [&](const char* op, auto fn) {
    ran += nntest::run_golden({op}, [&](nntest::Inputs& in, const nlohmann::json& kw) { return fn(in, kw); });
  };
  by_op("mse_loss",
        [](nntest::Inputs& in, const nlohmann::json& kw) { return F::mse_loss(in["input"], in["target"], red(kw)); });
  by_op("l1_loss",
        [](nntest::Inputs& in, const nlohmann::json& kw) { return F::l1_loss(in["input"], in["target"], red(kw)); });
  by_op("smooth_l1_loss", [](nntest::Inputs& in, const nlohmann::json& kw) {
    return F::smooth_l1_loss(in["input"], in["target"], red(kw), kw["beta"].get<double>());
  });
  by_op("huber_loss", [](nntest::Inputs& in, const nlohmann::json& kw) {
    return F::huber_loss(in["input"], in["target"], red(kw), kw["delta"].get<double>());
  });
  by_op("poisson_nll_loss", [](nntest::Inputs& in, const nlohmann::json& kw) {
    return F::poisson_nll_loss(in["input"], in["target"], kw["log_input"].get<bool>(), kw["full"].get<bool>(), 1e-8,
                               red(kw));
  });
  by_op("gaussian_nll_loss", [](nntest::Inputs& in, const nlohmann::json& kw) {
    return F::gaussian_nll_loss(in["input"], in["target"], in["var"], kw["full"].get<bool>(), 1e-6, red(kw));
  });
  by_op("kl_div", [](nntest::Inputs& in, const nlohmann::json& kw) {
    return F::kl_div(in["input"], in["target"], red(kw), kw.value("log_target", false));
  });
  EXPECT_EQ(ran, 4 + 3 + 3 + 3 + 2 + 1 + 9);
}

TEST(Loss, GoldenClassification) {
  int ran = nntest::run_golden({"cross_entropy"}, [](nntest::Inputs& in, const nlohmann::json& kw) {
    return F::cross_entropy(in["input"], in["target"], nntest::opt(in, "weight"), kw.value("ignore_index", -100),
                            red(kw), kw.value("label_smoothing", 0.0));
  });
  EXPECT_EQ(ran, 18);
  ran = nntest::run_golden({"nll_loss"}, [](nntest::Inputs& in, const nlohmann::json& kw) {
    return F::nll_loss(in["input"], in["target"], nntest::opt(in, "weight"), -100, red(kw));
  });
  EXPECT_EQ(ran, 3);
  ran = nntest::run_golden({"binary_cross_entropy"}, [](nntest::Inputs& in, const nlohmann::json& kw) {
    return F::binary_cross_entropy(in["input"], in["target"], nntest::opt(in, "weight"), red(kw));
  });
  EXPECT_EQ(ran, 4);
  ran = nntest::run_golden({"binary_cross_entropy_with_logits"}, [](nntest::Inputs& in, const nlohmann::json& kw) {
    return F::binary_cross_entropy_with_logits(in["input"], in["target"], nntest::opt(in, "weight"), red(kw),
                                               nntest::opt(in, "pos_weight"));
  });
  EXPECT_EQ(ran, 4);
}

TEST(Loss, GoldenModulesMatchFunctional) {
  // The same golden cases through the module forms (options plumbing, weight buffers).
  int ran = nntest::run_golden({"cross_entropy"}, [](nntest::Inputs& in, const nlohmann::json& kw) {
    nn::CrossEntropyLoss loss(nn::CrossEntropyLossOptions()
                                  .weight(nntest::opt(in, "weight"))
                                  .ignore_index(kw.value("ignore_index", -100))
                                  .reduction(red(kw))
                                  .label_smoothing(kw.value("label_smoothing", 0.0)));
    return loss(in["input"], in["target"]);
  });
  EXPECT_EQ(ran, 18);
  ran = nntest::run_golden({"nll_loss"}, [](nntest::Inputs& in, const nlohmann::json& kw) {
    return nn::NLLLoss(nn::NLLLossOptions().weight(in["weight"]).reduction(red(kw)))(in["input"], in["target"]);
  });
  ran += nntest::run_golden({"mse_loss"}, [](nntest::Inputs& in, const nlohmann::json& kw) {
    return nn::MSELoss(red(kw))(in["input"], in["target"]);
  });
  ran += nntest::run_golden({"l1_loss"}, [](nntest::Inputs& in, const nlohmann::json& kw) {
    return nn::L1Loss(red(kw))(in["input"], in["target"]);
  });
  ran += nntest::run_golden({"smooth_l1_loss"}, [](nntest::Inputs& in, const nlohmann::json& kw) {
    return nn::SmoothL1Loss(nn::SmoothL1LossOptions(red(kw).c_str()).beta(kw["beta"].get<double>()))(in["input"],
                                                                                                     in["target"]);
  });
  ran += nntest::run_golden({"huber_loss"}, [](nntest::Inputs& in, const nlohmann::json& kw) {
    return nn::HuberLoss(nn::HuberLossOptions(red(kw).c_str()).delta(kw["delta"].get<double>()))(in["input"],
                                                                                                 in["target"]);
  });
  ran += nntest::run_golden({"binary_cross_entropy"}, [](nntest::Inputs& in, const nlohmann::json& kw) {
    return nn::BCELoss(nn::BCELossOptions().weight(nntest::opt(in, "weight")).reduction(red(kw)))(in["input"],
                                                                                                  in["target"]);
  });
  ran += nntest::run_golden({"binary_cross_entropy_with_logits"}, [](nntest::Inputs& in, const nlohmann::json& kw) {
    return nn::BCEWithLogitsLoss(nn::BCEWithLogitsLossOptions()
                                     .weight(nntest::opt(in, "weight"))
                                     .pos_weight(nntest::opt(in, "pos_weight"))
                                     .reduction(red(kw)))(in["input"], in["target"]);
  });
  ran += nntest::run_golden({"kl_div"}, [](nntest::Inputs& in, const nlohmann::json& kw) {
    return nn::KLDivLoss(nn::KLDivLossOptions(red(kw).c_str()).log_target(kw.value("log_target", false)))(in["input"],
                                                                                                          in["target"]);
  });
  EXPECT_EQ(ran, 3 + 4 + 3 + 3 + 3 + 4 + 4 + 9);
}

TEST(Loss, GoldenMarginAndEmbeddingLosses) {
  int ran = nntest::run_golden({"margin_ranking_loss"}, [](nntest::Inputs& in, const nlohmann::json& kw) {
    return nn::MarginRankingLoss(nn::MarginRankingLossOptions().margin(kw["margin"].get<double>()).reduction(red(kw)))(
        in["input1"], in["input2"], in["target"]);
  });
  ran += nntest::run_golden({"hinge_embedding_loss"}, [](nntest::Inputs& in, const nlohmann::json& kw) {
    return nn::HingeEmbeddingLoss(
        nn::HingeEmbeddingLossOptions().margin(kw["margin"].get<double>()).reduction(red(kw)))(in["input"],
                                                                                               in["target"]);
  });
  ran += nntest::run_golden({"multi_margin_loss"}, [](nntest::Inputs& in, const nlohmann::json& kw) {
    return nn::MultiMarginLoss(nn::MultiMarginLossOptions()
                                   .p(kw["p"].get<int64_t>())
                                   .margin(kw["margin"].get<double>())
                                   .weight(in["weight"])
                                   .reduction(red(kw)))(in["input"], in["target"]);
  });
  ran += nntest::run_golden({"triplet_margin_loss"}, [](nntest::Inputs& in, const nlohmann::json& kw) {
    return nn::TripletMarginLoss(nn::TripletMarginLossOptions()
                                     .margin(kw["margin"].get<double>())
                                     .p(kw.value("p", 2.0))
                                     .swap(kw.value("swap", false))
                                     .reduction(red(kw)))(in["anchor"], in["positive"], in["negative"]);
  });
  ran += nntest::run_golden({"cosine_embedding_loss"}, [](nntest::Inputs& in, const nlohmann::json& kw) {
    return nn::CosineEmbeddingLoss(
        nn::CosineEmbeddingLossOptions().margin(kw["margin"].get<double>()).reduction(red(kw)))(
        in["input1"], in["input2"], in["target"]);
  });
  ran += nntest::run_golden({"soft_margin_loss"}, [](nntest::Inputs& in, const nlohmann::json& kw) {
    return nn::SoftMarginLoss(red(kw))(in["input"], in["target"]);
  });
  EXPECT_EQ(ran, 3 + 3 + 6 + 4 + 3 + 3);
}

TEST(Loss, GoldenCtc) {
  int ran = nntest::run_golden({"ctc_loss"}, [](nntest::Inputs& in, const nlohmann::json& kw) {
    nn::CTCLoss ctc(nn::CTCLossOptions().blank(kw["blank"].get<int64_t>()).reduction(red(kw)));
    return ctc(F::log_softmax(in["logits"], 2), in["targets"], in["input_lengths"], in["target_lengths"]);
  });
  EXPECT_EQ(ran, 4);
}

TEST(Loss, Gradchecks) {
  auto f64 = [](fx::Shape s) { return fx::randn(s, fx::kFloat64); };
  fx::Tensor x = f64({4, 5}), t = f64({4, 5});
  for (const char* r : {"none", "mean", "sum"}) {
    SCOPED_TRACE(r);
    std::string rs = r;
    auto check = [&](const fx::autograd::CheckedFn& f, const TensorList& in, bool second = true) {
      EXPECT_TRUE(fx::autograd::gradcheck(f, in));
      EXPECT_TRUE(fx::autograd::jvp_vjp_check(f, in));
      if (second) {
        EXPECT_TRUE(fx::autograd::gradgradcheck(f, in));
      }
    };
    check([&](const TensorList& a) { return TensorList{F::mse_loss(a[0], a[1], rs)}; }, {x, t});
    check([&](const TensorList& a) { return TensorList{F::l1_loss(a[0], a[1], rs)}; }, {x, t}, false);
    check([&](const TensorList& a) { return TensorList{F::smooth_l1_loss(a[0], a[1], rs, 0.8)}; }, {x, t}, false);
    check([&](const TensorList& a) { return TensorList{F::huber_loss(a[0], a[1], rs, 0.8)}; }, {x, t}, false);
    fx::Tensor cls = fx::tensor(std::vector<int64_t>{0, 4, -100, 2});
    fx::Tensor w = fx::rand({5}, fx::kFloat64) + 0.5;
    check([&](const TensorList& a) { return TensorList{F::cross_entropy(a[0], cls, w, -100, rs, 0.1)}; }, {x});
    fx::Tensor probs = fx::softmax(f64({4, 5}), 1);
    check([&](const TensorList& a) { return TensorList{F::cross_entropy(a[0], a[1], w, -100, rs, 0.2)}; }, {x, probs});
    check([&](const TensorList& a) { return TensorList{F::nll_loss(a[0], cls, w, -100, rs)}; }, {x});
    fx::Tensor p = fx::rand({3, 4}, fx::kFloat64) * 0.8 + 0.1, bt = fx::rand({3, 4}, fx::kFloat64);
    check([&](const TensorList& a) { return TensorList{F::binary_cross_entropy(a[0], a[1], fx::Tensor(), rs)}; },
          {p, bt});
    fx::Tensor pw = fx::rand({4}, fx::kFloat64) + 0.5;
    check(
        [&](const TensorList& a) {
          return TensorList{F::binary_cross_entropy_with_logits(a[0], a[1], fx::Tensor(), rs, pw)};
        },
        {f64({3, 4}), bt});
    fx::Tensor lq = fx::log_softmax(f64({3, 4}), 1), q = fx::softmax(f64({3, 4}), 1);
    check([&](const TensorList& a) { return TensorList{F::kl_div(a[0], a[1], rs)}; }, {lq, q});
    check([&](const TensorList& a) { return TensorList{F::kl_div(a[0], a[1], rs, true)}; }, {lq, fx::log(q)});
    fx::Tensor y = fx::tensor(std::vector<double>{1, -1, 1, -1, 1, 1});
    fx::Tensor a1 = f64({6}), a2 = f64({6});
    check([&](const TensorList& a) { return TensorList{F::margin_ranking_loss(a[0], a[1], y, 0.3, rs)}; }, {a1, a2},
          false);
    check([&](const TensorList& a) { return TensorList{F::hinge_embedding_loss(a[0], y, 1.2, rs)}; }, {a1}, false);
    fx::Tensor ym = fx::tensor(std::vector<int64_t>{0, 3, 1, 1});
    for (int64_t pp : {1, 2})
      check([&](const TensorList& a) { return TensorList{F::multi_margin_loss(a[0], ym, pp, 0.8, w, rs)}; }, {x},
            false);
    fx::Tensor an = f64({4, 3}), po = f64({4, 3}), ne = f64({4, 3});
    check(
        [&](const TensorList& a) {
          return TensorList{F::triplet_margin_loss(a[0], a[1], a[2], 3.0, 2.0, 1e-6, true, rs)};
        },
        {an, po, ne});
    check([&](const TensorList& a) { return TensorList{F::cosine_embedding_loss(a[0], a[1], y, -0.5, rs)}; },
          {f64({6, 3}), f64({6, 3})});
    check([&](const TensorList& a) { return TensorList{F::soft_margin_loss(a[0], y, rs)}; }, {a1});
    check(
        [&](const TensorList& a) {
          return TensorList{F::poisson_nll_loss(a[0], a[1].abs() * 3, true, true, 1e-8, rs)};
        },
        {x, t});
    check(
        [&](const TensorList& a) {
          return TensorList{F::gaussian_nll_loss(a[0], a[1], a[2].abs() + 0.1, true, 1e-6, rs)};
        },
        {x, t, f64({4, 1})});
  }
  // CTC: the exact gradient with respect to the log-probabilities themselves.
  fx::Tensor lp = fx::log_softmax(f64({6, 2, 4}), 2);
  fx::Tensor tg = fx::tensor(std::vector<int64_t>{1, 2, 2, 3, 1, 0}, fx::Shape{2, 3});
  fx::Tensor il = fx::tensor(std::vector<int64_t>{6, 5}), tl = fx::tensor(std::vector<int64_t>{3, 2});
  auto fc = [&](const TensorList& a) { return TensorList{F::ctc_loss(a[0], tg, il, tl, 0, "none")}; };
  EXPECT_TRUE(fx::autograd::gradcheck(fc, {lp}));
  EXPECT_TRUE(fx::autograd::jvp_vjp_check(fc, {lp}));
}

TEST(Loss, CrossEntropyIsStableAndMatchesDefinition) {
  // Huge logits: log-softmax based, no overflow.
  fx::Tensor big = fx::tensor(std::vector<float>{1e4f, 0.0f, -1e4f, 5e3f, 5e3f, 0.0f}, fx::Shape{2, 3});
  fx::Tensor cls = fx::tensor(std::vector<int64_t>{0, 2});
  fx::Tensor l = F::cross_entropy(big, cls, fx::Tensor(), -100, "none");
  EXPECT_TRUE(fx::isfinite(l).all().item<bool>());
  EXPECT_NEAR(l[0].item<float>(), 0.0f, 1e-6);
  EXPECT_NEAR(l[1].item<float>(), 5e3f + std::log(2.0f), 1e-1);
  // cross_entropy == nll_loss(log_softmax) and == -sum(onehot * log_softmax).
  fx::Tensor x = fx::randn({5, 4}, fx::kFloat64);
  fx::Tensor t = fx::tensor(std::vector<int64_t>{3, 0, 1, 1, 2});
  fx::Tensor ce = F::cross_entropy(x, t);
  EXPECT_TRUE(fxtest::tensors_close(ce, F::nll_loss(F::log_softmax(x, 1), t)));
  EXPECT_TRUE(fxtest::tensors_close(ce, F::cross_entropy(x, fx::one_hot(t, 4).to(fx::kFloat64))));
  // Extra dims (N, C, d1, d2) equal the flattened (N * d1 * d2, C) problem.
  fx::Tensor xk = fx::randn({2, 3, 4, 5}, fx::kFloat64);
  fx::Tensor tk = fx::randint(0, 3, {2, 4, 5});
  fx::Tensor flat = xk.permute({0, 2, 3, 1}).reshape({-1, 3});
  EXPECT_TRUE(fxtest::tensors_close(F::cross_entropy(xk, tk), F::cross_entropy(flat, tk.reshape({-1}))));
  // BCE with logits at extreme logits is finite; BCE clamps its logs at -100.
  fx::Tensor z = fx::tensor(std::vector<float>{-1000, 1000});
  fx::Tensor zt = fx::tensor(std::vector<float>{1, 0});
  EXPECT_TRUE(fxtest::tensors_close(F::binary_cross_entropy_with_logits(z, zt, {}, "none"), fx::full({2}, 1000.0f)));
  EXPECT_TRUE(fxtest::tensors_close(F::binary_cross_entropy(fx::tensor(std::vector<float>{0, 1}), zt, {}, "none"),
                                    fx::full({2}, 100.0f)));
  // Empty batch: sum is 0 (mean is NaN as in PyTorch).
  EXPECT_EQ(F::cross_entropy(fx::zeros({0, 3}), fx::zeros({0}, fx::kInt64), {}, -100, "sum").item<float>(), 0.0f);
}

TEST(Loss, BadInputsNameTheLossAndShapes) {
  fx::Tensor x = fx::randn({4, 3});
  EXPECT_FX_ERROR(F::cross_entropy(x, fx::tensor(std::vector<int64_t>{0, 1, 3, 2})),
                  "cross_entropy: target 3 is out of bounds for 3 classes");
  EXPECT_FX_ERROR(F::cross_entropy(x, fx::tensor(std::vector<int64_t>{0, -2, 1, 2})), "target -2 is out of bounds");
  EXPECT_FX_ERROR(F::cross_entropy(x, fx::zeros({4, 2})),
                  "probability targets (floating dtype float32) must have the "
                  "input's sizes [4, 3], got [4, 2]");
  EXPECT_FX_ERROR(F::cross_entropy(x, fx::zeros({5}, fx::kInt64)),
                  "cross_entropy: expected target of sizes [4] for input of sizes [4, 3]");
  EXPECT_FX_ERROR(F::nll_loss(x, fx::zeros({4})), "nll_loss: expected a target of class indices with an integer dtype");
  EXPECT_FX_ERROR(F::nll_loss(x, fx::zeros({4}, fx::kInt64), fx::ones({2})), "weight of sizes [2]");
  EXPECT_FX_ERROR(F::mse_loss(fx::zeros({4, 1}), fx::zeros({4})),
                  "mse_loss: target sizes [4] differ from input sizes [4, 1]");
  EXPECT_FX_ERROR(F::l1_loss(x, x, "average"), "l1_loss: reduction must be 'none', 'mean' or 'sum', got 'average'");
  EXPECT_FX_ERROR(F::binary_cross_entropy(fx::full({2}, 1.5), fx::zeros({2})),
                  "all elements of input should be between 0 and 1");
  EXPECT_FX_ERROR(F::cross_entropy(x, fx::zeros({4}, fx::kInt64), {}, -100, "mean", 1.5), "label_smoothing");
  EXPECT_FX_ERROR(F::multi_margin_loss(x, fx::tensor(std::vector<int64_t>{0, 1, 2, 7})),
                  "multi_margin_loss: target 7 is out of bounds for 3 classes");
  EXPECT_FX_ERROR(F::multi_margin_loss(x, fx::zeros({4}, fx::kInt64), 3), "only p = 1 and p = 2");
  EXPECT_FX_ERROR(F::kl_div(x, x, "batchsum"), "'batchmean'");
  EXPECT_FX_ERROR(F::triplet_margin_loss(fx::zeros({2, 3}), fx::zeros({3}), fx::zeros({2, 3})),
                  "same number of dimensions");
  EXPECT_FX_ERROR(F::cosine_embedding_loss(fx::zeros({2, 3}), fx::zeros({2, 3}), fx::zeros({3})),
                  "cosine_embedding_loss: expected inputs (N, D) with target (N)");
  EXPECT_FX_ERROR(F::gaussian_nll_loss(x, x, fx::ones({2})), "var of sizes [2] does not fit input of sizes [4, 3]");
  EXPECT_FX_ERROR(F::ctc_loss(fx::zeros({5, 2, 4}), fx::tensor(std::vector<int64_t>{1, 0}, fx::Shape{2, 1}),
                              fx::tensor(std::vector<int64_t>{5, 5}), fx::tensor(std::vector<int64_t>{1, 1})),
                  "ctc_loss: target label 0 (batch 1, position 0) must be in [0, 4) and differ from blank = 0");
  EXPECT_FX_ERROR(F::ctc_loss(fx::zeros({5, 2, 4}), fx::tensor(std::vector<int64_t>{1, 2}, fx::Shape{2, 1}),
                              fx::tensor(std::vector<int64_t>{6, 5}), fx::tensor(std::vector<int64_t>{1, 1})),
                  "input_lengths[0] = 6 must be in [0, 5]");
}

TEST(Loss, CtcImpossibleAlignmentAndZeroInfinity) {
  // Target "1 1" needs 3 frames (a blank between repeats); 2 frames make it impossible.
  fx::Tensor lp = fx::log_softmax(fx::randn({2, 1, 3}, fx::TensorOptions(fx::kFloat64).requires_grad(true)), 2);
  fx::Tensor tg = fx::tensor(std::vector<int64_t>{1, 1}, fx::Shape{1, 2});
  fx::Tensor il = fx::tensor(std::vector<int64_t>{2}), tl = fx::tensor(std::vector<int64_t>{2});
  EXPECT_TRUE(std::isinf(F::ctc_loss(lp, tg, il, tl, 0, "sum").item<double>()));
  fx::Tensor z = F::ctc_loss(lp, tg, il, tl, 0, "sum", /*zero_infinity=*/true);
  EXPECT_EQ(z.item<double>(), 0.0);
  // A one-label sequence over one frame: loss = -lp[0, label].
  fx::Tensor lp1 = fx::log_softmax(fx::randn({1, 1, 3}, fx::kFloat64), 2);
  fx::Tensor l1 = F::ctc_loss(lp1, fx::tensor(std::vector<int64_t>{2}, fx::Shape{1, 1}),
                              fx::tensor(std::vector<int64_t>{1}), fx::tensor(std::vector<int64_t>{1}), 0, "sum");
  EXPECT_NEAR(l1.item<double>(), -lp1[0][0][2].item<double>(), 1e-12);
}

TEST(Loss, ModulesPrint) {
  std::ostringstream os;
  os << *nn::MSELoss("sum") << " " << *nn::CrossEntropyLoss(nn::CrossEntropyLossOptions().label_smoothing(0.1));
  EXPECT_EQ(os.str(),
            "MSELoss(reduction=sum) CrossEntropyLoss(reduction=mean, ignore_index=-100, label_smoothing=0.1)");
  // Class weights are buffers: they appear in the state dict and move with .to().
  nn::CrossEntropyLoss ce(nn::CrossEntropyLossOptions().weight(fx::ones({3})));
  EXPECT_EQ(ce->state_dict().keys(), (std::vector<std::string>{"weight"}));
  ce->to(fx::kFloat64);
  EXPECT_EQ(ce->weight.dtype(), fx::kFloat64);
}

TEST(Loss, HalfPrecisionEmptyAndZeroDim) {
  fx::manual_seed(21);
  fx::Tensor x = fx::randn({6, 5}), cls = fx::tensor(std::vector<int64_t>{0, 1, 2, 3, 4, 0});
  const float ref = F::cross_entropy(x, cls).item<float>();
  for (fx::DType dt : {fx::kFloat16, fx::kBFloat16}) {
    SCOPED_TRACE(fx::dtype_name(dt));
    fx::Tensor l = F::cross_entropy(x.to(dt), cls);
    EXPECT_EQ(l.dtype(), dt);
    EXPECT_NEAR(l.item<float>(), ref, 2e-2);
    EXPECT_NEAR(F::mse_loss(x.to(dt), fx::zeros({6, 5}, dt)).item<float>(),
                F::mse_loss(x, fx::zeros({6, 5})).item<float>(), 3e-2);
  }
  // Empty inputs: "mean" of nothing is NaN (as PyTorch), "sum" is 0; 0-d inputs work.
  fx::Tensor e = fx::zeros({0});
  EXPECT_TRUE(std::isnan(F::mse_loss(e, e).item<float>()));
  EXPECT_EQ(F::l1_loss(e, e, "sum").item<float>(), 0.0f);
  EXPECT_EQ(F::mse_loss(fx::scalar_tensor(3.0), fx::scalar_tensor(1.0)).item<float>(), 4.0f);
  // NaN inputs propagate instead of being hidden.
  fx::Tensor withnan = fx::tensor(std::vector<float>{1.0f, NAN});
  EXPECT_TRUE(std::isnan(F::huber_loss(withnan, fx::zeros({2})).item<float>()));
}
