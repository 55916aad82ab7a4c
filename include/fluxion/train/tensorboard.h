// TensorBoard event files, written without TensorFlow: TFRecord framing (length, masked CRC32C of the
// length, payload, masked CRC32C of the payload) around hand-encoded Event protocol buffers.
//
//   Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
//   Summary { repeated Value value = 1; }   Value { string tag = 1; float simple_value = 2; }
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

namespace fluxion::train {

/// CRC-32C (Castagnoli), as TFRecord uses.
uint32_t crc32c(const void* data, size_t n);
/// TFRecord's masked CRC: ((crc >> 15) | (crc << 17)) + 0xa282ead8.
uint32_t masked_crc32c(const void* data, size_t n);

/// Appends events to a TensorBoard events file; the first record is the file_version event.
class EventWriter {
 public:
  /// Creates (truncates) `path`; throws fluxion::Error if it cannot be opened.
  explicit EventWriter(const std::string& path);
  ~EventWriter();
  EventWriter(const EventWriter&) = delete;
  EventWriter& operator=(const EventWriter&) = delete;
  /// A scalar summary `tag` = value at `step`; wall_time < 0 uses the current time.
  void add_scalar(const std::string& tag, double value, int64_t step, double wall_time = -1);
  void flush();
  const std::string& path() const { return path_; }

 private:
  void write_record(const std::string& payload);
  std::string path_;
  std::FILE* f_ = nullptr;
};

}  // namespace fluxion::train
