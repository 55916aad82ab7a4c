// im2col / col2im for one image (and one group) of an N-d convolution, normalised to 3 spatial
// dims (see ConvGeom in kernels/nn_kernels.h).
//
//   col[(c, kd, kh, kw), (od, oh, ow)] = x[c, od*sd - pd + kd*dd, oh*sh - ph + kh*dh, ow*sw - pw + kw*dw]
//
// (0 outside the input). col is (C * KD*KH*KW) x (OD*OH*OW), row-major, so a convolution is the
// GEMM  y = W (K x C*KK) @ col  and its input gradient is col2im(W^T @ gy) (col2im accumulates
// into x, the adjoint of im2col). Why it is fast enough: for each (c, k) row the valid output
// column range [ow_lo, ow_hi) is computed once, so the inner loop is a plain copy (memcpy when
// stride 1) with zero fills only at the borders; no per-element bounds checks.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "fluxion/storage.h"
#include "kernels/nn_kernels.h"

namespace fluxion::kernels::cpu {

/// Scratch memory from the CPU caching allocator (reused across calls, so large column buffers
/// cost no page faults after the first call).
template <class T>
class ScratchBuffer {
 public:
  explicit ScratchBuffer(int64_t n)
      : bytes_(static_cast<size_t>(n > 0 ? n : 0) * sizeof(T)),
        data_(bytes_ ? static_cast<T*>(detail::cpu_alloc(bytes_)) : nullptr) {}
  ~ScratchBuffer() {
    if (data_) detail::cpu_free(data_, bytes_);
  }
  ScratchBuffer(const ScratchBuffer&) = delete;
  ScratchBuffer& operator=(const ScratchBuffer&) = delete;
  T* data() const { return data_; }

 private:
  size_t bytes_;
  T* data_;
};

/// Range [lo, hi) of output positions o whose input position o*s - p + kk*d lies in [0, n).
inline void valid_range(int64_t n, int64_t out, int64_t s, int64_t p, int64_t kk, int64_t d, int64_t& lo, int64_t& hi) {
  const int64_t a = p - kk * d;  // input position = o*s - a
  lo = a <= 0 ? 0 : (a + s - 1) / s;
  const int64_t last = n - 1 + a;  // o*s <= last
  hi = last < 0 ? 0 : std::min<int64_t>(out, last / s + 1);
  lo = std::min(lo, hi);
}

/// Copies n elements; a plain loop for the short rows of small images (cheaper than a memcpy call).
template <class T>
inline void copy_row(T* dst, const T* src, int64_t n) {
  if (n >= 64) {
    std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(T));
    return;
  }
  for (int64_t i = 0; i < n; ++i) dst[i] = src[i];
}

/// Fills col (C*KK x L, rows `ld` elements apart; ld >= L) from x (C, D, H, W) for geometry g
/// (only the spatial fields are used). ld > L lets several images share one column matrix.
template <class T>
void im2col(const T* x, T* col, int64_t C, const ConvGeom& g, int64_t ld = 0) {
  const int64_t D = g.in[0], H = g.in[1], W = g.in[2];
  const int64_t OD = g.out[0], OH = g.out[1], OW = g.out[2];
  const int64_t L = ld > 0 ? ld : OD * OH * OW;
  for (int64_t c = 0; c < C; ++c)
    for (int64_t kd = 0; kd < g.k[0]; ++kd)
      for (int64_t kh = 0; kh < g.k[1]; ++kh)
        for (int64_t kw = 0; kw < g.k[2]; ++kw) {
          T* dst = col + (((c * g.k[0] + kd) * g.k[1] + kh) * g.k[2] + kw) * L;
          int64_t ow_lo, ow_hi;
          valid_range(W, OW, g.stride[2], g.pad[2], kw, g.dil[2], ow_lo, ow_hi);
          const int64_t iw0 = ow_lo * g.stride[2] - g.pad[2] + kw * g.dil[2];
          for (int64_t od = 0; od < OD; ++od) {
            const int64_t id = od * g.stride[0] - g.pad[0] + kd * g.dil[0];
            if (id < 0 || id >= D) {
              std::fill(dst, dst + OH * OW, T(0));
              dst += OH * OW;
              continue;
            }
            for (int64_t oh = 0; oh < OH; ++oh, dst += OW) {
              const int64_t ih = oh * g.stride[1] - g.pad[1] + kh * g.dil[1];
              if (ih < 0 || ih >= H) {
                std::fill(dst, dst + OW, T(0));
                continue;
              }
              const T* src = x + ((c * D + id) * H + ih) * W + iw0;
              std::fill(dst, dst + ow_lo, T(0));
              const int64_t n = ow_hi - ow_lo;
              if (g.stride[2] == 1) {
                copy_row(dst + ow_lo, src, n);
              } else {
                const int64_t s = g.stride[2];
                for (int64_t i = 0; i < n; ++i) dst[ow_lo + i] = src[i * s];
              }
              std::fill(dst + ow_hi, dst + OW, T(0));
            }
          }
        }
}

/// x (C, D, H, W) += col2im(col): the adjoint of im2col (x is accumulated into, not cleared);
/// col rows are `ld` elements apart (0: L).
template <class T>
void col2im(const T* col, T* x, int64_t C, const ConvGeom& g, int64_t ld = 0) {
  const int64_t D = g.in[0], H = g.in[1], W = g.in[2];
  const int64_t OD = g.out[0], OH = g.out[1], OW = g.out[2];
  const int64_t L = ld > 0 ? ld : OD * OH * OW;
  for (int64_t c = 0; c < C; ++c)
    for (int64_t kd = 0; kd < g.k[0]; ++kd)
      for (int64_t kh = 0; kh < g.k[1]; ++kh)
        for (int64_t kw = 0; kw < g.k[2]; ++kw) {
          const T* src = col + (((c * g.k[0] + kd) * g.k[1] + kh) * g.k[2] + kw) * L;
          int64_t ow_lo, ow_hi;
          valid_range(W, OW, g.stride[2], g.pad[2], kw, g.dil[2], ow_lo, ow_hi);
          const int64_t iw0 = ow_lo * g.stride[2] - g.pad[2] + kw * g.dil[2];
          const int64_t n = ow_hi - ow_lo;
          const int64_t s = g.stride[2];
          for (int64_t od = 0; od < OD; ++od) {
            const int64_t id = od * g.stride[0] - g.pad[0] + kd * g.dil[0];
            if (id < 0 || id >= D) {
              src += OH * OW;
              continue;
            }
            for (int64_t oh = 0; oh < OH; ++oh, src += OW) {
              const int64_t ih = oh * g.stride[1] - g.pad[1] + kh * g.dil[1];
              if (ih < 0 || ih >= H) continue;
              T* dst = x + ((c * D + id) * H + ih) * W + iw0;
              const T* s0 = src + ow_lo;
              if (s == 1) {
                for (int64_t i = 0; i < n; ++i) dst[i] += s0[i];
              } else {
                for (int64_t i = 0; i < n; ++i) dst[i * s] += s0[i];
              }
            }
          }
        }
}

}  // namespace fluxion::kernels::cpu
