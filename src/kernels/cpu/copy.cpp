#include "kernels/cpu/copy.h"

#include <cstring>

#include "kernels/cpu/loops.h"

namespace fluxion::kernels {

void copy_cpu(const Tensor& dst, const Tensor& src) {
  FX_ASSERT(dst.sizes() == src.sizes());
  if (dst.numel() == 0) return;
  LoopPlan plan = make_plan({&dst, &src});
  if (dst.dtype() == src.dtype()) {
    const int64_t es = static_cast<int64_t>(dst.element_size());
    if (plan.contiguous) {
      const char* s = static_cast<const char*>(src.data_ptr());
      char* d = static_cast<char*>(dst.data_ptr());
      parallel_for(plan.numel * es, kGrainSize * 8, [&](int64_t b, int64_t e) { std::memcpy(d + b, s + b, e - b); });
      return;
    }
    // Same-type strided copy: move raw bytes of the right width.
    auto raw = [&](auto tag) {
      using T = decltype(tag);
      run_plan(plan, [](char** d, const int64_t* s, int64_t n) { unary_loop<T, T>(d, s, n, [](T v) { return v; }); });
    };
    switch (es) {
      case 1: raw(uint8_t{}); return;
      case 2: raw(uint16_t{}); return;
      case 4: raw(uint32_t{}); return;
      default: raw(uint64_t{}); return;
    }
  }
  FX_DISPATCH_ALL_TYPES(dst.dtype(), "copy_", [&] {
    using out_t = scalar_t;
    FX_DISPATCH_ALL_TYPES(src.dtype(), "copy_", [&] {
      using in_t = scalar_t;
      run_plan(plan, [](char** d, const int64_t* s, int64_t n) {
        unary_loop<out_t, in_t>(d, s, n, [](in_t v) { return cast_value<out_t>(v); });
      });
    });
  });
}

void fill_cpu(const Tensor& dst, const Scalar& value) {
  if (dst.numel() == 0) return;
  LoopPlan plan = make_plan({&dst});
  FX_DISPATCH_ALL_TYPES(dst.dtype(), "fill_", [&] {
    scalar_t v = value.is_floating_point() ? cast_value<scalar_t>(value.to_double())
                 : value.is_bool()         ? cast_value<scalar_t>(value.to_bool())
                                           : cast_value<scalar_t>(value.to_int());
    run_plan(plan, [v](char** d, const int64_t* s, int64_t n) {
      scalar_t* o = reinterpret_cast<scalar_t*>(d[0]);
      if (s[0] == sizeof(scalar_t)) {
        for (int64_t i = 0; i < n; ++i) o[i] = v;
      } else {
        for (int64_t i = 0; i < n; ++i) *reinterpret_cast<scalar_t*>(d[0] + i * s[0]) = v;
      }
    });
  });
}

}  // namespace fluxion::kernels

namespace fluxion::kernels {
FX_DEFINE_KERNEL(copy_kernel, CopyFn);
FX_DEFINE_KERNEL(fill_kernel, FillFn);
namespace {
bool register_all() {
  for (int t = 0; t < kNumDTypes; ++t) {
    copy_kernel.set(DeviceType::CPU, static_cast<DType>(t), &copy_cpu);
    fill_kernel.set(DeviceType::CPU, static_cast<DType>(t), &fill_cpu);
  }
  return true;
}
const bool registered = register_all();
}  // namespace
}  // namespace fluxion::kernels
