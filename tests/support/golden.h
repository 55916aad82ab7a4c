// Golden cases generated with PyTorch by tests/golden/make_golden.py (run by hand) and read
// back here, so CI compares against PyTorch without needing it.
//
// File format (tests/golden/data/<family>.json):
//   {"torch_version": "2.x", "cases": [
//      {"name": "exp/f32/contig", "attrs": {...any JSON...},
//       "tensors": {"x": {"dtype": "float32", "shape": [2, 3], "data": [..., "nan", "inf", "-inf"]},
//                   "out": {...}}}]}
// Non-contiguous inputs are described in attrs (e.g. "transpose": true) and rebuilt by the test.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fluxion/fluxion.h"

namespace fxtest {

struct GoldenCase {
  std::string name;
  nlohmann::json attrs;
  std::map<std::string, fluxion::Tensor> tensors;
  const fluxion::Tensor& at(const std::string& key) const;
  bool has(const std::string& key) const { return tensors.count(key) != 0; }
};

/// Loads tests/golden/data/<file>; fails the test (throws) if missing or malformed.
std::vector<GoldenCase> load_golden(const std::string& file);

/// Parses one tensor entry of the format above.
fluxion::Tensor tensor_from_json(const nlohmann::json& j);

/// The devices the golden suites run on: the CPU, and CUDA device 0 when one is present, so the
/// same PyTorch cases check every backend (issue 8's op conformance).
std::vector<fluxion::Device> golden_devices();
/// A copy of `c` whose tensors live on `device` (the expected outputs stay comparable with
/// `.cpu()` of the results).
GoldenCase on_device(const GoldenCase& c, const fluxion::Device& device);
/// True when `e` says an op has no CUDA kernel for a dtype: the suites list such cases for a CUDA
/// run (docs/cuda.md names the missing dtypes) instead of failing on them.
bool is_missing_cuda_kernel(const fluxion::Error& e);
/// Prints the cases skipped on `device` for a missing kernel (nothing when there are none).
void report_missing(const fluxion::Device& device, const std::vector<std::string>& cases);

}  // namespace fxtest
