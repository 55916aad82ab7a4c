// CPU window-pooling kernels (f32, f64) over planes (P, H, W): max pooling with indices, average
// pooling forward and its adjoint, and the per-plane index scatter used by max-pool backward and
// max-unpool. The op layer describes every pooling flavour (strided/padded/dilated, ceil mode,
// adaptive) as per-output-row/column windows (PoolWindows), so one kernel serves them all.
// Planes are independent: threads split the planes, so no two threads write the same element.
#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "core/parallel.h"
#include "kernels/nn_kernels.h"

namespace fluxion::kernels {

FX_DEFINE_KERNEL(max_pool_kernel, MaxPoolFn);
FX_DEFINE_KERNEL(avg_pool_forward_kernel, AvgPoolFn);
FX_DEFINE_KERNEL(avg_pool_backward_kernel, AvgPoolFn);
FX_DEFINE_KERNEL(plane_scatter_kernel, PlaneScatterFn);

namespace {

// Planes per thread chunk so that a chunk does about kGrainSize elements of work.
int64_t plane_grain(int64_t work_per_plane) {
  return std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, work_per_plane));
}

int64_t window_work(const PoolWindows& w) {
  int64_t hk = 1, wk = 1;
  for (int64_t c : w.h_count) hk = std::max(hk, c);
  for (int64_t c : w.w_count) wk = std::max(wk, c);
  return w.OH * w.OW * hk * wk;
}

// One step of PyTorch's max rule: strict > keeps the first maximum in row-major order and a NaN
// always replaces the running value (so the last NaN's index is reported). Written with bitwise
// ops and selects so it compiles without branches (unpredictable on real data; measured 2x).
template <class T>
inline void take_if_greater(T v, int64_t pos, T& best, int64_t& best_i) {
  using U = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  const int64_t take = -static_cast<int64_t>(static_cast<int>(v > best) | static_cast<int>(v != v));  // 0 or -1
  const U m = static_cast<U>(take);
  best = std::bit_cast<T>(static_cast<U>((std::bit_cast<U>(v) & m) | (std::bit_cast<U>(best) & ~m)));
  best_i = (pos & take) | (best_i & ~take);
}

// Max over one window (see take_if_greater).
template <class T>
inline void window_max(const T* xs, int64_t W, int64_t h0, int64_t hc, int64_t hs, int64_t w0, int64_t wc, int64_t ws,
                       T& best, int64_t& best_i) {
  best = -std::numeric_limits<T>::infinity();
  best_i = h0 * W + w0;
  for (int64_t i = 0; i < hc; ++i) {
    const int64_t row = (h0 + i * hs) * W;
    for (int64_t j = 0; j < wc; ++j) {
      const int64_t pos = row + w0 + j * ws;
      take_if_greater(xs[pos], pos, best, best_i);
    }
  }
}

// One output row of the 2x2 / stride-2 case (windows at columns 2*ow, rows r and r + 1), with
// take_if_greater's rule (strict >, NaN wins) as bit masks so the loop has no branches (GCC
// turns ?: on floats into jumps here, which mispredict on real data) and vectorises across ow.
template <class T>
void max_pool_row_2x2(const T* r0, const T* r1, int64_t W, int64_t row, int64_t n, T* ys, int64_t* is) {
  using U = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  using S = std::conditional_t<sizeof(T) == 4, int32_t, int64_t>;
  for (int64_t ow = 0; ow < n; ++ow) {
    const T v[4] = {r0[2 * ow], r0[2 * ow + 1], r1[2 * ow], r1[2 * ow + 1]};
    T best = v[0];
    S k = 0;  // 0..3: position in the window, row-major
    for (int j = 1; j < 4; ++j) {
      const S take = -static_cast<S>(static_cast<int>(v[j] > best) | static_cast<int>(v[j] != v[j]));  // 0 or -1
      const U m = static_cast<U>(take);
      best = std::bit_cast<T>(static_cast<U>((std::bit_cast<U>(v[j]) & m) | (std::bit_cast<U>(best) & ~m)));
      k = (j & take) | (k & ~take);
    }
    ys[ow] = best;
    is[ow] = (row + (k >> 1)) * W + 2 * ow + (k & 1);
  }
}

// True when every column window is [2*ow, 2*ow + 1] (2 wide, stride 2, no padding or dilation).
bool columns_are_2x2(const PoolWindows& w) {
  if (w.w_step != 1) return false;
  for (int64_t ow = 0; ow < w.OW; ++ow)
    if (w.w_first[ow] != 2 * ow || w.w_count[ow] != 2) return false;
  return true;
}

template <class T>
void max_pool_cpu(const Tensor& x, const Tensor& y, const Tensor& idx, const PoolWindows& w) {
  const bool cols2 = columns_are_2x2(w);
  const int64_t P = x.numel() / std::max<int64_t>(1, w.H * w.W);
  const T* xp = x.data_ptr<T>();
  T* yp = y.data_ptr<T>();
  int64_t* ip = idx.data_ptr<int64_t>();
  parallel_for(P, plane_grain(window_work(w)), [&](int64_t pb, int64_t pe) {
    for (int64_t p = pb; p < pe; ++p) {
      const T* xs = xp + p * w.H * w.W;
      T* ys = yp + p * w.OH * w.OW;
      int64_t* is = ip + p * w.OH * w.OW;
      for (int64_t oh = 0; oh < w.OH; ++oh) {
        const int64_t h0 = w.h_first[oh], hc = w.h_count[oh];
        const bool rows2 = hc == 2 && w.h_step == 1;
        if (rows2 && cols2) {
          max_pool_row_2x2(xs + h0 * w.W, xs + (h0 + 1) * w.W, w.W, h0, w.OW, ys + oh * w.OW, is + oh * w.OW);
          continue;
        }
        for (int64_t ow = 0; ow < w.OW; ++ow) {
          const int64_t w0 = w.w_first[ow], wc = w.w_count[ow];
          T best;
          int64_t best_i;
          if (rows2 && wc == 2 && w.w_step == 1) {
            // The common 2x2 window, unrolled (same rule and order as window_max).
            const int64_t a = h0 * w.W + w0, c = a + w.W;
            const T v0 = xs[a], v1 = xs[a + 1], v2 = xs[c], v3 = xs[c + 1];  // (a, a+1; c, c+1) row-major
            best = v0;
            best_i = a;
            take_if_greater(v1, a + 1, best, best_i);
            take_if_greater(v2, c, best, best_i);
            take_if_greater(v3, c + 1, best, best_i);
          } else {
            window_max(xs, w.W, h0, hc, w.h_step, w0, wc, w.w_step, best, best_i);
          }
          ys[oh * w.OW + ow] = best;
          is[oh * w.OW + ow] = best_i;
        }
      }
    }
  });
}

template <class T>
inline T divisor(const PoolWindows& w, int64_t oh, int64_t ow) {
  return static_cast<T>(w.divisor_override > 0 ? w.divisor_override : w.h_div[oh] * w.w_div[ow]);
}

template <class T>
void avg_pool_forward_cpu(const Tensor& x, const Tensor& y, const PoolWindows& w) {
  const int64_t P = x.numel() / std::max<int64_t>(1, w.H * w.W);
  const T* xp = x.data_ptr<T>();
  T* yp = y.data_ptr<T>();
  parallel_for(P, plane_grain(window_work(w)), [&](int64_t pb, int64_t pe) {
    for (int64_t p = pb; p < pe; ++p) {
      const T* xs = xp + p * w.H * w.W;
      T* ys = yp + p * w.OH * w.OW;
      for (int64_t oh = 0; oh < w.OH; ++oh)
        for (int64_t ow = 0; ow < w.OW; ++ow) {
          T s = 0;
          for (int64_t i = 0; i < w.h_count[oh]; ++i) {
            const T* row = xs + (w.h_first[oh] + i * w.h_step) * w.W + w.w_first[ow];
            for (int64_t j = 0; j < w.w_count[ow]; ++j) s += row[j * w.w_step];
          }
          ys[oh * w.OW + ow] = s / divisor<T>(w, oh, ow);
        }
    }
  });
}

template <class T>
void avg_pool_backward_cpu(const Tensor& gy, const Tensor& gx, const PoolWindows& w) {
  const int64_t P = gx.numel() / std::max<int64_t>(1, w.H * w.W);
  const T* gyp = gy.data_ptr<T>();
  T* gxp = gx.data_ptr<T>();
  parallel_for(P, plane_grain(window_work(w)), [&](int64_t pb, int64_t pe) {
    for (int64_t p = pb; p < pe; ++p) {
      T* gs = gxp + p * w.H * w.W;
      const T* ys = gyp + p * w.OH * w.OW;
      std::fill(gs, gs + w.H * w.W, T(0));
      for (int64_t oh = 0; oh < w.OH; ++oh)
        for (int64_t ow = 0; ow < w.OW; ++ow) {
          const T g = ys[oh * w.OW + ow] / divisor<T>(w, oh, ow);
          for (int64_t i = 0; i < w.h_count[oh]; ++i) {
            T* row = gs + (w.h_first[oh] + i * w.h_step) * w.W + w.w_first[ow];
            for (int64_t j = 0; j < w.w_count[ow]; ++j) row[j * w.w_step] += g;
          }
        }
    }
  });
}

template <class T>
void plane_scatter_cpu(const Tensor& src, const Tensor& idx, const Tensor& out, bool accumulate, const char* op) {
  const int64_t P = src.dim() == 0 ? 1 : src.size(0);
  const int64_t L = P == 0 ? 0 : src.numel() / P;
  const int64_t M = P == 0 ? 0 : out.numel() / P;
  const T* sp = src.data_ptr<T>();
  const int64_t* ip = idx.data_ptr<int64_t>();
  T* op_ = out.data_ptr<T>();
  std::atomic<bool> any_bad{false};
  std::atomic<int64_t> bad{0};
  parallel_for(P, plane_grain(L), [&](int64_t pb, int64_t pe) {
    for (int64_t p = pb; p < pe; ++p) {
      const T* s = sp + p * L;
      const int64_t* ix = ip + p * L;
      T* o = op_ + p * M;
      for (int64_t l = 0; l < L; ++l) {
        const int64_t i = ix[l];
        if (i < 0 || i >= M) [[unlikely]] {
          bad.store(i);
          any_bad.store(true);
          continue;
        }
        if (accumulate)
          o[i] += s[l];
        else
          o[i] = s[l];
      }
    }
  });
  FX_CHECK(!any_bad.load(), op, ": index ", bad.load(), " is out of bounds for an output plane of ", M, " elements");
}

FX_REGISTER_KERNEL(max_pool_kernel, DeviceType::CPU, kFloat32, max_pool_cpu<float>);
FX_REGISTER_KERNEL(max_pool_kernel, DeviceType::CPU, kFloat64, max_pool_cpu<double>);
FX_REGISTER_KERNEL(avg_pool_forward_kernel, DeviceType::CPU, kFloat32, avg_pool_forward_cpu<float>);
FX_REGISTER_KERNEL(avg_pool_forward_kernel, DeviceType::CPU, kFloat64, avg_pool_forward_cpu<double>);
FX_REGISTER_KERNEL(avg_pool_backward_kernel, DeviceType::CPU, kFloat32, avg_pool_backward_cpu<float>);
FX_REGISTER_KERNEL(avg_pool_backward_kernel, DeviceType::CPU, kFloat64, avg_pool_backward_cpu<double>);
FX_REGISTER_KERNEL(plane_scatter_kernel, DeviceType::CPU, kFloat32, plane_scatter_cpu<float>);
FX_REGISTER_KERNEL(plane_scatter_kernel, DeviceType::CPU, kFloat64, plane_scatter_cpu<double>);

}  // namespace
}  // namespace fluxion::kernels
