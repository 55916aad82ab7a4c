// The real Fashion-MNIST from Debian's dataset-fashion-mnist package (skipped when absent).
#include <filesystem>

#include "fluxion/data.h"
#include "support/test_util.h"

namespace fx = fluxion;
namespace fd = fluxion::data;

TEST(FashionMnist, LoadsInstalledPackage) {
  const std::string dir = fd::default_fashion_mnist_dir();
  if (!std::filesystem::exists(dir + "/train-images-idx3-ubyte.gz") &&
      !std::filesystem::exists(dir + "/train-images-idx3-ubyte"))
    GTEST_SKIP() << "Fashion-MNIST not installed at " << dir << " (apt-get install dataset-fashion-mnist)";
  fd::TensorPair train = fd::read_mnist(dir, true), test = fd::read_mnist(dir, false);
  EXPECT_EQ(train.data.sizes(), fx::Shape({60000, 1, 28, 28}));
  EXPECT_EQ(test.data.sizes(), fx::Shape({10000, 1, 28, 28}));
  EXPECT_EQ(train.targets.min().item<int64_t>(), 0);
  EXPECT_EQ(train.targets.max().item<int64_t>(), 9);
  EXPECT_EQ(test.targets.max().item<int64_t>(), 9);
  EXPECT_GE(train.data.min().item<float>(), 0.0f);
  EXPECT_LE(train.data.max().item<float>(), 1.0f);
  // Balanced classes: 6000 training images each.
  EXPECT_EQ(train.targets.eq(3).sum().item<int64_t>(), 6000);

  auto ds = fd::fashion_mnist(false);
  fd::DataLoaderOptions o;
  o.batch_size = 1000;
  o.shuffle = true;
  o.num_workers = 2;
  fd::DataLoader loader(ds, o);
  int64_t seen = 0;
  for (fd::Batch& b : loader) {
    EXPECT_EQ(b.data.sizes(), fx::Shape({1000, 1, 28, 28}));
    seen += b.target.size(0);
  }
  EXPECT_EQ(seen, 10000);
}
