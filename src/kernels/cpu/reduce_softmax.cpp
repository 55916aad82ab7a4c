// CPU softmax / log_softmax along one dim of a contiguous tensor viewed as [outer, D, inner].
// Stable: the max along the dim is subtracted before exp, so inputs like 1000 or -1000 neither
// overflow nor underflow to 0/0. Half types compute in float, double in double.
//   inner == 1: one contiguous row per output row: max pass, exp+sum pass, scale pass.
//   inner  > 1: kChunk adjacent columns at a time, so every pass reads memory contiguously.
// Float uses the vectorisable exp of kernels/functors.h (Note [Vectorisable float math]) and
// kLanes partial sums, and is compiled per ISA (FX_REDUCE_TARGET_CLONES): exp() through libm
// was ~10x slower than memory bandwidth (bench/reduce_bench.cpp, BM_Softmax).
#include <cmath>
#include <limits>

#include "kernels/cpu/reduce_engine.h"
#include "kernels/functors.h"
#include "kernels/reduce_kernels.h"

namespace fluxion::kernels {
FX_DEFINE_KERNEL(softmax_kernel, SoftmaxFn);
FX_DEFINE_KERNEL(log_softmax_kernel, SoftmaxFn);

namespace {

using reduce::compute_t;
constexpr int64_t kChunk = 64;
constexpr int64_t kLanes = 16;

inline float exp_a(float v) { return math::exp_f(v); }
inline double exp_a(double v) { return std::exp(v); }

template <class A>
inline A nan_max(A a, A b) {
  return reduce::extreme_nan<true>(a, b);
}

// The shift subtracted before exp: the max, or 0 when every element is -inf (the row then gives
// 0/0 = nan, as PyTorch). A +inf max stays: inf - inf = nan makes the row nan, as PyTorch.
template <class A>
inline A finite_shift(A m) {
  return m == -std::numeric_limits<A>::infinity() ? A(0) : m;
}

template <class T, bool kLog>
__attribute__((always_inline)) inline void softmax_row(const T* x, T* y, int64_t D) {
  using A = compute_t<T>;
  A lane[kLanes];
  for (int64_t j = 0; j < kLanes; ++j) lane[j] = -std::numeric_limits<A>::infinity();
  int64_t i = 0;
  for (; i + kLanes <= D; i += kLanes)
    for (int64_t j = 0; j < kLanes; ++j) lane[j] = nan_max(lane[j], static_cast<A>(x[i + j]));
  A m = -std::numeric_limits<A>::infinity();
  for (; i < D; ++i) m = nan_max(m, static_cast<A>(x[i]));
  for (int64_t j = 0; j < kLanes; ++j) m = nan_max(m, lane[j]);
  if (m != m) {  // NaN anywhere: the whole row is NaN
    for (i = 0; i < D; ++i) y[i] = static_cast<T>(m);
    return;
  }
  m = finite_shift(m);
  A s = 0;
  if constexpr (std::is_same_v<T, A>) {
    // exp as a plain map into y (vectorises), then kLanes partial sums of y.
    for (i = 0; i < D; ++i) y[i] = exp_a(x[i] - m);
    for (int64_t j = 0; j < kLanes; ++j) lane[j] = 0;
    for (i = 0; i + kLanes <= D; i += kLanes)
      for (int64_t j = 0; j < kLanes; ++j) lane[j] += y[i + j];
    for (; i < D; ++i) s += y[i];
    for (int64_t j = 0; j < kLanes; ++j) s += lane[j];
  } else {
    for (i = 0; i < D; ++i) s += exp_a(static_cast<A>(x[i]) - m);
  }
  if constexpr (kLog) {
    // (x - m) - log(s), not x - (m + log(s)): m + log(s) would round away log(s)'s low bits.
    const A ls = std::log(s);
    for (i = 0; i < D; ++i) y[i] = static_cast<T>((static_cast<A>(x[i]) - m) - ls);
  } else if constexpr (std::is_same_v<T, A>) {
    const A inv = A(1) / s;
    for (i = 0; i < D; ++i) y[i] *= inv;
  } else {  // half types: recompute exp rather than round it to 16 bits twice
    const A inv = A(1) / s;
    for (i = 0; i < D; ++i) y[i] = static_cast<T>(exp_a(static_cast<A>(x[i]) - m) * inv);
  }
}

template <class T, bool kLog>
__attribute__((always_inline)) inline void softmax_columns(const T* x, T* y, int64_t D, int64_t inner, int64_t cw) {
  using A = compute_t<T>;
  A m[kChunk], s[kChunk];
  for (int64_t c = 0; c < cw; ++c) {
    m[c] = -std::numeric_limits<A>::infinity();
    s[c] = 0;
  }
  for (int64_t i = 0; i < D; ++i)
    for (int64_t c = 0; c < cw; ++c) m[c] = nan_max(m[c], static_cast<A>(x[i * inner + c]));
  for (int64_t c = 0; c < cw; ++c) m[c] = m[c] != m[c] ? m[c] : finite_shift(m[c]);  // NaN stays: exp gives NaN
  for (int64_t i = 0; i < D; ++i)
    for (int64_t c = 0; c < cw; ++c) s[c] += exp_a(static_cast<A>(x[i * inner + c]) - m[c]);
  for (int64_t c = 0; c < cw; ++c) s[c] = kLog ? std::log(s[c]) : A(1) / s[c];
  for (int64_t i = 0; i < D; ++i)
    for (int64_t c = 0; c < cw; ++c) {
      const A v = static_cast<A>(x[i * inner + c]);
      y[i * inner + c] = static_cast<T>(kLog ? (v - m[c]) - s[c] : exp_a(v - m[c]) * s[c]);
    }
}

// Per-ISA entry points for float (the hot case); other types use the templates directly.
FX_REDUCE_TARGET_CLONES void softmax_row_f32(const float* x, float* y, int64_t D) {
  softmax_row<float, false>(x, y, D);
}
FX_REDUCE_TARGET_CLONES void log_softmax_row_f32(const float* x, float* y, int64_t D) {
  softmax_row<float, true>(x, y, D);
}
FX_REDUCE_TARGET_CLONES void softmax_columns_f32(const float* x, float* y, int64_t D, int64_t inner, int64_t cw) {
  softmax_columns<float, false>(x, y, D, inner, cw);
}
FX_REDUCE_TARGET_CLONES void log_softmax_columns_f32(const float* x, float* y, int64_t D, int64_t inner, int64_t cw) {
  softmax_columns<float, true>(x, y, D, inner, cw);
}

template <class T, bool kLog>
void softmax_typed(const T* in, T* out, int64_t outer, int64_t D, int64_t inner) {
  const int64_t work = std::max<int64_t>(D * std::min(inner, kChunk), 1);
  if (inner == 1) {
    parallel_for(outer, std::max<int64_t>(1, kGrainSize / work), [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) {
        if constexpr (std::is_same_v<T, float>)
          (kLog ? log_softmax_row_f32 : softmax_row_f32)(in + r * D, out + r * D, D);
        else
          softmax_row<T, kLog>(in + r * D, out + r * D, D);
      }
    });
    return;
  }
  const int64_t n_chunks = (inner + kChunk - 1) / kChunk;
  parallel_for(outer * n_chunks, std::max<int64_t>(1, kGrainSize / work), [&](int64_t b, int64_t e) {
    for (int64_t u = b; u < e; ++u) {
      const int64_t r = u / n_chunks, c0 = (u % n_chunks) * kChunk;
      const int64_t cw = std::min(kChunk, inner - c0);
      const T* x = in + r * D * inner + c0;
      T* y = out + r * D * inner + c0;
      if constexpr (std::is_same_v<T, float>)
        (kLog ? log_softmax_columns_f32 : softmax_columns_f32)(x, y, D, inner, cw);
      else
        softmax_columns<T, kLog>(x, y, D, inner, cw);
    }
  });
}

template <bool kLog>
void softmax_cpu(const Tensor& out, const Tensor& in, int64_t dim) {
  FX_ASSERT(in.is_contiguous() && out.is_contiguous(), "softmax kernel: expects contiguous tensors");
  if (in.numel() == 0) return;
  const Shape& sz = in.sizes();
  int64_t outer = 1, inner = 1;
  const int64_t D = in.dim() == 0 ? 1 : sz[dim];
  for (int64_t d = 0; d < dim; ++d) outer *= sz[d];
  for (int64_t d = dim + 1; d < in.dim(); ++d) inner *= sz[d];
  FX_DISPATCH_FLOATING_TYPES(in.dtype(), kLog ? "log_softmax" : "softmax", [&] {
    softmax_typed<scalar_t, kLog>(in.data_ptr<scalar_t>(), out.data_ptr<scalar_t>(), outer, D, inner);
  });
}

bool register_all() {
  for (DType dt : {kFloat32, kFloat64, kFloat16, kBFloat16}) {
    softmax_kernel.set(DeviceType::CPU, dt, &softmax_cpu<false>);
    log_softmax_kernel.set(DeviceType::CPU, dt, &softmax_cpu<true>);
  }
  return true;
}
const bool registered = register_all();

}  // namespace
}  // namespace fluxion::kernels
