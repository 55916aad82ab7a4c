// Reductions, softmax and scans against PyTorch golden values
// (tests/golden/gen_reduce.py -> tests/golden/data/reduce.json).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "fluxion/fluxion.h"
#include "support/golden.h"
#include "support/test_util.h"

namespace fx = fluxion;
using fx::Tensor;
using fxtest::tensors_close;

namespace {

// Rebuilds the input from its stored tensor and layout (see gen_reduce.py).
Tensor rebuild(const fxtest::GoldenCase& c) {
  const Tensor& s = c.at("x");
  const auto& layout = c.attrs.at("layout");
  if (layout.is_null()) return s;
  const std::string l = layout.get<std::string>();
  if (l == "t") return s.mT();
  if (l == "step2") return s.slice(-1, 0, std::nullopt, 2);
  if (l == "expand") return s.expand(c.attrs.at("shape").get<std::vector<int64_t>>());
  ADD_FAILURE() << "unknown layout " << l;
  return s;
}

std::optional<fx::DType> dtype_attr(const nlohmann::json& a) {
  if (!a.contains("dtype") || a.at("dtype").is_null()) return std::nullopt;
  const std::string n = a.at("dtype").get<std::string>();
  for (int t = 0; t < fx::kNumDTypes; ++t)
    if (n == fx::dtype_name(static_cast<fx::DType>(t))) return static_cast<fx::DType>(t);
  ADD_FAILURE() << "unknown dtype " << n;
  return std::nullopt;
}

std::optional<fx::DimList> dims_attr(const nlohmann::json& a) {
  if (a.at("dims").is_null()) return std::nullopt;
  return fx::DimList(a.at("dims").get<std::vector<int64_t>>());
}

std::optional<int64_t> dim_attr(const nlohmann::json& a) {
  if (a.at("dim").is_null()) return std::nullopt;
  return a.at("dim").get<int64_t>();
}

std::vector<Tensor> run(const fxtest::GoldenCase& c) {
  const auto& a = c.attrs;
  const std::string op = a.at("op").get<std::string>();
  const Tensor x = rebuild(c);
  const bool kd = a.contains("keepdim") && a.at("keepdim").get<bool>();
  const auto dt = dtype_attr(a);
  if (op == "sum") return {dims_attr(a) ? fx::sum(x, *dims_attr(a), kd, dt) : fx::sum(x, dt)};
  if (op == "mean") return {dims_attr(a) ? fx::mean(x, *dims_attr(a), kd, dt) : fx::mean(x, dt)};
  if (op == "prod") return {dim_attr(a) ? fx::prod(x, *dim_attr(a), kd, dt) : fx::prod(x, dt)};
  if (op == "max" || op == "min") {
    if (!dim_attr(a)) return {op == "max" ? fx::max(x) : fx::min(x)};
    auto [v, i] = op == "max" ? fx::max(x, *dim_attr(a), kd) : fx::min(x, *dim_attr(a), kd);
    return {v, i};
  }
  if (op == "amax") return {fx::amax(x, *dims_attr(a), kd)};
  if (op == "amin") return {fx::amin(x, *dims_attr(a), kd)};
  if (op == "argmax") return {fx::argmax(x, dim_attr(a), kd)};
  if (op == "argmin") return {fx::argmin(x, dim_attr(a), kd)};
  if (op == "var" || op == "std" || op == "var_mean" || op == "std_mean") {
    const double corr = a.at("correction").get<double>();
    if (op == "var") return {fx::var(x, dims_attr(a), corr, kd)};
    if (op == "std") return {fx::std(x, dims_attr(a), corr, kd)};
    auto [v, m] = op == "var_mean" ? fx::var_mean(x, dims_attr(a), corr, kd) : fx::std_mean(x, dims_attr(a), corr, kd);
    return {v, m};
  }
  if (op == "norm") {
    const auto& pj = a.at("p");
    const double p = pj.is_string() ? (pj.get<std::string>() == "inf" ? INFINITY : -INFINITY) : pj.get<double>();
    return {fx::norm(x, p, dims_attr(a), kd)};
  }
  if (op == "logsumexp") return {fx::logsumexp(x, *dims_attr(a), kd)};
  if (op == "softmax") return {fx::softmax(x, *dim_attr(a), dt)};
  if (op == "log_softmax") return {fx::log_softmax(x, *dim_attr(a), dt)};
  if (op == "cumsum") return {fx::cumsum(x, *dim_attr(a), dt)};
  if (op == "cumprod") return {fx::cumprod(x, *dim_attr(a), dt)};
  if (op == "all") return {dim_attr(a) ? fx::all(x, *dim_attr(a), kd) : fx::all(x)};
  if (op == "any") return {dim_attr(a) ? fx::any(x, *dim_attr(a), kd) : fx::any(x)};
  if (op == "count_nonzero") return {fx::count_nonzero(x, dims_attr(a))};
  ADD_FAILURE() << "unknown op " << op;
  return {};
}

// Tolerances by result dtype: half types round once more than PyTorch may.
void expect_match(const std::string& name, const Tensor& got, const Tensor& want) {
  ASSERT_TRUE(got.defined()) << name;
  EXPECT_EQ(got.dtype(), want.dtype()) << name;
  double rtol = 1e-5, atol = 1e-6;
  if (want.dtype() == fx::kFloat16) rtol = atol = 2e-3;
  if (want.dtype() == fx::kBFloat16) rtol = atol = 1.6e-2;
  if (want.dtype() == fx::kFloat64) rtol = 1e-12, atol = 1e-12;
  EXPECT_TRUE(tensors_close(got.to(want.dtype()), want, rtol, atol)) << name;
}

// Every case on every device (the CPU, and CUDA when present).
TEST(ReduceGolden, MatchesPyTorch) {
  const auto cases = fxtest::load_golden("reduce.json");
  ASSERT_GT(cases.size(), 600u);
  for (const fx::Device& device : fxtest::golden_devices()) {
    std::vector<std::string> missing;
    for (const auto& c : cases) {
      SCOPED_TRACE(c.name + " on " + device.str());
      std::vector<Tensor> got;
      try {
        got = run(fxtest::on_device(c, device));
      } catch (const fx::Error& e) {
        if (device.is_cuda() && fxtest::is_missing_cuda_kernel(e)) {
          missing.push_back(c.name);
          continue;
        }
        ADD_FAILURE() << c.name << " threw: " << e.what();
        continue;
      }
      if (c.has("out")) {
        ASSERT_EQ(got.size(), 1u);
        expect_match(c.name, got[0].cpu(), c.at("out"));
      } else {
        for (size_t i = 0; i < got.size(); ++i) expect_match(c.name, got[i].cpu(), c.at("out" + std::to_string(i)));
      }
    }
    fxtest::report_missing(device, missing);
  }
}

}  // namespace
