// Regression from images: each 32x32 image is a scatter plot of points on a line y = a x + b
// (generated on the fly, seeded by its index); a small CNN predicts (a, b). Three heads compared
// on the same validation images:
//   flatten   conv-pool-conv-pool, then a dense layer over all positions
//   max pool  the same convolutions, then global max pooling (position information is lost)
//   coordconv global max pooling, but the input carries two coordinate channels (x, y), so the
//             features can encode where the points are (Liu et al., "CoordConv", 2018)
//
//   cnn_regression [--steps N] [--device cpu|cuda|cuda:N]
//
// ctest: coordconv +validation MSE
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "common/args.h"
#include "fluxion/fluxion.h"
#include "fluxion/nn.h"
#include "fluxion/optim.h"

namespace fx = fluxion;
namespace nn = fluxion::nn;

namespace {

constexpr int64_t kSize = 32;

// Image `index` (1 x 32 x 32, points set to 1) and its target (a, b), the same every time.
void scatter_plot(int64_t index, float* image, float* target) {
  std::mt19937 rng(static_cast<uint32_t>(index) * 2654435761u + 1);
  std::uniform_real_distribution<float> slope(-1.f, 1.f), intercept(-0.5f, 0.5f), xs(-1.f, 1.f);
  std::normal_distribution<float> noise(0.f, 0.02f);
  const float a = slope(rng), b = intercept(rng);
  std::fill(image, image + kSize * kSize, 0.f);
  for (int p = 0; p < 30; ++p) {
    const float x = xs(rng), y = a * x + b + noise(rng);
    const int col = static_cast<int>((x + 1.f) / 2.f * (kSize - 1) + 0.5f);
    const int row = static_cast<int>((1.f - (y + 1.f) / 2.f) * (kSize - 1) + 0.5f);
    if (row >= 0 && row < kSize && col >= 0 && col < kSize) image[row * kSize + col] = 1.f;
  }
  target[0] = a;
  target[1] = b;
}

// Images first .. first + n - 1 as (n, 1, 32, 32) and their targets (n, 2), drawn on the CPU and
// moved to `device`.
std::pair<fx::Tensor, fx::Tensor> batch(int64_t first, int64_t n, fx::Device device) {
  auto x = fx::empty({n, 1, kSize, kSize});
  auto y = fx::empty({n, 2});
  for (int64_t i = 0; i < n; ++i)
    scatter_plot(first + i, x.data_ptr<float>() + i * kSize * kSize, y.data_ptr<float>() + i * 2);
  return {x.to(device), y.to(device)};
}

// Two channels holding each pixel's x and y coordinate in [-1, 1], appended to the image.
fx::Tensor with_coordinates(const fx::Tensor& x) {
  auto ramp = fx::linspace(-1.0, 1.0, kSize).to(x.device());
  auto cx = ramp.view({1, 1, 1, kSize}).expand({x.size(0), 1, kSize, kSize});
  auto cy = (-ramp).view({1, 1, kSize, 1}).expand({x.size(0), 1, kSize, kSize});
  return fx::cat({x, cx, cy}, 1);
}

nn::Sequential features(int64_t in_channels) {
  return nn::Sequential(nn::Conv2d(nn::Conv2dOptions(in_channels, 8, 3).padding(1)), nn::ReLU(), nn::MaxPool2d(2),
                        nn::Conv2d(nn::Conv2dOptions(8, 16, 3).padding(1)), nn::ReLU(), nn::MaxPool2d(2));
}

double train_and_validate(const std::string& name, nn::Sequential model, bool coords, int steps, fx::Device device) {
  model->to(device);  // before the optimiser takes the parameters, as in PyTorch
  fx::optim::Adam opt(model->parameters(), fx::optim::AdamOptions(2e-3));
  for (int s = 0; s < steps; ++s) {
    auto [x, y] = batch(1000 + int64_t{s} * 32, 32, device);  // images 0..999 are the validation set
    opt.zero_grad();
    auto loss = nn::functional::mse_loss(model(coords ? with_coordinates(x) : x), y);
    loss.backward();
    opt.step();
  }
  fx::NoGradGuard no_grad;
  model->eval();
  auto [xv, yv] = batch(0, 500, device);
  const double mse = nn::functional::mse_loss(model(coords ? with_coordinates(xv) : xv), yv).item<double>();
  std::printf("%-10s validation MSE %.4f\n", name.c_str(), mse);
  return mse;
}

}  // namespace

int main(int argc, char** argv) try {
  const examples::Args args(argc, argv, {"steps"});
  const int steps = static_cast<int>(args.integer("steps", 300));
  const fx::Device device = args.device();
  fx::manual_seed(0);
  fx::set_num_threads(1);  // batches of 32 small images: one thread is fastest
  auto [xv, yv] = batch(0, 500, fx::kCPU);
  std::printf("predicting (slope, intercept) of scatter plots; predicting the mean gives MSE %.4f\n",
              (yv - yv.mean(fx::DimList{0})).square().mean().item<double>());

  nn::Sequential flat = features(1);
  flat->push_back(nn::Flatten());
  flat->push_back(nn::Linear(16 * 8 * 8, 64));
  flat->push_back(nn::ReLU());
  flat->push_back(nn::Linear(64, 2));
  train_and_validate("flatten", flat, false, steps, device);

  for (bool coords : {false, true}) {
    nn::Sequential pooled = features(coords ? 3 : 1);
    pooled->push_back(nn::AdaptiveMaxPool2d(1));
    pooled->push_back(nn::Flatten());
    pooled->push_back(nn::Linear(16, 2));
    train_and_validate(coords ? "coordconv" : "max pool", pooled, coords, steps, device);
  }
  return 0;
} catch (const std::exception& e) {
  return examples::fail(e);
}
