// Atomic file replacement: write to a temporary file in the target's directory, fsync it, rename
// it over the target and fsync the directory. Readers see the old file or the new one, never a
// partial one; a crash leaves at most a stray "<name>.tmp.*" file.
#pragma once

#include <cstddef>
#include <string>

namespace fluxion::io {

class AtomicFileWriter {
 public:
  /// Creates the temporary file; throws fluxion::Error naming `path` on failure.
  explicit AtomicFileWriter(std::string path);
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;
  /// Removes the temporary file unless commit() succeeded.
  ~AtomicFileWriter();

  /// Appends n bytes (retrying short writes).
  void write(const void* data, size_t n);
  /// fsync + rename over the target + fsync of the directory.
  void commit();

 private:
  [[noreturn]] void fail(const std::string& what);
  std::string path_, tmp_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace fluxion::io
