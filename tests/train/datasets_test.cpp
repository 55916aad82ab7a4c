// Named data sets of the command line: errors that say what to do, imagefolder, normalisation, limits.
#include <gtest/gtest.h>

#include "support/test_util.h"
#include "train/train_test_util.h"

namespace fx = fluxion;
namespace tr = fluxion::train;
using trtest::TempDir;

namespace {

/// root/{train,test}/{dark,light}/i.png: 12x10 grey images, dark = 40, light = 220.
void write_image_folder(const std::filesystem::path& root) {
  for (const char* split : {"train", "test"})
    for (const auto& [cls, v] : std::vector<std::pair<std::string, int>>{{"dark", 40}, {"light", 220}}) {
      const auto dir = root / split / cls;
      std::filesystem::create_directories(dir);
      for (int i = 0; i < 3; ++i)
        fx::data::write_png((dir / (std::to_string(i) + ".png")).string(),
                            fx::full({12, 10}, v + i, fx::TensorOptions(fx::kUInt8)));
    }
}

TEST(NamedDatasets, ErrorsSayWhatToDo) {
  EXPECT_FX_ERROR(tr::load_named_dataset("imagenet", "", true), "fashion-mnist");
  EXPECT_FX_ERROR(tr::load_named_dataset("mnist", "", true), "--data-dir");
  EXPECT_FX_ERROR(tr::load_named_dataset("cifar10", "/nonexistent", true), "cifar-10-batches-bin");
  EXPECT_FX_ERROR(tr::load_named_dataset("fashion-mnist", "/nonexistent", true), "dataset-fashion-mnist");
  TempDir dir("ds_empty");
  EXPECT_FX_ERROR(tr::load_named_dataset("imagefolder", dir.path.string(), true), "train");
}

TEST(NamedDatasets, ImageFolderIsResizedAndNormalised) {
  TempDir dir("ds_folder");
  write_image_folder(dir.path);
  auto d = tr::load_named_dataset("imagefolder", dir.path.string(), /*train=*/true);
  EXPECT_EQ(d.dataset->size(), 6);
  EXPECT_EQ(d.classes, (std::vector<std::string>{"dark", "light"}));
  EXPECT_EQ(d.channels, 1);
  EXPECT_EQ(d.height, 28);
  EXPECT_EQ(d.num_classes, 2);
  EXPECT_EQ(d.mean, std::vector<double>{0.5});
  const fx::data::Example e = d.dataset->get(0);  // dark/0.png: 40 everywhere
  EXPECT_EQ(e.data.sizes(), fx::Shape({1, 28, 28}));
  EXPECT_NEAR(e.data.mean().item<double>(), (40 / 255.0 - 0.5) / 0.5, 1e-5);
  EXPECT_EQ(e.target.item<int64_t>(), 0);
  auto raw = tr::load_named_dataset("imagefolder", dir.path.string(), false, /*limit=*/2, /*normalize=*/false);
  EXPECT_EQ(raw.dataset->size(), 2);
  EXPECT_TRUE(raw.mean.empty());
  EXPECT_NEAR(raw.dataset->get(1).data.mean().item<double>(), 41 / 255.0, 1e-5);
}

TEST(NamedDatasets, FashionMnistIsStandardised) {
  if (!std::filesystem::exists(fx::data::default_fashion_mnist_dir() + "/t10k-labels-idx1-ubyte.gz"))
    GTEST_SKIP() << "Fashion-MNIST not installed";
  auto d = tr::load_named_dataset("fashion-mnist", "", /*train=*/false, /*limit=*/500);
  EXPECT_EQ(d.dataset->size(), 500);
  EXPECT_EQ(d.classes.at(9), "Ankle boot");
  std::vector<fx::Tensor> xs;
  for (int64_t i = 0; i < 500; ++i) xs.push_back(d.dataset->get(i).data);
  fx::Tensor x = fx::stack(xs, 0);
  EXPECT_NEAR(x.mean().item<double>(), 0.0, 0.1);
  EXPECT_NEAR(x.std().item<double>(), 1.0, 0.1);
}

}  // namespace
