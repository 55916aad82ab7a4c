// read_file_bytes via zlib's gzopen/gzread, which also passes non-gzip files through unchanged.
#include "file_util.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "fluxion/error.h"

namespace fluxion::data::detail {

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::error_code ec;
  FX_CHECK(std::filesystem::is_regular_file(path, ec), "cannot read '", path, "': no such file");
  gzFile f = gzopen(path.c_str(), "rb");
  FX_CHECK(f != nullptr, "cannot open '", path, "': ", std::strerror(errno));
  std::vector<uint8_t> out;
  constexpr size_t kChunk = size_t{1} << 20;
  for (;;) {
    const size_t old = out.size();
    out.resize(old + kChunk);
    const int n = gzread(f, out.data() + old, static_cast<unsigned>(kChunk));
    if (n < 0) {
      int err = 0;
      const std::string msg = gzerror(f, &err);
      gzclose(f);
      FX_FAIL("cannot read '", path, "': corrupt gzip data (", msg, ")");
    }
    out.resize(old + static_cast<size_t>(n));
    if (n == 0) break;
  }
  int err = 0;
  const char* msg = gzerror(f, &err);
  // A gzip stream cut short reads as end of file with Z_BUF_ERROR set.
  const bool truncated = err == Z_BUF_ERROR;
  const std::string text = msg ? msg : "";
  gzclose(f);
  FX_CHECK(err == Z_OK && !truncated, "cannot read '", path, "': truncated or corrupt gzip data (", text, ")");
  return out;
}

std::vector<uint8_t> read_raw_file(const std::string& path) {
  std::error_code ec;
  FX_CHECK(std::filesystem::is_regular_file(path, ec), "cannot read '", path, "': no such file");
  std::ifstream in(path, std::ios::binary);
  FX_CHECK(in, "cannot open '", path, "': ", std::strerror(errno));
  std::vector<uint8_t> out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  FX_CHECK(!in.bad(), "cannot read '", path, "': I/O error");
  return out;
}

void write_file_bytes(const std::string& path, const std::vector<uint8_t>& bytes, bool gzip) {
  if (!gzip) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    FX_CHECK(out.good(), "cannot write '", path, "'");
    return;
  }
  gzFile f = gzopen(path.c_str(), "wb");
  FX_CHECK(f != nullptr, "cannot open '", path, "' for writing");
  const bool ok =
      bytes.empty() || gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())) == static_cast<int>(bytes.size());
  FX_CHECK(gzclose(f) == Z_OK && ok, "cannot write '", path, "'");
}

bool file_exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

std::string first_existing(const std::vector<std::string>& candidates) {
  for (const auto& c : candidates)
    if (file_exists(c)) return c;
  return "";
}

std::string join_path(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

}  // namespace fluxion::data::detail
