// IDX files (MNIST, Fashion-MNIST, EMNIST), gzipped or not, and the MNIST-style datasets.
#pragma once

#include <string>

#include "fluxion/data/dataset.h"

namespace fluxion::data {

/// A whole data set as two tensors.
struct TensorPair {
  Tensor data;     // (N, ...)
  Tensor targets;  // (N,)
};

/// Any IDX file (".gz" or not) as a tensor of its element type and dims (uint8 images: (N, H, W)).
Tensor read_idx(const std::string& path);
/// IDX3 images -> float32 (N, 1, H, W) in [0, 1].
Tensor read_idx_images(const std::string& path);
/// IDX1 labels -> int64 (N,).
Tensor read_idx_labels(const std::string& path);
/// `{prefix}-images-idx3-ubyte[.gz]` and `{prefix}-labels-idx1-ubyte[.gz]` in `dir` (prefix
/// "train" or "t10k"); checks that the counts agree.
TensorPair read_mnist(const std::string& dir, bool train);

/// EMNIST split ("balanced", "byclass", "letters", "digits", "mnist", ...): files
/// emnist-{split}-{train,test}-{images-idx3,labels-idx1}-ubyte[.gz]; images transposed upright.
TensorPair read_emnist(const std::string& dir, const std::string& split, bool train);
DatasetPtr emnist(const std::string& dir, const std::string& split, bool train);

/// "/usr/share/datasets/fashion-mnist" (Debian package dataset-fashion-mnist), or
/// $FLUXION_DATA_DIR/fashion-mnist (or $FLUXION_DATA_DIR itself) when it holds the files.
std::string default_fashion_mnist_dir();
/// MNIST-format split as a dataset: data float32 (1, 28, 28) in [0, 1], target int64 0-d.
DatasetPtr mnist(const std::string& dir, bool train);
/// mnist() on default_fashion_mnist_dir() unless `dir` is given.
DatasetPtr fashion_mnist(bool train, const std::string& dir = "");
/// Class names of Fashion-MNIST, index = label.
const std::vector<std::string>& fashion_mnist_classes();

}  // namespace fluxion::data
