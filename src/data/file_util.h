// File helpers shared by the data readers (internal).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fluxion::data::detail {

/// Whole file as bytes, gunzipped transparently when it is gzip data (zlib reads plain files as
/// they are). Throws Error naming `path` if it is missing, unreadable or corrupt gzip.
std::vector<uint8_t> read_file_bytes(const std::string& path);
/// Whole file as bytes, as stored (no gunzip).
std::vector<uint8_t> read_raw_file(const std::string& path);
/// Writes `bytes` to `path`, gzip-compressed when `gzip` (used by the tests to make golden files).
void write_file_bytes(const std::string& path, const std::vector<uint8_t>& bytes, bool gzip = false);
bool file_exists(const std::string& path);
/// The first of `candidates` that exists, else "" .
std::string first_existing(const std::vector<std::string>& candidates);
/// Path join with one '/'.
std::string join_path(const std::string& dir, const std::string& name);

}  // namespace fluxion::data::detail
