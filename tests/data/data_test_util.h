// Helpers for the data tests: a per-test temporary folder and raw/gzip file writers.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "data/file_util.h"

namespace fxdata_test {

/// A fresh folder under the system temp dir, removed with its contents at scope end.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string("fluxion_data_") + (info ? info->test_suite_name() : "x") + "_" +
                       (info ? info->name() : "y") + "_" + std::to_string(::getpid());
    for (char& c : name)
      if (c == '/') c = '_';
    path_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline void write_gzip(const std::string& path, const std::vector<uint8_t>& bytes) {
  fluxion::data::detail::write_file_bytes(path, bytes, /*gzip=*/true);
}

/// IDX bytes: magic (type code, ndim), big-endian dims, then `payload` as is.
inline std::vector<uint8_t> idx_bytes(uint8_t type, const std::vector<uint32_t>& dims,
                                      const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> b = {0, 0, type, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(d >> s));
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

/// A small MNIST-style split: n images of h x w with pixel (i, y, x) = (i * 7 + y * w + x) % 256,
/// labels i % 10. Writes `{prefix}-images-idx3-ubyte` and labels (gzipped if gz).
inline void write_mnist_split(const std::string& dir, const std::string& prefix, uint32_t n, uint32_t h, uint32_t w,
                              bool gz) {
  std::vector<uint8_t> pixels, labels;
  for (uint32_t i = 0; i < n; ++i) {
    labels.push_back(static_cast<uint8_t>(i % 10));
    for (uint32_t p = 0; p < h * w; ++p) pixels.push_back(static_cast<uint8_t>((i * 7 + p) % 256));
  }
  const auto img = idx_bytes(0x08, {n, h, w}, pixels);
  const auto lab = idx_bytes(0x08, {n}, labels);
  const std::string ip = dir + "/" + prefix + "-images-idx3-ubyte", lp = dir + "/" + prefix + "-labels-idx1-ubyte";
  std::filesystem::create_directories(dir);
  if (gz) {
    write_gzip(ip + ".gz", img);
    write_gzip(lp + ".gz", lab);
  } else {
    write_bytes(ip, img);
    write_bytes(lp, lab);
  }
}

}  // namespace fxdata_test
