// DType: PyTorch's promotion table, names, sizes; Half/BFloat16 conversions.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "support/golden.h"
#include "support/test_util.h"

namespace fx = fluxion;

TEST(DType, PromoteTypesMatchesPyTorch) {
  // torch.promote_types over (f32, f64, f16, bf16, i8, u8, i32, i64, bool), printed by PyTorch
  // 2.x. The one deviation: PyTorch gives int16 for int8 x uint8; Fluxion has no int16 and
  // uses int32 (the next type that holds both ranges).
  using fx::DType;
  constexpr DType f4 = fx::kFloat32, f8 = fx::kFloat64, f2 = fx::kFloat16, bf = fx::kBFloat16, i1 = fx::kInt8,
                  u1 = fx::kUInt8, i4 = fx::kInt32, i8 = fx::kInt64, b1 = fx::kBool, i2 = fx::kInt32;
  const DType torch_table[9][9] = {
      {f4, f8, f4, f4, f4, f4, f4, f4, f4}, {f8, f8, f8, f8, f8, f8, f8, f8, f8}, {f4, f8, f2, f4, f2, f2, f2, f2, f2},
      {f4, f8, f4, bf, bf, bf, bf, bf, bf}, {f4, f8, f2, bf, i1, i2, i4, i8, i1}, {f4, f8, f2, bf, i2, u1, i4, i8, u1},
      {f4, f8, f2, bf, i4, i4, i4, i8, i4}, {f4, f8, f2, bf, i8, i8, i8, i8, i8}, {f4, f8, f2, bf, i1, u1, i4, i8, b1},
  };
  for (int a = 0; a < fx::kNumDTypes; ++a)
    for (int b = 0; b < fx::kNumDTypes; ++b) {
      DType da = static_cast<DType>(a), db = static_cast<DType>(b);
      EXPECT_EQ(fx::promote_types(da, db), torch_table[a][b]) << da << " x " << db;
      EXPECT_EQ(fx::promote_types(da, db), fx::promote_types(db, da)) << "not symmetric: " << da << " x " << db;
    }
}

TEST(DType, NamesSizesAndCategories) {
  EXPECT_STREQ(fx::dtype_name(fx::kBFloat16), "bfloat16");
  EXPECT_EQ(fx::element_size(fx::kFloat16), 2u);
  EXPECT_EQ(fx::element_size(fx::kInt64), 8u);
  EXPECT_EQ(fx::element_size(fx::kBool), 1u);
  EXPECT_TRUE(fx::is_floating_point(fx::kBFloat16));
  EXPECT_FALSE(fx::is_floating_point(fx::kInt32));
  EXPECT_FALSE(fx::is_integral(fx::kBool));
  EXPECT_TRUE(fx::is_integral(fx::kBool, /*include_bool=*/true));
  EXPECT_EQ(fx::Scalar(2.5).natural_dtype(), fx::kFloat32);
  EXPECT_EQ(fx::Scalar(2).natural_dtype(), fx::kInt64);
  EXPECT_EQ(fx::Scalar(true).natural_dtype(), fx::kBool);
  EXPECT_FX_ERROR(fx::set_default_dtype(fx::kInt32), "floating-point");
}

namespace {
uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
float from_bits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
}  // namespace

TEST(Half, RoundToNearestEvenAndSpecialValues) {
  EXPECT_EQ(fx::Half(1.0f).x, 0x3C00);
  EXPECT_EQ(fx::Half(-2.0f).x, 0xC000);
  EXPECT_EQ(fx::Half(65504.0f).x, 0x7BFF);  // max finite
  EXPECT_EQ(fx::Half(65519.0f).x, 0x7BFF);  // rounds down below the halfway point
  EXPECT_EQ(fx::Half(65520.0f).x, 0x7C00);  // halfway to the next binade: rounds to inf
  EXPECT_EQ(fx::Half(1e10f).x, 0x7C00);
  EXPECT_EQ(fx::Half(-INFINITY).x, 0xFC00);
  EXPECT_TRUE(std::isnan(static_cast<float>(fx::Half(NAN))));
  EXPECT_EQ(fx::Half(1.0f + 0x1p-11f).x, 0x3C00);      // tie, even mantissa: down
  EXPECT_EQ(fx::Half(1.0f + 3 * 0x1p-11f).x, 0x3C02);  // tie, odd mantissa: up
  EXPECT_EQ(fx::Half(0x1p-24f).x, 0x0001);             // smallest subnormal
  EXPECT_EQ(fx::Half(0x1p-25f).x, 0x0000);             // tie between 0 and it: even (0)
  EXPECT_EQ(fx::Half(3 * 0x1p-25f).x, 0x0002);         // tie between 1 and 2 ulps: even (2)
  EXPECT_EQ(fx::Half(0x1p-14f).x, 0x0400);             // smallest normal
  EXPECT_EQ(fx::Half(-0.0f).x, 0x8000);
  EXPECT_EQ(static_cast<float>(fx::Half::from_bits(0x0001)), 0x1p-24f);
  EXPECT_EQ(static_cast<float>(fx::Half::from_bits(0x03FF)), 1023 * 0x1p-24f);
  EXPECT_EQ(bits(static_cast<float>(fx::Half::from_bits(0x8000))), 0x80000000u);
}

TEST(Half, EveryBitPatternRoundTrips) {
  for (uint32_t b = 0; b < 0x10000; ++b) {
    fx::Half h = fx::Half::from_bits(static_cast<uint16_t>(b));
    float f = h;
    if (std::isnan(f)) {
      ASSERT_TRUE(std::isnan(static_cast<float>(fx::Half(f))));
      continue;
    }
    ASSERT_EQ(fx::Half(f).x, b) << std::hex << b;
  }
}

TEST(BFloat16, RoundToNearestEvenAndSpecialValues) {
  EXPECT_EQ(fx::BFloat16(1.0f).x, 0x3F80);
  EXPECT_EQ(fx::BFloat16(from_bits(0x3F808000u)).x, 0x3F80);  // tie, even: down
  EXPECT_EQ(fx::BFloat16(from_bits(0x3F818000u)).x, 0x3F82);  // tie, odd: up
  EXPECT_EQ(fx::BFloat16(from_bits(0x3F808001u)).x, 0x3F81);  // above the tie: up
  EXPECT_EQ(fx::BFloat16(INFINITY).x, 0x7F80);
  EXPECT_EQ(fx::BFloat16(from_bits(0x7F7FFFFFu)).x, 0x7F80);  // FLT_MAX rounds to inf
  EXPECT_TRUE(std::isnan(static_cast<float>(fx::BFloat16(NAN))));
  EXPECT_EQ(fx::BFloat16(from_bits(0x00000001u)).x, 0x0000);  // float subnormals round like any value
  EXPECT_EQ(fx::BFloat16(from_bits(0x00018000u)).x, 0x0002);
  for (uint32_t b = 0; b < 0x10000; ++b) {
    float f = fx::BFloat16::from_bits(static_cast<uint16_t>(b));
    if (std::isnan(f)) continue;
    ASSERT_EQ(fx::BFloat16(f).x, b);
  }
}

TEST(HalfBFloat16, ConversionsMatchPyTorch) {
  // Random values over the whole exponent range plus exact ties, converted by PyTorch.
  for (const auto& c : fxtest::load_golden("core.json")) {
    if (c.name != "convert/half_bfloat16") continue;
    const fx::Tensor& x = c.at("x");
    ASSERT_GT(x.numel(), 500);
    EXPECT_TRUE(fxtest::tensors_equal(x.to(fx::kFloat16), c.at("half")));
    EXPECT_TRUE(fxtest::tensors_equal(x.to(fx::kBFloat16), c.at("bfloat16")));
    // And back: widening is exact.
    EXPECT_TRUE(fxtest::tensors_equal(c.at("half").to(fx::kFloat32).to(fx::kFloat16), c.at("half")));
    return;
  }
  FAIL() << "golden case convert/half_bfloat16 missing";
}
