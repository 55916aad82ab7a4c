// CPU all / any / count_nonzero kernels (an element is "true" when it is non-zero; NaN is true).
#include "kernels/cpu/reduce_engine.h"
#include "kernels/reduce_kernels.h"

namespace fluxion::kernels {
FX_DEFINE_KERNEL(all_kernel, ReduceFn);
FX_DEFINE_KERNEL(any_kernel, ReduceFn);
FX_DEFINE_KERNEL(count_nonzero_kernel, ReduceFn);

namespace {

using reduce::compute_t;

template <class T>
inline bool truthy(T x) {
  return static_cast<compute_t<T>>(x) != compute_t<T>(0);
}

enum class Kind { kAll, kAny, kCount };

template <class T, class Out, Kind K>
struct LogicalOp {
  using in_t = T;
  using acc_t = std::conditional_t<K == Kind::kCount, int64_t, bool>;
  static constexpr int64_t kLanes = 32;
  Out* out;
  acc_t identity() const { return K == Kind::kAll ? acc_t(1) : acc_t(0); }
  acc_t reduce(acc_t a, in_t x, int64_t) const {
    if constexpr (K == Kind::kAll)
      return a && truthy(x);
    else if constexpr (K == Kind::kAny)
      return a || truthy(x);
    else
      return a + (truthy(x) ? 1 : 0);
  }
  acc_t combine(acc_t a, acc_t b) const {
    if constexpr (K == Kind::kAll)
      return a && b;
    else if constexpr (K == Kind::kAny)
      return a || b;
    else
      return a + b;
  }
  void write(int64_t o, acc_t a) const { out[o] = static_cast<Out>(a); }
};

template <Kind K>
void logical_cpu(const Tensor& out, const Tensor& in, const Shape& dims, double) {
  const char* name = K == Kind::kAll ? "all" : K == Kind::kAny ? "any" : "count_nonzero";
  FX_DISPATCH_ALL_TYPES(in.dtype(), name, [&] {
    if constexpr (K == Kind::kCount) {
      reduce::run(LogicalOp<scalar_t, int64_t, K>{out.data_ptr<int64_t>()}, in, dims);
    } else if (out.dtype() == kUInt8) {
      reduce::run(LogicalOp<scalar_t, uint8_t, K>{out.data_ptr<uint8_t>()}, in, dims);
    } else {
      reduce::run(LogicalOp<scalar_t, bool, K>{out.data_ptr<bool>()}, in, dims);
    }
  });
}

bool register_all() {
  for (int t = 0; t < kNumDTypes; ++t) {
    const auto dt = static_cast<DType>(t);
    all_kernel.set(DeviceType::CPU, dt, &logical_cpu<Kind::kAll>);
    any_kernel.set(DeviceType::CPU, dt, &logical_cpu<Kind::kAny>);
    count_nonzero_kernel.set(DeviceType::CPU, dt, &logical_cpu<Kind::kCount>);
  }
  return true;
}
const bool registered = register_all();

}  // namespace
}  // namespace fluxion::kernels
