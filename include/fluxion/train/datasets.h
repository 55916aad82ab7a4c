// Data sets by name, as `fluxion train --data NAME [--data-dir DIR]` uses them: the split plus what a
// model needs to know about it (image shape, classes).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "fluxion/data/dataset.h"

namespace fluxion::train {

/// One split of a named data set.
struct NamedDataset {
  data::DatasetPtr dataset;
  std::string name;  // canonical name ("fashion-mnist")
  std::string dir;   // directory it was read from
  int64_t channels = 0, height = 0, width = 0, num_classes = 0;
  std::vector<std::string> classes;  // class names, index = label
  /// Per-channel mean and std subtracted / divided (empty when not normalised); apply the same to
  /// images given to the trained model (fluxion predict does, from the checkpoint metadata).
  std::vector<double> mean, std;
};

/// The usual per-channel (mean, std) of a named data set's training images in [0, 1]
/// (fashion-mnist 0.2860 / 0.3530, mnist 0.1307 / 0.3081, CIFAR's; imagefolder 0.5 / 0.5).
std::pair<std::vector<double>, std::vector<double>> dataset_normalization(const std::string& name);

/// Names load_named_dataset knows: fashion-mnist, mnist, cifar10, cifar100, imagefolder.
std::vector<std::string> named_datasets();

/// Loads the train or test split of data set `name`. `dir` overrides the default location
/// (fashion-mnist: the Debian package's folder; mnist, cifar10, cifar100: required; imagefolder:
/// DIR/train and DIR/test, one sub-folder per class, images resized to 28x28 grey unless `channels`
/// / `size` say otherwise). `limit` > 0 keeps the first `limit` samples. With `normalize`, images are
/// standardised with dataset_normalization(name) (MNIST formats: once, on the whole tensor). Throws
/// fluxion::Error saying what to install or pass when the files are missing.
NamedDataset load_named_dataset(const std::string& name, const std::string& dir, bool train, int64_t limit = 0,
                                bool normalize = true, int channels = 0, int64_t size = 0);

}  // namespace fluxion::train
