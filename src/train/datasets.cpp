// Named data sets for the command line: fashion-mnist (default, from the Debian package), mnist,
// cifar10, cifar100 and imagefolder.
#include "fluxion/train/datasets.h"

#include <filesystem>
#include <numeric>

#include "fluxion/data/cifar.h"
#include "fluxion/data/image_folder.h"
#include "fluxion/data/mnist.h"
#include "fluxion/data/transforms.h"
#include "fluxion/error.h"
#include "fluxion/ops/creation.h"
#include "fluxion/random.h"

namespace fluxion::train {
namespace {

std::vector<std::string> numbered(int64_t n) {
  std::vector<std::string> v;
  for (int64_t i = 0; i < n; ++i) v.push_back(std::to_string(i));
  return v;
}

void require_dir(const std::string& name, const std::string& dir, const char* hint) {
  FX_CHECK(!dir.empty(), "data set '", name, "' needs --data-dir DIR (", hint, ")");
  FX_CHECK(std::filesystem::is_directory(dir), "data set '", name, "': directory '", dir, "' does not exist (", hint,
           ")");
}

}  // namespace

std::vector<std::string> named_datasets() { return {"fashion-mnist", "mnist", "cifar10", "cifar100", "imagefolder"}; }

std::pair<std::vector<double>, std::vector<double>> dataset_normalization(const std::string& name) {
  if (name == "fashion-mnist") return {{0.2860}, {0.3530}};
  if (name == "mnist") return {{0.1307}, {0.3081}};
  if (name == "cifar10") return {{0.4914, 0.4822, 0.4465}, {0.2470, 0.2435, 0.2616}};
  if (name == "cifar100") return {{0.5071, 0.4865, 0.4409}, {0.2673, 0.2564, 0.2762}};
  return {{0.5}, {0.5}};
}

namespace {

/// (x - mean[c]) / std[c] over the channel dim of (..., C, H, W) data.
Tensor standardise(const Tensor& x, const std::vector<double>& mean, const std::vector<double>& sd) {
  const int64_t C = x.size(-3);
  std::vector<float> m(static_cast<size_t>(C)), s(static_cast<size_t>(C));
  for (int64_t c = 0; c < C; ++c) {
    m[static_cast<size_t>(c)] = static_cast<float>(mean[mean.size() == 1 ? 0 : static_cast<size_t>(c)]);
    s[static_cast<size_t>(c)] = static_cast<float>(sd[sd.size() == 1 ? 0 : static_cast<size_t>(c)]);
  }
  const Shape shape{C, 1, 1};
  return (x - tensor(m, shape)) / tensor(s, shape);
}

/// An MNIST-format split read whole and standardised in one op.
data::DatasetPtr mnist_split(const std::string& dir, bool train, bool normalize, const std::vector<double>& mean,
                             const std::vector<double>& sd) {
  data::TensorPair p = data::read_mnist(dir, train);
  return std::make_shared<data::TensorDataset>(normalize ? standardise(p.data, mean, sd).contiguous() : p.data,
                                               p.targets);
}

}  // namespace

NamedDataset load_named_dataset(const std::string& name, const std::string& dir, bool train, int64_t limit,
                                bool normalize, int channels, int64_t size) {
  NamedDataset d;
  d.name = name;
  if (name == "fashion_mnist" || name == "fmnist") d.name = "fashion-mnist";
  std::vector<double> mean, sd;
  std::tie(mean, sd) = dataset_normalization(d.name);
  if (d.name == "fashion-mnist") {
    d.name = "fashion-mnist";
    d.dir = dir.empty() ? data::default_fashion_mnist_dir() : dir;
    FX_CHECK(std::filesystem::is_directory(d.dir), "Fashion-MNIST not found: '", d.dir,
             "' does not exist. Install it with `apt-get install dataset-fashion-mnist` (Debian) or pass "
             "--data-dir DIR holding train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
             "t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz");
    d.dataset = mnist_split(d.dir, train, normalize, mean, sd);
    d.channels = 1, d.height = 28, d.width = 28, d.num_classes = 10;
    d.classes = data::fashion_mnist_classes();
  } else if (name == "mnist") {
    require_dir(name, dir, "the folder of train-images-idx3-ubyte[.gz] and the other MNIST files");
    d.dir = dir;
    d.dataset = mnist_split(dir, train, normalize, mean, sd);
    d.channels = 1, d.height = 28, d.width = 28, d.num_classes = 10;
    d.classes = numbered(10);
  } else if (name == "cifar10" || name == "cifar100") {
    const bool c100 = name == "cifar100";
    require_dir(name, dir, c100 ? "the cifar-100-binary folder" : "the cifar-10-batches-bin folder");
    d.dir = dir;
    d.dataset = c100 ? data::cifar100(dir, train) : data::cifar10(dir, train);
    if (normalize)
      d.dataset = std::make_shared<data::MapDataset>(d.dataset, [mean, sd](data::Example e) {
        e.data = standardise(e.data, mean, sd);
        return e;
      });
    d.channels = 3, d.height = 32, d.width = 32, d.num_classes = c100 ? 100 : 10;
    d.classes = numbered(d.num_classes);
  } else if (name == "imagefolder") {
    require_dir(name, dir, "a folder with train/ and test/ sub-folders, one folder per class in each");
    d.dir = dir;
    const std::string root = (std::filesystem::path(dir) / (train ? "train" : "test")).string();
    FX_CHECK(std::filesystem::is_directory(root), "data set 'imagefolder': '", root,
             "' does not exist (expected DIR/train and DIR/test, one sub-folder per class)");
    const int c = channels > 0 ? channels : 1;
    const int64_t s = size > 0 ? size : 28;
    auto folder = std::make_shared<data::ImageFolder>(root, c);
    d.classes = folder->classes();
    d.channels = c, d.height = s, d.width = s, d.num_classes = static_cast<int64_t>(d.classes.size());
    // Resize every image to s x s (deterministic, so done in the dataset rather than the loader).
    d.dataset = std::make_shared<data::MapDataset>(folder, [s, normalize, mean, sd](data::Example e) {
      if (e.data.size(-2) != s || e.data.size(-1) != s) {
        Generator g(0);
        e.data = data::transforms::Resize(s, s)(e.data, g);
      }
      if (normalize) e.data = standardise(e.data, mean, sd);
      return e;
    });
  } else {
    std::string known;
    for (const auto& n : named_datasets()) known += (known.empty() ? "" : ", ") + n;
    FX_FAIL("unknown data set '", name, "'; known: ", known);
  }
  if (normalize) d.mean = mean, d.std = sd;
  FX_CHECK(limit >= 0, "data set '", d.name, "': limit must be >= 0, got ", limit);
  if (limit > 0 && limit < d.dataset->size()) {
    std::vector<int64_t> idx(static_cast<size_t>(limit));
    std::iota(idx.begin(), idx.end(), int64_t{0});
    d.dataset = data::subset(d.dataset, std::move(idx));
  }
  return d;
}

}  // namespace fluxion::train
