// CPU kernels for offset-based gather and scatter (see Note [Offset-based gather/scatter] in
// kernels/index_kernels.h): index -> offset conversion with range checks, the gather, and the
// put/accumulate.
#include <atomic>
#include <cmath>
#include <cstring>
#include <vector>

#include "kernels/cpu/index_iter.h"
#include "kernels/cpu/loops.h"
#include "kernels/index_kernels.h"

namespace fluxion::kernels {

FX_DEFINE_KERNEL(index_offsets_kernel, IndexOffsetsFn);
FX_DEFINE_KERNEL(index_gather_kernel, IndexGatherFn);
FX_DEFINE_KERNEL(index_put_kernel, IndexPutFn);

namespace {

// ---- offsets -----------------------------------------------------------------------------

template <class I>
void index_offsets_cpu(const Tensor& off, const Tensor& idx, int64_t size, int64_t stride, int64_t dim,
                       bool wrap_negative, const char* op) {
  if (off.numel() == 0) return;
  LoopPlan plan = make_plan({&off, &idx});
  // Threads cannot throw out of an OpenMP region: remember the first bad index, throw after.
  std::atomic<bool> bad{false};
  std::atomic<int64_t> bad_value{0};
  run_plan(plan, [&](char** d, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      int64_t v = static_cast<int64_t>(*reinterpret_cast<const I*>(d[1] + i * s[1]));
      int64_t w = (wrap_negative && v < 0) ? v + size : v;
      if (w < 0 || w >= size) [[unlikely]] {
        if (!bad.exchange(true)) bad_value.store(v);
        w = 0;
      }
      *reinterpret_cast<int64_t*>(d[0] + i * s[0]) += w * stride;
    }
  });
  if (bad.load())
    FX_FAIL(op, ": index ", bad_value.load(), " is out of bounds for dimension ", dim, " with size ", size);
}

// ---- gather ------------------------------------------------------------------------------

// Only the element width matters for a gather, so one instance per width serves every dtype.
template <class W>
void index_gather_cpu(const Tensor& out, const Tensor& src, const Tensor& off) {
  if (out.numel() == 0) return;
  LoopPlan plan = make_plan({&out, &src, &off});
  run_plan(plan, [](char** d, const int64_t* s, int64_t n) {
    const W* sp = reinterpret_cast<const W*>(d[1]);
    if (s[0] == sizeof(W) && s[2] == sizeof(int64_t)) {
      W* o = reinterpret_cast<W*>(d[0]);
      const int64_t* of = reinterpret_cast<const int64_t*>(d[2]);
      const int64_t st1 = s[1] / static_cast<int64_t>(sizeof(W));
      for (int64_t i = 0; i < n; ++i) o[i] = sp[i * st1 + of[i]];
      return;
    }
    for (int64_t i = 0; i < n; ++i) {
      int64_t o = *reinterpret_cast<const int64_t*>(d[2] + i * s[2]);
      *reinterpret_cast<W*>(d[0] + i * s[0]) = *reinterpret_cast<const W*>(d[1] + i * s[1] + o * sizeof(W));
    }
  });
}

void index_gather_any(const Tensor& out, const Tensor& src, const Tensor& off) {
  switch (out.element_size()) {
    case 1: return index_gather_cpu<uint8_t>(out, src, off);
    case 2: return index_gather_cpu<uint16_t>(out, src, off);
    case 4: return index_gather_cpu<uint32_t>(out, src, off);
    default: return index_gather_cpu<uint64_t>(out, src, off);
  }
}

// ---- put -----------------------------------------------------------------------------------

template <class T>
constexpr bool is_reduced_float = std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>;

template <class T>
inline bool value_isnan(T v) {
  if constexpr (std::is_floating_point_v<T>)
    return std::isnan(v);
  else if constexpr (is_reduced_float<T>)
    return std::isnan(static_cast<float>(v));
  else
    return false;
}

template <class T, PutMode M>
inline T combine(T a, T b) {
  if constexpr (M == PutMode::Assign) {
    return b;
  } else if constexpr (std::is_same_v<T, bool>) {
    if constexpr (M == PutMode::Add || M == PutMode::Max)
      return a || b;
    else
      return a && b;
  } else if constexpr (is_reduced_float<T>) {
    return T(static_cast<float>(combine<float, M>(static_cast<float>(a), static_cast<float>(b))));
  } else if constexpr (M == PutMode::Add) {
    return static_cast<T>(a + b);
  } else if constexpr (M == PutMode::Mul) {
    return static_cast<T>(a * b);
  } else if constexpr (M == PutMode::Max) {
    return value_isnan(b) ? b : (a < b ? b : a);  // a NaN stays (a < b is false)
  } else {
    return value_isnan(b) ? b : (b < a ? b : a);
  }
}

template <class T, PutMode M>
void index_put_typed(const Tensor& self, const Tensor& values, const Tensor& off) {
  // Split dims: "serial" where self has stride 0 (indexed: positions may alias), the rest
  // "parallel" (distinct self elements, since self itself never overlaps).
  Shape psizes, ssizes;
  Shape pst[3], sst[3];
  const Tensor* ops[3] = {&self, &values, &off};
  const int64_t es[3] = {sizeof(T), sizeof(T), sizeof(int64_t)};
  for (int64_t d = 0; d < self.dim(); ++d) {
    int64_t n = self.sizes()[d];
    if (n == 1) continue;
    bool serial = self.strides()[d] == 0;
    (serial ? ssizes : psizes).push_back(n);
    for (int k = 0; k < 3; ++k) (serial ? sst[k] : pst[k]).push_back(ops[k]->strides()[d] * es[k]);
  }
  const int64_t outer = shape_numel(psizes), inner = shape_numel(ssizes);
  char* base[3] = {static_cast<char*>(self.data_ptr()), static_cast<char*>(values.data_ptr()),
                   static_cast<char*>(off.data_ptr())};
  const std::array<const int64_t*, 3> pstr = {pst[0].data(), pst[1].data(), pst[2].data()};
  const std::array<const int64_t*, 3> sstr = {sst[0].data(), sst[1].data(), sst[2].data()};
  const int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(inner, 1));
  auto visit = [&](const std::array<int64_t, 3>& o) {
    int64_t eo = *reinterpret_cast<const int64_t*>(base[2] + o[2]);
    T* dst = reinterpret_cast<T*>(base[0] + o[0]) + eo;
    *dst = combine<T, M>(*dst, *reinterpret_cast<const T*>(base[1] + o[1]));
  };
  // Each thread owns a slice [b, e) of the non-aliasing positions. The aliasing (serial) dims
  // are walked outermost so the inner loop runs along the thread's slice, which is usually a
  // contiguous row (e.g. embedding backward: index rows outer, feature columns inner).
  parallel_for(outer, grain, [&](int64_t b, int64_t e) {
    walk_offsets<3>(ssizes, sstr, {0, 0, 0}, 0, inner, [&](const std::array<int64_t, 3>& so) {
      if (psizes.size() == 1) {
        std::array<int64_t, 3> o = {so[0] + b * pst[0][0], so[1] + b * pst[1][0], so[2] + b * pst[2][0]};
        for (int64_t j = b; j < e; ++j) {
          visit(o);
          for (int k = 0; k < 3; ++k) o[k] += pst[k][0];
        }
      } else {
        walk_offsets<3>(psizes, pstr, so, b, e, visit);
      }
    });
  });
}

template <class T>
void index_put_cpu(const Tensor& self, const Tensor& values, const Tensor& off, PutMode mode) {
  if (self.numel() == 0) return;
  switch (mode) {
    case PutMode::Assign: return index_put_typed<T, PutMode::Assign>(self, values, off);
    case PutMode::Add: return index_put_typed<T, PutMode::Add>(self, values, off);
    case PutMode::Mul: return index_put_typed<T, PutMode::Mul>(self, values, off);
    case PutMode::Max: return index_put_typed<T, PutMode::Max>(self, values, off);
    case PutMode::Min: return index_put_typed<T, PutMode::Min>(self, values, off);
  }
}

bool register_all() {
  index_offsets_kernel.set(DeviceType::CPU, kInt64, &index_offsets_cpu<int64_t>);
  index_offsets_kernel.set(DeviceType::CPU, kInt32, &index_offsets_cpu<int32_t>);
  for (int t = 0; t < kNumDTypes; ++t)
    index_gather_kernel.set(DeviceType::CPU, static_cast<DType>(t), &index_gather_any);
  index_put_kernel.set(DeviceType::CPU, kFloat32, &index_put_cpu<float>);
  index_put_kernel.set(DeviceType::CPU, kFloat64, &index_put_cpu<double>);
  index_put_kernel.set(DeviceType::CPU, kFloat16, &index_put_cpu<Half>);
  index_put_kernel.set(DeviceType::CPU, kBFloat16, &index_put_cpu<BFloat16>);
  index_put_kernel.set(DeviceType::CPU, kInt8, &index_put_cpu<int8_t>);
  index_put_kernel.set(DeviceType::CPU, kUInt8, &index_put_cpu<uint8_t>);
  index_put_kernel.set(DeviceType::CPU, kInt32, &index_put_cpu<int32_t>);
  index_put_kernel.set(DeviceType::CPU, kInt64, &index_put_cpu<int64_t>);
  index_put_kernel.set(DeviceType::CPU, kBool, &index_put_cpu<bool>);
  return true;
}
const bool registered = register_all();

}  // namespace
}  // namespace fluxion::kernels
