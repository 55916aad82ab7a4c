// CPU convolution kernels (f32, f64): im2col + GEMM (OpenBLAS).
//
//   forward          y[n, g]  = W[g] (Kg x Cg*KK) @ im2col(x[n, g]) (Cg*KK x L)   (+ bias)
//   backward-input   gx[n, g] = col2im(W[g]^T @ gy[n, g])
//   backward-weight  gw[g]   += gy[n, g] @ im2col(x[n, g])^T
//
// Threading (measured with bench/conv_bench.cpp): with at least as many images as threads the
// images are split across the OpenMP threads, each with its own column buffer (and its own
// weight-gradient accumulator), and OpenBLAS runs single-threaded inside the parallel region
// (the OpenMP build does this by itself); this beats one threaded GEMM per image at every size
// of the benchmark because im2col/col2im are parallel too and the GEMMs stay cache-sized.
// With fewer images than threads the loop is serial and BLAS threads. 1x1 stride-1 unpadded
// convolutions skip im2col (the input already is the column matrix). Stacking several images'
// column matrices into one wider GEMM was measured and rejected: OpenBLAS's small-matrix kernels
// already reach ~88 GFLOP/s on LeNet's 16 x 100 x 150 per-image products, and the packing costs more.
#include <cblas.h>
#include <omp.h>

#include <climits>
#include <cstring>
#include <vector>

#include "core/parallel.h"
#include "kernels/cpu/im2col.h"
#include "kernels/nn_kernels.h"

namespace fluxion::kernels {

FX_DEFINE_KERNEL(conv_forward_kernel, ConvForwardFn);
FX_DEFINE_KERNEL(conv_backward_input_kernel, ConvBackwardInputFn);
FX_DEFINE_KERNEL(conv_backward_weight_kernel, ConvBackwardWeightFn);

namespace {

using cpu::col2im;
using cpu::im2col;

inline void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                 int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, ta, tb, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha, a,
              static_cast<int>(lda), b, static_cast<int>(ldb), beta, c, static_cast<int>(ldc));
}
inline void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int64_t m, int64_t n, int64_t k, double alpha, const double* a,
                 int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  cblas_dgemm(CblasRowMajor, ta, tb, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha, a,
              static_cast<int>(lda), b, static_cast<int>(ldb), beta, c, static_cast<int>(ldc));
}

// Sizes shared by the three kernels.
struct Dims {
  int64_t Cg, Kg, KK, L, S;                 // in/out channels per group, kernel volume, output and input plane sizes
  int64_t rows() const { return Cg * KK; }  // rows of the column matrix
  bool pointwise = false;                   // 1x1x1 kernel, stride 1, no padding: col == x
};

Dims dims_of(const ConvGeom& g) {
  Dims d{};
  d.Cg = g.in_channels / g.groups;
  d.Kg = g.out_channels / g.groups;
  d.KK = g.k[0] * g.k[1] * g.k[2];
  d.L = g.out[0] * g.out[1] * g.out[2];
  d.S = g.in[0] * g.in[1] * g.in[2];
  d.pointwise = d.KK == 1;
  for (int i = 0; i < 3; ++i) d.pointwise = d.pointwise && g.stride[i] == 1 && g.pad[i] == 0;
  FX_CHECK(d.rows() <= INT_MAX && d.L <= INT_MAX && d.Kg <= INT_MAX && d.S <= INT_MAX, "conv: a column matrix of ",
           d.rows(), " x ", d.L, " exceeds the BLAS int range");
  return d;
}

// Multiply-adds below which a convolution stays on one thread: waking the pool and the closing
// barrier cost microseconds (far more on a loaded machine, where a spinning barrier waits for a
// descheduled thread), which tiny layers (e.g. 8x8 images with a few channels) never recover.
constexpr int64_t kParallelMacs = int64_t{1} << 19;

int64_t macs_per_image(const Dims& d, const ConvGeom& g) { return g.groups * d.Kg * d.rows() * d.L; }

// Threads to split the images over: all of them when there are enough images and enough work,
// else 1 (the images then run serially and BLAS may thread inside each GEMM).
int slots_for(int64_t N, int64_t macs_per_image) {
  const int nt = omp_get_max_threads();
  return (nt > 1 && N >= nt && N * macs_per_image >= kParallelMacs && !omp_in_parallel()) ? nt : 1;
}

// Runs body(n_begin, n_end, slot) over the images on `slots` threads (slot = thread index).
template <class F>
void images_loop(int64_t N, int slots, const F& body) {
  const int nt = slots;
  if (nt > 1) {
#pragma omp parallel num_threads(nt)
    {
      const int tid = omp_get_thread_num(), n = omp_get_num_threads();
      const int64_t chunk = (N + n - 1) / n;
      const int64_t b = std::min<int64_t>(N, tid * chunk), e = std::min<int64_t>(N, b + chunk);
      body(b, e, tid);
    }
    return;
  }
  body(0, N, 0);
}

template <class T>
void conv_forward_cpu(const Tensor& x, const Tensor& w, const Tensor& bias, const Tensor& y, const ConvGeom& g) {
  const Dims d = dims_of(g);
  const T* xp = x.data_ptr<T>();
  const T* wp = w.data_ptr<T>();
  const T* bp = bias.defined() ? bias.data_ptr<T>() : nullptr;
  T* yp = y.data_ptr<T>();
  const int slots = slots_for(g.batch, macs_per_image(d, g));
  cpu::ScratchBuffer<T> buf(d.pointwise ? 0 : slots * d.rows() * d.L);
  images_loop(g.batch, slots, [&](int64_t nb, int64_t ne, int slot) {
    T* col = d.pointwise ? nullptr : buf.data() + slot * d.rows() * d.L;
    for (int64_t n = nb; n < ne; ++n)
      for (int64_t gi = 0; gi < g.groups; ++gi) {
        const T* xg = xp + (n * g.in_channels + gi * d.Cg) * d.S;
        T* yg = yp + (n * g.out_channels + gi * d.Kg) * d.L;
        const T* cm = xg;
        if (!d.pointwise) {
          im2col(xg, col, d.Cg, g);
          cm = col;
        }
        T beta = 0;
        if (bp) {
          for (int64_t k = 0; k < d.Kg; ++k) std::fill(yg + k * d.L, yg + (k + 1) * d.L, bp[gi * d.Kg + k]);
          beta = 1;
        }
        gemm(CblasNoTrans, CblasNoTrans, d.Kg, d.L, d.rows(), T(1), wp + gi * d.Kg * d.rows(), d.rows(), cm, d.L, beta,
             yg, d.L);
      }
  });
}

template <class T>
void conv_backward_input_cpu(const Tensor& gy, const Tensor& w, const Tensor& gx, const ConvGeom& g) {
  const Dims d = dims_of(g);
  const T* gyp = gy.data_ptr<T>();
  const T* wp = w.data_ptr<T>();
  T* gxp = gx.data_ptr<T>();
  const int slots = slots_for(g.batch, macs_per_image(d, g));
  cpu::ScratchBuffer<T> buf(d.pointwise ? 0 : slots * d.rows() * d.L);
  images_loop(g.batch, slots, [&](int64_t nb, int64_t ne, int slot) {
    T* col = d.pointwise ? nullptr : buf.data() + slot * d.rows() * d.L;
    for (int64_t n = nb; n < ne; ++n)
      for (int64_t gi = 0; gi < g.groups; ++gi) {
        const T* gyg = gyp + (n * g.out_channels + gi * d.Kg) * d.L;
        T* gxg = gxp + (n * g.in_channels + gi * d.Cg) * d.S;
        const T* wg = wp + gi * d.Kg * d.rows();
        if (d.pointwise) {
          gemm(CblasTrans, CblasNoTrans, d.rows(), d.L, d.Kg, T(1), wg, d.rows(), gyg, d.L, T(0), gxg, d.L);
          continue;
        }
        gemm(CblasTrans, CblasNoTrans, d.rows(), d.L, d.Kg, T(1), wg, d.rows(), gyg, d.L, T(0), col, d.L);
        std::fill(gxg, gxg + d.Cg * d.S, T(0));
        col2im(col, gxg, d.Cg, g);
      }
  });
}

template <class T>
void conv_backward_weight_cpu(const Tensor& x, const Tensor& gy, const Tensor& gw, const ConvGeom& g) {
  const Dims d = dims_of(g);
  const T* xp = x.data_ptr<T>();
  const T* gyp = gy.data_ptr<T>();
  T* gwp = gw.data_ptr<T>();
  const int64_t wsize = g.out_channels * d.rows();
  const int slots = slots_for(g.batch, macs_per_image(d, g));
  // Slot 0 accumulates straight into gw; the others into private buffers summed at the end.
  cpu::ScratchBuffer<T> acc((slots - 1) * wsize);
  cpu::ScratchBuffer<T> buf(d.pointwise ? 0 : slots * d.rows() * d.L);
  std::fill(gwp, gwp + wsize, T(0));
  if (slots > 1) std::fill(acc.data(), acc.data() + (slots - 1) * wsize, T(0));
  images_loop(g.batch, slots, [&](int64_t nb, int64_t ne, int slot) {
    T* col = d.pointwise ? nullptr : buf.data() + slot * d.rows() * d.L;
    T* gwt = slot == 0 ? gwp : acc.data() + (slot - 1) * wsize;
    for (int64_t n = nb; n < ne; ++n)
      for (int64_t gi = 0; gi < g.groups; ++gi) {
        const T* xg = xp + (n * g.in_channels + gi * d.Cg) * d.S;
        const T* gyg = gyp + (n * g.out_channels + gi * d.Kg) * d.L;
        const T* cm = xg;
        if (!d.pointwise) {
          im2col(xg, col, d.Cg, g);
          cm = col;
        }
        gemm(CblasNoTrans, CblasTrans, d.Kg, d.rows(), d.L, T(1), gyg, d.L, cm, d.L, T(1), gwt + gi * d.Kg * d.rows(),
             d.rows());
      }
  });
  for (int s = 1; s < slots; ++s) {
    const T* a = acc.data() + (s - 1) * wsize;
    for (int64_t i = 0; i < wsize; ++i) gwp[i] += a[i];
  }
}

FX_REGISTER_KERNEL(conv_forward_kernel, DeviceType::CPU, kFloat32, conv_forward_cpu<float>);
FX_REGISTER_KERNEL(conv_forward_kernel, DeviceType::CPU, kFloat64, conv_forward_cpu<double>);
FX_REGISTER_KERNEL(conv_backward_input_kernel, DeviceType::CPU, kFloat32, conv_backward_input_cpu<float>);
FX_REGISTER_KERNEL(conv_backward_input_kernel, DeviceType::CPU, kFloat64, conv_backward_input_cpu<double>);
FX_REGISTER_KERNEL(conv_backward_weight_kernel, DeviceType::CPU, kFloat32, conv_backward_weight_cpu<float>);
FX_REGISTER_KERNEL(conv_backward_weight_kernel, DeviceType::CPU, kFloat64, conv_backward_weight_cpu<double>);

}  // namespace
}  // namespace fluxion::kernels
