// A non-sequential CNN written as a custom module: the input goes through a 1x1 and a 5x5
// convolution (padding 2, so both keep 28x28) side by side, their outputs are added, then ReLU,
// max-pool 2 and a classifier (fc 128 -> ReLU -> fc 10). Sequential cannot express the two
// branches; forward() can. Trained with fx::train::Trial on Fashion-MNIST; prints the module
// summary, the progress per epoch and the test accuracy.
//
//   branching [--epochs N] [--limit N] [--data-dir DIR] [--device cpu|cuda|cuda:N]
//
// Defaults: 1 epoch on all 60 000 training images; the CTest run uses the first 3 000.
// ctest-args: --epochs 1 --limit 3000
// ctest: test accuracy 0\.[5-9]
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "common/args.h"
#include "fluxion/data.h"
#include "fluxion/fluxion.h"
#include "fluxion/nn.h"
#include "fluxion/optim.h"
#include "fluxion/train.h"

namespace fx = fluxion;
namespace nn = fluxion::nn;
namespace data = fluxion::data;

struct BranchingNetImpl : nn::ModuleImpl {
  BranchingNetImpl() {
    conv1x1 = register_module("conv1x1", nn::Conv2d(nn::Conv2dOptions(1, 32, 1)));
    conv5x5 = register_module("conv5x5", nn::Conv2d(nn::Conv2dOptions(1, 32, 5).padding(2)));
    pool = register_module("pool", nn::MaxPool2d(2));
    fc1 = register_module("fc1", nn::Linear(32 * 14 * 14, 128));
    fc2 = register_module("fc2", nn::Linear(128, 10));
  }
  fx::Tensor forward(const fx::Tensor& x) override {        // x: (B, 1, 28, 28)
    const fx::Tensor h = (conv1x1(x) + conv5x5(x)).relu();  // (B, 32, 28, 28): the two branches joined
    const fx::Tensor p = pool(h).flatten(1);                // (B, 32 * 14 * 14)
    return fc2(fc1(p).relu());                              // (B, 10)
  }
  nn::Conv2d conv1x1{nullptr}, conv5x5{nullptr};
  nn::MaxPool2d pool{nullptr};
  nn::Linear fc1{nullptr}, fc2{nullptr};
};
FX_MODULE(BranchingNet);

int main(int argc, char** argv) try {
  const examples::Args args(argc, argv, {"epochs", "limit", "data-dir"});
  const int epochs = static_cast<int>(args.integer("epochs", 1));
  const int64_t limit = args.integer("limit", 0);
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

  BranchingNet model;
  model->to(device);  // before the optimiser takes the parameters
  std::cout << model << "\n";
  auto opt = std::make_shared<fx::optim::Adam>(model->parameters(), fx::optim::AdamOptions(1e-3));
  fx::train::Trial trial(model, opt, fx::train::cross_entropy_loss(), fx::train::make_metrics({"acc"}),
                         {std::make_shared<fx::train::ProgressBar>()});
  trial.fit(train_loader, epochs, test_loader);
  const auto m = trial.evaluate(test_loader);
  std::printf("test accuracy %.4f, loss %.4f\n", m.at("acc"), m.at("loss"));
  return 0;
} catch (const std::exception& e) {
  return examples::fail(e);
}
