// Binary and ternary elementwise ops: type promotion (result_type), broadcasting, integer
// semantics (division by zero, wrap-around, rounding modes), NaN rules, layouts, in-place and
// out= variants, operators both ways round.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "fluxion/fluxion.h"
#include "support/test_util.h"

namespace fx = fluxion;
using fx::Tensor;
using fxtest::tensors_close;
using fxtest::tensors_equal;

namespace {
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
Tensor randn(const fx::Shape& s, uint64_t seed, fx::DType dt = fx::kFloat32) {
  fx::Generator g(seed);
  return fx::randn(s, fx::TensorOptions(dt), &g);
}
}  // namespace

TEST(PointwiseBinary, ResultTypeFollowsPyTorch) {
  Tensor f32 = fx::ones({2}), f64 = fx::ones({2}, fx::kFloat64), i32 = fx::ones({2}, fx::kInt32);
  Tensor i64 = fx::ones({2}, fx::kInt64), u8 = fx::ones({2}, fx::kUInt8), b = fx::ones({2}, fx::kBool);
  Tensor h = fx::ones({2}, fx::kFloat16);
  EXPECT_EQ(fx::result_type(f32, f64), fx::kFloat64);
  EXPECT_EQ(fx::result_type(i32, i64), fx::kInt64);
  EXPECT_EQ(fx::result_type(i32, f32), fx::kFloat32);
  EXPECT_EQ(fx::result_type(b, u8), fx::kUInt8);
  EXPECT_EQ(fx::result_type(h, f32), fx::kFloat32);
  // 0-d tensors do not raise the category's dtype of dimensioned tensors...
  EXPECT_EQ(fx::result_type(i32, fx::scalar_tensor(5, fx::kInt64)), fx::kInt32);
  EXPECT_EQ(fx::result_type(h, fx::scalar_tensor(5.0, fx::kFloat64)), fx::kFloat16);
  // ...but a higher category wins, with the 0-d tensor's own dtype.
  EXPECT_EQ(fx::result_type(i32, fx::scalar_tensor(1.0, fx::kFloat64)), fx::kFloat64);
  EXPECT_EQ(fx::result_type(b, fx::scalar_tensor(1, fx::kInt32)), fx::kInt32);
  // Numbers: floats become the default dtype, ints int64, only across categories.
  EXPECT_EQ(fx::result_type(i32, 2.5), fx::kFloat32);
  EXPECT_EQ(fx::result_type(i32, 7), fx::kInt32);
  EXPECT_EQ(fx::result_type(u8, -1), fx::kUInt8);
  EXPECT_EQ(fx::result_type(b, 2), fx::kInt64);
  EXPECT_EQ(fx::result_type(b, true), fx::kBool);
  EXPECT_EQ(fx::result_type(h, 2.5), fx::kFloat16);
  EXPECT_EQ(fx::result_type(f64, 2.5), fx::kFloat64);
  EXPECT_EQ(fx::result_type(fx::scalar_tensor(1, fx::kInt64), 2.5), fx::kFloat32);
  fx::set_default_dtype(fx::kFloat64);
  EXPECT_EQ(fx::result_type(i32, 2.5), fx::kFloat64);
  fx::set_default_dtype(fx::kFloat32);
  // And the ops use it.
  EXPECT_EQ((i32 + 2.5).dtype(), fx::kFloat32);
  EXPECT_EQ((i32 / i32).dtype(), fx::kFloat32);
  EXPECT_EQ((b + b).dtype(), fx::kBool);
  EXPECT_EQ((i32 > 1.5).dtype(), fx::kBool);
}

TEST(PointwiseBinary, BroadcastingAndErrors) {
  Tensor a = fx::arange(3).view({3, 1}), b = fx::arange(4);
  Tensor c = a * 10 + b;
  EXPECT_EQ(c.sizes(), fx::Shape({3, 4}));
  EXPECT_EQ(c.index({2, 3}).item<int64_t>(), 23);
  EXPECT_FX_ERROR(fx::ones({2, 3}) + fx::ones({4}), "broadcast");
  EXPECT_FX_ERROR(fx::add(Tensor(), fx::ones({1})), "undefined");
  Tensor e = fx::ones({0, 4}) + fx::ones({4});
  EXPECT_EQ(e.sizes(), fx::Shape({0, 4}));
  Tensor z = fx::scalar_tensor(2.0) * fx::scalar_tensor(3.0);
  EXPECT_EQ(z.dim(), 0);
  EXPECT_EQ(z.item<double>(), 6.0);
}

TEST(PointwiseBinary, IntegerSemantics) {
  Tensor a = fx::tensor({7, -7, 7, -7}), b = fx::tensor({2, 2, -2, -2});
  EXPECT_TRUE(tensors_equal(fx::div(a, b, "trunc"), fx::tensor({3, -3, -3, 3})));
  EXPECT_TRUE(tensors_equal(fx::div(a, b, "floor"), fx::tensor({3, -4, -4, 3})));
  EXPECT_TRUE(tensors_equal(fx::fmod(a, b), fx::tensor({1, -1, 1, -1})));
  EXPECT_TRUE(tensors_equal(fx::remainder(a, b), fx::tensor({1, 1, -1, -1})));
  EXPECT_TRUE(tensors_close(a / b, fx::tensor({3.5f, -3.5f, -3.5f, 3.5f})));
  // Division by zero throws instead of trapping (SIGFPE).
  EXPECT_FX_ERROR(fx::div(a, fx::tensor({1, 0, 1, 1}), "floor"), "division by zero");
  EXPECT_FX_ERROR(fx::div(a, 0, "trunc"), "division by zero");
  EXPECT_FX_ERROR(a % 0, "division by zero");
  EXPECT_FX_ERROR(fx::fmod(a.to(fx::kInt8), fx::zeros({4}, fx::kInt8)), "division by zero");
  Tensor small = fx::tensor({std::numeric_limits<int64_t>::min()});
  EXPECT_TRUE(tensors_equal(fx::div(small, -1, "trunc"), small));  // wraps, no trap
  EXPECT_TRUE(tensors_equal(fx::remainder(small, -1), fx::tensor({int64_t{0}})));
  // Wrap-around of narrow types.
  Tensor i8 = fx::tensor({100, -100}, fx::kInt8);
  EXPECT_TRUE(tensors_equal(i8 + i8, fx::tensor({-56, 56}, fx::kInt8)));
  EXPECT_TRUE(tensors_equal(i8 * i8, fx::tensor({16, 16}, fx::kInt8)));
  EXPECT_TRUE(tensors_equal(fx::tensor({250}, fx::kUInt8) + 10, fx::tensor({4}, fx::kUInt8)));
  // pow: negative integer exponents as PyTorch.
  EXPECT_TRUE(
      tensors_equal(fx::pow(fx::tensor({2, -1, 1, 3}), fx::tensor({-1, -3, -2, 3})), fx::tensor({0, -1, 1, 27})));
  // alpha and bool rules.
  EXPECT_TRUE(tensors_equal(fx::add(a, b, 3), fx::tensor({13, -1, 1, -13})));
  EXPECT_FX_ERROR(fx::add(a, b, 0.5), "alpha");
  EXPECT_FX_ERROR(fx::tensor({true}) - fx::tensor({true}), "logical_xor");
  EXPECT_FX_ERROR(fx::tensor({true}) - 1, "bool");
  EXPECT_TRUE(tensors_equal(fx::tensor({true, false}) + fx::tensor({true, true}), fx::tensor({true, true})));
  EXPECT_TRUE(tensors_equal(fx::tensor({true, false}) * fx::tensor({true, true}), fx::tensor({true, false})));
  EXPECT_FX_ERROR(fx::div(fx::tensor({1.0f}), 2, "round"), "rounding_mode");
}

TEST(PointwiseBinary, FloatSemantics) {
  Tensor a = fx::tensor({-7.5, 7.5, 1.0, kNan, 0.0, -0.0});
  Tensor b = fx::tensor({2.0, -2.0, kNan, 1.0, -0.0, 5.0});
  EXPECT_TRUE(tensors_close(fx::div(a, b, "floor"), fx::tensor({-4.0, -4.0, kNan, kNan, kNan, -0.0})));
  EXPECT_TRUE(tensors_close(fx::div(a, b, "trunc"), fx::tensor({-3.0, -3.0, kNan, kNan, kNan, -0.0})));
  EXPECT_TRUE(tensors_close(fx::remainder(a, b), fx::tensor({0.5, -0.5, kNan, kNan, kNan, 0.0})));
  EXPECT_TRUE(tensors_close(fx::fmod(a, b), fx::tensor({-1.5, 1.5, kNan, kNan, kNan, -0.0})));
  // maximum/minimum propagate NaN from either side.
  EXPECT_TRUE(tensors_close(fx::maximum(a, b), fx::tensor({2.0, 7.5, kNan, kNan, 0.0, 5.0})));
  EXPECT_TRUE(tensors_close(fx::minimum(a, b), fx::tensor({-7.5, -2.0, kNan, kNan, 0.0, -0.0})));
  Tensor one = fx::tensor({1.0f}), zero = fx::tensor({0.0f});
  EXPECT_EQ((one / zero).item<float>(), std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan((zero / zero).item<float>()));
  // clamp: NaN input stays NaN; NaN bound gives NaN; min > max gives max.
  Tensor x = fx::tensor({-2.0, 0.5, 3.0, kNan});
  EXPECT_TRUE(tensors_close(x.clamp(-1, 1), fx::tensor({-1.0, 0.5, 1.0, kNan})));
  EXPECT_TRUE(tensors_close(x.clamp(kNan), fx::tensor({kNan, kNan, kNan, kNan})));
  EXPECT_TRUE(tensors_close(x.clamp(2, 1), fx::tensor({1.0, 1.0, 1.0, kNan})));
  EXPECT_TRUE(tensors_close(fx::clamp(x, fx::tensor({0.0, 0.0, 0.0, 0.0}), fx::tensor({1.0})),
                            fx::tensor({0.0, 0.5, 1.0, kNan})));
  EXPECT_EQ(fx::tensor({1, 5}).clamp(2.5).dtype(), fx::kFloat32);
  EXPECT_TRUE(tensors_equal(fx::tensor({1, 5, 9}).clamp(2, 6), fx::tensor({2, 5, 6})));
  // lerp is exact at the ends.
  Tensor s = fx::tensor({1.0, -3.0}), e = fx::tensor({5.0, 7.0});
  EXPECT_TRUE(tensors_equal(fx::lerp(s, e, 1.0), e));
  EXPECT_TRUE(tensors_equal(fx::lerp(s, e, 0.0), s));
  EXPECT_TRUE(tensors_close(fx::lerp(s, e, fx::tensor({0.25, 0.75})), fx::tensor({2.0, 4.5})));
  EXPECT_FX_ERROR(fx::lerp(s, e.to(fx::kFloat32), 0.5), "dtype");
  EXPECT_TRUE(tensors_close(fx::atan2(fx::tensor({1.0, -1.0}), fx::tensor({-1.0, 0.0})),
                            fx::tensor({std::atan2(1.0, -1.0), -M_PI / 2})));
  EXPECT_TRUE(tensors_close(fx::pow(fx::tensor({4.0, -8.0, 0.0}), 0.5), fx::tensor({2.0, kNan, 0.0})));
}

TEST(PointwiseBinary, HalfPrecisionKeepsNumberOperandsInFloat) {
  // 3 * 0.1 with 0.1 kept in float (PyTorch's opmath), rounded once to half.
  Tensor h = fx::tensor({3.0f}, fx::kFloat16);
  EXPECT_EQ((h * 0.1).item<float>(), static_cast<float>(fx::Half(3.0f * 0.1f)));
  Tensor a = randn({257}, 1).to(fx::kBFloat16), b = randn({257}, 2).to(fx::kBFloat16);
  EXPECT_TRUE(tensors_equal(a * b, (a.to(fx::kFloat32) * b.to(fx::kFloat32)).to(fx::kBFloat16)));
  EXPECT_TRUE(tensors_equal(a / b, (a.to(fx::kFloat32) / b.to(fx::kFloat32)).to(fx::kBFloat16)));
}

TEST(PointwiseBinary, OperatorsBothWaysRound) {
  Tensor x = fx::tensor({1.0f, 2.0f, 4.0f});
  EXPECT_TRUE(tensors_close(1 - x, fx::tensor({0.0f, -1.0f, -3.0f})));
  EXPECT_TRUE(tensors_close(2 * x, x + x));
  EXPECT_TRUE(tensors_close(8 / x, fx::tensor({8.0f, 4.0f, 2.0f})));
  EXPECT_TRUE(tensors_close(x - 1, fx::tensor({0.0f, 1.0f, 3.0f})));
  EXPECT_TRUE(tensors_close(-x, x * -1));
  EXPECT_TRUE(tensors_equal(2 < x, fx::tensor({false, false, true})));
  EXPECT_TRUE(tensors_equal(2 <= x, fx::tensor({false, true, true})));
  EXPECT_TRUE(tensors_equal(2 > x, fx::tensor({true, false, false})));
  EXPECT_TRUE(tensors_equal(2 >= x, fx::tensor({true, true, false})));
  EXPECT_TRUE(tensors_equal(x == 2, fx::tensor({false, true, false})));
  EXPECT_TRUE(tensors_equal(x != 2, fx::tensor({true, false, true})));
  EXPECT_TRUE(tensors_close(x % 3, fx::tensor({1.0f, 2.0f, 1.0f})));
  Tensor p = fx::tensor({true, false, true}), q = fx::tensor({true, true, false});
  EXPECT_TRUE(tensors_equal(p & q, fx::tensor({true, false, false})));
  EXPECT_TRUE(tensors_equal(p | q, fx::tensor({true, true, true})));
  EXPECT_TRUE(tensors_equal(p ^ q, fx::tensor({false, true, true})));
  EXPECT_TRUE(tensors_equal(~p, fx::tensor({false, true, false})));
  Tensor i = fx::tensor({12, 10}), j = fx::tensor({10, 6});
  EXPECT_TRUE(tensors_equal(i & j, fx::tensor({8, 2})));
  EXPECT_TRUE(tensors_equal(i | j, fx::tensor({14, 14})));
  EXPECT_TRUE(tensors_equal(i ^ j, fx::tensor({6, 12})));
  EXPECT_TRUE(tensors_equal(~i, fx::tensor({-13, -11})));
  EXPECT_FX_ERROR(x & x, "integer and bool");
  EXPECT_FX_ERROR(~x, "integer and bool");
}

TEST(PointwiseBinary, WhereAndMaskedFill) {
  Tensor c = fx::tensor({true, false, true});
  EXPECT_TRUE(tensors_close(fx::where(c, fx::tensor({1, 2, 3}), 2.5), fx::tensor({1.0f, 2.5f, 3.0f})));
  EXPECT_TRUE(tensors_equal(fx::where(c, 7, fx::tensor({1, 2, 3})), fx::tensor({7, 2, 7})));
  Tensor w = fx::where(c.view({3, 1}), fx::ones({1, 2}), fx::zeros({3, 1}, fx::kFloat64));
  EXPECT_EQ(w.sizes(), fx::Shape({3, 2}));
  EXPECT_EQ(w.dtype(), fx::kFloat64);
  EXPECT_FX_ERROR(fx::where(fx::tensor({1.0f}), fx::ones({1}), fx::ones({1})), "boolean");
  Tensor x = fx::zeros({2, 3});
  Tensor m = fx::tensor({true, false, true});
  EXPECT_TRUE(tensors_equal(x.masked_fill(m, 5.0), fx::tensor({5.0f, 0.0f, 5.0f}).expand({2, 3})));
  EXPECT_TRUE(tensors_equal(fx::zeros({3}, fx::kInt64).masked_fill(m, 2.5), fx::tensor({2, 0, 2}, fx::kInt64)));
  EXPECT_EQ(fx::zeros({3}).masked_fill(fx::tensor({true, false, true}).view({1, 3}).expand({2, 3}), 1.0).sizes(),
            fx::Shape({2, 3}));
  x.masked_fill_(m, -1.0);
  EXPECT_TRUE(tensors_equal(x, fx::tensor({-1.0f, 0.0f, -1.0f}).expand({2, 3})));
  EXPECT_FX_ERROR(x.masked_fill(fx::tensor({1, 0, 1}, fx::kUInt8), 1.0), "boolean masks");
  EXPECT_FX_ERROR(x.masked_fill(m, fx::ones({1})), "0-dimensional");
  Tensor small = fx::zeros({3});
  EXPECT_FX_ERROR(small.masked_fill_(fx::ones({2, 3}, fx::kBool), 1.0), "broadcast shape");
}

TEST(PointwiseBinary, AddcmulAddcdivNanToNum) {
  Tensor s = fx::tensor({1.0, 2.0}), t1 = fx::tensor({3.0, 4.0}), t2 = fx::tensor({2.0, 8.0});
  EXPECT_TRUE(tensors_close(fx::addcmul(s, t1, t2, 0.5), fx::tensor({4.0, 18.0})));
  EXPECT_TRUE(tensors_close(fx::addcdiv(s, t1, t2, 2), fx::tensor({4.0, 3.0})));
  EXPECT_FX_ERROR(fx::addcdiv(s, fx::tensor({1}), fx::tensor({2})), "integer division");
  EXPECT_TRUE(tensors_equal(fx::addcmul(fx::tensor({1}), fx::tensor({2}), fx::tensor({3}), 2), fx::tensor({13})));
  Tensor acc = s.clone();
  acc.addcmul_(t1, t2).addcdiv_(t1, t2, -1);
  EXPECT_TRUE(tensors_close(acc, fx::tensor({5.5, 33.5})));
  Tensor n = fx::tensor({kNan, kInf, -kInf, 1.0}).to(fx::kFloat16);
  EXPECT_TRUE(tensors_close(n.nan_to_num(), fx::tensor({0.0, 65504.0, -65504.0, 1.0})));
  EXPECT_TRUE(tensors_close(fx::tensor({kNan, kInf}).nan_to_num(1.0, 2.0), fx::tensor({1.0, 2.0})));
  EXPECT_TRUE(tensors_equal(fx::tensor({3}).nan_to_num(), fx::tensor({3})));
}

TEST(PointwiseBinary, LayoutsAndThreads) {
  Tensor a = randn({513, 257}, 3), b = randn({257, 513}, 4);
  Tensor ref = a + b.t().contiguous();
  const int prev = fx::get_num_threads();
  for (int threads : {1, 2}) {
    fx::set_num_threads(threads);
    EXPECT_TRUE(tensors_equal(a + b.t(), ref));      // tiled mixed layout
    EXPECT_TRUE(tensors_equal(a.t() + b, ref.t()));  // output follows a.t()
    Tensor bt = b.t().contiguous().t();              // b's values, column-major
    Tensor both = a.t() + bt;                        // both transposed alike
    EXPECT_EQ(both.strides(), fx::Shape({1, 257}));
    EXPECT_TRUE(tensors_equal(both.t(), ref));
    Tensor out = fx::empty({257, 513});
    fx::mul_out(out, a.t(), b);
    EXPECT_TRUE(tensors_equal(out, a.t().contiguous() * b));
    Tensor sl = a.slice(1, 0, 257, 2);  // strided
    EXPECT_TRUE(tensors_equal(sl * 2, sl.contiguous() * 2));
    EXPECT_TRUE(tensors_equal(fx::maximum(a, b.t()), fx::maximum(a, b.t().contiguous())));
    EXPECT_TRUE(tensors_equal(a.t() > b, a.t().contiguous() > b));
  }
  fx::set_num_threads(prev);
  EXPECT_TRUE((a + b.t()).is_contiguous());
}

TEST(PointwiseBinary, InPlaceAndOutVariants) {
  Tensor x = fx::tensor({1.0f, 2.0f, 3.0f});
  const auto v0 = x._version();
  x.add_(fx::tensor({1.0f, 1.0f, 1.0f}), 2).mul_(2).sub_(1.0).div_(fx::tensor({2.0}));
  EXPECT_TRUE(tensors_close(x, fx::tensor({2.5f, 3.5f, 4.5f})));
  EXPECT_EQ(x.dtype(), fx::kFloat32);  // a double operand is cast back into float self
  EXPECT_GE(x._version(), v0 + 4);
  x += 1;
  x -= fx::ones({3});
  x *= 2;
  x /= 2;
  EXPECT_TRUE(tensors_close(x, fx::tensor({2.5f, 3.5f, 4.5f})));
  x.div_(2, "floor");
  EXPECT_TRUE(tensors_close(x, fx::tensor({1.0f, 1.0f, 2.0f})));
  x.lerp_(fx::tensor({3.0f, 5.0f, 2.0f}), 0.5);
  EXPECT_TRUE(tensors_close(x, fx::tensor({2.0f, 3.0f, 2.0f})));
  Tensor i = fx::tensor({1, 2});
  EXPECT_FX_ERROR(i.add_(1.5), "can't be cast");
  EXPECT_FX_ERROR(i.div_(2), "can't be cast");
  i.div_(2, "floor");
  EXPECT_TRUE(tensors_equal(i, fx::tensor({0, 1})));
  Tensor small = fx::zeros({3});
  EXPECT_FX_ERROR(small.add_(fx::zeros({2, 3})), "broadcast shape");
  Tensor row = fx::zeros({2, 3});
  row.add_(fx::tensor({1.0f, 2.0f, 3.0f}));
  EXPECT_TRUE(tensors_equal(row.select(0, 1), fx::tensor({1.0f, 2.0f, 3.0f})));
  // out=
  Tensor out = fx::empty({0});
  fx::add_out(out, fx::ones({2, 1}), fx::ones({3}), 3);
  EXPECT_EQ(out.sizes(), fx::Shape({2, 3}));
  EXPECT_TRUE(tensors_equal(out, fx::full({2, 3}, 4.0f)));
  Tensor d = fx::empty({2}, fx::kFloat64);
  fx::div_out(d, fx::tensor({1, 2}), fx::tensor({4, 4}));
  EXPECT_TRUE(tensors_equal(d, fx::tensor({0.25, 0.5})));
  Tensor io = fx::empty({2}, fx::kInt64);
  EXPECT_FX_ERROR(fx::div_out(io, fx::tensor({1, 2}), fx::tensor({4, 4})), "can't be cast");
  fx::sub_out(io, fx::tensor({5, 6}), fx::tensor({1, 2}));
  EXPECT_TRUE(tensors_equal(io, fx::tensor({4, 4}, fx::kInt64)));
  fx::mul_out(io, io, io);  // aliasing the inputs elementwise is fine
  EXPECT_TRUE(tensors_equal(io, fx::tensor({16, 16}, fx::kInt64)));
}
