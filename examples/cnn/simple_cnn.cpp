// A simple CNN on Fashion-MNIST: conv 32@5x5 -> ReLU -> max-pool 2 -> dropout 0.2 -> fc 128 -> ReLU
// -> fc 10, trained with Adam (lr 1e-3, batch 128) through fx::train::Trial. Prints the test
// accuracy, saves the weights as safetensors to DIR/simple_cnn.safetensors, loads them into a
// freshly built model and prints that model's test accuracy (the same number).
//
//   simple_cnn [--epochs N] [--limit N] [--out DIR] [--data-dir DIR] [--device cpu|cuda|cuda:N]
//
// Defaults: 10 epochs on all 60 000 training images, DIR = "."; --limit uses the first N training
// images only (the CTest run: 1 epoch on 2 000 images). `classify` and `visualise` read the file.
// ctest-args: --epochs 1 --limit 2000 --out .
// ctest: reloaded model: test accuracy 0\.[6-9][0-9]* \(same\)
#include <cmath>
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

// (B, 1, 28, 28) -> conv 5x5 -> (B, 32, 24, 24) -> pool -> (B, 32, 12, 12) -> (B, 4608) -> (B, 10)
nn::Sequential simple_cnn() {
  return nn::Sequential(nn::Conv2d(nn::Conv2dOptions(1, 32, 5)), nn::ReLU(), nn::MaxPool2d(2), nn::Dropout(0.2),
                        nn::Flatten(), nn::Linear(32 * 12 * 12, 128), nn::ReLU(), nn::Linear(128, 10));
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

  nn::Sequential model = simple_cnn();
  model->to(device);  // before the optimiser takes the parameters
  std::cout << model << "\n";
  auto opt = std::make_shared<fx::optim::Adam>(model->parameters(), fx::optim::AdamOptions(1e-3));
  fx::train::Trial trial(model, opt, fx::train::cross_entropy_loss(), fx::train::make_metrics({"acc"}),
                         {std::make_shared<fx::train::ProgressBar>()});
  trial.fit(train_loader, epochs, test_loader);
  const double acc = trial.evaluate(test_loader).at("acc");
  std::printf("test accuracy %.4f\n", acc);

  // Save the weights (parameter names such as "0.weight" become the safetensors keys), then load
  // them into a new model built by the same function: its accuracy must be the same.
  const std::string path = out + "/simple_cnn.safetensors";
  fx::save(path, model->state_dict(), {{"model", "simple_cnn"}});
  std::printf("saved %s\n", path.c_str());

  nn::Sequential fresh = simple_cnn();
  fresh->to(device);
  fresh->load_state_dict(fx::load(path));  // fx::load gives CPU tensors; they are copied to `device`
  fresh->eval();
  fx::NoGradGuard no_grad;
  int64_t correct = 0;
  for (const data::Batch& b : test_loader)
    correct += (fresh(b.data.to(device)).argmax(1) == b.target.to(device)).sum().item<int64_t>();
  const double reloaded = static_cast<double>(correct) / static_cast<double>(test.data.size(0));
  std::printf("reloaded model: test accuracy %.4f (%s)\n", reloaded,
              std::abs(reloaded - acc) < 1e-9 ? "same" : "DIFFERENT");
  return 0;
} catch (const std::exception& e) {
  return examples::fail(e);
}
