// Readers on small golden files the tests write themselves: IDX (plain and gzip), MNIST splits,
// CIFAR-10/100, CSV/TSV, PNG/JPEG, ImageFolder, text corpora.
#include <cstdlib>

#include "data/data_test_util.h"
#include "fluxion/data.h"
#include "support/test_util.h"

namespace fx = fluxion;
namespace fd = fluxion::data;
using fxdata_test::TempDir;
using fxtest::tensors_close;
using fxtest::tensors_equal;

TEST(Idx, ReadsEveryElementType) {
  TempDir dir;
  fxdata_test::write_bytes(dir.file("u8"), fxdata_test::idx_bytes(0x08, {2, 3}, {1, 2, 3, 4, 5, 255}));
  EXPECT_TRUE(tensors_equal(fd::read_idx(dir.file("u8")), fx::tensor<uint8_t>({1, 2, 3, 4, 5, 255}).reshape({2, 3})));
  // int32 big-endian: 1, -2
  fxdata_test::write_bytes(dir.file("i32"), fxdata_test::idx_bytes(0x0C, {2}, {0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFE}));
  EXPECT_TRUE(tensors_equal(fd::read_idx(dir.file("i32")), fx::tensor<int32_t>({1, -2})));
  // int16 -3 widened to int32
  fxdata_test::write_bytes(dir.file("i16"), fxdata_test::idx_bytes(0x0B, {1}, {0xFF, 0xFD}));
  EXPECT_TRUE(tensors_equal(fd::read_idx(dir.file("i16")), fx::tensor<int32_t>({-3})));
  // float32 1.5 = 0x3FC00000
  fxdata_test::write_bytes(dir.file("f32"), fxdata_test::idx_bytes(0x0D, {1}, {0x3F, 0xC0, 0, 0}));
  EXPECT_TRUE(tensors_equal(fd::read_idx(dir.file("f32")), fx::tensor({1.5f})));
}

TEST(Idx, GzipAndPlainGiveTheSameDataset) {
  TempDir dir;
  fxdata_test::write_mnist_split(dir.file("plain"), "train", 12, 5, 4, false);
  fxdata_test::write_mnist_split(dir.file("gz"), "train", 12, 5, 4, true);
  fd::TensorPair a = fd::read_mnist(dir.file("plain"), true), b = fd::read_mnist(dir.file("gz"), true);
  EXPECT_TRUE(tensors_equal(a.data, b.data));
  EXPECT_TRUE(tensors_equal(a.targets, b.targets));
  EXPECT_EQ(a.data.sizes(), fx::Shape({12, 1, 5, 4}));
  EXPECT_FLOAT_EQ(a.data.index({3, 0, 1, 2}).item<float>(), static_cast<float>((3 * 7 + 1 * 4 + 2) % 256) / 255.0f);
  auto ds = fd::mnist(dir.file("gz"), true);
  EXPECT_EQ(ds->size(), 12);
  fd::Example e = ds->get(7);
  EXPECT_EQ(e.data.sizes(), fx::Shape({1, 5, 4}));
  EXPECT_EQ(e.target.dim(), 0);
  EXPECT_EQ(e.target.item<int64_t>(), 7);
}

TEST(Idx, EmnistIsTransposedUpright) {
  TempDir dir;
  fxdata_test::write_mnist_split(dir.path().string(), "emnist-letters-test", 3, 2, 3, true);
  fd::TensorPair e = fd::read_emnist(dir.path().string(), "letters", false);
  EXPECT_EQ(e.data.sizes(), fx::Shape({3, 1, 3, 2}));
  // Stored pixel (i, y, x) = (7 i + 3 y + x) % 256 lands at (i, x, y).
  EXPECT_FLOAT_EQ(e.data.index({2, 0, 1, 0}).item<float>(), static_cast<float>(7 * 2 + 1) / 255.0f);
  EXPECT_FX_ERROR(fd::emnist(dir.path().string(), "letters", true), "emnist-letters-train-images-idx3-ubyte");
}

TEST(Idx, ClearErrors) {
  TempDir dir;
  EXPECT_FX_ERROR(fd::mnist(dir.file("nothing"), true), "dataset-fashion-mnist");
  EXPECT_FX_ERROR(fd::mnist(dir.file("nothing"), true), "train-images-idx3-ubyte");
  fxdata_test::write_bytes(dir.file("bad_magic"), {1, 2, 8, 1, 0, 0, 0, 1, 7});
  EXPECT_FX_ERROR(fd::read_idx(dir.file("bad_magic")), "bad magic");
  fxdata_test::write_bytes(dir.file("short"), fxdata_test::idx_bytes(0x08, {4, 2}, {1, 2, 3}));
  EXPECT_FX_ERROR(fd::read_idx(dir.file("short")), "truncated");
  EXPECT_FX_ERROR(fd::read_idx(dir.file("short")), dir.file("short"));
  fxdata_test::write_bytes(dir.file("labels3d"), fxdata_test::idx_bytes(0x08, {1, 1, 1}, {1}));
  EXPECT_FX_ERROR(fd::read_idx_labels(dir.file("labels3d")), "labels");
  // Counts disagree between images and labels.
  fxdata_test::write_mnist_split(dir.file("m"), "t10k", 5, 2, 2, false);
  fxdata_test::write_bytes(dir.file("m") + "/t10k-labels-idx1-ubyte", fxdata_test::idx_bytes(0x08, {4}, {0, 1, 2, 3}));
  EXPECT_FX_ERROR(fd::read_mnist(dir.file("m"), false), "4 labels");
}

TEST(Idx, DefaultDirAndEnvOverride) {
  const char* old = std::getenv("FLUXION_DATA_DIR");
  const std::string saved = old ? old : "";
  unsetenv("FLUXION_DATA_DIR");
  EXPECT_EQ(fd::default_fashion_mnist_dir(), "/usr/share/datasets/fashion-mnist");
  TempDir dir;
  fxdata_test::write_mnist_split(dir.file("fashion-mnist"), "train", 2, 2, 2, true);
  setenv("FLUXION_DATA_DIR", dir.path().c_str(), 1);
  EXPECT_EQ(fd::default_fashion_mnist_dir(), dir.file("fashion-mnist"));
  if (old)
    setenv("FLUXION_DATA_DIR", saved.c_str(), 1);
  else
    unsetenv("FLUXION_DATA_DIR");
  EXPECT_EQ(fd::fashion_mnist_classes().size(), 10u);
}

namespace {
std::vector<uint8_t> cifar_record(int label_bytes, uint8_t coarse, uint8_t label, uint8_t base) {
  std::vector<uint8_t> r;
  if (label_bytes == 2) r.push_back(coarse);
  r.push_back(label);
  for (int j = 0; j < 3072; ++j) r.push_back(static_cast<uint8_t>((base + j) % 256));
  return r;
}
}  // namespace

TEST(Cifar, Cifar10AndCifar100) {
  TempDir dir;
  std::vector<uint8_t> batch;
  for (uint8_t i = 0; i < 3; ++i) {
    auto r = cifar_record(1, 0, static_cast<uint8_t>(i + 4), i);
    batch.insert(batch.end(), r.begin(), r.end());
  }
  fxdata_test::write_bytes(dir.file("test_batch.bin"), batch);
  auto ds = fd::cifar10(dir.path().string(), false);
  ASSERT_EQ(ds->size(), 3);
  fd::Example e = ds->get(2);
  EXPECT_EQ(e.data.sizes(), fx::Shape({3, 32, 32}));
  EXPECT_EQ(e.target.item<int64_t>(), 6);
  // Pixel j of record i is (i + j) % 256; plane 1 (green), row 0, col 1 -> j = 1025.
  EXPECT_FLOAT_EQ(e.data.index({1, 0, 1}).item<float>(), static_cast<float>((2 + 1025) % 256) / 255.0f);
  EXPECT_FX_ERROR(fd::cifar10(dir.path().string(), true), "data_batch_1.bin");

  auto r100 = cifar_record(2, 3, 77, 9);
  fxdata_test::write_bytes(dir.file("train.bin"), r100);
  auto c100 = fd::cifar100(dir.path().string(), true);
  EXPECT_EQ(c100->get(0).target.item<int64_t>(), 77);
  fxdata_test::write_bytes(dir.file("bad_label.bin"), cifar_record(1, 0, 10, 0));
  EXPECT_FX_ERROR(fd::read_cifar({dir.file("bad_label.bin")}), "label 10");
}

TEST(Csv, HeaderTargetColumnAndTsv) {
  TempDir dir;
  { std::ofstream(dir.file("t.csv")) << "a,b,label\n1,2.5,0\n-3,4e1,2\n\n"; }
  fd::CsvTable t = fd::read_csv(dir.file("t.csv"));
  EXPECT_EQ(t.columns, (std::vector<std::string>{"a", "b", "label"}));
  EXPECT_TRUE(tensors_equal(t.data, fx::tensor({{1.0f, 2.5f}, {-3.0f, 40.0f}})));
  EXPECT_TRUE(tensors_equal(t.targets, fx::tensor<int64_t>({0, 2})));
  fd::CsvOptions o;
  o.target_name = "a";
  o.integer_target = false;
  fd::CsvTable by_name = fd::read_csv(dir.file("t.csv"), o);
  EXPECT_TRUE(tensors_equal(by_name.targets, fx::tensor({1.0f, -3.0f})));
  { std::ofstream(dir.file("t.tsv")) << "5\t6\r\n7\t8\r\n"; }
  fd::CsvOptions tsv;  // delimiter from the .tsv extension
  tsv.header = false;
  tsv.no_target = true;
  auto ds = fd::csv_dataset(dir.file("t.tsv"), tsv);
  EXPECT_EQ(ds->size(), 2);
  EXPECT_TRUE(tensors_equal(ds->get(1).data, fx::tensor({7.0f, 8.0f})));
  { std::ofstream(dir.file("bad.csv")) << "x,y\n1,oops\n"; }
  EXPECT_FX_ERROR(fd::read_csv(dir.file("bad.csv")), "line 2 column 2");
  { std::ofstream(dir.file("ragged.csv")) << "1,2\n3\n"; }
  fd::CsvOptions nh;
  nh.header = false;
  EXPECT_FX_ERROR(fd::read_csv(dir.file("ragged.csv"), nh), "expected 2");
}

// The layouts of scikit-learn's iris.csv (a first line of counts and class names, as many fields as
// a row, read as the header) and digits.csv.gz (gzip, no header), which the examples read.
TEST(Csv, GzipAndScikitLearnLayouts) {
  TempDir dir;
  { std::ofstream(dir.file("iris.csv")) << "2,4,setosa,versicolor,virginica\n5.1,3.5,1.4,0.2,0\n6.3,3.3,6.0,2.5,2\n"; }
  fd::CsvTable iris = fd::read_csv(dir.file("iris.csv"));
  EXPECT_EQ(iris.columns.size(), 5u);
  EXPECT_TRUE(tensors_equal(iris.data, fx::tensor({{5.1f, 3.5f, 1.4f, 0.2f}, {6.3f, 3.3f, 6.0f, 2.5f}})));
  EXPECT_TRUE(tensors_equal(iris.targets, fx::tensor<int64_t>({0, 2})));
  const std::string digits = "0,16,3,7\n1,0,12,9\n";
  fxdata_test::write_gzip(dir.file("digits.csv.gz"), std::vector<uint8_t>(digits.begin(), digits.end()));
  fd::CsvOptions nh;
  nh.header = false;
  fd::CsvTable d = fd::read_csv(dir.file("digits.csv.gz"), nh);
  EXPECT_TRUE(tensors_equal(d.data, fx::tensor({{0.0f, 16.0f, 3.0f}, {1.0f, 0.0f, 12.0f}})));
  EXPECT_TRUE(tensors_equal(d.targets, fx::tensor<int64_t>({7, 9})));
}

namespace {
// (H, W, C) uint8 test pattern.
fx::Tensor pattern(int64_t H, int64_t W, int64_t C) {
  fx::Tensor t = fx::empty({H, W, C}, fx::kUInt8);
  uint8_t* p = t.data_ptr<uint8_t>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = static_cast<uint8_t>((i * 13) % 251);
  return t;
}
}  // namespace

TEST(Image, PngRoundTripAndConversions) {
  TempDir dir;
  fx::Tensor rgb = pattern(5, 7, 3);
  fd::write_png(dir.file("rgb.png"), rgb);
  EXPECT_TRUE(tensors_equal(fd::read_image(dir.file("rgb.png")), rgb));
  fx::Tensor grey = pattern(4, 3, 1);
  fd::write_png(dir.file("grey.png"), grey);
  EXPECT_TRUE(tensors_equal(fd::read_png(dir.file("grey.png")), grey));
  fx::Tensor as_rgb = fd::read_png(dir.file("grey.png"), 3);
  EXPECT_EQ(as_rgb.sizes(), fx::Shape({4, 3, 3}));
  EXPECT_TRUE(tensors_equal(as_rgb.select(2, 1), grey.select(2, 0)));
  fd::write_png(dir.file("rgba.png"), pattern(2, 2, 4));
  EXPECT_EQ(fd::read_png(dir.file("rgba.png")).sizes(), fx::Shape({2, 2, 3}));  // alpha dropped
  EXPECT_EQ(fd::read_png(dir.file("rgb.png"), 1).sizes(), fx::Shape({5, 7, 1}));
}

TEST(Image, JpegRoundTrip) {
  TempDir dir;
  fx::Tensor flat = fx::full({8, 16, 3}, 100, fx::kUInt8);
  fd::write_jpeg(dir.file("a.jpg"), flat, 95);
  fx::Tensor back = fd::read_image(dir.file("a.jpg"));
  EXPECT_EQ(back.sizes(), fx::Shape({8, 16, 3}));
  EXPECT_TRUE(tensors_close(back.to(fx::kFloat32), flat.to(fx::kFloat32), 0, 2.0));
  EXPECT_EQ(fd::read_jpeg(dir.file("a.jpg"), 1).sizes(), fx::Shape({8, 16, 1}));
  fd::write_jpeg(dir.file("g.jpeg"), fx::full({4, 4}, 200, fx::kUInt8));
  EXPECT_EQ(fd::read_image(dir.file("g.jpeg")).sizes(), fx::Shape({4, 4, 1}));
}

TEST(Image, UndecodableNamesTheFile) {
  TempDir dir;
  { std::ofstream(dir.file("x.png")) << "hello"; }
  EXPECT_FX_ERROR(fd::read_image(dir.file("x.png")), dir.file("x.png"));
  EXPECT_FX_ERROR(fd::read_image(dir.file("missing.png")), "missing.png");
}

TEST(ImageFolder, ClassPerFolder) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "cat");
  std::filesystem::create_directories(dir.path() / "dog");
  fd::write_png(dir.file("cat/1.png"), pattern(6, 6, 3));
  fd::write_png(dir.file("cat/2.PNG"), pattern(6, 6, 1));
  fd::write_jpeg(dir.file("dog/a.jpg"), pattern(6, 6, 3));
  { std::ofstream(dir.file("dog/readme.txt")) << "ignored"; }
  fd::ImageFolder folder(dir.path().string());
  EXPECT_EQ(folder.classes(), (std::vector<std::string>{"cat", "dog"}));
  ASSERT_EQ(folder.size(), 3);
  fd::Example e = folder.get(1);
  EXPECT_EQ(e.data.sizes(), fx::Shape({3, 6, 6}));  // grey converted to RGB
  EXPECT_EQ(e.data.dtype(), fx::kFloat32);
  EXPECT_EQ(e.target.item<int64_t>(), 0);
  EXPECT_EQ(folder.get(2).target.item<int64_t>(), 1);
  EXPECT_TRUE(tensors_close(folder.get(0).data, fd::transforms::to_tensor(pattern(6, 6, 3))));
  // Batches through a DataLoader.
  fd::DataLoaderOptions o;
  o.batch_size = 3;
  fd::DataLoader loader(std::make_shared<fd::ImageFolder>(dir.path().string()), o);
  for (fd::Batch& b : loader) EXPECT_EQ(b.data.sizes(), fx::Shape({3, 3, 6, 6}));
  EXPECT_FX_ERROR(fd::ImageFolder(dir.file("cat")), "no class sub-folders");
}

TEST(Text, CharAndWordCorpora) {
  TempDir dir;
  { std::ofstream(dir.file("c.txt")) << "abracadabra"; }
  fd::TextCorpus chars(dir.file("c.txt"), fd::Vocabulary::Level::Char, 4);
  const fd::Vocabulary& v = chars.vocabulary();
  EXPECT_EQ(v.size(), 6);   // <unk> a b r c d
  EXPECT_EQ(v.id("a"), 1);  // most frequent first
  EXPECT_EQ(v.id("z"), 0);
  EXPECT_EQ(chars.size(), 2);  // 11 tokens: windows at 0 and 4 need 5 tokens each
  fd::Example e = chars.get(1);
  EXPECT_EQ(v.decode(std::vector<int64_t>(e.data.data_ptr<int64_t>(), e.data.data_ptr<int64_t>() + 4)), "cada");
  EXPECT_EQ(v.decode(std::vector<int64_t>(e.target.data_ptr<int64_t>(), e.target.data_ptr<int64_t>() + 4)), "adab");

  { std::ofstream(dir.file("w.txt")) << "the cat sat on the mat\nthe end"; }
  fd::TextCorpus words(dir.file("w.txt"), fd::Vocabulary::Level::Word, 3, 1);
  EXPECT_EQ(words.vocabulary().id("the"), 1);
  EXPECT_EQ(words.size(), 5);  // 8 tokens, stride 1
  EXPECT_EQ(words.vocabulary().decode(words.vocabulary().encode("the dog sat")), "the <unk> sat");
  fd::DataLoaderOptions o;
  o.batch_size = 2;
  fd::DataLoader loader(std::make_shared<fd::TextCorpus>(dir.file("w.txt"), fd::Vocabulary::Level::Word, 3, 1), o);
  auto it = loader.begin();
  EXPECT_EQ((*it).data.sizes(), fx::Shape({2, 3}));
  EXPECT_EQ((*it).target.dtype(), fx::kInt64);
}
