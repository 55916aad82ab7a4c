// interpolate / Upsample: golden outputs and gradients vs PyTorch for every mode, derivatives of
// every order, argument errors and the Upsample module.
#include <gtest/gtest.h>

#include "fluxion/fluxion.h"
#include "fluxion/nn/functional/upsample.h"
#include "fluxion/nn/upsample.h"
#include "nn/nn_conv_test_util.h"

namespace fx = fluxion;
namespace F = fluxion::nn::functional;
using nnconv_test::check_derivatives;
using nnconv_test::leaf;
using nnconv_test::rand64;

TEST(UpsampleGolden, MatchesPyTorch) {
  auto cases = nnconv_test::golden_cases({"interpolate"});
  ASSERT_EQ(cases.size(), 13u);
  for (const auto& c : cases) {
    const auto& a = c.attrs;
    F::InterpolateOptions o;
    o.mode(a["mode"].get<std::string>());
    if (a.contains("size")) o.size(a["size"].get<std::vector<int64_t>>());
    if (a.contains("scale_factor")) o.scale_factor(a["scale_factor"].get<std::vector<double>>());
    if (a.contains("align_corners")) o.align_corners(a["align_corners"].get<bool>());
    if (a.contains("recompute_scale_factor")) o.recompute_scale_factor(a["recompute_scale_factor"].get<bool>());
    fx::Tensor x = leaf(c.at("x"));
    fx::Tensor y = F::interpolate(x, o);
    nnconv_test::expect_matches(c, y, {{"x", x}}, 1e-5, 1e-6);
  }
}

TEST(Upsample, Derivatives) {
  fx::manual_seed(41);
  for (const char* mode : {"nearest", "nearest-exact", "bilinear", "area"}) {
    SCOPED_TRACE(mode);
    check_derivatives(
        [&](const fx::TensorList& t) {
          return fx::TensorList{F::interpolate(t[0], F::InterpolateOptions().size({5, 7}).mode(mode))};
        },
        {rand64({1, 2, 3, 4})});
  }
  check_derivatives(
      [](const fx::TensorList& t) {
        return fx::TensorList{
            F::interpolate(t[0], F::InterpolateOptions().scale_factor({2.5}).mode("linear").align_corners(true))};
      },
      {rand64({2, 2, 4})});
}

TEST(Upsample, NearestScale2RepeatsPixelsAndAlignCornersKeepsCorners) {
  auto x = fx::arange(6, fx::kFloat32).reshape({1, 1, 2, 3});
  auto y = F::interpolate(x, F::InterpolateOptions().scale_factor({2.0}));
  EXPECT_TRUE(fxtest::tensors_equal(y, x.repeat_interleave(2, 2).repeat_interleave(2, 3)));
  auto z = F::interpolate(x, F::InterpolateOptions().size({5, 9}).mode("bilinear").align_corners(true));
  EXPECT_EQ(z.index({0, 0, 0, 0}).item<float>(), 0.0f);
  EXPECT_EQ(z.index({0, 0, 4, 8}).item<float>(), 5.0f);
  EXPECT_EQ(z.index({0, 0, 0, 8}).item<float>(), 2.0f);
  // Same size with align_corners=false is the identity.
  auto same = F::interpolate(x, F::InterpolateOptions().size({2, 3}).mode("bilinear").align_corners(false));
  EXPECT_TRUE(fxtest::tensors_equal(same, x));
  // f64 and bf16 inputs keep their dtype.
  EXPECT_EQ(F::interpolate(x.to(fx::kFloat64), F::InterpolateOptions().size({4, 4})).dtype(), fx::kFloat64);
  EXPECT_EQ(F::interpolate(x.to(fx::kBFloat16), F::InterpolateOptions().size({4, 4})).dtype(), fx::kBFloat16);
}

TEST(Upsample, Errors) {
  auto x = fx::randn({1, 2, 3, 4});
  EXPECT_FX_ERROR(F::interpolate(x, F::InterpolateOptions()), "either size or scale_factor should be defined");
  EXPECT_FX_ERROR(F::interpolate(x, F::InterpolateOptions().size({4, 4}).scale_factor({2.0})), "only one of size");
  EXPECT_FX_ERROR(F::interpolate(x, F::InterpolateOptions().size({4, 4}).mode("linear")), "linear mode needs 3D input");
  EXPECT_FX_ERROR(F::interpolate(x, F::InterpolateOptions().size({4, 4}).align_corners(true)),
                  "align_corners option can only be set");
  EXPECT_FX_ERROR(F::interpolate(x, F::InterpolateOptions().size({4, 4}).mode("bicubic")), "not supported");
  EXPECT_FX_ERROR(F::interpolate(x, F::InterpolateOptions().size({4, 4, 4})), "size shape must match input shape");
  EXPECT_FX_ERROR(F::interpolate(fx::randn({2, 3}), F::InterpolateOptions().size({4})), "3-d (N, C, L) or 4-d");
}

TEST(UpsampleModule, ForwardAndRepr) {
  fx::manual_seed(42);
  fx::nn::Upsample up(
      fx::nn::UpsampleOptions().scale_factor(std::vector<double>{2.0}).mode("bilinear").align_corners(false));
  auto x = fx::randn({2, 3, 4, 4});
  EXPECT_TRUE(fxtest::tensors_equal(
      up(x), F::interpolate(x, F::InterpolateOptions().scale_factor({2.0}).mode("bilinear").align_corners(false))));
  std::ostringstream os;
  up->pretty_print(os);
  EXPECT_EQ(os.str(), "Upsample(scale_factor=(2), mode='bilinear', align_corners=false)");
}
