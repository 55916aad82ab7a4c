// Looking inside the simple CNN (conv 32@5x5 -> ReLU -> pool -> dropout -> fc 128 -> fc 10):
//   1. the 32 first-layer filters as a PNG grid (each 5x5 filter scaled to its own min..max),
//   2. the 32 feature maps of one test image after conv + ReLU, captured by a forward hook,
//   3. activation maximisation: gradient ascent on the input image (starting from grey) to raise
//      one class's logit, with a small L2 penalty on the image, pixels kept in [0, 1].
// Prints each file written and the class logit before and after the ascent.
//
//   visualise [--weights FILE] [--limit N] [--class C] [--steps N] [--l2 LAMBDA] [--out DIR]
//             [--device cpu|cuda|cuda:N]
//
// Without --weights it first trains the model for one epoch on the first N training images
// (default 6 000; about 2 s); with --weights it loads simple_cnn's saved file. C defaults to 1
// (trouser), LAMBDA to 1e-3, DIR to ".".
// ctest-args: --limit 4000 --steps 100 --out .
// ctest: logit of class 1 \(Trouser\): -?[0-9.]+ before, [1-9][0-9]+\.[0-9]+ after
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "common/args.h"
#include "fluxion/data.h"
#include "fluxion/fluxion.h"
#include "fluxion/io.h"
#include "fluxion/nn.h"
#include "fluxion/optim.h"

namespace fx = fluxion;
namespace nn = fluxion::nn;
namespace data = fluxion::data;

// The same network as in simple_cnn.cpp, so its saved weights load.
nn::Sequential simple_cnn() {
  return nn::Sequential(nn::Conv2d(nn::Conv2dOptions(1, 32, 5)), nn::ReLU(), nn::MaxPool2d(2), nn::Dropout(0.2),
                        nn::Flatten(), nn::Linear(32 * 12 * 12, 128), nn::ReLU(), nn::Linear(128, 10));
}

// Tiles (N, H, W) as a uint8 image with `cols` tiles per row, each tile scaled to its own
// min..max (black..white), magnified `scale` times (nearest neighbour), 2-pixel grey borders.
fx::Tensor tile_grid(const fx::Tensor& tiles, int64_t cols, int64_t scale) {
  const fx::Tensor t = tiles.detach().to(fx::kCPU, fx::kFloat32).contiguous();  // pixels are written on the CPU
  const int64_t N = t.size(0), H = t.size(1), W = t.size(2), pad = 2;
  const int64_t rows = (N + cols - 1) / cols, th = H * scale + pad, tw = W * scale + pad;
  fx::Tensor grid = fx::full({rows * th + pad, cols * tw + pad}, 128, fx::kUInt8);  // (rows*th, cols*tw)
  uint8_t* g = grid.data_ptr<uint8_t>();
  const float* src = t.data_ptr<float>();
  for (int64_t n = 0; n < N; ++n) {
    const float* tile = src + n * H * W;
    const auto [lo, hi] = std::minmax_element(tile, tile + H * W);
    const float range = *hi > *lo ? *hi - *lo : 1.f;
    const int64_t top = (n / cols) * th + pad, left = (n % cols) * tw + pad;
    for (int64_t y = 0; y < H * scale; ++y)
      for (int64_t x = 0; x < W * scale; ++x)
        g[(top + y) * grid.size(1) + left + x] =
            static_cast<uint8_t>(255.f * (tile[(y / scale) * W + x / scale] - *lo) / range + 0.5f);
  }
  return grid;
}

int main(int argc, char** argv) try {
  const examples::Args args(argc, argv, {"weights", "limit", "class", "steps", "l2", "out"});
  const std::string weights = args.str("weights", ""), out = args.str("out", ".");
  const int64_t limit = args.integer("limit", 6000), cls = args.integer("class", 1);
  const int steps = static_cast<int>(args.integer("steps", 200));
  const double lambda = args.real("l2", 1e-3);
  const fx::Device device = args.device();
  fx::manual_seed(0);
  const std::string dir = data::default_fashion_mnist_dir();
  const auto& names = data::fashion_mnist_classes();
  nn::Sequential model = simple_cnn();
  model->to(device);  // before the optimiser takes the parameters; loaded weights are copied there
  if (!weights.empty()) {
    model->load_state_dict(fx::load(weights));
    std::printf("loaded %s\n", weights.c_str());
  } else {  // one quick epoch, a hand-written loop
    auto train = data::read_mnist(dir, true);
    data::DataLoader loader(
        std::make_shared<data::TensorDataset>(train.data.narrow(0, 0, limit), train.targets.narrow(0, 0, limit)),
        {.batch_size = 64, .shuffle = true, .seed = 0});
    fx::optim::Adam opt(model->parameters(), fx::optim::AdamOptions(1e-3));
    for (const data::Batch& b : loader) {
      opt.zero_grad();
      nn::functional::cross_entropy(model(b.data.to(device)), b.target.to(device)).backward();
      opt.step();
    }
    std::printf("trained one epoch on %ld images\n", static_cast<long>(limit));
  }
  model->eval();
  model->requires_grad_(false);  // from here on only the input image is optimised

  // 1. First-layer filters: the conv weight (32, 1, 5, 5) as 32 tiles of 5x5.
  const fx::Tensor filters = model->named_parameters()["0.weight"];
  const std::string filters_png = out + "/filters.png";
  data::write_png(filters_png, tile_grid(filters.squeeze(fx::DimList{1}), 8, 8));
  std::printf("wrote %s (%ld filters of 5x5)\n", filters_png.c_str(), static_cast<long>(filters.size(0)));

  // 2. Feature maps: a forward hook on the ReLU after the convolution keeps its output.
  fx::Tensor maps;
  auto hook = model[1]->register_forward_hook(
      [&](nn::ModuleImpl&, const fx::Tensor&, const fx::Tensor& output) { maps = output.detach(); });
  auto test = data::read_mnist(dir, false);
  const fx::Tensor image = test.data.narrow(0, 0, 1).to(device);  // (1, 1, 28, 28)
  const int64_t predicted = model(image).argmax(1).item<int64_t>();
  model[1]->remove_hook(hook);
  const std::string image_png = out + "/input.png", maps_png = out + "/feature_maps.png";
  data::write_png(image_png, tile_grid(image[0], 1, 4));
  data::write_png(maps_png, tile_grid(maps[0], 8, 4));  // maps: (1, 32, 24, 24)
  std::printf("wrote %s (test image 0, a %s, predicted %s)\n", image_png.c_str(),
              names[test.targets[0].item<int64_t>()].c_str(), names[predicted].c_str());
  std::printf("wrote %s (%ld maps of %ldx%ld)\n", maps_png.c_str(), static_cast<long>(maps.size(1)),
              static_cast<long>(maps.size(2)), static_cast<long>(maps.size(3)));

  // 3. Activation maximisation: maximise logit[cls] - lambda * |x|^2 over the image x.
  fx::Tensor x = fx::full({1, 1, 28, 28}, 0.5, device).requires_grad_();
  auto logit = [&] { return model(x).select(1, cls).sum(); };
  const double before = logit().item<double>();
  fx::optim::Adam opt({x}, fx::optim::AdamOptions(0.05));
  for (int s = 0; s < steps; ++s) {
    opt.zero_grad();
    auto objective = logit() - lambda * (x * x).sum();
    (-objective).backward();  // the optimiser descends, so ascend by descending the negative
    opt.step();
    fx::NoGradGuard no_grad;
    x.clamp_(0.0, 1.0);  // stay a valid image
  }
  const double after = logit().item<double>();
  const std::string max_png = out + "/activation_max_class" + std::to_string(cls) + ".png";
  data::write_png(max_png, tile_grid(x[0], 1, 8));
  std::printf("wrote %s (%d steps of gradient ascent)\n", max_png.c_str(), steps);
  std::printf("logit of class %ld (%s): %.3f before, %.3f after\n", static_cast<long>(cls), names[cls].c_str(), before,
              after);
  return 0;
} catch (const std::exception& e) {
  return examples::fail(e);
}
