#include "support/golden.h"

#include <cmath>
#include <fstream>
#include <iostream>
#include <limits>

namespace fxtest {

namespace fx = fluxion;

const fx::Tensor& GoldenCase::at(const std::string& key) const {
  auto it = tensors.find(key);
  FX_CHECK(it != tensors.end(), "golden case '", name, "' has no tensor '", key, "'");
  return it->second;
}

namespace {
fx::DType parse_dtype(const std::string& s) {
  static const std::map<std::string, fx::DType> m = {
      {"float32", fx::kFloat32},   {"float64", fx::kFloat64}, {"float16", fx::kFloat16},
      {"bfloat16", fx::kBFloat16}, {"int8", fx::kInt8},       {"uint8", fx::kUInt8},
      {"int32", fx::kInt32},       {"int64", fx::kInt64},     {"bool", fx::kBool}};
  auto it = m.find(s);
  FX_CHECK(it != m.end(), "golden: unknown dtype '", s, "'");
  return it->second;
}
double parse_number(const nlohmann::json& v) {
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
    FX_FAIL("golden: bad number '", s, "'");
  }
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  return v.get<double>();
}
}  // namespace

fx::Tensor tensor_from_json(const nlohmann::json& j) {
  fx::DType dt = parse_dtype(j.at("dtype").get<std::string>());
  fx::Shape shape(j.at("shape").get<std::vector<int64_t>>());
  const auto& data = j.at("data");
  FX_CHECK(static_cast<int64_t>(data.size()) == fx::shape_numel(shape), "golden: data length ", data.size(),
           " does not match shape ", shape);
  if (dt == fx::kInt64 || dt == fx::kInt32 || dt == fx::kInt8 || dt == fx::kUInt8) {
    std::vector<int64_t> v;
    v.reserve(data.size());
    for (const auto& e : data) v.push_back(e.is_boolean() ? (e.get<bool>() ? 1 : 0) : e.get<int64_t>());
    return fx::tensor(v, shape, fx::TensorOptions(dt));
  }
  std::vector<double> v;
  v.reserve(data.size());
  for (const auto& e : data) v.push_back(parse_number(e));
  return fx::tensor(v, shape, fx::TensorOptions(dt));
}

std::vector<GoldenCase> load_golden(const std::string& file) {
  std::string path = std::string(FLUXION_GOLDEN_DIR) + "/" + file;
  std::ifstream in(path);
  FX_CHECK(in.good(), "golden: cannot open ", path, " (generate it with tests/golden/make_golden.py)");
  nlohmann::json root = nlohmann::json::parse(in);
  std::vector<GoldenCase> cases;
  for (const auto& c : root.at("cases")) {
    GoldenCase gc;
    gc.name = c.at("name").get<std::string>();
    gc.attrs = c.value("attrs", nlohmann::json::object());
    for (const auto& [k, v] : c.at("tensors").items()) gc.tensors[k] = tensor_from_json(v);
    cases.push_back(std::move(gc));
  }
  FX_CHECK(!cases.empty(), "golden: ", path, " has no cases");
  return cases;
}

std::vector<fluxion::Device> golden_devices() {
  std::vector<fluxion::Device> d{fluxion::kCPU};
  if (fluxion::cuda_device_count() > 0) d.emplace_back(fluxion::kCUDA, 0);
  return d;
}

GoldenCase on_device(const GoldenCase& c, const fluxion::Device& device) {
  GoldenCase out = c;
  if (device.is_cpu()) return out;
  for (auto& [key, t] : out.tensors) t = t.to(device);
  return out;
}

bool is_missing_cuda_kernel(const fluxion::Error& e) {
  const std::string m = e.what();
  return m.find("no CUDA kernel for dtype") != std::string::npos ||
         m.find("not implemented on CUDA") != std::string::npos;
}

void report_missing(const fluxion::Device& device, const std::vector<std::string>& cases) {
  if (cases.empty()) return;
  std::cout << cases.size() << " golden cases have no kernel on " << device.str() << ":";
  for (const auto& n : cases) std::cout << " " << n;
  std::cout << "\n";
}

}  // namespace fxtest
