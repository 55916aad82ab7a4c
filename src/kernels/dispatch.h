// Kernel table keyed by (kernel, device type, dtype). Each kernel file registers its
// implementations at static-initialisation time; ops look them up. Tables are constant-
// initialised (constexpr constructor), so registration order across files never matters.
#pragma once

#include "core/vmap_state.h"
#include "fluxion/device.h"
#include "fluxion/dtype.h"
#include "fluxion/error.h"

namespace fluxion::kernels {

template <class Fn>
class KernelTable {
 public:
  constexpr explicit KernelTable(const char* name) : name_(name) {}
  void set(DeviceType dev, DType dt, Fn fn) { table_[static_cast<int>(dev)][static_cast<int>(dt)] = fn; }
  /// The kernel for (dev, dt); throws fluxion::Error naming the kernel if none is registered.
  Fn get(DeviceType dev, DType dt) const {
    vmap_state::last_kernel = name_;  // names the op if vmap has to fall back (core/vmap_state.h)
    Fn fn = table_[static_cast<int>(dev)][static_cast<int>(dt)];
    if (!fn) [[unlikely]]
      fail(dev, dt);
    return fn;
  }
  bool has(DeviceType dev, DType dt) const { return table_[static_cast<int>(dev)][static_cast<int>(dt)] != nullptr; }
  const char* name() const { return name_; }

 private:
  [[noreturn]] void fail(DeviceType dev, DType dt) const {
    if (dev == DeviceType::CUDA)
      FX_FAIL(name_, ": no CUDA kernel for dtype ", dtype_name(dt),
              cuda_compiled() ? "" : " (this build of Fluxion has no CUDA support)");
    FX_FAIL(name_, ": not implemented for dtype ", dtype_name(dt), " on ", dev == DeviceType::CPU ? "cpu" : "cuda");
  }
  const char* name_;
  Fn table_[kNumDeviceTypes][kNumDTypes] = {};
};

}  // namespace fluxion::kernels

/// Declares a kernel table in a header: FX_DECLARE_KERNEL(exp_kernel, UnaryFn);
#define FX_DECLARE_KERNEL(table, FnType) extern ::fluxion::kernels::KernelTable<FnType> table
/// Defines it in exactly one .cpp.
#define FX_DEFINE_KERNEL(table, FnType) constinit ::fluxion::kernels::KernelTable<FnType> table(#table)
#define FX_CONCAT_INNER(a, b) a##b
#define FX_CONCAT(a, b) FX_CONCAT_INNER(a, b)
/// Registers fn for (device type, dtype) at static-init time, in the kernel's own file.
#define FX_REGISTER_KERNEL(table, dev, dtype, fn) \
  static const bool FX_CONCAT(fx_reg_, __COUNTER__) = (table.set(dev, dtype, fn), true)
