// Helpers shared by the conv/pooling/normalization/upsample tests: golden-case argument parsing,
// output+gradient comparison against PyTorch, and a derivative-check bundle.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "fluxion/fluxion.h"
#include "support/golden.h"
#include "support/test_util.h"

namespace nnconv_test {

namespace fx = fluxion;

/// A JSON integer or list of integers as a DimList.
inline fx::DimList ints(const nlohmann::json& j) {
  if (j.is_number_integer()) return fx::DimList(j.get<int64_t>());
  return fx::DimList(j.get<std::vector<int64_t>>());
}

/// The golden cases of nn_conv.json whose attrs["op"] is one of `ops`.
inline std::vector<fxtest::GoldenCase> golden_cases(const std::vector<std::string>& ops) {
  static const std::vector<fxtest::GoldenCase> all = fxtest::load_golden("nn_conv.json");
  std::vector<fxtest::GoldenCase> out;
  for (const auto& c : all) {
    const std::string op = c.attrs.at("op").get<std::string>();
    for (const auto& o : ops)
      if (o == op) out.push_back(c);
  }
  return out;
}

/// Leaf copy of a golden input that requires grad.
inline fx::Tensor leaf(const fx::Tensor& t) { return t.clone().requires_grad_(true); }

/// Runs backward of y with the case's "gy" and compares y and the gradients of `inputs` with the
/// case's "y" and "g<name>" tensors.
inline void expect_matches(const fxtest::GoldenCase& c, const fx::Tensor& y,
                           const std::vector<std::pair<std::string, fx::Tensor>>& inputs, double rtol = 1e-4,
                           double atol = 1e-5) {
  SCOPED_TRACE(c.name);
  EXPECT_TRUE(fxtest::tensors_close(y, c.at("y"), rtol, atol)) << "output";
  fx::TensorList xs;
  for (const auto& [name, t] : inputs) xs.push_back(t);
  fx::TensorList gs = fx::autograd::grad({y}, xs, {c.at("gy")}, std::nullopt, false, true);
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string key = "g" + inputs[i].first;
    if (!c.has(key)) continue;
    ASSERT_TRUE(gs[i].defined()) << key;
    EXPECT_TRUE(fxtest::tensors_close(gs[i], c.at(key), rtol, atol)) << key;
  }
}

/// The ("x", x), ("w", w), ("b", b) list of expect_matches, skipping undefined tensors.
inline std::vector<std::pair<std::string, fx::Tensor>> named_inputs(const fx::Tensor& x, const fx::Tensor& w = {},
                                                                    const fx::Tensor& b = {}) {
  std::vector<std::pair<std::string, fx::Tensor>> v;
  v.reserve(3);
  v.push_back(std::make_pair(std::string("x"), x));
  if (w.defined()) v.push_back(std::make_pair(std::string("w"), w));
  if (b.defined()) v.push_back(std::make_pair(std::string("b"), b));
  return v;
}

/// gradcheck, gradgradcheck (when `second`) and jvp_vjp_check of f at f64 inputs.
inline void check_derivatives(const fx::autograd::CheckedFn& f, const fx::TensorList& inputs, bool second = true,
                              double atol = 1e-5, double rtol = 1e-3) {
  EXPECT_TRUE(fx::autograd::gradcheck(f, inputs, 1e-6, atol, rtol));
  if (second) {
    EXPECT_TRUE(fx::autograd::gradgradcheck(f, inputs, 1e-6, atol, rtol));
  }
  EXPECT_TRUE(fx::autograd::jvp_vjp_check(f, inputs));
}

/// Standard-normal f64 tensor with requires_grad.
inline fx::Tensor rand64(const fx::Shape& s) {
  return fx::randn(s, fx::TensorOptions(fx::kFloat64)).requires_grad_(true);
}

}  // namespace nnconv_test
