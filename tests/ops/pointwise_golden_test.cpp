// Elementwise ops against PyTorch: values, result dtypes (type promotion), NaN/Inf handling and
// subgradient conventions, from tests/golden/data/pointwise.json (tests/golden/gen_pointwise.py).
#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "fluxion/fluxion.h"
#include "support/golden.h"
#include "support/test_util.h"

namespace fx = fluxion;
using fx::Scalar;
using fx::Tensor;
using fxtest::GoldenCase;
using nlohmann::json;

namespace {

double num(const json& p, const char* key, double dflt) { return p.contains(key) ? p.at(key).get<double>() : dflt; }

std::optional<Scalar> opt_scalar(const json& p, const char* key) {
  if (!p.contains(key)) return std::nullopt;
  const json& v = p.at(key);
  if (v.is_number_integer()) return Scalar(v.get<int64_t>());
  return Scalar(v.get<double>());
}

using UnaryFn = std::function<Tensor(const Tensor&, const json&)>;
const std::map<std::string, UnaryFn>& unary_table() {
  static const std::map<std::string, UnaryFn> m = {
      {"neg", [](const Tensor& x, const json&) { return fx::neg(x); }},
      {"abs", [](const Tensor& x, const json&) { return fx::abs(x); }},
      {"sign", [](const Tensor& x, const json&) { return fx::sign(x); }},
      {"exp", [](const Tensor& x, const json&) { return fx::exp(x); }},
      {"exp2", [](const Tensor& x, const json&) { return fx::exp2(x); }},
      {"log", [](const Tensor& x, const json&) { return fx::log(x); }},
      {"log2", [](const Tensor& x, const json&) { return fx::log2(x); }},
      {"log10", [](const Tensor& x, const json&) { return fx::log10(x); }},
      {"log1p", [](const Tensor& x, const json&) { return fx::log1p(x); }},
      {"expm1", [](const Tensor& x, const json&) { return fx::expm1(x); }},
      {"sqrt", [](const Tensor& x, const json&) { return fx::sqrt(x); }},
      {"rsqrt", [](const Tensor& x, const json&) { return fx::rsqrt(x); }},
      {"reciprocal", [](const Tensor& x, const json&) { return fx::reciprocal(x); }},
      {"square", [](const Tensor& x, const json&) { return fx::square(x); }},
      {"sin", [](const Tensor& x, const json&) { return fx::sin(x); }},
      {"cos", [](const Tensor& x, const json&) { return fx::cos(x); }},
      {"tan", [](const Tensor& x, const json&) { return fx::tan(x); }},
      {"asin", [](const Tensor& x, const json&) { return fx::asin(x); }},
      {"acos", [](const Tensor& x, const json&) { return fx::acos(x); }},
      {"atan", [](const Tensor& x, const json&) { return fx::atan(x); }},
      {"sinh", [](const Tensor& x, const json&) { return fx::sinh(x); }},
      {"cosh", [](const Tensor& x, const json&) { return fx::cosh(x); }},
      {"tanh", [](const Tensor& x, const json&) { return fx::tanh(x); }},
      {"sigmoid", [](const Tensor& x, const json&) { return fx::sigmoid(x); }},
      {"relu", [](const Tensor& x, const json&) { return fx::relu(x); }},
      {"silu", [](const Tensor& x, const json&) { return fx::silu(x); }},
      {"erf", [](const Tensor& x, const json&) { return fx::erf(x); }},
      {"erfc", [](const Tensor& x, const json&) { return fx::erfc(x); }},
      {"floor", [](const Tensor& x, const json&) { return fx::floor(x); }},
      {"ceil", [](const Tensor& x, const json&) { return fx::ceil(x); }},
      {"trunc", [](const Tensor& x, const json&) { return fx::trunc(x); }},
      {"frac", [](const Tensor& x, const json&) { return fx::frac(x); }},
      {"round",
       [](const Tensor& x, const json& p) { return fx::round(x, static_cast<int64_t>(num(p, "decimals", 0))); }},
      {"leaky_relu", [](const Tensor& x, const json& p) { return fx::leaky_relu(x, num(p, "negative_slope", 0.01)); }},
      {"elu",
       [](const Tensor& x, const json& p) {
         return fx::elu(x, num(p, "alpha", 1), num(p, "scale", 1), num(p, "input_scale", 1));
       }},
      {"selu", [](const Tensor& x, const json&) { return fx::selu(x); }},
      {"celu", [](const Tensor& x, const json& p) { return fx::celu(x, num(p, "alpha", 1)); }},
      {"gelu",
       [](const Tensor& x, const json& p) {
         return fx::gelu(x, p.contains("approximate") ? p.at("approximate").get<std::string>() : "none");
       }},
      {"softplus",
       [](const Tensor& x, const json& p) { return fx::softplus(x, num(p, "beta", 1), num(p, "threshold", 20)); }},
      {"mish", [](const Tensor& x, const json&) { return fx::mish(x); }},
      {"hardtanh",
       [](const Tensor& x, const json& p) { return fx::hardtanh(x, num(p, "min_val", -1), num(p, "max_val", 1)); }},
      {"hardsigmoid", [](const Tensor& x, const json&) { return fx::hardsigmoid(x); }},
      {"hardswish", [](const Tensor& x, const json&) { return fx::hardswish(x); }},
      {"softsign", [](const Tensor& x, const json&) { return fx::softsign(x); }},
      {"tanhshrink", [](const Tensor& x, const json&) { return fx::tanhshrink(x); }},
      {"logsigmoid", [](const Tensor& x, const json&) { return fx::logsigmoid(x); }},
      {"relu6", [](const Tensor& x, const json&) { return fx::relu6(x); }},
      {"logit",
       [](const Tensor& x, const json& p) {
         return fx::logit(x, p.contains("eps") ? std::optional<double>(num(p, "eps", 0)) : std::nullopt);
       }},
      {"nan_to_num",
       [](const Tensor& x, const json& p) {
         auto o = [&](const char* k) { return p.contains(k) ? std::optional<double>(num(p, k, 0)) : std::nullopt; };
         return fx::nan_to_num(x, o("nan").value_or(0.0), o("posinf"), o("neginf"));
       }},
      {"clamp",
       [](const Tensor& x, const json& p) { return fx::clamp(x, opt_scalar(p, "min"), opt_scalar(p, "max")); }},
      {"pow", [](const Tensor& x, const json& p) { return fx::pow(x, *opt_scalar(p, "exponent")); }},
  };
  return m;
}

using BinaryFn = std::function<Tensor(const Tensor&, const Tensor&, const json&)>;
const std::map<std::string, BinaryFn>& binary_table() {
  static const std::map<std::string, BinaryFn> m = {
      {"add", [](const Tensor& a, const Tensor& b, const json&) { return a + b; }},
      {"sub", [](const Tensor& a, const Tensor& b, const json&) { return a - b; }},
      {"mul", [](const Tensor& a, const Tensor& b, const json&) { return a * b; }},
      {"div", [](const Tensor& a, const Tensor& b, const json&) { return a / b; }},
      {"div_trunc", [](const Tensor& a, const Tensor& b, const json&) { return fx::div(a, b, "trunc"); }},
      {"div_floor", [](const Tensor& a, const Tensor& b, const json&) { return fx::floor_divide(a, b); }},
      {"fmod", [](const Tensor& a, const Tensor& b, const json&) { return fx::fmod(a, b); }},
      {"remainder", [](const Tensor& a, const Tensor& b, const json&) { return a % b; }},
      {"maximum", [](const Tensor& a, const Tensor& b, const json&) { return fx::maximum(a, b); }},
      {"minimum", [](const Tensor& a, const Tensor& b, const json&) { return fx::minimum(a, b); }},
      {"atan2", [](const Tensor& a, const Tensor& b, const json&) { return fx::atan2(a, b); }},
      {"pow", [](const Tensor& a, const Tensor& b, const json&) { return fx::pow(a, b); }},
      {"eq", [](const Tensor& a, const Tensor& b, const json&) { return a == b; }},
      {"ne", [](const Tensor& a, const Tensor& b, const json&) { return a != b; }},
      {"lt", [](const Tensor& a, const Tensor& b, const json&) { return a < b; }},
      {"le", [](const Tensor& a, const Tensor& b, const json&) { return a <= b; }},
      {"gt", [](const Tensor& a, const Tensor& b, const json&) { return a > b; }},
      {"ge", [](const Tensor& a, const Tensor& b, const json&) { return a >= b; }},
      {"logical_and", [](const Tensor& a, const Tensor& b, const json&) { return fx::logical_and(a, b); }},
      {"logical_or", [](const Tensor& a, const Tensor& b, const json&) { return fx::logical_or(a, b); }},
      {"logical_xor", [](const Tensor& a, const Tensor& b, const json&) { return fx::logical_xor(a, b); }},
      {"bitwise_and", [](const Tensor& a, const Tensor& b, const json&) { return a & b; }},
      {"bitwise_or", [](const Tensor& a, const Tensor& b, const json&) { return a | b; }},
      {"bitwise_xor", [](const Tensor& a, const Tensor& b, const json&) { return a ^ b; }},
      {"clamp_min", [](const Tensor& a, const Tensor& b, const json&) { return fx::clamp(a, b, Tensor()); }},
      {"isclose", [](const Tensor& a, const Tensor& b,
                     const json& p) { return fx::isclose(a, b, 1e-5, 1e-8, p.at("equal_nan").get<bool>()); }},
  };
  return m;
}

Tensor scalar_call(const std::string& op, const Tensor& t, const Scalar& s, bool left) {
  if (left) {
    if (op == "sub") return s - t;
    if (op == "div") return s / t;
    if (op == "pow") return fx::pow(s, t);
    if (op == "lt") return s < t;
    if (op == "ge") return s >= t;
  } else {
    if (op == "add") return t + s;
    if (op == "sub") return t - s;
    if (op == "mul") return t * s;
    if (op == "div") return t / s;
    if (op == "pow") return fx::pow(t, s);
    if (op == "fmod") return fx::fmod(t, s);
    if (op == "remainder") return t % s;
    if (op == "eq") return t == s;
    if (op == "lt") return t < s;
    if (op == "ge") return t >= s;
  }
  ADD_FAILURE() << "no scalar op " << op;
  return t;
}

Tensor ternary_call(const std::string& op, const Tensor& a, const Tensor& b, const Tensor& c, const json& p) {
  if (op == "where") return fx::where(a, b, c);
  if (op == "addcmul") return fx::addcmul(a, b, c, num(p, "value", 1));
  if (op == "addcdiv") return fx::addcdiv(a, b, c, num(p, "value", 1));
  if (op == "lerp") return fx::lerp(a, b, c);
  if (op == "clamp") return fx::clamp(a, b, c);
  if (op == "masked_fill") return a.masked_fill(b, num(p, "value", 0));
  ADD_FAILURE() << "no ternary op " << op;
  return a;
}

/// Input `key` as the C++ test passes it (transposed back for "transpose" inputs).
Tensor input(const GoldenCase& c, const std::string& key) {
  if (c.attrs.contains("transpose"))
    for (const auto& k : c.attrs.at("transpose"))
      if (k.get<std::string>() == key) return c.at(key).t();
  return c.at(key);
}

void expect_matches(const Tensor& out, const Tensor& expect) {
  ASSERT_EQ(out.dtype(), expect.dtype());
  if (!expect.is_floating_point()) {
    EXPECT_TRUE(fxtest::tensors_equal(out, expect));
  } else if (expect.dtype() == fx::kFloat16) {
    EXPECT_TRUE(fxtest::tensors_close(out, expect, 1e-3, 1e-3));
  } else if (expect.dtype() == fx::kBFloat16) {
    EXPECT_TRUE(fxtest::tensors_close(out, expect, 1e-2, 1e-2));
  } else {
    EXPECT_TRUE(fxtest::tensors_close(out, expect, 1e-5, 1e-6));
  }
}

json params_of(const GoldenCase& c) { return c.attrs.contains("params") ? c.attrs.at("params") : json::object(); }

// One case: `c` holds the inputs on the device under test, `golden` the expected CPU outputs.
void run_case(const GoldenCase& c, const GoldenCase& golden, std::map<std::string, int>& counts) {
  const std::string kind = c.attrs.at("kind"), op = c.attrs.at("op");
  const json p = params_of(c);
  Tensor out;
  if (kind == "unary") {
    ASSERT_TRUE(unary_table().count(op)) << op;
    out = unary_table().at(op)(input(c, "x"), p);
  } else if (kind == "binary") {
    ASSERT_TRUE(binary_table().count(op)) << op;
    out = binary_table().at(op)(input(c, "a"), input(c, "b"), p);
  } else if (kind == "scalar") {
    const std::string sk = c.attrs.at("scalar_kind");
    const json& sv = c.attrs.at("scalar");
    Scalar s = sk == "int"    ? Scalar(sv.get<int64_t>())
               : sk == "bool" ? Scalar(sv.get<bool>())
                              : Scalar(sv.get<double>());
    const bool left = c.attrs.contains("left");
    out = scalar_call(op, input(c, left ? "b" : "a"), s, left);
  } else if (kind == "ternary") {
    out = op == "masked_fill" ? ternary_call(op, input(c, "a"), input(c, "b"), Tensor(), p)
                              : ternary_call(op, input(c, "a"), input(c, "b"), input(c, "c"), p);
  } else if (kind == "grad") {
    Tensor x = c.at("x").clone().requires_grad_();
    out = unary_table().at(op)(x, p);
    Tensor gx = fx::autograd::grad({(out * c.at("w")).sum()}, {x})[0];
    EXPECT_TRUE(fxtest::tensors_close(gx.cpu(), golden.at("gx"), 1e-10, 1e-10)) << "gradient";
  } else if (kind == "grad2") {
    Tensor x = c.at("x").clone().requires_grad_(), y = c.at("y").clone().requires_grad_();
    out = binary_table().at(op)(x, y, p);
    auto g = fx::autograd::grad({(out * c.at("w")).sum()}, {x, y});
    EXPECT_TRUE(fxtest::tensors_close(g[0].cpu(), golden.at("gx"), 1e-10, 1e-10)) << "gradient of x";
    EXPECT_TRUE(fxtest::tensors_close(g[1].cpu(), golden.at("gy"), 1e-10, 1e-10)) << "gradient of y";
  } else {
    FAIL() << "unknown kind " << kind;
  }
  expect_matches(out.cpu(), golden.at("out"));
  ++counts[kind];
}

}  // namespace

// Every case on every device (the CPU, and CUDA when present).
TEST(PointwiseGolden, AllCasesMatchPyTorch) {
  const auto cases = fxtest::load_golden("pointwise.json");
  for (const fx::Device& device : fxtest::golden_devices()) {
    std::map<std::string, int> counts;
    std::vector<std::string> missing;
    for (const auto& golden : cases) {
      SCOPED_TRACE(golden.name + " on " + device.str());
      const GoldenCase c = fxtest::on_device(golden, device);
      try {
        run_case(c, golden, counts);
      } catch (const fx::Error& e) {
        if (!device.is_cuda() || !fxtest::is_missing_cuda_kernel(e)) throw;
        missing.push_back(golden.name);
      }
    }
    fxtest::report_missing(device, missing);
    EXPECT_GE(counts["unary"], device.is_cpu() ? 200 : 100) << device.str();
    EXPECT_GE(counts["binary"], device.is_cpu() ? 200 : 100) << device.str();
    EXPECT_GE(counts["scalar"], device.is_cpu() ? 150 : 75) << device.str();
    EXPECT_GE(counts["ternary"], 10) << device.str();
    EXPECT_GE(counts["grad"], 19) << device.str();
  }
}
