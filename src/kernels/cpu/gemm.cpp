// CPU batched GEMM (see kernels/linalg_kernels.h for the contract).
//
// f32/f64: OpenBLAS. Strided operands are passed as transpose flags + leading dimensions when
// one of their dims has unit stride (views such as x.t() or a column slice cost no copy);
// anything else is packed into a contiguous buffer first. n == 1 / m == 1 products go to gemv
// and m == n == 1 to dot, which OpenBLAS 0.3.21's gemm does not do by itself.
// f16/bf16: converted to f32, multiplied by sgemm (accumulating in f32, as PyTorch), converted
// back — far faster than a home-made kernel and the same accumulation semantics.
// Integers: the portable blocked kernel (gemm_portable.h).
// Batches: with at least as many matrices as threads, the batch loop is split across OpenMP
// threads and each BLAS call runs single-threaded (the OpenMP build of OpenBLAS does this by
// itself inside a parallel region); otherwise the batch loop is serial and BLAS threads.
#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>
#include <vector>

#include "kernels/cpu/gemm_portable.h"
#include "kernels/linalg_kernels.h"

namespace fluxion::kernels {

FX_DEFINE_KERNEL(gemm_kernel, GemmFn);

namespace {

// How an (r x c) matrix with element strides (rs, cs) is seen by row-major CBLAS.
struct BlasLayout {
  bool ok = false;
  bool trans = false;  // stored as its transpose (unit row stride)
  int64_t ld = 0;
};

BlasLayout blas_layout(int64_t r, int64_t c, int64_t rs, int64_t cs) {
  const int64_t rmin = std::max<int64_t>(r, 1), cmin = std::max<int64_t>(c, 1);
  if (cs == 1 || c == 1) {
    int64_t ld = r == 1 ? cmin : rs;
    if (ld >= cmin && ld <= INT_MAX) return {true, false, ld};
  }
  if (rs == 1 || r == 1) {
    int64_t ld = c == 1 ? rmin : cs;
    if (ld >= rmin && ld <= INT_MAX) return {true, true, ld};
  }
  return {};
}

// BLAS wrappers selected by element type.
inline void blas_gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, float alpha, const float* a, int lda,
                      const float* b, int ldb, float beta, float* c, int ldc) {
  cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
inline void blas_gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, double alpha, const double* a,
                      int lda, const double* b, int ldb, double beta, double* c, int ldc) {
  cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
inline void blas_gemv(CBLAS_TRANSPOSE t, int m, int n, float alpha, const float* a, int lda, const float* x, int incx,
                      float beta, float* y, int incy) {
  cblas_sgemv(CblasRowMajor, t, m, n, alpha, a, lda, x, incx, beta, y, incy);
}
inline void blas_gemv(CBLAS_TRANSPOSE t, int m, int n, double alpha, const double* a, int lda, const double* x,
                      int incx, double beta, double* y, int incy) {
  cblas_dgemv(CblasRowMajor, t, m, n, alpha, a, lda, x, incx, beta, y, incy);
}
inline float blas_dot(int n, const float* x, int incx, const float* y, int incy) {
  return cblas_sdot(n, x, incx, y, incy);
}
inline double blas_dot(int n, const double* x, int incx, const double* y, int incy) {
  return cblas_ddot(n, x, incx, y, incy);
}

// A vector increment usable by BLAS: positive and within int range (any value if length <= 1).
inline bool inc_ok(int64_t len, int64_t inc) { return len <= 1 || (inc >= 1 && inc <= INT_MAX); }
inline int inc_of(int64_t len, int64_t inc) { return len <= 1 ? 1 : static_cast<int>(inc); }

// Copies a strided (r x c) matrix into a new row-major buffer.
template <class T>
std::unique_ptr<T[]> pack(const T* x, int64_t r, int64_t c, int64_t rs, int64_t cs) {
  std::unique_ptr<T[]> buf(new T[static_cast<size_t>(std::max<int64_t>(r * c, 1))]);
  for (int64_t i = 0; i < r; ++i)
    for (int64_t j = 0; j < c; ++j) buf[i * c + j] = x[i * rs + j * cs];
  return buf;
}

// C = beta * C (beta == 0 writes zeros, ignoring NaN in C).
template <class T>
void scale_c(T* c, int64_t m, int64_t n, int64_t rs, int64_t cs, T beta) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      T& v = c[i * rs + j * cs];
      v = beta == T(0) ? T(0) : beta * v;
    }
}

// One product with f32/f64 BLAS. Sizes are known to fit in int.
template <class T>
void blas_one(int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t a_rs, int64_t a_cs, const T* b,
              int64_t b_rs, int64_t b_cs, T beta, T* c, int64_t c_rs, int64_t c_cs) {
  if (m == 0 || n == 0) return;
  if (k == 0) return scale_c(c, m, n, c_rs, c_cs, beta);
  const bool beta_zero = beta == T(0);

  // dot: c = beta * c + alpha * <a row, b column>.
  if (m == 1 && n == 1 && inc_ok(k, a_cs) && inc_ok(k, b_rs)) {
    T d = blas_dot(static_cast<int>(k), a, inc_of(k, a_cs), b, inc_of(k, b_rs));
    *c = beta_zero ? alpha * d : beta * *c + alpha * d;
    return;
  }
  // gemv: one output column (A @ x) or one output row (B^T @ x).
  if (n == 1 || m == 1) {
    const bool col = n == 1;
    const int64_t rows = col ? m : n;  // length of the output vector
    BlasLayout L = col ? blas_layout(m, k, a_rs, a_cs) : blas_layout(k, n, b_rs, b_cs);
    const T* mat = col ? a : b;
    const T* x = col ? b : a;
    const int64_t incx = col ? b_rs : a_cs, incy = col ? c_rs : c_cs;
    if (L.ok && inc_ok(k, incx) && inc_ok(rows, incy)) {
      if (beta_zero) scale_c(c, col ? m : 1, col ? 1 : n, c_rs, c_cs, T(0));  // OpenBLAS may scale NaN by 0
      // Column: y(m) = A(m x k) x. Row: y(n) = B(k x n)^T x.
      CBLAS_TRANSPOSE t = (L.trans != !col) ? CblasTrans : CblasNoTrans;
      int mr = static_cast<int>(col ? (L.trans ? k : m) : (L.trans ? n : k));
      int mc = static_cast<int>(col ? (L.trans ? m : k) : (L.trans ? k : n));
      blas_gemv(t, mr, mc, alpha, mat, static_cast<int>(L.ld), x, inc_of(k, incx), beta, c, inc_of(rows, incy));
      return;
    }
  }

  BlasLayout lc = blas_layout(m, n, c_rs, c_cs);
  if (lc.ok && lc.trans) {
    // C stored column-major: compute C^T = B^T A^T into it as a row-major product.
    return blas_one<T>(n, m, k, alpha, b, b_cs, b_rs, a, a_cs, a_rs, beta, c, c_cs, c_rs);
  }
  if (!lc.ok) {
    // C has no BLAS layout: multiply into a contiguous buffer, then scatter.
    auto tmp = beta_zero ? std::unique_ptr<T[]>(new T[static_cast<size_t>(m * n)]) : pack(c, m, n, c_rs, c_cs);
    blas_one<T>(m, n, k, alpha, a, a_rs, a_cs, b, b_rs, b_cs, beta, tmp.get(), n, 1);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) c[i * c_rs + j * c_cs] = tmp[i * n + j];
    return;
  }
  std::unique_ptr<T[]> abuf, bbuf;
  BlasLayout la = blas_layout(m, k, a_rs, a_cs), lb = blas_layout(k, n, b_rs, b_cs);
  if (!la.ok) {
    abuf = pack(a, m, k, a_rs, a_cs);
    a = abuf.get();
    la = {true, false, std::max<int64_t>(k, 1)};
  }
  if (!lb.ok) {
    bbuf = pack(b, k, n, b_rs, b_cs);
    b = bbuf.get();
    lb = {true, false, std::max<int64_t>(n, 1)};
  }
  blas_gemm(la.trans ? CblasTrans : CblasNoTrans, lb.trans ? CblasTrans : CblasNoTrans, static_cast<int>(m),
            static_cast<int>(n), static_cast<int>(k), alpha, a, static_cast<int>(la.ld), b, static_cast<int>(lb.ld),
            beta, c, static_cast<int>(lc.ld));
}

// Element offsets of every batch entry for one operand.
std::vector<int64_t> batch_offsets(const Shape& batch, const Shape& bstrides) {
  int64_t nb = shape_numel(batch);
  std::vector<int64_t> off(static_cast<size_t>(nb), 0);
  const int nd = static_cast<int>(batch.size());
  Shape idx(batch.size(), int64_t{0});
  int64_t cur = 0;
  for (int64_t t = 0; t < nb; ++t) {
    off[static_cast<size_t>(t)] = cur;
    for (int d = nd - 1; d >= 0; --d) {
      if (++idx[d] < batch[d]) {
        cur += bstrides[d];
        break;
      }
      cur -= (batch[d] - 1) * bstrides[d];
      idx[d] = 0;
    }
  }
  return off;
}

// Runs one(i) for every batch entry: split across threads when there are enough entries
// (BLAS inside then runs single-threaded), else serially with BLAS threading each product.
template <class F>
void for_each_batch(int64_t nb, const F& one) {
  const int nthreads = omp_get_max_threads();
  if (nb > 1 && nthreads > 1 && nb >= nthreads && !omp_in_parallel()) {
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < nb; ++i) one(i);
  } else {
    for (int64_t i = 0; i < nb; ++i) one(i);
  }
}

bool fits_int(const GemmParams& p) { return p.m <= INT_MAX && p.n <= INT_MAX && p.k <= INT_MAX; }

// Portable path for any dtype (also f32/f64 beyond BLAS's int range).
template <class T>
void gemm_cpu_portable(const GemmParams& p) {
  using Acc = gemm_acc_t<T>;
  if (p.m == 0 || p.n == 0) return;
  const int64_t nb = shape_numel(p.batch);
  auto oa = batch_offsets(p.batch, p.a.bstrides), ob = batch_offsets(p.batch, p.b.bstrides),
       oc = batch_offsets(p.batch, p.c.bstrides);
  // Integer alpha/beta wrap into uint64 like the accumulator; floating ones convert directly.
  auto to_acc = [](const Scalar& s) {
    if constexpr (std::is_integral_v<T>)
      return static_cast<Acc>(s.to<int64_t>());
    else
      return static_cast<Acc>(s.to_double());
  };
  const Acc alpha = to_acc(p.alpha), beta = to_acc(p.beta);
  const bool beta_zero = p.beta.to_double() == 0.0;
  const T* a = reinterpret_cast<const T*>(p.a.data);
  const T* b = reinterpret_cast<const T*>(p.b.data);
  T* c = reinterpret_cast<T*>(p.c.data);
  for_each_batch(nb, [&](int64_t i) {
    gemm_portable<T>(p.m, p.n, p.k, alpha, a + oa[i], p.a.rs, p.a.cs, b + ob[i], p.b.rs, p.b.cs, beta, beta_zero,
                     c + oc[i], p.c.rs, p.c.cs);
  });
}

template <class T>
void gemm_cpu_blas(const GemmParams& p) {
  if (!fits_int(p)) return gemm_cpu_portable<T>(p);
  const int64_t nb = shape_numel(p.batch);
  if (nb == 0 || p.m == 0 || p.n == 0) return;
  const T alpha = static_cast<T>(p.alpha.to_double()), beta = static_cast<T>(p.beta.to_double());
  const T* a = reinterpret_cast<const T*>(p.a.data);
  const T* b = reinterpret_cast<const T*>(p.b.data);
  T* c = reinterpret_cast<T*>(p.c.data);
  if (nb == 1) {
    return blas_one<T>(p.m, p.n, p.k, alpha, a, p.a.rs, p.a.cs, b, p.b.rs, p.b.cs, beta, c, p.c.rs, p.c.cs);
  }
  auto oa = batch_offsets(p.batch, p.a.bstrides), ob = batch_offsets(p.batch, p.b.bstrides),
       oc = batch_offsets(p.batch, p.c.bstrides);
  for_each_batch(nb, [&](int64_t i) {
    blas_one<T>(p.m, p.n, p.k, alpha, a + oa[i], p.a.rs, p.a.cs, b + ob[i], p.b.rs, p.b.cs, beta, c + oc[i], p.c.rs,
                p.c.cs);
  });
}

// f16/bf16: convert each product's operands to f32, sgemm, convert back.
template <class T>
void gemm_cpu_half(const GemmParams& p) {
  if (!fits_int(p)) return gemm_cpu_portable<T>(p);
  const int64_t nb = shape_numel(p.batch), m = p.m, n = p.n, k = p.k;
  if (nb == 0 || m == 0 || n == 0) return;
  const float alpha = static_cast<float>(p.alpha.to_double()), beta = static_cast<float>(p.beta.to_double());
  auto oa = batch_offsets(p.batch, p.a.bstrides), ob = batch_offsets(p.batch, p.b.bstrides),
       oc = batch_offsets(p.batch, p.c.bstrides);
  const T* a = reinterpret_cast<const T*>(p.a.data);
  const T* b = reinterpret_cast<const T*>(p.b.data);
  T* c = reinterpret_cast<T*>(p.c.data);
  for_each_batch(nb, [&](int64_t i) {
    std::unique_ptr<float[]> fa(new float[static_cast<size_t>(std::max<int64_t>(m * k, 1))]),
        fb(new float[static_cast<size_t>(std::max<int64_t>(k * n, 1))]), fc(new float[static_cast<size_t>(m * n)]);
    const T* ai = a + oa[i];
    const T* bi = b + ob[i];
    T* ci = c + oc[i];
    for (int64_t r = 0; r < m; ++r)
      for (int64_t q = 0; q < k; ++q) fa[r * k + q] = static_cast<float>(ai[r * p.a.rs + q * p.a.cs]);
    for (int64_t q = 0; q < k; ++q)
      for (int64_t s = 0; s < n; ++s) fb[q * n + s] = static_cast<float>(bi[q * p.b.rs + s * p.b.cs]);
    if (beta != 0.0f)
      for (int64_t r = 0; r < m; ++r)
        for (int64_t s = 0; s < n; ++s) fc[r * n + s] = static_cast<float>(ci[r * p.c.rs + s * p.c.cs]);
    blas_one<float>(m, n, k, alpha, fa.get(), k, 1, fb.get(), n, 1, beta, fc.get(), n, 1);
    for (int64_t r = 0; r < m; ++r)
      for (int64_t s = 0; s < n; ++s) ci[r * p.c.rs + s * p.c.cs] = T(fc[r * n + s]);
  });
}

}  // namespace

FX_REGISTER_KERNEL(gemm_kernel, DeviceType::CPU, DType::Float32, &gemm_cpu_blas<float>);
FX_REGISTER_KERNEL(gemm_kernel, DeviceType::CPU, DType::Float64, &gemm_cpu_blas<double>);
FX_REGISTER_KERNEL(gemm_kernel, DeviceType::CPU, DType::Float16, &gemm_cpu_half<Half>);
FX_REGISTER_KERNEL(gemm_kernel, DeviceType::CPU, DType::BFloat16, &gemm_cpu_half<BFloat16>);
FX_REGISTER_KERNEL(gemm_kernel, DeviceType::CPU, DType::Int8, &gemm_cpu_portable<int8_t>);
FX_REGISTER_KERNEL(gemm_kernel, DeviceType::CPU, DType::UInt8, &gemm_cpu_portable<uint8_t>);
FX_REGISTER_KERNEL(gemm_kernel, DeviceType::CPU, DType::Int32, &gemm_cpu_portable<int32_t>);
FX_REGISTER_KERNEL(gemm_kernel, DeviceType::CPU, DType::Int64, &gemm_cpu_portable<int64_t>);

}  // namespace fluxion::kernels
