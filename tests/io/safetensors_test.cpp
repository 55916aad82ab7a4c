// safetensors: golden file from Python, round trips of every dtype, a file for Python to read,
// corruption (truncation, byte flips, crafted headers) and atomic writes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "fluxion/fluxion.h"
#include "fluxion/io.h"
#include "support/golden.h"
#include "support/test_util.h"

namespace fx = fluxion;
namespace fs = std::filesystem;

namespace {

std::string golden_file(const std::string& name) { return std::string(FLUXION_GOLDEN_DIR) + "/" + name; }

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

/// A fresh empty directory under the system temp dir, removed by the destructor.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("fluxion_io_test_" + std::to_string(::getpid()) + "_" + std::to_string(reinterpret_cast<uintptr_t>(this)));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(path)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
};

/// The tensors of gen_safetensors.py's expected_tensors(), built in C++.
fx::OrderedDict<std::string, fx::Tensor> expected_tensors() {
  fx::OrderedDict<std::string, fx::Tensor> d;
  auto f64 = fx::TensorOptions(fx::kFloat64);
  d.insert("weight.f32",
           fx::tensor(std::vector<double>{1.5, -2.25, 3.0, 0.1, 1e-30, -7.0}, {2, 3}, f64).to(fx::kFloat32));
  d.insert("x.f64", fx::tensor(std::vector<double>{M_PI, -1e300, std::numeric_limits<double>::infinity(),
                                                   std::numeric_limits<double>::quiet_NaN()},
                               {4}, f64));
  d.insert("h.f16", fx::tensor(std::vector<double>{0.5, -65504.0, 6.1035156e-05}, {3}, f64).to(fx::kFloat16));
  d.insert("b.bf16", fx::tensor(std::vector<double>{1.0, -3.140625, 1e38, 0.0078125}, {2, 2}, f64).to(fx::kBFloat16));
  d.insert("i8", fx::tensor(std::vector<int64_t>{-128, -1, 0, 127, 5}, {5}, fx::TensorOptions(fx::kInt8)));
  d.insert("u8", fx::tensor(std::vector<int64_t>{0, 200, 255}, {3}, fx::TensorOptions(fx::kUInt8)));
  d.insert("i32",
           fx::tensor(std::vector<int64_t>{-2147483648LL, 2147483647LL, 0, -7}, {2, 2}, fx::TensorOptions(fx::kInt32)));
  d.insert("i64", fx::tensor(std::vector<int64_t>{-(int64_t{1} << 62), (int64_t{1} << 40) + 3, -1}, {3},
                             fx::TensorOptions(fx::kInt64)));
  d.insert("mask", fx::tensor(std::vector<int64_t>{1, 0, 0, 1}, {4}, fx::TensorOptions(fx::kInt64)).to(fx::kBool));
  d.insert("scalar", fx::full({}, 2.5, fx::TensorOptions(fx::kFloat32)));
  d.insert("empty", fx::zeros({0, 3}, fx::TensorOptions(fx::kFloat32)));
  return d;
}

const std::map<std::string, std::string> kMetadata = {
    {"format", "pt"}, {"source", "gen_safetensors.py"}, {"unicode", "\xc3\xa9t\xc3\xa9 \xe2\x9c\x93"}};

/// Bytes of a safetensors file with the given header text (padded) and data.
std::string craft(const std::string& header, const std::string& data) {
  std::string h = header;
  std::string out(8, '\0');
  uint64_t n = h.size();
  for (int i = 0; i < 8; ++i) out[static_cast<size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out + h + data;
}

void expect_load_error(const std::string& bytes, const std::string& substr) {
  try {
    fx::load_safetensors_from_bytes(bytes, "crafted.safetensors");
    ADD_FAILURE() << "expected an error containing '" << substr << "'";
  } catch (const fx::Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find(substr), std::string::npos) << msg;
    EXPECT_NE(msg.find("crafted.safetensors"), std::string::npos) << msg;
  }
}

}  // namespace

TEST(SafetensorsGolden, ReadsFileWrittenByPython) {
  auto cases = fxtest::load_golden("safetensors.json");
  ASSERT_EQ(cases.size(), 1u);
  const auto& c = cases[0];
  fx::SafetensorsData d = fx::load_safetensors(golden_file("golden.safetensors"));
  EXPECT_EQ(d.tensors.keys(), c.attrs["order"].get<std::vector<std::string>>());
  EXPECT_EQ(d.metadata, (c.attrs["metadata"].get<std::map<std::string, std::string>>()));
  EXPECT_EQ(d.metadata, kMetadata);
  ASSERT_EQ(d.tensors.size(), c.tensors.size());
  for (const auto& [name, want] : c.tensors) {
    SCOPED_TRACE(name);
    const fx::Tensor& got = d.tensors.at(name);
    EXPECT_EQ(got.dtype(), want.dtype());
    EXPECT_TRUE(fxtest::tensors_equal(got, want));
    EXPECT_TRUE(fxtest::tensors_equal(got, expected_tensors().at(name)));
  }
}

TEST(SafetensorsGolden, RewritingPythonsFileReproducesItsBytes) {
  // Saving the tensors in the file's order gives the same data section and the same header JSON.
  std::string original = read_bytes(golden_file("golden.safetensors"));
  fx::SafetensorsData d = fx::load_safetensors(golden_file("golden.safetensors"));
  std::string mine = fx::save_safetensors_to_bytes(d.tensors, d.metadata);
  ASSERT_EQ(mine.size(), original.size());
  uint64_t n = 0;
  std::memcpy(&n, original.data(), 8);
  EXPECT_EQ(mine.substr(0, 8), original.substr(0, 8));
  EXPECT_EQ(nlohmann::json::parse(mine.substr(8, n)), nlohmann::json::parse(original.substr(8, n)));
  EXPECT_EQ(mine.substr(8 + n), original.substr(8 + n));
}

TEST(Safetensors, RoundTripEveryDtypeAndLayout) {
  TempDir dir;
  auto tensors = expected_tensors();
  // Non-contiguous and expanded inputs are stored contiguous.
  fx::Tensor base = fx::tensor(std::vector<double>{1, 2, 3, 4, 5, 6}, {2, 3}, fx::TensorOptions(fx::kFloat64));
  tensors.insert("transposed", base.t());
  tensors.insert("sliced", base.slice(1, 0, 3, 2));
  tensors.insert("expanded", fx::full({1, 3}, 7, fx::TensorOptions(fx::kInt32)).expand({4, 3}));
  fx::Tensor p = fx::ones({2}, fx::TensorOptions().requires_grad(true));
  tensors.insert("param", p);
  const std::string path = dir.file("all.safetensors");
  fx::save(path, tensors, kMetadata);
  fx::SafetensorsData d = fx::load_safetensors(path);
  EXPECT_EQ(d.tensors.keys(), tensors.keys());  // insertion order survives (header order)
  EXPECT_EQ(d.metadata, kMetadata);
  for (const auto& it : tensors) {
    SCOPED_TRACE(it.key());
    const fx::Tensor& got = d.tensors.at(it.key());
    EXPECT_TRUE(got.is_contiguous());
    EXPECT_FALSE(got.requires_grad());
    EXPECT_TRUE(fxtest::tensors_equal(got, it.value().detach()));
  }
  EXPECT_EQ(fx::load(path).keys(), tensors.keys());
  // Format details: header padded to 8 bytes, data aligned to each element size.
  std::string bytes = read_bytes(path);
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  EXPECT_EQ(n % 8, 0u);
  auto header = nlohmann::json::parse(bytes.substr(8, n));
  for (const auto& [k, v] : header.items()) {
    if (k == "__metadata__") continue;
    uint64_t begin = v["data_offsets"][0];
    EXPECT_EQ(begin % fx::element_size(d.tensors.at(k).dtype()), 0u) << k;
  }
  EXPECT_EQ(header["mask"]["dtype"], "BOOL");
  EXPECT_EQ(header["b.bf16"]["dtype"], "BF16");
  EXPECT_EQ(header["scalar"]["shape"], nlohmann::json::array());
  // In-memory variant.
  auto again = fx::load_safetensors_from_bytes(fx::save_safetensors_to_bytes(tensors, kMetadata));
  EXPECT_EQ(again.tensors.keys(), tensors.keys());
  EXPECT_TRUE(fxtest::tensors_equal(again.tensors.at("i64"), tensors.at("i64")));
  // An empty dictionary is a valid file.
  fx::save(dir.file("empty.safetensors"), fx::OrderedDict<std::string, fx::Tensor>());
  EXPECT_EQ(fx::load(dir.file("empty.safetensors")).size(), 0u);
}

TEST(Safetensors, WritesFileForPython) {
  // Writes the expected tensors for tests/golden/gen_safetensors.py --check (set
  // FLUXION_SAFETENSORS_OUT=/path to keep the file), and reads it back here.
  TempDir dir;
  const char* env = std::getenv("FLUXION_SAFETENSORS_OUT");
  const std::string path = env ? std::string(env) : dir.file("for_python.safetensors");
  fx::save(path, expected_tensors(), kMetadata);
  auto d = fx::load_safetensors(path);
  EXPECT_EQ(d.metadata, kMetadata);
  for (const auto& it : expected_tensors()) EXPECT_TRUE(fxtest::tensors_equal(d.tensors.at(it.key()), it.value()));
}

TEST(SafetensorsCorruption, EveryTruncationThrows) {
  std::string bytes = fx::save_safetensors_to_bytes(expected_tensors(), kMetadata);
  ASSERT_GT(bytes.size(), 200u);
  for (size_t len = 0; len < bytes.size(); ++len) {
    try {
      fx::load_safetensors_from_bytes(bytes.substr(0, len), "truncated");
      ADD_FAILURE() << "truncation to " << len << " bytes loaded without error";
    } catch (const fx::Error& e) {
      EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos);
    }
  }
}

TEST(SafetensorsCorruption, ByteFlipsThrowOrLoadNeverCrash) {
  std::string bytes = fx::save_safetensors_to_bytes(expected_tensors(), kMetadata);
  int errors = 0, loaded = 0;
  for (size_t pos = 0; pos < bytes.size(); ++pos) {
    for (unsigned char mask : {0x01, 0x20, 0x80, 0xff}) {
      std::string b = bytes;
      b[pos] = static_cast<char>(static_cast<unsigned char>(b[pos]) ^ mask);
      try {
        auto d = fx::load_safetensors_from_bytes(b, "flipped");
        for (const auto& it : d.tensors) ASSERT_TRUE(it.value().defined());
        ++loaded;  // e.g. a flipped data byte or tensor-name letter is still a valid file
      } catch (const fx::Error&) {
        ++errors;
      } catch (const std::exception& e) {
        ADD_FAILURE() << "byte " << pos << " ^ " << int(mask) << ": non-fluxion exception " << e.what();
      }
    }
  }
  EXPECT_GT(errors, 500);  // every flip in the length field and most in the header are detected
  EXPECT_GT(loaded, 100);
}

TEST(SafetensorsCorruption, CraftedHeadersNameTheProblem) {
  const std::string data8(8, '\0');
  auto t = [](const std::string& body) { return "{" + body + "}"; };
  // Length field.
  expect_load_error(std::string(5, '\0'), "too small");
  std::string huge = craft(t(R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})"), data8);
  huge[7] = '\x7f';
  expect_load_error(huge, "larger than the 100 MB limit");
  std::string longer = craft(t(R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})"), data8);
  longer[0] = static_cast<char>(longer[0] + 64);
  expect_load_error(longer, "exceeds");
  // JSON.
  expect_load_error(craft(R"({"a": {"dtype": )", ""), "not valid JSON");
  expect_load_error(craft(R"([1, 2])", ""), "does not start with '{'");
  expect_load_error(craft("{\"a\xff\":1}", ""), "not valid JSON");
  expect_load_error(
      craft(
          t(R"("a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]})"),
          data8),
      "the key 'a' twice");
  expect_load_error(craft(t(R"("a":[1,2])"), ""), "is not an object");
  expect_load_error(craft(t(R"("__metadata__":{"k":1})"), ""), "metadata value 'k' is not a string");
  // Entries.
  expect_load_error(craft(t(R"("a":{"dtype":"F33","shape":[2],"data_offsets":[0,8]})"), data8), "unknown dtype 'F33'");
  expect_load_error(craft(t(R"("a":{"dtype":"I16","shape":[4],"data_offsets":[0,8]})"), data8), "does not support");
  expect_load_error(craft(t(R"("a":{"dtype":3,"shape":[2],"data_offsets":[0,8]})"), data8), "no string 'dtype'");
  expect_load_error(craft(t(R"("a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]})"), data8),
                    "non-negative integer");
  expect_load_error(craft(t(R"("a":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]})"), data8),
                    "non-negative integer");
  expect_load_error(craft(t(R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0]})"), data8), "data_offsets");
  expect_load_error(craft(t(R"("a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]})"), data8), "begin after end");
  expect_load_error(craft(t(R"("a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]})"), data8), "needs 12 bytes");
  expect_load_error(craft(t(R"("a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]})"), data8),
                    "too many");
  expect_load_error(craft(t(R"("a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]})"), data8), "beyond the 8-byte");
  // Tiling of the data section.
  expect_load_error(
      craft(
          t(R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]})"),
          std::string(12, '\0')),
      "overlap");
  expect_load_error(
      craft(
          t(R"("a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]})"),
          std::string(12, '\0')),
      "non-contiguous");
  expect_load_error(craft(t(R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})"), std::string(12, '\0')),
                    "cover 8 bytes but the data section has 12");
  // Values.
  expect_load_error(craft(t(R"("m":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]})"), std::string("\x01\x02", 2)),
                    "expected 0 or 1");
  // And a well-formed crafted file does load (the helper itself is sound).
  auto ok = fx::load_safetensors_from_bytes(craft(t(R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})"), data8),
                                            "crafted.safetensors");
  EXPECT_EQ(ok.tensors.at("a").sizes(), fx::Shape({2}));
}

TEST(SafetensorsCorruption, FileErrorsNameThePath) {
  TempDir dir;
  const std::string path = dir.file("model.safetensors");
  EXPECT_FX_ERROR(fx::load(path), path + ": cannot open file");
  fx::save(path, expected_tensors());
  std::string bytes = read_bytes(path);
  write_bytes(path, bytes.substr(0, bytes.size() - 3));
  EXPECT_FX_ERROR(fx::load(path), path);
  EXPECT_FX_ERROR(fx::load(path), "truncated or corrupt");
  write_bytes(path, bytes.substr(0, 20));
  EXPECT_FX_ERROR(fx::load(path), "exceeds");
}

TEST(SafetensorsAtomic, FailedWritesLeaveTheOldFileAndNoTemporaries) {
  TempDir dir;
  const std::string path = dir.file("weights.safetensors");
  fx::OrderedDict<std::string, fx::Tensor> v1;
  v1.insert("w", fx::full({3}, 1.0));
  fx::save(path, v1);
  const std::string old_bytes = read_bytes(path);
  // Overwrite works and leaves only the target.
  fx::OrderedDict<std::string, fx::Tensor> v2;
  v2.insert("w", fx::full({3}, 2.0));
  fx::save(path, v2);
  EXPECT_EQ(fx::load(path).at("w").data_ptr<float>()[2], 2.0f);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"weights.safetensors"});
  fx::save(path, v1);
  // Invalid input: rejected before the file system is touched.
  fx::OrderedDict<std::string, fx::Tensor> bad;
  bad.insert("__metadata__", fx::zeros({1}));
  EXPECT_FX_ERROR(fx::save(path, bad), "reserved");
  fx::OrderedDict<std::string, fx::Tensor> undef;
  undef.insert("x", fx::Tensor());
  EXPECT_FX_ERROR(fx::save(path, undef), "undefined");
  // Unwritable targets.
  EXPECT_FX_ERROR(fx::save(dir.file("missing_dir/w.safetensors"), v2), "cannot create a temporary file");
  fs::create_directories(dir.path / "a_directory");
  EXPECT_FX_ERROR(fx::save(dir.file("a_directory"), v2), "cannot rename");
  EXPECT_TRUE(fs::is_directory(dir.path / "a_directory"));
  EXPECT_EQ(read_bytes(path), old_bytes);
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"a_directory", "weights.safetensors"}));
}
