// CPU kernels: nonzero (coordinates of non-zero elements) and tril/triu masking.
#include <algorithm>
#include <vector>

#include "core/parallel.h"
#include "fluxion/ops/creation.h"
#include "kernels/cpu/index_iter.h"
#include "kernels/index_kernels.h"

namespace fluxion::kernels {

FX_DEFINE_KERNEL(nonzero_kernel, NonzeroFn);
FX_DEFINE_KERNEL(tri_kernel, TriFn);

namespace {

template <class T>
inline bool is_nonzero(T v) {
  if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>)
    return static_cast<float>(v) != 0.0f;
  else
    return v != T(0);  // NaN counts as non-zero
}

// Two passes over fixed chunks (count, then write at the prefix offset) so the result keeps
// row-major order when threaded.
template <class T>
Tensor nonzero_cpu(const Tensor& x) {
  const int64_t n = x.numel(), nd = x.dim();
  const Shape& sizes = x.sizes();
  const std::array<const int64_t*, 1> st = {x.strides().data()};
  const T* p = static_cast<const T*>(x.data_ptr());
  const int64_t chunk = std::max<int64_t>(kGrainSize, (n + 63) / 64);
  const int64_t nchunks = n == 0 ? 0 : (n + chunk - 1) / chunk;
  std::vector<int64_t> counts(static_cast<size_t>(nchunks) + 1, 0);
  parallel_for(nchunks, 1, [&](int64_t cb, int64_t ce) {
    for (int64_t c = cb; c < ce; ++c) {
      int64_t cnt = 0;
      walk_offsets<1>(sizes, st, {0}, c * chunk, std::min(n, (c + 1) * chunk),
                      [&](const std::array<int64_t, 1>& o) { cnt += is_nonzero(p[o[0]]); });
      counts[static_cast<size_t>(c) + 1] = cnt;
    }
  });
  for (size_t c = 1; c < counts.size(); ++c) counts[c] += counts[c - 1];
  const int64_t total = counts.back();
  Tensor out = empty({total, nd}, TensorOptions(kInt64).device(x.device()));
  int64_t* o = out.data_ptr<int64_t>();
  parallel_for(nchunks, 1, [&](int64_t cb, int64_t ce) {
    for (int64_t c = cb; c < ce; ++c) {
      int64_t row = counts[static_cast<size_t>(c)];
      int64_t lin = c * chunk;
      walk_offsets<1>(sizes, st, {0}, lin, std::min(n, (c + 1) * chunk), [&](const std::array<int64_t, 1>& off) {
        if (is_nonzero(p[off[0]])) {
          int64_t rem = lin;
          for (int64_t d = nd - 1; d >= 0; --d) {
            o[row * nd + d] = rem % sizes[d];
            rem /= sizes[d];
          }
          ++row;
        }
        ++lin;
      });
    }
  });
  return out;
}

// out is contiguous; x may be strided. Rows of every matrix are independent.
template <class T>
void tri_cpu(const Tensor& out, const Tensor& x, int64_t diagonal, bool upper) {
  const int64_t nd = x.dim();
  const int64_t M = x.sizes()[nd - 2], N = x.sizes()[nd - 1];
  const int64_t rows = M == 0 ? 0 : x.numel() / std::max<int64_t>(N, 1);
  if (rows == 0 || N == 0) return;
  Shape row_sizes(x.sizes().begin(), x.sizes().end() - 1);
  Shape xs(x.strides().begin(), x.strides().end() - 1);
  const int64_t sx = x.strides()[nd - 1];
  const T* xp = static_cast<const T*>(x.data_ptr());
  T* op = static_cast<T*>(out.data_ptr());
  const std::array<const int64_t*, 1> st = {xs.data()};
  parallel_for(rows, std::max<int64_t>(1, kGrainSize / N), [&](int64_t b, int64_t e) {
    int64_t r = b;
    walk_offsets<1>(row_sizes, st, {0}, b, e, [&](const std::array<int64_t, 1>& o) {
      const int64_t i = r % M;
      T* dst = op + r * N;
      const T* src = xp + o[0];
      // tril keeps j <= i + diagonal; triu keeps j >= i + diagonal.
      for (int64_t j = 0; j < N; ++j) {
        bool keep = upper ? (j - i >= diagonal) : (j - i <= diagonal);
        dst[j] = keep ? src[j * sx] : T(0);
      }
      ++r;
    });
  });
}

bool register_all() {
  nonzero_kernel.set(DeviceType::CPU, kFloat32, &nonzero_cpu<float>);
  nonzero_kernel.set(DeviceType::CPU, kFloat64, &nonzero_cpu<double>);
  nonzero_kernel.set(DeviceType::CPU, kFloat16, &nonzero_cpu<Half>);
  nonzero_kernel.set(DeviceType::CPU, kBFloat16, &nonzero_cpu<BFloat16>);
  nonzero_kernel.set(DeviceType::CPU, kInt8, &nonzero_cpu<int8_t>);
  nonzero_kernel.set(DeviceType::CPU, kUInt8, &nonzero_cpu<uint8_t>);
  nonzero_kernel.set(DeviceType::CPU, kInt32, &nonzero_cpu<int32_t>);
  nonzero_kernel.set(DeviceType::CPU, kInt64, &nonzero_cpu<int64_t>);
  nonzero_kernel.set(DeviceType::CPU, kBool, &nonzero_cpu<bool>);
  tri_kernel.set(DeviceType::CPU, kFloat32, &tri_cpu<float>);
  tri_kernel.set(DeviceType::CPU, kFloat64, &tri_cpu<double>);
  tri_kernel.set(DeviceType::CPU, kFloat16, &tri_cpu<Half>);
  tri_kernel.set(DeviceType::CPU, kBFloat16, &tri_cpu<BFloat16>);
  tri_kernel.set(DeviceType::CPU, kInt8, &tri_cpu<int8_t>);
  tri_kernel.set(DeviceType::CPU, kUInt8, &tri_cpu<uint8_t>);
  tri_kernel.set(DeviceType::CPU, kInt32, &tri_cpu<int32_t>);
  tri_kernel.set(DeviceType::CPU, kInt64, &tri_cpu<int64_t>);
  tri_kernel.set(DeviceType::CPU, kBool, &tri_cpu<bool>);
  return true;
}
const bool registered = register_all();

}  // namespace
}  // namespace fluxion::kernels
