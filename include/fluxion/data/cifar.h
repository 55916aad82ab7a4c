// CIFAR-10 / CIFAR-100 binary batches (the "binary version" archives).
#pragma once

#include <string>
#include <vector>

#include "fluxion/data/mnist.h"

namespace fluxion::data {

/// Reads binary batch files: CIFAR-10 records are <label><3072 pixels>, CIFAR-100 records
/// <coarse><fine><3072 pixels> (fine label used). data float32 (N, 3, 32, 32) in [0, 1].
TensorPair read_cifar(const std::vector<std::string>& files, bool cifar100 = false);
/// CIFAR-10 in `dir` (the cifar-10-batches-bin folder): data_batch_{1..5}.bin or test_batch.bin.
DatasetPtr cifar10(const std::string& dir, bool train);
/// CIFAR-100 in `dir` (cifar-100-binary): train.bin or test.bin, fine labels.
DatasetPtr cifar100(const std::string& dir, bool train);

}  // namespace fluxion::data
