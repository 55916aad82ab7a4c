// TensorBoard events files: TFRecord framing with masked CRC32C around hand-encoded Event protos.
#include "fluxion/train/tensorboard.h"

#include <array>
#include <chrono>
#include <cstring>

#include "fluxion/error.h"

namespace fluxion::train {
namespace {

std::array<uint32_t, 256> make_crc32c_table() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;  // reflected Castagnoli polynomial
    t[i] = c;
  }
  return t;
}

// ---- protobuf wire format (only what Event needs) ----
void put_varint(std::string& s, uint64_t v) {
  while (v >= 0x80) {
    s.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  s.push_back(static_cast<char>(v));
}
void put_tag(std::string& s, uint32_t field, uint32_t wire_type) { put_varint(s, (field << 3) | wire_type); }
template <class T>
void put_fixed(std::string& s, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));  // little-endian hosts (x86-64, aarch64)
  s.append(b, sizeof(T));
}
void put_bytes(std::string& s, uint32_t field, const std::string& bytes) {
  put_tag(s, field, 2);
  put_varint(s, bytes.size());
  s += bytes;
}

double wall_time_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

/// Event { wall_time = 1 (double), step = 2 (int64), file_version = 3 (string) | summary = 5 }.
std::string event_header(double wall_time, int64_t step) {
  std::string e;
  put_tag(e, 1, 1);
  put_fixed<double>(e, wall_time);
  put_tag(e, 2, 0);
  put_varint(e, static_cast<uint64_t>(step));
  return e;
}

}  // namespace

uint32_t crc32c(const void* data, size_t n) {
  static const std::array<uint32_t, 256> table = make_crc32c_table();
  const auto* p = static_cast<const unsigned char*>(data);
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) c = table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

uint32_t masked_crc32c(const void* data, size_t n) {
  const uint32_t c = crc32c(data, n);
  return ((c >> 15) | (c << 17)) + 0xa282ead8u;
}

EventWriter::EventWriter(const std::string& path) : path_(path) {
  f_ = std::fopen(path.c_str(), "wb");
  FX_CHECK(f_ != nullptr, "TensorBoard: cannot open ", path, " for writing");
  std::string e = event_header(wall_time_now(), 0);
  put_bytes(e, 3, "brain.Event:2");
  write_record(e);
  flush();
}

EventWriter::~EventWriter() {
  if (f_) std::fclose(f_);
}

void EventWriter::add_scalar(const std::string& tag, double value, int64_t step, double wall_time) {
  std::string v;  // Summary.Value { tag = 1; simple_value = 2 (float) }
  put_bytes(v, 1, tag);
  put_tag(v, 2, 5);
  put_fixed<float>(v, static_cast<float>(value));
  std::string summary;  // Summary { repeated Value value = 1; }
  put_bytes(summary, 1, v);
  std::string e = event_header(wall_time < 0 ? wall_time_now() : wall_time, step);
  put_bytes(e, 5, summary);
  write_record(e);
}

void EventWriter::write_record(const std::string& payload) {
  std::string rec;
  const uint64_t len = payload.size();
  put_fixed<uint64_t>(rec, len);
  put_fixed<uint32_t>(rec, masked_crc32c(rec.data(), 8));
  rec += payload;
  put_fixed<uint32_t>(rec, masked_crc32c(payload.data(), payload.size()));
  FX_CHECK(std::fwrite(rec.data(), 1, rec.size(), f_) == rec.size(), "TensorBoard: cannot write ", path_);
}

void EventWriter::flush() {
  if (f_) std::fflush(f_);
}

}  // namespace fluxion::train
