// fx::linalg internals: argument checks, helpers, and the raw batched LAPACK forwards (no
// autograd) behind the differentiable ops in linalg_decomp*.cpp. See Note [Row-major to LAPACK]
// in linalg_decomp_util.h.
#include <algorithm>
#include <cmath>
#include <limits>

#include "fluxion/ops/creation.h"
#include "fluxion/ops/index.h"
#include "fluxion/ops/pointwise.h"
#include "fluxion/ops/reduce.h"
#include "fluxion/ops/view.h"
#include "kernels/cpu/lapack.h"
#include "ops/linalg_decomp_util.h"

namespace fluxion::linalg::detail {

namespace lp = kernels::lapack;

// ---- checks ------------------------------------------------------------------------------------

void check_float(const char* op, const Tensor& A, const char* name) {
  FX_CHECK(A.defined(), op, ": ", name, " is an undefined tensor");
  FX_CHECK(A.dtype() == kFloat32 || A.dtype() == kFloat64, op, ": expected ", name,
           " to be a float32 or float64 tensor, but got ", dtype_name(A.dtype()), " (sizes ", A.sizes(), ")");
}

void check_matrix(const char* op, const Tensor& A, const char* name) {
  check_float(op, A, name);
  FX_CHECK(A.dim() >= 2, op, ": ", name, " must have at least 2 dimensions (a matrix or a batch of matrices), but got ",
           A.dim(), "-D with sizes ", A.sizes());
}

void check_square(const char* op, const Tensor& A, const char* name) {
  check_matrix(op, A, name);
  FX_CHECK(A.size(-1) == A.size(-2), op, ": ", name, " must be batches of square matrices, but they are ", A.size(-2),
           " by ", A.size(-1), " matrices (sizes ", A.sizes(), ")");
}

void check_same(const char* op, const Tensor& A, const Tensor& B) {
  FX_CHECK(B.defined(), op, ": B is an undefined tensor");
  FX_CHECK(A.dtype() == B.dtype(), op, ": expected A and B to have the same dtype, but got ", dtype_name(A.dtype()),
           " and ", dtype_name(B.dtype()));
  FX_CHECK(A.device() == B.device(), op, ": expected A and B on the same device, but got ", A.device().str(), " and ",
           B.device().str());
}

// ---- helpers -----------------------------------------------------------------------------------

Tensor eye_like(int64_t n, const Tensor& like) { return eye(n, std::nullopt, like.options()); }

Tensor diag_embed(const Tensor& v) { return v.unsqueeze(-1) * eye_like(v.size(-1), v); }

Tensor diag(const Tensor& A) { return A.diagonal(0, -2, -1); }

Shape batch_of(const Tensor& A) {
  Shape s;
  for (int64_t d = 0; d + 2 < A.dim(); ++d) s.push_back(A.size(d));
  return s;
}

Shape with_matrix(const Shape& batch, int64_t r, int64_t c) {
  Shape s = batch;
  s.push_back(r);
  s.push_back(c);
  return s;
}

bool all_zero(const Tensor& t) {
  NoGradGuard g;
  return t.numel() == 0 || !any(ne(t.detach(), 0)).item<bool>();
}

namespace {

// A [..., m, n] (any layout/device) -> fresh contiguous CPU tensor [..., n, m] = A column-major.
Tensor colmajor_copy(const Tensor& A) {
  NoGradGuard g;
  Tensor a = A.detach();
  if (!a.is_cpu()) a = a.to(kCPU);
  Tensor out = empty(with_matrix(batch_of(a), a.size(-1), a.size(-2)), a.options());
  out.copy_(a.mT());
  return out;
}

// Column-major buffer [..., c, r] (an r x c matrix each) -> contiguous [..., r, c] on `dev`.
Tensor from_colmajor(const Tensor& buf, Device dev) {
  NoGradGuard g;
  Tensor t = buf.mT().contiguous();
  return dev.is_cpu() ? t : t.to(dev);
}

Tensor to_dev(const Tensor& t, Device dev) {
  NoGradGuard g;
  return dev.is_cpu() ? t : t.to(dev);
}

int64_t num_matrices(const Tensor& A) {
  int64_t b = 1;
  for (int64_t d = 0; d + 2 < A.dim(); ++d) b *= A.size(d);
  return b;
}

int lapack_int(const char* op, int64_t v) {
  FX_CHECK(v <= std::numeric_limits<int>::max(), op, ": matrix dimension ", v, " is too large for LAPACK");
  return static_cast<int>(v);
}

template <class F>
void dispatch_float(DType dt, F&& f) {
  if (dt == kFloat64)
    f(double{});
  else
    f(float{});
}

void check_finite(const char* op, const Tensor& A) {
  NoGradGuard g;
  FX_CHECK(A.numel() == 0 || all(isfinite(A.detach())).item<bool>(), op,
           ": the input contains non-finite values (NaN or inf); the decomposition is not defined");
}

// Index of batch element b as a readable string ("" for an unbatched input).
std::string batch_note(const Tensor& A, int64_t b) {
  if (A.dim() <= 2) return "";
  return ::fluxion::detail::str_cat(" (batch element ", b, ")");
}

}  // namespace

SvdOut svd_raw(const char* op, const Tensor& A, bool full_matrices, bool compute_uv) {
  check_finite(op, A);
  const int64_t m = A.size(-2), n = A.size(-1), k = std::min(m, n);
  const Shape batch = batch_of(A);
  const int64_t nb = num_matrices(A);
  const int64_t ucols = full_matrices ? m : k, vrows = full_matrices ? n : k;
  const TensorOptions opts = TensorOptions(A.dtype());
  Tensor a = colmajor_copy(A);
  Shape s_sizes = batch;
  s_sizes.push_back(k);
  Tensor S = empty(s_sizes, opts);
  Tensor Ub = compute_uv ? empty(with_matrix(batch, ucols, m), opts) : Tensor();  // U column-major
  Tensor Vb = compute_uv ? empty(with_matrix(batch, n, vrows), opts) : Tensor();  // Vh column-major
  if (k == 0) {
    // No singular values: the "full" factors are identities, the thin ones empty.
    NoGradGuard g;
    if (compute_uv) {
      if (full_matrices) {
        Ub.copy_(eye(m, std::nullopt, opts).expand(Ub.sizes()));
        Vb.copy_(eye(n, std::nullopt, opts).expand(Vb.sizes()));
      }
    }
  } else {
    const char jobz = !compute_uv ? 'N' : (full_matrices ? 'A' : 'S');
    const int M = lapack_int(op, m), N = lapack_int(op, n);
    dispatch_float(A.dtype(), [&](auto tag) {
      using T = decltype(tag);
      T dummy[1] = {0};
      for (int64_t b = 0; b < nb; ++b) {
        T* u = compute_uv ? Ub.data_ptr<T>() + b * ucols * m : dummy;
        T* vt = compute_uv ? Vb.data_ptr<T>() + b * n * vrows : dummy;
        int info = lp::gesdd<T>(jobz, M, N, a.data_ptr<T>() + b * m * n, std::max(1, M), S.data_ptr<T>() + b * k, u,
                                compute_uv ? std::max(1, M) : 1, vt,
                                compute_uv ? std::max<int>(1, static_cast<int>(vrows)) : 1);
        FX_CHECK(info == 0, op, ": the SVD algorithm failed to converge", batch_note(A, b),
                 "; the input may be badly conditioned");
      }
    });
  }
  SvdOut out;
  out.S = to_dev(S, A.device());
  if (compute_uv) {
    out.U = from_colmajor(Ub, A.device());
    out.Vh = from_colmajor(Vb, A.device());
  }
  return out;
}

std::pair<Tensor, Tensor> eigh_raw(const char* op, const Tensor& A, bool upper, bool compute_v) {
  check_finite(op, A);
  const int64_t n = A.size(-1);
  const Shape batch = batch_of(A);
  const int64_t nb = num_matrices(A);
  Tensor a = colmajor_copy(A);
  Shape w_sizes = batch;
  w_sizes.push_back(n);
  Tensor w = empty(w_sizes, TensorOptions(A.dtype()));
  if (n > 0) {
    const int N = lapack_int(op, n);
    dispatch_float(A.dtype(), [&](auto tag) {
      using T = decltype(tag);
      for (int64_t b = 0; b < nb; ++b) {
        int info = lp::syevd<T>(compute_v ? 'V' : 'N', upper ? 'U' : 'L', N, a.data_ptr<T>() + b * n * n,
                                std::max(1, N), w.data_ptr<T>() + b * n);
        FX_CHECK(info == 0, op, ": the eigenvalue algorithm failed to converge", batch_note(A, b),
                 "; the input may be badly conditioned");
      }
    });
  }
  return {to_dev(w, A.device()), compute_v ? from_colmajor(a, A.device()) : Tensor()};
}

std::pair<Tensor, Tensor> qr_raw(const Tensor& A, bool complete, bool compute_q) {
  const char* op = "linalg.qr";
  const int64_t m = A.size(-2), n = A.size(-1), k = std::min(m, n);
  const Shape batch = batch_of(A);
  const int64_t nb = num_matrices(A);
  const int64_t qcols = complete ? m : k;  // columns of Q
  const int64_t rrows = qcols;             // rows of R
  const TensorOptions opts = TensorOptions(A.dtype());
  Tensor a = colmajor_copy(A);  // [..., n, m]
  Shape t_sizes = batch;
  t_sizes.push_back(std::max<int64_t>(k, 1));
  Tensor tau = empty(t_sizes, opts);
  // Q is formed in its own column-major buffer [..., qcols, m] (m x qcols; needs m >= qcols).
  Tensor q = compute_q ? zeros(with_matrix(batch, qcols, m), opts) : Tensor();
  if (k > 0) {
    const int M = lapack_int(op, m), N = lapack_int(op, n);
    dispatch_float(A.dtype(), [&](auto tag) {
      using T = decltype(tag);
      for (int64_t b = 0; b < nb; ++b) {
        T* ab = a.data_ptr<T>() + b * m * n;
        T* tb = tau.data_ptr<T>() + b * std::max<int64_t>(k, 1);
        lp::geqrf<T>(M, N, ab, std::max(1, M), tb);
        if (compute_q) {
          T* qb = q.data_ptr<T>() + b * qcols * m;
          // The reflectors are the first k columns of a (below the diagonal).
          std::copy(ab, ab + k * m, qb);
          lp::orgqr<T>(M, static_cast<int>(qcols), static_cast<int>(k), qb, std::max(1, M), tb);
        }
      }
    });
  } else if (compute_q && complete) {
    NoGradGuard g;
    q.copy_(eye(m, std::nullopt, opts).expand(q.sizes()));
  }
  Tensor Q = compute_q ? from_colmajor(q, A.device()) : to_dev(empty({0}, opts), A.device());
  // R: upper triangle of the first rrows rows of the factored matrix (zero rows below k when complete).
  Tensor R;
  {
    NoGradGuard g;
    Tensor full = from_colmajor(a, A.device());  // [..., m, n]
    R = triu(full.narrow(-2, 0, rrows)).contiguous();
  }
  return {Q, R};
}

Tensor cholesky_raw(const char* op, const Tensor& A, bool upper) {
  const int64_t n = A.size(-1);
  const int64_t nb = num_matrices(A);
  Tensor a = colmajor_copy(A);
  if (n > 0) {
    const int N = lapack_int(op, n);
    dispatch_float(A.dtype(), [&](auto tag) {
      using T = decltype(tag);
      for (int64_t b = 0; b < nb; ++b) {
        int info = lp::potrf<T>(upper ? 'U' : 'L', N, a.data_ptr<T>() + b * n * n, std::max(1, N));
        FX_CHECK(info == 0, op, ": the input is not positive-definite (the leading minor of order ", info,
                 " is not positive-definite)", batch_note(A, b));
      }
    });
  }
  NoGradGuard g;
  Tensor L = from_colmajor(a, A.device());
  return upper ? triu(L) : tril(L);
}

Tensor solve_raw(const char* op, const Tensor& A, const Tensor& B) {
  const int64_t n = A.size(-1), k = B.size(-1);
  const int64_t nb = num_matrices(A);
  Tensor a = colmajor_copy(A);
  Tensor x = colmajor_copy(B);  // [..., k, n]
  if (n > 0 && k > 0) {
    const int N = lapack_int(op, n), K = lapack_int(op, k);
    std::vector<int> ipiv(static_cast<size_t>(n));
    dispatch_float(A.dtype(), [&](auto tag) {
      using T = decltype(tag);
      for (int64_t b = 0; b < nb; ++b) {
        T* ab = a.data_ptr<T>() + b * n * n;
        int info = lp::getrf<T>(N, N, ab, std::max(1, N), ipiv.data());
        FX_CHECK(info == 0, op, ": singular matrix: the solver failed because the input matrix is singular (U[",
                 info - 1, ", ", info - 1, "] of its LU factorisation is exactly zero)", batch_note(A, b));
        lp::getrs<T>('N', N, K, ab, std::max(1, N), ipiv.data(), x.data_ptr<T>() + b * n * k, std::max(1, N));
      }
    });
  }
  return from_colmajor(x, A.device());
}

Tensor solve_triangular_raw(const char* op, const Tensor& A, const Tensor& B, bool upper, bool unitriangular) {
  const int64_t n = A.size(-1), k = B.size(-1);
  const int64_t nb = num_matrices(A);
  Tensor a = colmajor_copy(A);
  Tensor x = colmajor_copy(B);
  if (n > 0 && k > 0) {
    const int N = lapack_int(op, n), K = lapack_int(op, k);
    dispatch_float(A.dtype(), [&](auto tag) {
      using T = decltype(tag);
      for (int64_t b = 0; b < nb; ++b) {
        int info = lp::trtrs<T>(upper ? 'U' : 'L', 'N', unitriangular ? 'U' : 'N', N, K, a.data_ptr<T>() + b * n * n,
                                std::max(1, N), x.data_ptr<T>() + b * n * k, std::max(1, N));
        FX_CHECK(info == 0, op, ": singular matrix: the triangular matrix has a zero on its diagonal (at ", info - 1,
                 ")", batch_note(A, b));
      }
    });
  }
  return from_colmajor(x, A.device());
}

DetOut det_raw(const Tensor& A) {
  const int64_t n = A.size(-1);
  const int64_t nb = num_matrices(A);
  const Shape batch = batch_of(A);
  const TensorOptions opts = TensorOptions(A.dtype());
  Tensor a = colmajor_copy(A);
  Tensor det = empty(batch, opts), sign = empty(batch, opts), logabs = empty(batch, opts);
  std::vector<int> ipiv(static_cast<size_t>(std::max<int64_t>(n, 1)));
  const int N = lapack_int("linalg.det", n);
  dispatch_float(A.dtype(), [&](auto tag) {
    using T = decltype(tag);
    for (int64_t b = 0; b < nb; ++b) {
      T* ab = a.data_ptr<T>() + b * n * n;
      if (n > 0) lp::getrf<T>(N, N, ab, std::max(1, N), ipiv.data());  // info > 0 (singular) is fine here
      // det = prod(diag U) * (-1)^(number of row swaps); accumulated in double.
      double d = 1.0, s = 1.0, la = 0.0;
      for (int64_t i = 0; i < n; ++i) {
        const double u = static_cast<double>(ab[i * n + i]);
        d *= u;
        if (ipiv[static_cast<size_t>(i)] != i + 1) s = -s;
        if (u < 0) s = -s;
        la += std::log(std::fabs(u));
      }
      for (int64_t i = 0; i < n; ++i)
        if (ipiv[static_cast<size_t>(i)] != i + 1) d = -d;
      det.data_ptr<T>()[b] = static_cast<T>(d);
      const bool singular = std::isinf(la) && la < 0;
      sign.data_ptr<T>()[b] = static_cast<T>(singular ? 0.0 : s);
      logabs.data_ptr<T>()[b] = static_cast<T>(la);
    }
  });
  return {to_dev(det, A.device()), to_dev(sign, A.device()), to_dev(logabs, A.device())};
}

}  // namespace fluxion::linalg::detail
