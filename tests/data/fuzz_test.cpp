// Fuzz-style robustness: every reader gets truncated and bit-flipped versions of a valid file and
// must either read it or throw fluxion::Error, never crash or throw anything else (run this under
// ASan too). Truncation of a format with an explicit size must always be an Error.
#include <functional>

#include "data/data_test_util.h"
#include "fluxion/data.h"
#include "support/test_util.h"

namespace fx = fluxion;
namespace fd = fluxion::data;
using fxdata_test::TempDir;

namespace {

enum class Outcome { Ok, Error };

Outcome attempt(const std::function<void()>& read, const std::string& what) {
  try {
    read();
    return Outcome::Ok;
  } catch (const fx::Error&) {
    return Outcome::Error;
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << ": threw a non-fluxion exception: " << e.what();
  }
  return Outcome::Error;
}

// Feeds truncations (every length for small files, a spread for large ones) and single-bit flips
// to `read(path)`. `truncation_fails`: a strict prefix must be rejected.
void fuzz(const TempDir& dir, const std::vector<uint8_t>& good, const std::string& name,
          const std::function<void(const std::string&)>& read, bool truncation_fails) {
  const std::string path = dir.file(name);
  fxdata_test::write_bytes(path, good);
  ASSERT_EQ(attempt([&] { read(path); }, name + " (intact)"), Outcome::Ok) << name;
  const size_t n = good.size();
  const size_t step = std::max<size_t>(1, n / 97);
  for (size_t len = 0; len < n; len += (len < 64 ? 1 : step)) {
    fxdata_test::write_bytes(path, std::vector<uint8_t>(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(len)));
    const Outcome o = attempt([&] { read(path); }, name + " truncated to " + std::to_string(len));
    if (truncation_fails) {
      EXPECT_EQ(o, Outcome::Error) << name << " truncated to " << len << " bytes was accepted";
    }
  }
  uint32_t lcg = 12345;
  for (int k = 0; k < 300; ++k) {
    lcg = lcg * 1664525u + 1013904223u;
    // Half the flips land in the first 64 bytes, where the headers are.
    const size_t pos = (k % 2 == 0) ? (lcg >> 8) % std::min<size_t>(n, 64) : (lcg >> 8) % n;
    std::vector<uint8_t> bad = good;
    bad[pos] ^= static_cast<uint8_t>(1u << (lcg % 8));
    fxdata_test::write_bytes(path, bad);
    attempt([&] { read(path); }, name + " with a bit flipped at byte " + std::to_string(pos));
  }
}

}  // namespace

TEST(Fuzz, IdxPlainAndGzip) {
  TempDir dir;
  fxdata_test::write_mnist_split(dir.file("m"), "train", 6, 4, 4, false);
  fxdata_test::write_mnist_split(dir.file("g"), "train", 6, 4, 4, true);
  const auto images = fxdata_test::read_bytes(dir.file("m/train-images-idx3-ubyte"));
  const auto labels = fxdata_test::read_bytes(dir.file("m/train-labels-idx1-ubyte"));
  const auto images_gz = fxdata_test::read_bytes(dir.file("g/train-images-idx3-ubyte.gz"));
  fuzz(
      dir, images, "images", [](const std::string& p) { fd::read_idx_images(p); }, true);
  fuzz(
      dir, labels, "labels", [](const std::string& p) { fd::read_idx_labels(p); }, true);
  fuzz(
      dir, images_gz, "images.gz", [](const std::string& p) { fd::read_idx(p); }, true);
}

TEST(Fuzz, Cifar) {
  TempDir dir;
  std::vector<uint8_t> rec(2 * 3073, 7);
  rec[0] = 3;
  rec[3073] = 9;
  fuzz(
      dir, rec, "batch.bin", [](const std::string& p) { fd::read_cifar({p}); }, true);
}

TEST(Fuzz, Csv) {
  TempDir dir;
  const std::string text = "a,b,y\n1.5,2,0\n3,-4e2,1\n5,6,2\n";
  fuzz(
      dir, std::vector<uint8_t>(text.begin(), text.end()), "t.csv", [](const std::string& p) { fd::read_csv(p); },
      false);
}

TEST(Fuzz, PngAndJpeg) {
  TempDir dir;
  fx::Tensor img = fx::empty({9, 11, 3}, fx::kUInt8);
  for (int64_t i = 0; i < img.numel(); ++i) img.data_ptr<uint8_t>()[i] = static_cast<uint8_t>(i * 29);
  fd::write_png(dir.file("src.png"), img);
  fd::write_jpeg(dir.file("src.jpg"), img);
  fuzz(
      dir, fxdata_test::read_bytes(dir.file("src.png")), "f.png", [](const std::string& p) { fd::read_image(p); },
      true);
  fuzz(
      dir, fxdata_test::read_bytes(dir.file("src.jpg")), "f.jpg", [](const std::string& p) { fd::read_image(p, 1); },
      true);
}

TEST(Fuzz, TextCorpus) {
  TempDir dir;
  const std::string text = "hello world, hello fluxion";
  fuzz(
      dir, std::vector<uint8_t>(text.begin(), text.end()), "t.txt",
      [](const std::string& p) { fd::TextCorpus(p, fd::Vocabulary::Level::Word, 2); }, false);
}
