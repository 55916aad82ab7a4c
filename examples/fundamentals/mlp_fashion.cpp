// An MLP (784-784-10, ReLU) on Fashion-MNIST with Adam (lr 1e-3) and batch 128, trained twice
// from the same initialisation: first with a hand-written loop, then with fx::train::Trial and
// loss / accuracy / top-5 metrics and a progress bar. Ends with the per-class test accuracy.
//
//   mlp_fashion [--epochs N] [--limit N] [--data-dir DIR] [--device cpu|cuda|cuda:N]
//
// Defaults: 10 epochs on all 60 000 training images of Debian's Fashion-MNIST; --limit uses the
// first N training images only (the CTest run: 1 epoch on 6 000 images).
// ctest-args: --epochs 1 --limit 6000
// ctest: Trial: test accuracy 0\.[7-9]
#include <cstdio>
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

int main(int argc, char** argv) try {
  const examples::Args args(argc, argv, {"epochs", "limit", "data-dir"});
  const int epochs = static_cast<int>(args.integer("epochs", 10));
  const int64_t limit = args.integer("limit", 0);
  std::string dir = args.str("data-dir", "");
  const fx::Device device = args.device();
  fx::manual_seed(0);
  // The whole set as tensors (images in [0, 1], flattened to 784 features), then loaders over them.
  if (dir.empty()) dir = data::default_fashion_mnist_dir();
  auto train = data::read_mnist(dir, true), test = data::read_mnist(dir, false);
  if (limit > 0 && limit < train.data.size(0)) {
    train.data = train.data.narrow(0, 0, limit);
    train.targets = train.targets.narrow(0, 0, limit);
  }
  auto train_set = std::make_shared<data::TensorDataset>(train.data.view({-1, 784}), train.targets);
  auto test_set = std::make_shared<data::TensorDataset>(test.data.view({-1, 784}), test.targets);
  data::DataLoader train_loader(train_set, {.batch_size = 128, .shuffle = true, .seed = 0});
  data::DataLoader test_loader(test_set, {.batch_size = 1000});

  // The model lives on `device` (moved before an optimiser takes its parameters); the loaders yield
  // CPU batches, which each step moves there.
  auto make_model = [device] {
    nn::Sequential model(nn::Linear(784, 784), nn::ReLU(), nn::Linear(784, 10));
    model->to(device);
    return model;
  };
  nn::Sequential model = make_model();
  // Both runs start from these weights. state_dict() shares storage with the model (as in
  // PyTorch), so the snapshot must be a copy or it would follow the training.
  fx::OrderedDict<std::string, fx::Tensor> initial;
  for (const auto& item : model->state_dict()) initial.insert(item.key(), item.value().clone());

  // 1. The loop by hand: zero_grad, forward, loss, backward, step.
  {
    fx::optim::Adam opt(model->parameters(), fx::optim::AdamOptions(1e-3));
    for (int epoch = 1; epoch <= epochs; ++epoch) {
      model->train();
      double total = 0;
      for (const data::Batch& b : train_loader) {
        opt.zero_grad();
        auto loss = nn::functional::cross_entropy(model(b.data.to(device)), b.target.to(device));
        loss.backward();
        opt.step();
        total += loss.item<double>() * static_cast<double>(b.data.size(0));
      }
      fx::NoGradGuard no_grad;
      model->eval();
      int64_t correct = 0;
      for (const data::Batch& b : test_loader)
        correct += (model(b.data.to(device)).argmax(1) == b.target.to(device)).sum().item<int64_t>();
      std::printf("hand-written loop: epoch %2d  train loss %.4f  test accuracy %.4f\n", epoch,
                  total / static_cast<double>(train_set->size()),
                  static_cast<double>(correct) / static_cast<double>(test_set->size()));
    }
  }

  // 2. The same with Trial: metrics by name, a progress bar, validation after every epoch.
  nn::Sequential model2 = make_model();
  model2->load_state_dict(initial);
  auto opt = std::make_shared<fx::optim::Adam>(model2->parameters(), fx::optim::AdamOptions(1e-3));
  auto confusion = std::make_shared<fx::train::ConfusionMatrix>(10);
  fx::train::Trial trial(model2, opt, fx::train::cross_entropy_loss(), fx::train::make_metrics({"acc", "top5"}),
                         {std::make_shared<fx::train::ProgressBar>()});
  train_loader.set_epoch(0);
  trial.fit(train_loader, epochs, test_loader);
  trial.add_metric(confusion);
  const auto m = trial.evaluate(test_loader);
  std::printf("Trial: test accuracy %.4f, top-5 accuracy %.4f, loss %.4f\n", m.at("acc"), m.at("top5_acc"),
              m.at("loss"));

  // Per-class accuracy: the confusion matrix's diagonal over its row sums (rows = true class).
  const auto cm = confusion->matrix().to(fx::kFloat64);
  const auto per_class = cm.diagonal() / cm.sum(fx::DimList{1});
  const auto& names = data::fashion_mnist_classes();
  std::printf("%-12s accuracy\n", "class");
  for (int64_t c = 0; c < 10; ++c) std::printf("%-12s %.3f\n", names[c].c_str(), per_class[c].item<double>());
  return 0;
} catch (const std::exception& e) {
  return examples::fail(e);
}
