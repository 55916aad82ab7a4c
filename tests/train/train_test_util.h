// Shared helpers of the fluxion::train tests: a small synthetic classification problem and model.
#pragma once

#include <unistd.h>
#include <filesystem>
#include <memory>
#include <string>

#include "fluxion/data.h"
#include "fluxion/fluxion.h"
#include "fluxion/io.h"
#include "fluxion/nn.h"
#include "fluxion/optim.h"
#include "fluxion/train.h"

namespace trtest {

namespace fx = fluxion;

/// n samples of 4 Gaussian blobs in 8-d (well separated), int64 targets.
inline fx::data::DatasetPtr blobs(int64_t n, uint64_t seed = 1) {
  fx::Generator c(12345), g(seed);  // the same 4 centres for every seed
  fx::Tensor centers = fx::randn({4, 8}, {}, &c) * 3.0;
  fx::Tensor y = fx::randint(0, 4, {n}, {}, &g);
  fx::Tensor x = centers.index_select(0, y) + fx::randn({n, 8}, {}, &g);
  return std::make_shared<fx::data::TensorDataset>(x, y);
}

/// An MLP with dropout, so resume must restore the RNG too.
inline fx::nn::Module make_net() {
  return fx::nn::Sequential(fx::nn::Linear(8, 32), fx::nn::ReLU(), fx::nn::Dropout(0.2), fx::nn::Linear(32, 4));
}

inline fx::data::DataLoader loader(const fx::data::DatasetPtr& ds, int64_t batch = 16, bool shuffle = true,
                                   uint64_t seed = 7) {
  fx::data::DataLoaderOptions o;
  o.batch_size = batch;
  o.shuffle = shuffle;
  o.seed = seed;
  return fx::data::DataLoader(ds, o);
}

/// A fresh empty directory under the temp dir, removed by the destructor.
struct TempDir {
  explicit TempDir(const std::string& tag) {
    path = std::filesystem::temp_directory_path() / ("fluxion_" + tag + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
  std::filesystem::path path;
};

}  // namespace trtest
