// ImageFolder: root/<class>/<image>.{png,jpg,jpeg}, one class per sub-folder (sorted by name).
#pragma once

#include <string>
#include <vector>

#include "fluxion/data/dataset.h"

namespace fluxion::data {

/// Decodes images lazily in get(): data float32 (C, H, W) in [0, 1], target int64 0-d class index.
/// Images of different sizes need a Resize transform before batching.
class ImageFolder : public Dataset<Example> {
 public:
  /// channels: 0 keeps each file's, 1 grey, 3 RGB. Throws if root has no class folder or no image.
  explicit ImageFolder(const std::string& root, int channels = 3);
  int64_t size() const override { return static_cast<int64_t>(samples_.size()); }
  Example get(int64_t index) const override;
  const std::vector<std::string>& classes() const { return classes_; }
  /// (path, class index) of every image.
  const std::vector<std::pair<std::string, int64_t>>& samples() const { return samples_; }

 private:
  std::vector<std::string> classes_;
  std::vector<std::pair<std::string, int64_t>> samples_;
  int channels_;
};

}  // namespace fluxion::data
