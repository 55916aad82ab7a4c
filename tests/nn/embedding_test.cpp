// Embedding and EmbeddingBag: golden values and gradients vs PyTorch, padding_idx, max_norm,
// scale_grad_by_freq, from_pretrained, gradchecks, errors.
#include <gtest/gtest.h>

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
std::optional<int64_t> opt_int(const nlohmann::json& kw, const char* key) {
  if (!kw.contains(key) || kw.at(key).is_null()) return std::nullopt;
  return kw.at(key).get<int64_t>();
}
}  // namespace

TEST(Embedding, Golden) {
  int ran = nntest::run_golden({"embedding"}, [](nntest::Inputs& in, const nlohmann::json& kw) {
    return F::embedding(in["indices"], in["weight"], opt_int(kw, "padding_idx"), std::nullopt, 2.0,
                        kw.value("scale_grad_by_freq", false));
  });
  EXPECT_EQ(ran, 3);
  ran = nntest::run_golden({"embedding_bag"}, [](nntest::Inputs& in, const nlohmann::json& kw) {
    return F::embedding_bag(in["indices"], in["weight"], nntest::opt(in, "offsets"), std::nullopt, 2.0,
                            kw.at("mode").get<std::string>(), nntest::opt(in, "per_sample_weights"),
                            kw.value("include_last_offset", false), opt_int(kw, "padding_idx"));
  });
  EXPECT_EQ(ran, 6);
}

TEST(Embedding, GoldenMaxNormRenormalisesInPlace) {
  int ran = 0;
  for (const auto& c : nntest::nn_core_cases()) {
    if (c.attrs.value("op", "") != "embedding_max_norm") continue;
    nn::Embedding emb(nn::EmbeddingOptions(7, 3).max_norm(1.5));
    emb->to(fx::kFloat64);
    emb->load_state_dict(fx::OrderedDict<std::string, fx::Tensor>{{"weight", c.at("weight")}});
    fx::Tensor out = emb(c.at("indices"));
    EXPECT_TRUE(fxtest::tensors_close(out, c.at("out"), 1e-9, 1e-10));
    EXPECT_TRUE(fxtest::tensors_close(emb->weight.detach(), c.at("weight_after"), 1e-9, 1e-10));
    EXPECT_TRUE(emb->weight.is_leaf());
    ++ran;
  }
  EXPECT_EQ(ran, 1);
}

TEST(Embedding, ModuleDefaultsPaddingAndGradient) {
  nn::Embedding emb(nn::EmbeddingOptions(10, 4).padding_idx(-1));
  EXPECT_EQ(*emb->options.padding_idx(), 9);  // negative index wrapped
  EXPECT_EQ(emb->weight[9].abs().sum().item<float>(), 0.0f);
  EXPECT_NEAR(emb->weight.slice(0, 0, 9).std().item<double>(), 1.0, 0.5);  // N(0, 1) init
  fx::Tensor idx = fx::tensor(std::vector<int64_t>{1, 9, 1, 3}, fx::Shape{2, 2});
  fx::Tensor y = emb(idx);
  EXPECT_EQ(y.sizes(), (fx::Shape{2, 2, 4}));
  EXPECT_TRUE(fxtest::tensors_equal(y[0][1], fx::zeros({4})));
  y.sum().backward();
  fx::Tensor g = emb->weight.grad();
  EXPECT_TRUE(fxtest::tensors_close(g[1], fx::full({4}, 2.0)));  // index 1 used twice
  EXPECT_TRUE(fxtest::tensors_close(g[3], fx::ones({4})));
  EXPECT_TRUE(fxtest::tensors_close(g[9], fx::zeros({4})));  // padding row gets no gradient
  EXPECT_TRUE(fxtest::tensors_close(g[0], fx::zeros({4})));
  // int32 indices work too.
  EXPECT_TRUE(fxtest::tensors_equal(emb(idx.to(fx::kInt32)), y.detach()));
  std::ostringstream os;
  os << *emb;
  EXPECT_EQ(os.str(), "Embedding(10, 4, padding_idx=9)");
}

TEST(Embedding, FromPretrainedAndFreeze) {
  fx::Tensor vecs = fx::arange(6, fx::kFloat32).reshape({3, 2});
  nn::Embedding frozen = nn::Embedding::from_pretrained(vecs);
  EXPECT_FALSE(frozen->weight.requires_grad());
  EXPECT_TRUE(fxtest::tensors_equal(frozen(fx::tensor(std::vector<int64_t>{2})), vecs.slice(0, 2, 3)));
  nn::Embedding tuned = nn::Embedding::from_pretrained(vecs, /*freeze=*/false);
  EXPECT_TRUE(tuned->weight.requires_grad());
  EXPECT_FALSE(tuned->weight.is_same(vecs));
}

TEST(Embedding, Gradchecks) {
  fx::Tensor w = fx::randn({6, 3}, fx::kFloat64);
  fx::Tensor idx = fx::tensor(std::vector<int64_t>{0, 2, 2, 5, 1, 2}, fx::Shape{3, 2});
  auto f = [&](const TensorList& t) { return TensorList{F::embedding(idx, t[0])}; };
  EXPECT_TRUE(fx::autograd::gradcheck(f, {w}));
  EXPECT_TRUE(fx::autograd::gradgradcheck(f, {w}));
  EXPECT_TRUE(fx::autograd::jvp_vjp_check(f, {w}));
  // padding_idx and scale_grad_by_freq deliberately change the gradient (it is no longer the
  // derivative of the lookup), so finite differences must disagree; their values are checked
  // against PyTorch in the golden test. The modified VJP is still linear and differentiable.
  auto fp = [&](const TensorList& t) { return TensorList{F::embedding(idx, t[0], 2, std::nullopt, 2.0, true)}; };
  EXPECT_FX_ERROR(fx::autograd::gradcheck(fp, {w}), "Jacobian mismatch");
  EXPECT_TRUE(fx::autograd::gradgradcheck(fp, {w}));
  fx::Tensor flat = fx::tensor(std::vector<int64_t>{1, 2, 4, 5, 4, 3});
  fx::Tensor offsets = fx::tensor(std::vector<int64_t>{0, 2, 2});
  for (const char* mode : {"sum", "mean", "max"}) {
    SCOPED_TRACE(mode);
    auto fb = [&](const TensorList& t) {
      return TensorList{F::embedding_bag(flat, t[0], offsets, std::nullopt, 2.0, mode)};
    };
    EXPECT_TRUE(fx::autograd::gradcheck(fb, {w}));
  }
  fx::Tensor psw = fx::randn({6}, fx::kFloat64);
  auto fw = [&](const TensorList& t) {
    return TensorList{F::embedding_bag(flat, t[0], offsets, std::nullopt, 2.0, "sum", t[1])};
  };
  EXPECT_TRUE(fx::autograd::gradcheck(fw, {w, psw}));
}

TEST(Embedding, BagModule) {
  nn::EmbeddingBag bag(nn::EmbeddingBagOptions(5, 2).mode("sum"));
  fx::Tensor idx = fx::tensor(std::vector<int64_t>{0, 1, 1, 4}, fx::Shape{2, 2});
  fx::Tensor y = bag(idx);
  EXPECT_TRUE(fxtest::tensors_close(y[0], bag->weight[0] + bag->weight[1]));
  EXPECT_TRUE(fxtest::tensors_close(y[1], bag->weight[1] + bag->weight[4]));
  fx::Tensor y2 = bag(idx.reshape({-1}), fx::tensor(std::vector<int64_t>{0, 2}));
  EXPECT_TRUE(fxtest::tensors_close(y, y2));
  std::ostringstream os;
  os << *bag;
  EXPECT_EQ(os.str(), "EmbeddingBag(5, 2, mode='sum')");
}

TEST(Embedding, Errors) {
  nn::Embedding emb(4, 2);
  EXPECT_FX_ERROR(emb(fx::tensor(std::vector<int64_t>{0, 4})), "index 4 is out of range for num_embeddings = 4");
  EXPECT_FX_ERROR(emb(fx::tensor(std::vector<int64_t>{-1})), "index -1 is out of range");
  EXPECT_FX_ERROR(emb(fx::tensor(std::vector<float>{0, 1})), "expected indices of dtype int64 or int32, got float32");
  EXPECT_FX_ERROR(nn::Embedding(nn::EmbeddingOptions(4, 2).padding_idx(4)), "padding_idx 4 must be within");
  fx::Tensor w = fx::randn({4, 2});
  fx::Tensor flat = fx::tensor(std::vector<int64_t>{0, 1, 2});
  EXPECT_FX_ERROR(F::embedding_bag(flat, w, fx::tensor(std::vector<int64_t>{1, 2})), "offsets[0] has to be 0");
  EXPECT_FX_ERROR(F::embedding_bag(flat, w, fx::tensor(std::vector<int64_t>{0, 2, 1})), "non-decreasing");
  EXPECT_FX_ERROR(F::embedding_bag(flat, w), "1-d indices need 1-d offsets");
  EXPECT_FX_ERROR(
      F::embedding_bag(flat, w, fx::tensor(std::vector<int64_t>{0}), std::nullopt, 2.0, "mean", fx::ones({3})),
      "per_sample_weights are only supported for mode='sum'");
  EXPECT_FX_ERROR(F::embedding_bag(flat, w, fx::tensor(std::vector<int64_t>{0}), std::nullopt, 2.0, "median"),
                  "mode must be 'sum', 'mean' or 'max'");
}
