// CIFAR-10/100 binary batches: fixed-size records of label byte(s) then 3x32x32 pixel bytes
// (channel planes R, G, B, each row-major), so the layout is already (3, 32, 32).
#include "fluxion/data/cifar.h"

#include "file_util.h"
#include "fluxion/error.h"
#include "fluxion/ops/creation.h"

namespace fluxion::data {

namespace {
constexpr int64_t kPixels = 3 * 32 * 32;

std::vector<std::string> cifar_files(const std::string& dir, const std::vector<std::string>& names) {
  std::vector<std::string> files;
  for (const auto& n : names) {
    const std::string p = detail::join_path(dir, n);
    FX_CHECK(detail::file_exists(p), "CIFAR file '", p,
             "' not found: download the binary version from https://www.cs.toronto.edu/~kriz/cifar.html, unpack it "
             "and pass its folder with --data-dir");
    files.push_back(p);
  }
  return files;
}
}  // namespace

TensorPair read_cifar(const std::vector<std::string>& files, bool cifar100) {
  FX_CHECK(!files.empty(), "read_cifar: no files");
  const int64_t label_bytes = cifar100 ? 2 : 1, record = label_bytes + kPixels;
  const int64_t classes = cifar100 ? 100 : 10;
  std::vector<std::vector<uint8_t>> contents;
  int64_t total = 0;
  for (const auto& f : files) {
    contents.push_back(detail::read_file_bytes(f));
    const auto n = static_cast<int64_t>(contents.back().size());
    FX_CHECK(n > 0 && n % record == 0, "CIFAR file '", f, "': size ", n, " is not a whole number of ", record,
             "-byte records (truncated or not a CIFAR-", classes, " binary batch)");
    total += n / record;
  }
  TensorPair p{empty({total, 3, 32, 32}, TensorOptions(kFloat32)), empty({total}, TensorOptions(kInt64))};
  float* d = p.data.data_ptr<float>();
  int64_t* t = p.targets.data_ptr<int64_t>();
  int64_t row = 0;
  for (size_t k = 0; k < files.size(); ++k) {
    const auto& bytes = contents[k];
    const int64_t n = static_cast<int64_t>(bytes.size()) / record;
    for (int64_t i = 0; i < n; ++i, ++row) {
      const uint8_t* r = bytes.data() + i * record;
      const int64_t label = r[label_bytes - 1];  // CIFAR-100: fine label is the second byte
      FX_CHECK(label < classes, "CIFAR file '", files[k], "': record ", i, " has label ", label, ", expected 0..",
               classes - 1);
      t[row] = label;
      for (int64_t j = 0; j < kPixels; ++j) d[row * kPixels + j] = static_cast<float>(r[label_bytes + j]) / 255.0f;
    }
  }
  return p;
}

DatasetPtr cifar10(const std::string& dir, bool train) {
  const auto files = train ? cifar_files(dir, {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                                               "data_batch_4.bin", "data_batch_5.bin"})
                           : cifar_files(dir, {"test_batch.bin"});
  TensorPair p = read_cifar(files, false);
  return std::make_shared<TensorDataset>(std::move(p.data), std::move(p.targets));
}

DatasetPtr cifar100(const std::string& dir, bool train) {
  TensorPair p = read_cifar(cifar_files(dir, {train ? "train.bin" : "test.bin"}), true);
  return std::make_shared<TensorDataset>(std::move(p.data), std::move(p.targets));
}

}  // namespace fluxion::data
