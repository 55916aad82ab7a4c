// Range factories against PyTorch goldens (tests/golden/gen_core.py), plus dtype rules and errors.
#include <gtest/gtest.h>

#include <limits>

#include "support/golden.h"
#include "support/test_util.h"

namespace fx = fluxion;
using fxtest::tensors_close;
using fxtest::tensors_equal;

namespace {

fx::DType dtype_from(const nlohmann::json& j) {
  static const std::map<std::string, fx::DType> m = {
      {"float32", fx::kFloat32},   {"float64", fx::kFloat64}, {"float16", fx::kFloat16},
      {"bfloat16", fx::kBFloat16}, {"int8", fx::kInt8},       {"uint8", fx::kUInt8},
      {"int32", fx::kInt32},       {"int64", fx::kInt64},     {"bool", fx::kBool}};
  return m.at(j.get<std::string>());
}

// A JSON number as a Scalar of the same kind (int stays int: it decides arange's dtype).
fx::Scalar scalar_from(const nlohmann::json& j) {
  if (j.is_number_integer()) return fx::Scalar(j.get<int64_t>());
  return fx::Scalar(j.get<double>());
}

}  // namespace

TEST(Range, MatchesPyTorchGoldens) {
  int checked = 0;
  for (const auto& c : fxtest::load_golden("core.json")) {
    if (!c.attrs.contains("op") || c.name.rfind("print/", 0) == 0) continue;
    const auto& a = c.attrs;
    const std::string op = a.at("op");
    const fx::Tensor& expected = c.at("out");
    fx::Tensor out;
    if (op == "arange") {
      fx::TensorOptions o;
      if (!a.at("dtype").is_null()) o = o.dtype(dtype_from(a.at("dtype")));
      if (a.at("nargs") == 1)
        out = fx::arange(scalar_from(a.at("end")), o);
      else
        out = fx::arange(scalar_from(a.at("start")), scalar_from(a.at("end")), scalar_from(a.at("step")), o);
    } else if (op == "linspace") {
      out = fx::linspace(a.at("start"), a.at("end"), a.at("steps"), dtype_from(a.at("dtype")));
    } else if (op == "logspace") {
      out = fx::logspace(a.at("start"), a.at("end"), a.at("steps"), a.at("base"), dtype_from(a.at("dtype")));
    } else if (op == "eye") {
      std::optional<int64_t> m;
      if (!a.at("m").is_null()) m = a.at("m").get<int64_t>();
      out = fx::eye(a.at("n"), m, dtype_from(a.at("dtype")));
    } else {
      continue;
    }
    EXPECT_EQ(out.dtype(), expected.dtype()) << c.name;
    // float32 linspace/logspace: PyTorch's vectorised loop rounds differently by an ulp or so.
    if (fx::is_floating_point(expected.dtype()))
      EXPECT_TRUE(tensors_close(out, expected, 2e-6, 1e-7)) << c.name;
    else
      EXPECT_TRUE(tensors_equal(out, expected)) << c.name;
    ++checked;
  }
  EXPECT_GE(checked, 25);
}

TEST(Range, ArangeDtypeRules) {
  EXPECT_EQ(fx::arange(5).dtype(), fx::kInt64);
  EXPECT_EQ(fx::arange(0, 5, 2).dtype(), fx::kInt64);
  EXPECT_EQ(fx::arange(5.0).dtype(), fx::kFloat32);
  EXPECT_EQ(fx::arange(0, 5, 0.5).dtype(), fx::kFloat32);
  EXPECT_EQ(fx::arange(5, fx::kFloat64).dtype(), fx::kFloat64);
  EXPECT_TRUE(tensors_equal(fx::arange(4), fx::tensor(std::vector<int64_t>{0, 1, 2, 3})));
  // Length rule: ceil((end - start) / step).
  EXPECT_EQ(fx::arange(0.0, 1.0, 0.3).numel(), 4);
  EXPECT_EQ(fx::arange(1, 10, 3).numel(), 3);
  EXPECT_EQ(fx::arange(10, 1, -3).numel(), 3);
  EXPECT_EQ(fx::arange(3, 3).numel(), 0);
  EXPECT_TRUE(fx::arange(4.0, fx::TensorOptions().requires_grad(true)).requires_grad());
}

TEST(Range, LinspaceEndpointsAreExact) {
  fx::Tensor t = fx::linspace(-1.0, 0.7, 13, fx::kFloat64);
  EXPECT_EQ(t.data_ptr<double>()[0], -1.0);
  EXPECT_EQ(t.data_ptr<double>()[12], 0.7);
  EXPECT_EQ(fx::linspace(0, 1, 0).numel(), 0);
  fx::Tensor big = fx::linspace(0, 1, 100001);  // threaded path
  EXPECT_EQ(big.data_ptr<float>()[100000], 1.0f);
  EXPECT_EQ(big.data_ptr<float>()[50000], 0.5f);
}

TEST(Range, EyeShapes) {
  fx::Tensor e = fx::eye(2, 3, fx::kInt32);
  EXPECT_TRUE(tensors_equal(e, fx::tensor({{1, 0, 0}, {0, 1, 0}}, fx::kInt32)));
  EXPECT_EQ(fx::eye(0).sizes(), (fx::Shape{0, 0}));
  EXPECT_EQ(fx::eye(3).dtype(), fx::kFloat32);
  EXPECT_TRUE(tensors_equal(fx::eye(2, std::nullopt, fx::kBool), fx::tensor({{true, false}, {false, true}})));
}

TEST(Range, Errors) {
  EXPECT_FX_ERROR(fx::arange(0, 10, 0), "step must be nonzero");
  EXPECT_FX_ERROR(fx::arange(0.0, 1.0, 0.0), "step must be nonzero");
  EXPECT_FX_ERROR(fx::arange(0, 10, -1), "inconsistent with step sign");
  EXPECT_FX_ERROR(fx::arange(10.0, 0.0, 0.5), "inconsistent with step sign");
  EXPECT_FX_ERROR(fx::arange(0.0, INFINITY, 1.0), "unsupported range");
  EXPECT_FX_ERROR(fx::arange(0, 2.5, 0.5, fx::kInt64), "step must be nonzero");  // step truncates to 0, as in PyTorch
  EXPECT_FX_ERROR(fx::arange(5, fx::kBool), "bool");
  EXPECT_FX_ERROR(fx::arange(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()), "overflow");
  EXPECT_FX_ERROR(fx::linspace(0, 1, -1), "non-negative");
  EXPECT_FX_ERROR(fx::logspace(0, 1, -2), "non-negative");
  EXPECT_FX_ERROR(fx::eye(-1), "n must be greater or equal to 0");
  EXPECT_FX_ERROR(fx::eye(2, -3), "m must be greater or equal to 0");
  EXPECT_FX_ERROR(fx::arange(5, fx::TensorOptions(fx::kInt64).requires_grad(true)), "floating-point");
}
