// CPU separable resampling kernels (f32, f64) for interpolate/upsample: every output pixel is a
// weighted sum of at most 2x2 input pixels given by per-row and per-column tables
// (ResampleTables), which covers nearest, nearest-exact and (bi)linear with or without
// align_corners. The backward kernel is the exact adjoint (scatter-add of the same weights).
// Threads split the planes (P), so writes never race.
#include "core/parallel.h"
#include "kernels/nn_kernels.h"

namespace fluxion::kernels {

FX_DEFINE_KERNEL(resample_forward_kernel, ResampleFn);
FX_DEFINE_KERNEL(resample_backward_kernel, ResampleFn);

namespace {

int64_t plane_grain(int64_t work) { return std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, work)); }

template <class T>
void resample_forward_cpu(const Tensor& x, const Tensor& y, const ResampleTables& t) {
  const int64_t P = t.H * t.W == 0 ? 0 : x.numel() / (t.H * t.W);
  const T* xp = x.data_ptr<T>();
  T* yp = y.data_ptr<T>();
  parallel_for(P, plane_grain(4 * t.OH * t.OW), [&](int64_t pb, int64_t pe) {
    for (int64_t p = pb; p < pe; ++p) {
      const T* xs = xp + p * t.H * t.W;
      T* ys = yp + p * t.OH * t.OW;
      for (int64_t oh = 0; oh < t.OH; ++oh) {
        const T hl = static_cast<T>(t.h_lambda[oh]), hl0 = T(1) - hl;
        const T* r0 = xs + t.h0[oh] * t.W;
        const T* r1 = xs + t.h1[oh] * t.W;
        for (int64_t ow = 0; ow < t.OW; ++ow) {
          const T wl = static_cast<T>(t.w_lambda[ow]), wl0 = T(1) - wl;
          const int64_t a = t.w0[ow], b = t.w1[ow];
          ys[oh * t.OW + ow] = hl0 * (wl0 * r0[a] + wl * r0[b]) + hl * (wl0 * r1[a] + wl * r1[b]);
        }
      }
    }
  });
}

template <class T>
void resample_backward_cpu(const Tensor& gy, const Tensor& gx, const ResampleTables& t) {
  const int64_t P = t.H * t.W == 0 ? 0 : gx.numel() / (t.H * t.W);
  const T* gyp = gy.data_ptr<T>();
  T* gxp = gx.data_ptr<T>();
  parallel_for(P, plane_grain(4 * t.OH * t.OW), [&](int64_t pb, int64_t pe) {
    for (int64_t p = pb; p < pe; ++p) {
      T* gs = gxp + p * t.H * t.W;
      const T* ys = gyp + p * t.OH * t.OW;
      std::fill(gs, gs + t.H * t.W, T(0));
      for (int64_t oh = 0; oh < t.OH; ++oh) {
        const T hl = static_cast<T>(t.h_lambda[oh]), hl0 = T(1) - hl;
        T* r0 = gs + t.h0[oh] * t.W;
        T* r1 = gs + t.h1[oh] * t.W;
        for (int64_t ow = 0; ow < t.OW; ++ow) {
          const T wl = static_cast<T>(t.w_lambda[ow]), wl0 = T(1) - wl;
          const int64_t a = t.w0[ow], b = t.w1[ow];
          const T g = ys[oh * t.OW + ow];
          r0[a] += hl0 * wl0 * g;
          r0[b] += hl0 * wl * g;
          r1[a] += hl * wl0 * g;
          r1[b] += hl * wl * g;
        }
      }
    }
  });
}

FX_REGISTER_KERNEL(resample_forward_kernel, DeviceType::CPU, kFloat32, resample_forward_cpu<float>);
FX_REGISTER_KERNEL(resample_forward_kernel, DeviceType::CPU, kFloat64, resample_forward_cpu<double>);
FX_REGISTER_KERNEL(resample_backward_kernel, DeviceType::CPU, kFloat32, resample_backward_cpu<float>);
FX_REGISTER_KERNEL(resample_backward_kernel, DeviceType::CPU, kFloat64, resample_backward_cpu<double>);

}  // namespace
}  // namespace fluxion::kernels
