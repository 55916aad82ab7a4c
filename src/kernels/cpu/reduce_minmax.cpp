// CPU max/min kernels: amax/amin (values only, over any dims) and max/min along one dim with the
// index of the first extreme element. NaN propagates (a NaN is "larger" and "smaller" than every
// number), and the index of the first NaN wins, as in PyTorch.
#include <limits>

#include "kernels/cpu/reduce_engine.h"
#include "kernels/reduce_kernels.h"

namespace fluxion::kernels {
FX_DEFINE_KERNEL(amax_kernel, ReduceFn);
FX_DEFINE_KERNEL(amin_kernel, ReduceFn);
FX_DEFINE_KERNEL(max_dim_kernel, ReduceIndexFn);
FX_DEFINE_KERNEL(min_dim_kernel, ReduceIndexFn);

namespace {

using reduce::compute_t;
using reduce::is_nan;

// True when b should replace a as the running max (kMax) or min: strictly more extreme, or NaN.
// Hot selects use | and & rather than || and &&: no branches, so the loops vectorise.
template <bool kMax, class V>
inline bool better(V b, V a) {
  if constexpr (kMax)
    return (b > a) | is_nan(b);
  else
    return (b < a) | is_nan(b);
}

template <class T, bool kMax>
struct ExtremeOp {
  using in_t = T;
  using acc_t = compute_t<T>;
  static constexpr int64_t kLanes = 32;
  T* out;
  acc_t identity() const {
    if constexpr (std::is_same_v<acc_t, bool>)
      return !kMax;
    else if constexpr (std::numeric_limits<acc_t>::has_infinity)
      return kMax ? -std::numeric_limits<acc_t>::infinity() : std::numeric_limits<acc_t>::infinity();
    else
      return kMax ? std::numeric_limits<acc_t>::lowest() : std::numeric_limits<acc_t>::max();
  }
  acc_t reduce(acc_t a, in_t x, int64_t) const { return combine(a, static_cast<acc_t>(x)); }
  acc_t combine(acc_t a, acc_t b) const { return reduce::extreme_nan<kMax>(a, b); }
  void write(int64_t o, acc_t a) const { out[o] = static_cast<T>(a); }
};

// (value, index) of the first extreme element; index -1 marks "nothing folded yet".
template <class V>
struct ValIdx {
  V v{};
  int64_t i = -1;
};

template <class T, bool kMax>
struct ArgExtremeOp {
  using in_t = T;
  using acc_t = ValIdx<compute_t<T>>;
  static constexpr int64_t kLanes = 8;
  T* values;         // may be null
  int64_t* indices;  // may be null
  acc_t identity() const { return acc_t{}; }
  acc_t reduce(acc_t a, in_t x, int64_t idx) const { return combine(a, acc_t{static_cast<compute_t<T>>(x), idx}); }
  // Ties and NaN-vs-NaN go to the lower index, so the order leaves are combined in is irrelevant.
  acc_t combine(const acc_t& a, const acc_t& b) const {
    if (a.i < 0) return b;
    if (b.i < 0) return a;
    const bool an = is_nan(a.v), bn = is_nan(b.v);
    if (an || bn) {
      if (an && bn) return a.i <= b.i ? a : b;
      return an ? a : b;
    }
    if (better<kMax>(b.v, a.v)) return b;
    if (better<kMax>(a.v, b.v)) return a;
    return a.i <= b.i ? a : b;
  }
  using V = compute_t<T>;
  // A contiguous block: the extreme value with vectorised lanes, then the first position holding
  // it (or the first NaN).
  FX_REDUCE_HOT acc_t fold_contiguous(const in_t* p, int64_t n, int64_t idx0) const {
    if (n == 0) return acc_t{};
    constexpr int64_t kVec = 16;
    V lane[kVec];
    for (int64_t j = 0; j < kVec; ++j) lane[j] = static_cast<V>(p[0]);
    int64_t i = 0;
    for (; i + kVec <= n; i += kVec)
      for (int64_t j = 0; j < kVec; ++j) lane[j] = pick(lane[j], static_cast<V>(p[i + j]));
    V best = static_cast<V>(p[0]);
    for (; i < n; ++i) best = pick(best, static_cast<V>(p[i]));
    for (int64_t j = 0; j < kVec; ++j) best = pick(best, lane[j]);
    const bool nan = is_nan(best);
    for (i = 0; i < n; ++i) {
      const V v = static_cast<V>(p[i]);
      if (nan ? is_nan(v) : v == best) break;
    }
    return acc_t{best, idx0 + i};
  }
  // Column mode: running (value, row) per output in separate arrays with 32-bit relative rows,
  // in the select form GCC vectorises (measured ~4x faster than int64 indices with || tests).
  // (No unroll-and-jam: GCC would jam two rows into one scalar inner loop.)
  FX_REDUCE_HOT __attribute__((optimize("no-loop-unroll-and-jam"))) void fold_rows(const in_t* const* rows,
                                                                                   int64_t nrows, int64_t cw,
                                                                                   acc_t* dst, int64_t r0) const {
    constexpr int64_t kW = 256;
    V val[kW];
    int32_t row[kW];
    for (int64_t c0 = 0; c0 < cw; c0 += kW) {
      const int64_t n = std::min(kW, cw - c0);
      for (int64_t w = 0; w < n; ++w) {
        val[w] = static_cast<V>(rows[0][c0 + w]);
        row[w] = 0;
      }
      for (int64_t r = 1; r < nrows; ++r) {
        const in_t* x = rows[r] + c0;
        const int32_t rr = static_cast<int32_t>(r);
        for (int64_t w = 0; w < n; ++w) {
          const V v = static_cast<V>(x[w]);
          const V a = val[w];
          // Strictly more extreme, or the first NaN (a NaN already held stays).
          bool take = kMax ? (v > a) : (v < a);
          if constexpr (std::is_floating_point_v<V>) take = take | ((v != v) & (a == a));
          val[w] = take ? v : a;
          row[w] = take ? rr : row[w];
        }
      }
      for (int64_t w = 0; w < n; ++w) dst[c0 + w] = acc_t{val[w], r0 + row[w]};
    }
  }
  // NaN-sticky extreme of two values.
  static V pick(V a, V b) { return reduce::extreme_nan<kMax>(a, b); }
  void write(int64_t o, const acc_t& a) const {
    if (values) values[o] = static_cast<T>(a.v);
    if (indices) indices[o] = a.i;
  }
};

template <bool kMax>
void extreme_cpu(const Tensor& out, const Tensor& in, const Shape& dims, double) {
  FX_DISPATCH_ALL_TYPES(in.dtype(), kMax ? "amax" : "amin",
                        [&] { reduce::run(ExtremeOp<scalar_t, kMax>{out.data_ptr<scalar_t>()}, in, dims); });
}

template <bool kMax>
void arg_extreme_cpu(const Tensor& values, const Tensor& indices, const Tensor& in, int64_t dim) {
  FX_DISPATCH_ALL_TYPES(in.dtype(), kMax ? "max" : "min", [&] {
    ArgExtremeOp<scalar_t, kMax> op{values.defined() ? values.data_ptr<scalar_t>() : nullptr,
                                    indices.defined() ? indices.data_ptr<int64_t>() : nullptr};
    reduce::run(op, in, in.dim() == 0 ? Shape{} : Shape{dim});  // a 0-d input is its own extreme
  });
}

bool register_all() {
  for (int t = 0; t < kNumDTypes; ++t) {
    const auto dt = static_cast<DType>(t);
    amax_kernel.set(DeviceType::CPU, dt, &extreme_cpu<true>);
    amin_kernel.set(DeviceType::CPU, dt, &extreme_cpu<false>);
    max_dim_kernel.set(DeviceType::CPU, dt, &arg_extreme_cpu<true>);
    min_dim_kernel.set(DeviceType::CPU, dt, &arg_extreme_cpu<false>);
  }
  return true;
}
const bool registered = register_all();

}  // namespace
}  // namespace fluxion::kernels
