#include "fluxion/device.h"

#include "fluxion/error.h"

namespace fluxion {

Device::Device(DeviceType type, int index) : type_(type), index_(index) {
  if (type_ == DeviceType::CUDA && index_ < 0) index_ = 0;
  FX_CHECK(type_ != DeviceType::CPU || index_ <= 0, "Device: CPU device index must be -1 or 0, got ", index);
}

Device::Device(const std::string& spec) : type_(DeviceType::CPU), index_(-1) {
  std::string kind = spec;
  int index = -1;
  auto colon = spec.find(':');
  if (colon != std::string::npos) {
    kind = spec.substr(0, colon);
    std::string num = spec.substr(colon + 1);
    FX_CHECK(!num.empty() && num.find_first_not_of("0123456789") == std::string::npos, "Device: bad device index in '",
             spec, "' (expected e.g. 'cuda:0')");
    index = std::stoi(num);
  }
  if (kind == "cpu") {
    type_ = DeviceType::CPU;
    FX_CHECK(index <= 0, "Device: CPU device index must be 0, got '", spec, "'");
    index_ = -1;
  } else if (kind == "cuda") {
    type_ = DeviceType::CUDA;
    index_ = index < 0 ? 0 : index;
  } else {
    FX_FAIL("Device: unknown device '", spec, "' (expected 'cpu', 'cuda' or 'cuda:N')");
  }
}

std::string Device::str() const {
  if (type_ == DeviceType::CPU) return "cpu";
  return "cuda:" + std::to_string(index_);
}

std::ostream& operator<<(std::ostream& os, const Device& d) { return os << d.str(); }
std::ostream& operator<<(std::ostream& os, DeviceType t) { return os << (t == DeviceType::CPU ? "cpu" : "cuda"); }

// cuda_compiled() and cuda_device_count() are defined by the CUDA backend (src/cuda/device.cpp)
// or, in a CPU-only build, by src/cuda/none/cuda_none.cpp.

}  // namespace fluxion
