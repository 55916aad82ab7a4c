// Classifies image files with the simple CNN's saved weights (written by simple_cnn): each PNG or
// JPEG is read as grey, scaled to [0, 1], resized to 28x28 (bilinear) and run through the model;
// prints the most likely Fashion-MNIST class and its softmax probability, and the runner-up.
//
//   classify WEIGHTS IMAGE...        e.g. classify simple_cnn.safetensors shoe.png bag.jpg
//   classify --self-test DIR         trains the simple CNN on 6 000 images for one epoch, saves its
//                                    weights and four Fashion-MNIST test images (one of them resized
//                                    to 56x56) as PNGs in DIR, then classifies those files
//   both also take --device cpu|cuda|cuda:N
//
// Fashion-MNIST pictures show a light object on a black background, centred; a photo of a
// shoe on a white table must be inverted and cropped to look like them before it is classified.
// ctest-args: --self-test .
// ctest: t10k_3\.png +Trouser
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
namespace transforms = fluxion::data::transforms;

// The same network as in simple_cnn.cpp, so the parameter names match the saved file.
nn::Sequential simple_cnn() {
  return nn::Sequential(nn::Conv2d(nn::Conv2dOptions(1, 32, 5)), nn::ReLU(), nn::MaxPool2d(2), nn::Dropout(0.2),
                        nn::Flatten(), nn::Linear(32 * 12 * 12, 128), nn::ReLU(), nn::Linear(128, 10));
}

// An image file -> float32 (1, 1, 28, 28) in [0, 1].
fx::Tensor load_for_model(const std::string& path) {
  fx::Generator gen;  // the transforms take one; these two draw nothing from it
  transforms::Compose prepare({transforms::ToTensor(), transforms::Resize(28)});
  return prepare(data::read_image(path, /*channels=*/1), gen).unsqueeze(0);  // (H, W, 1) uint8 -> (1, 1, 28, 28)
}

// Trains briefly, writes DIR/simple_cnn_selftest.safetensors and DIR/t10k_<i>.png; returns the arguments
// "WEIGHTS IMAGE..." for the classification below.
std::vector<std::string> self_test(const std::string& dir, fx::Device device) {
  fx::manual_seed(0);
  auto train = data::read_mnist(data::default_fashion_mnist_dir(), true);
  auto test = data::read_mnist(data::default_fashion_mnist_dir(), false);
  data::DataLoader loader(
      std::make_shared<data::TensorDataset>(train.data.narrow(0, 0, 6000), train.targets.narrow(0, 0, 6000)),
      {.batch_size = 64, .shuffle = true, .seed = 0});
  nn::Sequential model = simple_cnn();
  model->to(device);  // before the optimiser takes the parameters
  fx::optim::Adam opt(model->parameters(), fx::optim::AdamOptions(1e-3));
  for (const data::Batch& b : loader) {
    opt.zero_grad();
    nn::functional::cross_entropy(model(b.data.to(device)), b.target.to(device)).backward();
    opt.step();
  }
  std::vector<std::string> args{dir + "/simple_cnn_selftest.safetensors"};
  fx::save(args[0], model->state_dict());
  const auto& names = data::fashion_mnist_classes();
  fx::Generator gen;
  for (int64_t i = 0; i < 4; ++i) {
    fx::Tensor image = test.data[i];                         // (1, 28, 28) float in [0, 1]
    if (i == 3) image = transforms::Resize(56)(image, gen);  // a larger file: classify resizes it back
    const std::string path = dir + "/t10k_" + std::to_string(i) + ".png";
    data::write_png(path, (image[0] * 255.0).round().clamp(0, 255).to(fx::kUInt8));  // (H, W) uint8
    std::printf("wrote %s (%ldx%ld, true class %s)\n", path.c_str(), static_cast<long>(image.size(1)),
                static_cast<long>(image.size(2)), names[test.targets[i].item<int64_t>()].c_str());
    args.push_back(path);
  }
  return args;
}

int main(int argc, char** argv) try {
  const examples::Args options(argc, argv, {"self-test"});
  const fx::Device device = options.device();
  std::vector<std::string> args = options.positional();
  if (options.has("self-test")) args = self_test(options.str("self-test", "."), device);
  if (args.size() < 2) {
    std::fprintf(stderr,
                 "usage: classify WEIGHTS IMAGE... [--device D]\n       classify --self-test DIR [--device D]\n");
    return 2;
  }
  nn::Sequential model = simple_cnn();
  model->to(device);
  model->load_state_dict(fx::load(args[0]));  // fx::load gives CPU tensors; they are copied to `device`
  model->eval();                              // dropout off
  fx::NoGradGuard no_grad;
  const auto& names = data::fashion_mnist_classes();
  for (size_t i = 1; i < args.size(); ++i) {
    const fx::Tensor p = model(load_for_model(args[i]).to(device)).softmax(1)[0].cpu();  // (10,)
    const auto top = p.argsort(0, /*descending=*/true);
    const int64_t first = top[0].item<int64_t>(), second = top[1].item<int64_t>();
    std::printf("%-28s %-12s %.3f   (then %s %.3f)\n", args[i].c_str(), names[first].c_str(), p[first].item<double>(),
                names[second].c_str(), p[second].item<double>());
  }
  return 0;
} catch (const std::exception& e) {
  return examples::fail(e);
}
