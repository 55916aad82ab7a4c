// Shared by the nn-core tests: runs a golden case of tests/golden/data/nn_core.json (written by
// tests/golden/gen_nn_core.py) through a Fluxion callable and compares the output and gradients.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>

#include "fluxion/fluxion.h"
#include "support/golden.h"
#include "support/test_util.h"

namespace nntest {

namespace fx = fluxion;
using Inputs = std::map<std::string, fx::Tensor>;
/// Computes the case's output from its inputs. A module case may replace entries of `in` by the
/// module's parameter handles so that their gradients are read back from the module.
using GoldenFn = std::function<fx::Tensor(Inputs& in, const nlohmann::json& kw)>;

/// All cases of nn_core.json (loaded once).
inline const std::vector<fxtest::GoldenCase>& nn_core_cases() {
  static const std::vector<fxtest::GoldenCase> cases = fxtest::load_golden("nn_core.json");
  return cases;
}

/// Runs every case whose attrs["op"] is in `ops` through `fn`; returns how many ran. float64 cases
/// are compared with relative tolerance `rtol64` (float32 ones with 1e-4).
inline int run_golden(const std::vector<std::string>& ops, const GoldenFn& fn, double rtol64 = 1e-9) {
  int ran = 0;
  for (const auto& c : nn_core_cases()) {
    const std::string op = c.attrs.value("op", "");
    if (std::find(ops.begin(), ops.end(), op) == ops.end()) continue;
    SCOPED_TRACE("golden case " + c.name);
    Inputs in;
    for (const auto& k : c.attrs.at("inputs")) in[k.get<std::string>()] = c.at(k.get<std::string>()).clone();
    for (const auto& k : c.attrs.value("params", nlohmann::json::array()))
      in[k.get<std::string>()] = c.at(k.get<std::string>()).clone();
    std::vector<std::string> diff;
    for (const auto& k : c.attrs.value("diff", nlohmann::json::array())) diff.push_back(k.get<std::string>());
    for (const auto& k : diff) in[k].requires_grad_(true);
    const fx::Tensor& expected = c.at("out");
    const bool f32 = expected.dtype() == fx::kFloat32;
    const double rtol = f32 ? 1e-4 : rtol64, atol = f32 ? 1e-5 : 1e-10;
    fx::Tensor out = fn(in, c.attrs.value("kw", nlohmann::json::object()));
    EXPECT_TRUE(fxtest::tensors_close(out, expected, rtol, atol)) << "output of " << c.name;
    if (c.has("gout")) {
      (out * c.at("gout")).sum().backward();
      for (const auto& k : diff) {
        const fx::Tensor& g = in[k].grad();
        const fx::Tensor& eg = c.at("grad_" + k);
        if (!g.defined()) {
          EXPECT_TRUE(fxtest::tensors_close(fx::zeros_like(eg), eg, rtol, atol)) << "no gradient for " << k;
          continue;
        }
        EXPECT_TRUE(fxtest::tensors_close(g, eg, rtol, atol)) << "gradient of " << k << " in " << c.name;
      }
    }
    ++ran;
  }
  return ran;
}

/// The optional tensor `name` of a case's inputs (undefined when absent).
inline fx::Tensor opt(const Inputs& in, const std::string& name) {
  auto it = in.find(name);
  return it == in.end() ? fx::Tensor() : it->second;
}

}  // namespace nntest
