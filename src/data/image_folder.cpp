// ImageFolder: scans root/<class>/ once (sorted, so class indices are stable), decodes lazily.
#include "fluxion/data/image_folder.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "fluxion/data/image.h"
#include "fluxion/data/transforms.h"
#include "fluxion/error.h"
#include "fluxion/ops/creation.h"

namespace fluxion::data {

namespace fs = std::filesystem;

namespace {
bool is_image_file(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}
}  // namespace

ImageFolder::ImageFolder(const std::string& root, int channels) : channels_(channels) {
  FX_CHECK(channels == 0 || channels == 1 || channels == 3, "ImageFolder: channels must be 0, 1 or 3, got ", channels);
  std::error_code ec;
  FX_CHECK(fs::is_directory(root, ec), "ImageFolder: '", root, "' is not a directory");
  for (const auto& entry : fs::directory_iterator(root, ec))
    if (entry.is_directory()) classes_.push_back(entry.path().filename().string());
  FX_CHECK(!ec, "ImageFolder: cannot list '", root, "': ", ec.message());
  std::sort(classes_.begin(), classes_.end());
  FX_CHECK(!classes_.empty(), "ImageFolder: '", root, "' has no class sub-folders (expected root/<class>/<image>)");
  for (size_t k = 0; k < classes_.size(); ++k) {
    std::vector<std::string> files;
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(root) / classes_[k], ec))
      if (entry.is_regular_file() && is_image_file(entry.path())) files.push_back(entry.path().string());
    std::sort(files.begin(), files.end());
    for (auto& f : files) samples_.emplace_back(std::move(f), static_cast<int64_t>(k));
  }
  FX_CHECK(!samples_.empty(), "ImageFolder: no .png/.jpg/.jpeg images under '", root, "'");
}

Example ImageFolder::get(int64_t index) const {
  FX_CHECK(index >= 0 && index < size(), "ImageFolder: index ", index, " out of range for size ", size());
  const auto& [path, label] = samples_[static_cast<size_t>(index)];
  return {transforms::to_tensor(read_image(path, channels_)), scalar_tensor(label, TensorOptions(kInt64))};
}

}  // namespace fluxion::data
