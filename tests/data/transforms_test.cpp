// Transforms: exact values for the deterministic ones, reproducibility and ranges for random ones.
#include "fluxion/data.h"
#include "support/test_util.h"

namespace fx = fluxion;
namespace fd = fluxion::data;
namespace ft = fluxion::data::transforms;
using fxtest::tensors_close;
using fxtest::tensors_equal;

TEST(Transforms, ToTensorHwcToChw) {
  fx::Generator g(0);
  fx::Tensor img = fx::tensor<uint8_t>({0, 255, 51, 102, 0, 0}).reshape({1, 2, 3});  // H=1, W=2, C=3
  fx::Tensor t = ft::ToTensor()(img, g);
  EXPECT_EQ(t.sizes(), fx::Shape({3, 1, 2}));
  EXPECT_TRUE(tensors_close(t, fx::tensor({0.0f, 0.4f, 1.0f, 0.0f, 0.2f, 0.0f}).reshape({3, 1, 2})));
  EXPECT_EQ(ft::ToTensor()(fx::zeros({2, 2}, fx::kUInt8), g).sizes(), fx::Shape({1, 2, 2}));
}

TEST(Transforms, NormalizePerChannel) {
  fx::Generator g(0);
  fx::Tensor x = fx::ones({2, 2, 2});
  fx::Tensor y = ft::Normalize({0.5, 1.0}, {0.5, 2.0})(x, g);
  EXPECT_TRUE(tensors_close(y.select(0, 0), fx::full({2, 2}, 1.0)));
  EXPECT_TRUE(tensors_close(y.select(0, 1), fx::zeros({2, 2})));
  EXPECT_FX_ERROR(ft::Normalize({0.5, 0.5, 0.5}, {1, 1, 1})(x, g), "channels");
}

TEST(Transforms, CenterCropAndResize) {
  fx::Generator g(0);
  fx::Tensor x = fx::arange(16, fx::kFloat32).reshape({1, 4, 4});
  EXPECT_TRUE(tensors_equal(ft::CenterCrop(2)(x, g), fx::tensor({5.0f, 6.0f, 9.0f, 10.0f}).reshape({1, 2, 2})));
  // Downscaling 4 -> 2 with half-pixel centres averages 2x2 blocks.
  EXPECT_TRUE(tensors_close(ft::Resize(2)(x, g), fx::tensor({2.5f, 4.5f, 10.5f, 12.5f}).reshape({1, 2, 2})));
  // Identity size is exact; upscaling keeps the value range.
  EXPECT_TRUE(tensors_close(ft::Resize(4)(x, g), x));
  fx::Tensor up = ft::Resize(7, 9)(x, g);
  EXPECT_EQ(up.sizes(), fx::Shape({1, 7, 9}));
  EXPECT_GE(up.min().item<float>(), 0.0f);
  EXPECT_LE(up.max().item<float>(), 15.0f);
}

TEST(Transforms, RandomCropAndFlipAreReproducible) {
  fx::Tensor x = fx::arange(25, fx::kFloat32).reshape({1, 5, 5});
  ft::Compose aug({ft::RandomCrop(3, 2), ft::RandomHorizontalFlip(0.5)});
  fx::Generator a(7), b(7);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(tensors_equal(aug(x, a), aug(x, b)));
  // Every crop is a window of the zero-padded image; over many draws both flip outcomes occur.
  fx::Generator g(1);
  int flipped = 0;
  for (int i = 0; i < 50; ++i) {
    fx::Tensor y = ft::RandomHorizontalFlip(0.5)(x, g);
    flipped += y.index({0, 0, 0}).item<float>() == 4.0f;
  }
  EXPECT_GT(flipped, 10);
  EXPECT_LT(flipped, 40);
  fx::Tensor c = ft::RandomCrop(5, 0)(x, g);
  EXPECT_TRUE(tensors_equal(c, x));
  EXPECT_FX_ERROR(ft::RandomCrop(9, 1)(x, g), "larger");
}

TEST(Transforms, LambdaAndUniform) {
  fx::Generator g(3);
  ft::Lambda twice([](const fx::Tensor& t) { return t * 2; });
  EXPECT_TRUE(tensors_equal(twice(fx::ones({2}), g), fx::full({2}, 2.0)));
  for (int i = 0; i < 100; ++i) {
    const int64_t v = fd::uniform_int(g, 3, 6);
    EXPECT_TRUE(v >= 3 && v < 6);
  }
}

TEST(Transforms, RandomRotation) {
  fx::Generator g(0);
  fx::Tensor x = fx::arange(9, fx::kFloat32).reshape({3, 3});
  // 90 degrees counter-clockwise, as numpy.rot90.
  EXPECT_TRUE(tensors_close(ft::RandomRotation(90, 90)(x, g),
                            fx::tensor({{2.0f, 5.0f, 8.0f}, {1.0f, 4.0f, 7.0f}, {0.0f, 3.0f, 6.0f}}), 1e-5, 1e-5));
  EXPECT_TRUE(tensors_close(ft::RandomRotation(0)(x.unsqueeze(0), g), x.unsqueeze(0)));
  fx::Generator a(4), b(4);
  EXPECT_TRUE(tensors_equal(ft::RandomRotation(30)(x, a), ft::RandomRotation(30)(x, b)));
}
