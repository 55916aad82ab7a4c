// safetensors files (https://github.com/huggingface/safetensors): an 8-byte little-endian header
// length, a JSON header {"name": {"dtype", "shape", "data_offsets"}, "__metadata__": {...}} padded
// with spaces to a multiple of 8 bytes, then the tensors' bytes back to back. Files written here
// load in Python's safetensors package and vice versa.
#pragma once

#include <map>
#include <string>

#include "fluxion/ordered_dict.h"
#include "fluxion/tensor.h"

namespace fluxion {

/// The contents of a safetensors file: tensors (in header order) and the "__metadata__" strings.
struct SafetensorsData {
  OrderedDict<std::string, Tensor> tensors;
  std::map<std::string, std::string> metadata;
};

/// Writes `tensors` (any device/layout; stored contiguous, little-endian) and optional metadata to
/// `path` atomically: a temporary file in the same directory is written, fsync'ed and renamed over
/// `path`, so readers never see a partial file. Throws fluxion::Error naming the path on failure.
void save(const std::string& path, const OrderedDict<std::string, Tensor>& tensors,
          const std::map<std::string, std::string>& metadata = {});
/// Reads the tensors of a safetensors file (CPU tensors, in header order).
OrderedDict<std::string, Tensor> load(const std::string& path);
/// Reads tensors and metadata. A truncated or corrupt file (bad header length, invalid JSON,
/// unknown dtype, offsets out of range, overlapping or non-contiguous data, ...) throws
/// fluxion::Error naming the file and the problem; nothing is returned or modified.
SafetensorsData load_safetensors(const std::string& path);

/// The same format in memory (e.g. for sending over a network).
std::string save_safetensors_to_bytes(const OrderedDict<std::string, Tensor>& tensors,
                                      const std::map<std::string, std::string>& metadata = {});
/// Parses bytes in the safetensors format; `name` identifies the source in error messages.
SafetensorsData load_safetensors_from_bytes(const std::string& bytes, const std::string& name = "<memory>");

/// The safetensors dtype string for `dtype` ("F32", "BF16", "BOOL", ...).
const char* safetensors_dtype_name(DType dtype);

}  // namespace fluxion
