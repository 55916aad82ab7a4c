// Device: where a tensor's memory lives (CPU or a CUDA device).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

namespace fluxion {

enum class DeviceType : int8_t { CPU = 0, CUDA = 1 };
inline constexpr int kNumDeviceTypes = 2;
inline constexpr DeviceType kCUDA = DeviceType::CUDA;

class Device {
 public:
  Device(DeviceType type = DeviceType::CPU, int index = -1);  // NOLINT: implicit like torch::Device
  /// Parses "cpu", "cuda", "cuda:1".
  explicit Device(const std::string& spec);
  DeviceType type() const { return type_; }
  int index() const { return index_; }
  bool is_cpu() const { return type_ == DeviceType::CPU; }
  bool is_cuda() const { return type_ == DeviceType::CUDA; }
  std::string str() const;
  friend bool operator==(const Device& a, const Device& b) { return a.type_ == b.type_ && a.index_ == b.index_; }

 private:
  DeviceType type_;
  int index_;
};

inline const Device kCPU{DeviceType::CPU, -1};

std::ostream& operator<<(std::ostream& os, const Device& d);
std::ostream& operator<<(std::ostream& os, DeviceType t);

/// True when this build has CUDA kernels compiled in.
bool cuda_compiled();
/// Number of usable CUDA devices (0 without CUDA or without a GPU).
int cuda_device_count();

}  // namespace fluxion
