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

}  // namespace fxtest
