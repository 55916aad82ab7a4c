// Shared pieces of the fx::linalg implementation (src/ops/linalg_decomp*.cpp): argument checks,
// small differentiable helpers, and the raw LAPACK-backed forwards (no autograd) that the
// differentiable ops wrap.
//
// Note [Row-major to LAPACK]
// A row-major m x n matrix read as column-major is its transpose. The raw forwards copy each
// input into a fresh contiguous buffer of sizes [..., n, m] holding A.mT() row-major, which is A
// column-major with leading dimension m (colmajor_copy), let LAPACK overwrite it, and read
// results back the same way (from_colmajor). The copy is always fresh, so the user's tensor is
// never written, and non-contiguous or non-CPU inputs cost only that one copy.
#pragma once

#include <string>
#include <tuple>
#include <utility>

#include "fluxion/autograd.h"
#include "fluxion/linalg.h"
#include "fluxion/tensor.h"

namespace fluxion::linalg::detail {

// ---- checks ------------------------------------------------------------------------------------

/// Defined, float32 or float64.
void check_float(const char* op, const Tensor& A, const char* name = "A");
/// check_float and at least 2 dims.
void check_matrix(const char* op, const Tensor& A, const char* name = "A");
/// check_matrix and square in the last two dims.
void check_square(const char* op, const Tensor& A, const char* name = "A");
/// Same dtype and device as A.
void check_same(const char* op, const Tensor& A, const Tensor& B);

// ---- differentiable helpers --------------------------------------------------------------------

/// Identity [n, n] with the options of `like`.
Tensor eye_like(int64_t n, const Tensor& like);
/// [..., n] -> [..., n, n] with v on the diagonal (differentiable).
Tensor diag_embed(const Tensor& v);
/// Diagonal of the last two dims: [..., n, n] -> [..., n].
Tensor diag(const Tensor& A);
/// Leading (batch) sizes of a [..., r, c] tensor.
Shape batch_of(const Tensor& A);
/// `batch` followed by r, c.
Shape with_matrix(const Shape& batch, int64_t r, int64_t c);
/// True if every element of t (no grad) is zero: lets a VJP skip an unused output's terms.
bool all_zero(const Tensor& t);

// ---- raw forwards: no autograd, any batch shape, float32/float64, results on A's device ---------

struct SvdOut {
  Tensor U, S, Vh;  // U/Vh undefined when !compute_uv
};
SvdOut svd_raw(const char* op, const Tensor& A, bool full_matrices, bool compute_uv);
/// Eigenvalues ascending and (if compute_v) eigenvectors as columns; reads the `upper` or lower triangle.
std::pair<Tensor, Tensor> eigh_raw(const char* op, const Tensor& A, bool upper, bool compute_v);
/// Q ([..., m, k] reduced or [..., m, m] complete; undefined if !compute_q) and R.
std::pair<Tensor, Tensor> qr_raw(const Tensor& A, bool complete, bool compute_q);
/// Cholesky factor (lower, or upper if `upper`); throws if not positive-definite.
Tensor cholesky_raw(const char* op, const Tensor& A, bool upper);
/// X with A X = B for A [..., n, n], B [..., n, k] (same batch); throws "singular matrix".
Tensor solve_raw(const char* op, const Tensor& A, const Tensor& B);
/// X with A X = B, A triangular (only its `upper`/lower triangle is read); throws if singular.
Tensor solve_triangular_raw(const char* op, const Tensor& A, const Tensor& B, bool upper, bool unitriangular);
/// det, sign(det) and log|det| from an LU factorisation.
struct DetOut {
  Tensor det, sign, logabsdet;
};
DetOut det_raw(const Tensor& A);

// ---- differentiable building blocks shared between files ---------------------------------------

/// solve with equal batch dims and a matrix right-hand side (the differentiable primitive).
Tensor solve_prim(const Tensor& A, const Tensor& B);
/// Left triangular solve with equal batch dims (the differentiable primitive).
Tensor solve_triangular_prim(const Tensor& A, const Tensor& B, bool upper, bool unitriangular);

}  // namespace fluxion::linalg::detail
