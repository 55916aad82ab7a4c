// A better CNN on Fashion-MNIST: two convolution layers, dropout and three fully connected layers,
//   conv 30@5x5 -> ReLU -> max-pool 2 -> conv 15@3x3 -> ReLU -> max-pool 2 -> dropout 0.2
//   -> fc 128 -> ReLU -> fc 50 -> ReLU -> fc 10,
// trained with Adam (lr 1e-3, batch 128) through fx::train::Trial. Prints the model summary, the
// progress per epoch and the test accuracy; saves the weights to DIR/better_cnn.safetensors.
//
//   better_cnn [--epochs N] [--limit N] [--out DIR] [--data-dir DIR] [--device cpu|cuda|cuda:N]
//
// Defaults: 10 epochs on all 60 000 training images, DIR = "."; --limit uses the first N training
// images only (the CTest run: 1 epoch on 6 000 images).
// ctest-args: --epochs 1 --limit 6000 --out .
// ctest: test accuracy 0\.[5-9]
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "common/args.h"
#include "fluxion/data.h"
#include "fluxion/fluxion.h"
#include "fluxion/io.h"
#include "fluxion/nn.h"
#include "fluxion/optim.h"
#include "fluxion/train.h"

namespace fx = fluxion;
namespace nn = fluxion::nn;
namespace data = fluxion::data;

// (B, 1, 28, 28) -> (B, 30, 24, 24) -> (B, 30, 12, 12) -> (B, 15, 10, 10) -> (B, 15, 5, 5) -> (B, 375) -> (B, 10)
nn::Sequential better_cnn() {
  return nn::Sequential(nn::Conv2d(nn::Conv2dOptions(1, 30, 5)), nn::ReLU(), nn::MaxPool2d(2),
                        nn::Conv2d(nn::Conv2dOptions(30, 15, 3)), nn::ReLU(), nn::MaxPool2d(2), nn::Dropout(0.2),
                        nn::Flatten(), nn::Linear(15 * 5 * 5, 128), nn::ReLU(), nn::Linear(128, 50), nn::ReLU(),
                        nn::Linear(50, 10));
}

int main(int argc, char** argv) try {
  const examples::Args args(argc, argv, {"epochs", "limit", "out", "data-dir"});
  const int epochs = static_cast<int>(args.integer("epochs", 10));
  const int64_t limit = args.integer("limit", 0);
  const std::string out = args.str("out", ".");
  std::string dir = args.str("data-dir", "");
  const fx::Device device = args.device();
  fx::manual_seed(0);
  if (dir.empty()) dir = data::default_fashion_mnist_dir();
  auto train = data::read_mnist(dir, true), test = data::read_mnist(dir, false);  // (N, 1, 28, 28) in [0, 1]
  if (limit > 0 && limit < train.data.size(0)) {
    train.data = train.data.narrow(0, 0, limit);
    train.targets = train.targets.narrow(0, 0, limit);
  }
  data::DataLoader train_loader(std::make_shared<data::TensorDataset>(train.data, train.targets),
                                {.batch_size = 128, .shuffle = true, .seed = 0});
  data::DataLoader test_loader(std::make_shared<data::TensorDataset>(test.data, test.targets), {.batch_size = 1000});

  nn::Sequential model = better_cnn();
  model->to(device);  // before the optimiser takes the parameters
  std::cout << model << "\n";
  auto opt = std::make_shared<fx::optim::Adam>(model->parameters(), fx::optim::AdamOptions(1e-3));
  fx::train::Trial trial(model, opt, fx::train::cross_entropy_loss(), fx::train::make_metrics({"acc"}),
                         {std::make_shared<fx::train::ProgressBar>()});
  trial.fit(train_loader, epochs, test_loader);
  const auto m = trial.evaluate(test_loader);
  std::printf("test accuracy %.4f, loss %.4f\n", m.at("acc"), m.at("loss"));

  const std::string path = out + "/better_cnn.safetensors";
  fx::save(path, model->state_dict(), {{"model", "better_cnn"}});
  std::printf("saved %s\n", path.c_str());
  return 0;
} catch (const std::exception& e) {
  return examples::fail(e);
}
