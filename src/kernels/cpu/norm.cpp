// CPU normalisation kernels (f32, f64) on tensors viewed as (A, C, B) with statistics per
// channel c over the A and B axes (see kernels/nn_kernels.h): batch norm is (N, C, spatial),
// layer/group/instance norm are (1, rows, row length). Sums accumulate in double, and the
// variance is computed in two passes (mean first), which is exact enough to match PyTorch
// without Welford's per-element division.
#include <cmath>
#include <vector>

#include "core/parallel.h"
#include "kernels/nn_kernels.h"

namespace fluxion::kernels {

FX_DEFINE_KERNEL(norm_stats_kernel, NormStatsFn);
FX_DEFINE_KERNEL(norm_apply_kernel, NormApplyFn);
FX_DEFINE_KERNEL(norm_backward_kernel, NormBackwardFn);

namespace {

int64_t grain_for(int64_t work_per_item) {
  return std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, work_per_item));
}

template <class T>
void norm_stats_cpu(const Tensor& x, const Tensor& mean, const Tensor& var, int64_t A, int64_t C, int64_t B) {
  const T* xp = x.data_ptr<T>();
  T* mp = mean.data_ptr<T>();
  T* vp = var.data_ptr<T>();
  const double M = static_cast<double>(A * B);
  parallel_for(C, grain_for(2 * A * B), [&](int64_t cb, int64_t ce) {
    for (int64_t c = cb; c < ce; ++c) {
      double s = 0;
      for (int64_t a = 0; a < A; ++a) {
        const T* row = xp + (a * C + c) * B;
        for (int64_t b = 0; b < B; ++b) s += static_cast<double>(row[b]);
      }
      const double mu = M > 0 ? s / M : std::nan("");
      double ss = 0;
      for (int64_t a = 0; a < A; ++a) {
        const T* row = xp + (a * C + c) * B;
        for (int64_t b = 0; b < B; ++b) {
          const double d = static_cast<double>(row[b]) - mu;
          ss += d * d;
        }
      }
      mp[c] = static_cast<T>(mu);
      vp[c] = static_cast<T>(M > 0 ? ss / M : std::nan(""));
    }
  });
}

template <class T>
void norm_apply_cpu(const Tensor& x, const Tensor& mean, const Tensor& rstd, const Tensor& weight, const Tensor& bias,
                    const Tensor& y, int64_t A, int64_t C, int64_t B) {
  const T* xp = x.data_ptr<T>();
  const T* mp = mean.data_ptr<T>();
  const T* rp = rstd.data_ptr<T>();
  const T* wp = weight.defined() ? weight.data_ptr<T>() : nullptr;
  const T* bp = bias.defined() ? bias.data_ptr<T>() : nullptr;
  T* yp = y.data_ptr<T>();
  // y = x * scale + shift per channel.
  std::vector<T> scale(static_cast<size_t>(C)), shift(static_cast<size_t>(C));
  for (int64_t c = 0; c < C; ++c) {
    const T sc = rp[c] * (wp ? wp[c] : T(1));
    scale[c] = sc;
    shift[c] = (bp ? bp[c] : T(0)) - mp[c] * sc;
  }
  parallel_for(A * C, grain_for(B), [&](int64_t rb, int64_t re) {
    for (int64_t r = rb; r < re; ++r) {
      const int64_t c = r % C;
      const T sc = scale[c], sh = shift[c];
      const T* in = xp + r * B;
      T* out = yp + r * B;
      for (int64_t b = 0; b < B; ++b) out[b] = in[b] * sc + sh;
    }
  });
}

template <class T>
void norm_backward_cpu(const Tensor& gy, const Tensor& x, const Tensor& mean, const Tensor& rstd, const Tensor& weight,
                       const Tensor& gx, const Tensor& gw, const Tensor& gb, int64_t A, int64_t C, int64_t B,
                       bool stats_are_constant) {
  const T* gyp = gy.data_ptr<T>();
  const T* xp = x.data_ptr<T>();
  const T* mp = mean.data_ptr<T>();
  const T* rp = rstd.data_ptr<T>();
  const T* wp = weight.defined() ? weight.data_ptr<T>() : nullptr;
  const double M = static_cast<double>(A * B);
  // Per channel: sum(gy) and sum(gy * xhat).
  std::vector<double> sum_g(static_cast<size_t>(C)), sum_gx(static_cast<size_t>(C));
  const bool need_sums = gw.defined() || gb.defined() || (gx.defined() && !stats_are_constant);
  if (need_sums)
    parallel_for(C, grain_for(2 * A * B), [&](int64_t cb, int64_t ce) {
      for (int64_t c = cb; c < ce; ++c) {
        const double mu = mp[c], rs = rp[c];
        double sg = 0, sgx = 0;
        for (int64_t a = 0; a < A; ++a) {
          const T* g = gyp + (a * C + c) * B;
          const T* in = xp + (a * C + c) * B;
          for (int64_t b = 0; b < B; ++b) {
            const double gv = static_cast<double>(g[b]);
            sg += gv;
            sgx += gv * (static_cast<double>(in[b]) - mu) * rs;
          }
        }
        sum_g[c] = sg;
        sum_gx[c] = sgx;
      }
    });
  if (gw.defined()) {
    T* p = gw.data_ptr<T>();
    for (int64_t c = 0; c < C; ++c) p[c] = static_cast<T>(sum_gx[c]);
  }
  if (gb.defined()) {
    T* p = gb.data_ptr<T>();
    for (int64_t c = 0; c < C; ++c) p[c] = static_cast<T>(sum_g[c]);
  }
  if (!gx.defined()) return;
  T* gxp = gx.data_ptr<T>();
  parallel_for(A * C, grain_for(B), [&](int64_t rb, int64_t re) {
    for (int64_t r = rb; r < re; ++r) {
      const int64_t c = r % C;
      const T w = wp ? wp[c] : T(1);
      const T rs = rp[c];
      const T* g = gyp + r * B;
      T* out = gxp + r * B;
      if (stats_are_constant) {
        const T k = rs * w;
        for (int64_t b = 0; b < B; ++b) out[b] = g[b] * k;
        continue;
      }
      // gx = rstd * w * (gy - sum_g / M - xhat * sum_gx / M)
      const T* in = xp + r * B;
      const T mu = mp[c];
      const T k = rs * w;
      const T mg = static_cast<T>(sum_g[c] / M);
      const T mgx = static_cast<T>(sum_gx[c] / M);
      for (int64_t b = 0; b < B; ++b) out[b] = k * (g[b] - mg - (in[b] - mu) * rs * mgx);
    }
  });
}

FX_REGISTER_KERNEL(norm_stats_kernel, DeviceType::CPU, kFloat32, norm_stats_cpu<float>);
FX_REGISTER_KERNEL(norm_stats_kernel, DeviceType::CPU, kFloat64, norm_stats_cpu<double>);
FX_REGISTER_KERNEL(norm_apply_kernel, DeviceType::CPU, kFloat32, norm_apply_cpu<float>);
FX_REGISTER_KERNEL(norm_apply_kernel, DeviceType::CPU, kFloat64, norm_apply_cpu<double>);
FX_REGISTER_KERNEL(norm_backward_kernel, DeviceType::CPU, kFloat32, norm_backward_cpu<float>);
FX_REGISTER_KERNEL(norm_backward_kernel, DeviceType::CPU, kFloat64, norm_backward_cpu<double>);

}  // namespace
}  // namespace fluxion::kernels
