// IDX reader and the MNIST / Fashion-MNIST datasets.
//
// IDX layout: bytes 0,1 = 0; byte 2 = element type (0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32,
// 0x0E f64); byte 3 = number of dims; then one big-endian uint32 per dim; then the elements,
// big-endian, row-major.
#include "fluxion/data/mnist.h"

#include <cstdlib>
#include <cstring>

#include "file_util.h"
#include "fluxion/error.h"
#include "fluxion/ops/creation.h"

namespace fluxion::data {

namespace {

constexpr const char* kInstallHint =
    "install Debian package dataset-fashion-mnist (sudo apt-get install dataset-fashion-mnist) or pass --data-dir "
    "pointing at a folder with the MNIST-format files";

uint32_t be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

struct IdxType {
  DType dtype;
  size_t size;
};

IdxType idx_type(uint8_t code, const std::string& path) {
  switch (code) {
    case 0x08: return {kUInt8, 1};
    case 0x09: return {kInt8, 1};
    case 0x0B: return {kInt32, 2};  // int16 widened: Fluxion has no int16 dtype
    case 0x0C: return {kInt32, 4};
    case 0x0D: return {kFloat32, 4};
    case 0x0E: return {kFloat64, 8};
    default: FX_FAIL("IDX file '", path, "': unknown element type code 0x", std::hex, int{code});
  }
}

// Copies n big-endian elements of `size` bytes into native order (int16 sign-extended to int32).
void decode_elements(const uint8_t* src, void* dst, int64_t n, uint8_t code, size_t size) {
  if (size == 1) {
    std::memcpy(dst, src, static_cast<size_t>(n));
    return;
  }
  auto* out = static_cast<uint8_t*>(dst);
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t* s = src + static_cast<size_t>(i) * size;
    if (code == 0x0B) {
      const auto v = static_cast<int32_t>(static_cast<int16_t>((s[0] << 8) | s[1]));
      std::memcpy(out + static_cast<size_t>(i) * 4, &v, 4);
    } else {
      for (size_t b = 0; b < size; ++b) out[static_cast<size_t>(i) * size + b] = s[size - 1 - b];
    }
  }
}

std::string split_file(const std::string& dir, const std::string& prefix, const std::string& kind,
                       const char* hint = kInstallHint) {
  // Official names ("train-images-idx3-ubyte"), gzipped or not, and the dotted variant some mirrors use.
  const std::string base = prefix + "-" + kind;
  const std::string dotted = prefix + "-" + kind.substr(0, kind.find('-')) + "." + kind.substr(kind.find('-') + 1);
  const std::string found =
      detail::first_existing({detail::join_path(dir, base), detail::join_path(dir, base + ".gz"),
                              detail::join_path(dir, dotted), detail::join_path(dir, dotted + ".gz")});
  FX_CHECK(!found.empty(), "MNIST-format file '", detail::join_path(dir, base + "[.gz]"), "' not found: ", hint);
  return found;
}

}  // namespace

Tensor read_idx(const std::string& path) {
  const std::vector<uint8_t> bytes = detail::read_file_bytes(path);
  FX_CHECK(bytes.size() >= 4, "IDX file '", path, "': truncated header (", bytes.size(), " bytes)");
  FX_CHECK(bytes[0] == 0 && bytes[1] == 0, "IDX file '", path, "': bad magic number 0x", std::hex, be32(bytes.data()),
           " (not an IDX file)");
  const uint8_t code = bytes[2];
  const IdxType type = idx_type(code, path);
  const size_t ndim = bytes[3];
  FX_CHECK(ndim >= 1, "IDX file '", path, "': zero dimensions");
  const size_t header = 4 + 4 * ndim;
  FX_CHECK(bytes.size() >= header, "IDX file '", path, "': truncated header (", ndim, " dims need ", header,
           " bytes, file has ", bytes.size(), ")");
  Shape sizes;
  const size_t payload = bytes.size() - header;
  uint64_t count = 1;
  for (size_t d = 0; d < ndim; ++d) {
    const uint32_t s = be32(bytes.data() + 4 + 4 * d);
    sizes.push_back(static_cast<int64_t>(s));
    count *= s;
    // Stop before the product can overflow: it must fit the bytes actually present.
    FX_CHECK(s == 0 || count * type.size <= payload, "IDX file '", path, "': truncated: dims ", sizes,
             "... need more than the ", payload, " data bytes present");
  }
  const uint64_t need = count * type.size;
  FX_CHECK(payload == need, "IDX file '", path, "': ", payload < need ? "truncated" : "trailing data", ": dims ", sizes,
           " need ", need, " data bytes, file has ", payload);
  Tensor out = empty(sizes, TensorOptions(type.dtype));
  decode_elements(bytes.data() + header, out.data_ptr(), static_cast<int64_t>(count), code, type.size);
  return out;
}

Tensor read_idx_images(const std::string& path) {
  const Tensor raw = read_idx(path);
  FX_CHECK(raw.dtype() == kUInt8 && raw.dim() == 3, "IDX image file '", path,
           "': expected unsigned-byte (N, H, W) images (magic 0x00000803), got ", raw.dtype(), " of shape ",
           raw.sizes());
  const int64_t N = raw.size(0), H = raw.size(1), W = raw.size(2);
  Tensor out = empty({N, 1, H, W}, TensorOptions(kFloat32));
  const uint8_t* s = raw.data_ptr<uint8_t>();
  float* d = out.data_ptr<float>();
  for (int64_t i = 0; i < raw.numel(); ++i) d[i] = static_cast<float>(s[i]) * (1.0f / 255.0f);
  return out;
}

Tensor read_idx_labels(const std::string& path) {
  const Tensor raw = read_idx(path);
  FX_CHECK(raw.dtype() == kUInt8 && raw.dim() == 1, "IDX label file '", path,
           "': expected unsigned-byte (N,) labels (magic 0x00000801), got ", raw.dtype(), " of shape ", raw.sizes());
  Tensor out = empty({raw.size(0)}, TensorOptions(kInt64));
  const uint8_t* s = raw.data_ptr<uint8_t>();
  int64_t* d = out.data_ptr<int64_t>();
  for (int64_t i = 0; i < raw.numel(); ++i) d[i] = s[i];
  return out;
}

namespace {
TensorPair read_pair(const std::string& images_path, const std::string& labels_path) {
  TensorPair p{read_idx_images(images_path), read_idx_labels(labels_path)};
  FX_CHECK(p.data.size(0) == p.targets.size(0), "MNIST files disagree: '", images_path, "' has ", p.data.size(0),
           " images but '", labels_path, "' has ", p.targets.size(0), " labels");
  return p;
}
}  // namespace

TensorPair read_mnist(const std::string& dir, bool train) {
  const std::string prefix = train ? "train" : "t10k";
  const std::string images = split_file(dir, prefix, "images-idx3-ubyte");  // images first: report it if missing
  return read_pair(images, split_file(dir, prefix, "labels-idx1-ubyte"));
}

TensorPair read_emnist(const std::string& dir, const std::string& split, bool train) {
  const std::string prefix = "emnist-" + split + (train ? "-train" : "-test");
  constexpr const char* hint =
      "get the EMNIST binary files (gzip/emnist-*-idx?-ubyte.gz) from NIST and pass their folder with --data-dir";
  const std::string images = split_file(dir, prefix, "images-idx3-ubyte", hint);
  TensorPair p = read_pair(images, split_file(dir, prefix, "labels-idx1-ubyte", hint));
  p.data = p.data.transpose(2, 3).contiguous();  // EMNIST stores images column-major
  return p;
}

DatasetPtr emnist(const std::string& dir, const std::string& split, bool train) {
  TensorPair p = read_emnist(dir, split, train);
  return std::make_shared<TensorDataset>(std::move(p.data), std::move(p.targets));
}

std::string default_fashion_mnist_dir() {
  auto has_files = [](const std::string& d) {
    return detail::file_exists(detail::join_path(d, "train-labels-idx1-ubyte.gz")) ||
           detail::file_exists(detail::join_path(d, "train-labels-idx1-ubyte"));
  };
  if (const char* env = std::getenv("FLUXION_DATA_DIR"); env && *env) {
    const std::string sub = detail::join_path(env, "fashion-mnist");
    if (has_files(sub)) return sub;
    if (has_files(env)) return env;
  }
  return "/usr/share/datasets/fashion-mnist";
}

DatasetPtr mnist(const std::string& dir, bool train) {
  TensorPair p = read_mnist(dir, train);
  return std::make_shared<TensorDataset>(std::move(p.data), std::move(p.targets));
}

DatasetPtr fashion_mnist(bool train, const std::string& dir) {
  return mnist(dir.empty() ? default_fashion_mnist_dir() : dir, train);
}

const std::vector<std::string>& fashion_mnist_classes() {
  static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                 "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return names;
}

}  // namespace fluxion::data
