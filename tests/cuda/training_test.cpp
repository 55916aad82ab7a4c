// End to end on CUDA (issue 8): LeNet-5 trained for one epoch on a Fashion-MNIST subset with
// Trial, on the GPU and on the CPU from the same initial weights and batches, reaches the same
// test accuracy within noise (the runs differ only by floating-point rounding). The loader pins
// its batches and Trial moves them to the model's device, so the training code is the CPU's.
#include <gtest/gtest.h>

#include <filesystem>
#include <numeric>

#include "cuda/cuda_test_util.h"
#include "fluxion/data.h"
#include "fluxion/models.h"
#include "fluxion/train.h"

namespace fx = fluxion;
namespace fd = fluxion::data;
using fxtest::kGpu;

namespace {

bool fashion_mnist_installed() {
  const std::string dir = fd::default_fashion_mnist_dir();
  return std::filesystem::exists(dir + "/train-images-idx3-ubyte.gz") ||
         std::filesystem::exists(dir + "/train-images-idx3-ubyte");
}

fd::DatasetPtr first(const fd::DatasetPtr& ds, int64_t n) {
  std::vector<int64_t> idx(static_cast<size_t>(n));
  std::iota(idx.begin(), idx.end(), int64_t{0});
  return fd::subset(ds, idx);
}

struct Result {
  double train_loss, test_acc;
};

Result train_lenet(const fx::Device& device) {
  fx::manual_seed(0);
  fx::nn::Module model = fx::models::create("lenet5");
  model.to(device);
  auto opt = std::make_shared<fx::optim::Adam>(model.parameters(), fx::optim::AdamOptions(1e-3));
  fx::train::Trial trial(model, opt, fx::train::cross_entropy_loss(), fx::train::make_metrics({"acc"}));
  fd::DataLoaderOptions o;
  o.batch_size = 64;
  o.shuffle = true;
  o.seed = 3;
  o.pin_memory = device.is_cuda();
  fd::DataLoader train(first(fd::fashion_mnist(true), 6000), o);
  o.shuffle = false;
  fd::DataLoader test(first(fd::fashion_mnist(false), 2000), o);
  trial.fit(train, 1);
  for (const fx::Tensor& p : model.parameters()) EXPECT_EQ(p.device(), device);
  return {trial.state().history.back().at("loss"), trial.evaluate(test).at("acc")};
}

TEST(CudaTraining, LeNet5OneEpochMatchesTheCpu) {
  FX_SKIP_WITHOUT_GPU();
  if (!fashion_mnist_installed()) GTEST_SKIP() << "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)";
  const Result cpu = train_lenet(fx::kCPU);
  const Result gpu = train_lenet(kGpu);
  EXPECT_GT(cpu.test_acc, 0.6);  // one epoch on 6000 images: well above chance
  EXPECT_NEAR(gpu.test_acc, cpu.test_acc, 0.02);
  EXPECT_NEAR(gpu.train_loss, cpu.train_loss, 0.02 * cpu.train_loss);
}

}  // namespace
