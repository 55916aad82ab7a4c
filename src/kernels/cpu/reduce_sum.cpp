// CPU sum (and mean, via the scale argument) and prod kernels on the generic reduction driver.
// Floats accumulate in their own type (half types in float) through the pairwise tree of
// Note [Deterministic tree reduction]; integers and bools accumulate in int64.
#include "kernels/cpu/reduce_engine.h"
#include "kernels/reduce_kernels.h"

namespace fluxion::kernels {
FX_DEFINE_KERNEL(sum_kernel, ReduceFn);
FX_DEFINE_KERNEL(prod_kernel, ReduceFn);

namespace {

using reduce::compute_t;

template <class T>
using sum_acc_t = std::conditional_t<std::is_floating_point_v<compute_t<T>>, compute_t<T>, int64_t>;

template <class T, bool kProd>
struct SumProdOp {
  using in_t = T;
  using acc_t = sum_acc_t<T>;
  using out_t = std::conditional_t<std::is_floating_point_v<compute_t<T>>, T, int64_t>;
  static constexpr int64_t kLanes = 32;
  out_t* out;
  acc_t scale;
  acc_t identity() const { return acc_t(kProd ? 1 : 0); }
  acc_t reduce(acc_t a, in_t x, int64_t) const {
    if constexpr (kProd)
      return a * static_cast<acc_t>(x);
    else
      return a + static_cast<acc_t>(x);
  }
  acc_t combine(acc_t a, acc_t b) const {
    if constexpr (kProd)
      return a * b;
    else
      return a + b;
  }
  void write(int64_t o, acc_t a) const {
    if constexpr (std::is_floating_point_v<acc_t>)
      out[o] = static_cast<out_t>(a * scale);
    else
      out[o] = a;
  }
};

template <bool kProd>
void sum_prod_cpu(const Tensor& out, const Tensor& in, const Shape& dims, double scale) {
  FX_DISPATCH_ALL_TYPES(in.dtype(), kProd ? "prod" : "sum", [&] {
    using Op = SumProdOp<scalar_t, kProd>;
    FX_ASSERT(out.dtype() == dtype_of<typename Op::out_t>, "sum/prod kernel: unexpected output dtype");
    reduce::run(Op{out.data_ptr<typename Op::out_t>(), static_cast<typename Op::acc_t>(scale)}, in, dims);
  });
}

bool register_all() {
  for (int t = 0; t < kNumDTypes; ++t) {
    sum_kernel.set(DeviceType::CPU, static_cast<DType>(t), &sum_prod_cpu<false>);
    prod_kernel.set(DeviceType::CPU, static_cast<DType>(t), &sum_prod_cpu<true>);
  }
  return true;
}
const bool registered = register_all();

}  // namespace
}  // namespace fluxion::kernels
