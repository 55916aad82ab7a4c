// fx::linalg: matrix decompositions, solvers and norms with torch.linalg's semantics, backed by
// LAPACK (OpenBLAS). Every function takes float32 or float64 tensors, batches over leading dims,
// throws fluxion::Error with the op's name on bad input, and is differentiable in reverse mode
// (to any order: the VJPs are written with differentiable ops) and in forward mode.
// See docs/linalg.md.
#pragma once

#include <optional>
#include <string>
#include <tuple>

#include "fluxion/tensor.h"

namespace fluxion::linalg {

// ---- decompositions ----------------------------------------------------------------------------

/// A = U diag(S) Vh for A [..., m, n]; S descending. full_matrices: U [..., m, m] and Vh [..., n, n],
/// else U [..., m, k], Vh [..., k, n] with k = min(m, n). Gradients assume distinct singular values
/// (and full rank for non-square A) and, with full_matrices, use only the first k columns/rows.
std::tuple<Tensor, Tensor, Tensor> svd(const Tensor& A, bool full_matrices = true);
/// Singular values of A [..., m, n], descending: [..., min(m, n)].
Tensor svdvals(const Tensor& A);
/// Eigenvalues (ascending) and orthonormal eigenvectors (columns) of symmetric A [..., n, n]; only the
/// lower (UPLO "L") or upper ("U") triangle is read. Gradients assume distinct eigenvalues.
std::tuple<Tensor, Tensor> eigh(const Tensor& A, const std::string& UPLO = "L");
/// Eigenvalues of symmetric A, ascending.
Tensor eigvalsh(const Tensor& A, const std::string& UPLO = "L");
/// A = Q R. mode "reduced": Q [..., m, k], R [..., k, n]; "complete": Q [..., m, m], R [..., m, n];
/// "r": R only (Q is an empty tensor; not differentiable).
std::tuple<Tensor, Tensor> qr(const Tensor& A, const std::string& mode = "reduced");
/// Cholesky factor L (A = L L^T) of symmetric positive-definite A, or U (A = U^T U) if upper.
/// Throws "not positive-definite" naming the leading minor that failed.
Tensor cholesky(const Tensor& A, bool upper = false);

// ---- inverses and solvers ----------------------------------------------------------------------

/// Inverse of square A; throws "singular matrix" when the LU factorisation finds an exact zero pivot.
Tensor inv(const Tensor& A);
/// Determinant of square A.
Tensor det(const Tensor& A);
/// (sign, log|det|) of square A; log|det| is -inf for a singular matrix.
std::tuple<Tensor, Tensor> slogdet(const Tensor& A);
/// Solves A X = B (left) or X A = B (!left). B is [..., n, k], or a vector [n] / [..., n] (batch of
/// vectors, when B.sizes() == A.sizes()[:-1]). Batch dims broadcast. Throws "singular matrix".
Tensor solve(const Tensor& A, const Tensor& B, bool left = true);
/// Solves A X = B (left) or X A = B with A triangular (only the `upper` or lower triangle is read;
/// unitriangular: its diagonal is taken as ones). Batch dims broadcast. Throws "singular matrix"
/// for an exact zero on the diagonal (PyTorch returns inf/nan there).
Tensor solve_triangular(const Tensor& A, const Tensor& B, bool upper, bool left = true, bool unitriangular = false);
/// Moore-Penrose pseudo-inverse [..., n, m] through the SVD (or eigh if hermitian). Singular values
/// at or below max(atol, rtol * largest) are treated as zero; with neither given rtol = eps * max(m, n).
Tensor pinv(const Tensor& A, std::optional<double> atol = std::nullopt, std::optional<double> rtol = std::nullopt,
            bool hermitian = false);
/// Least squares min ||A X - B||_F for A [..., m, n], B [..., m, k] (or [..., m]). Returns (solution,
/// residuals, rank, singular_values) like torch.linalg.lstsq: residuals ||A X - B||^2 per column when
/// m > n and every matrix has full rank (else empty); rank (int64) unless driver "gels"; singular
/// values only for drivers "gelsd"/"gelss". rcond defaults to eps * max(m, n). The solution is
/// computed through the pseudo-inverse (SVD) for every driver, and is differentiable in A and B.
std::tuple<Tensor, Tensor, Tensor, Tensor> lstsq(const Tensor& A, const Tensor& B,
                                                 std::optional<double> rcond = std::nullopt,
                                                 const std::string& driver = "gelsy");
/// Number of singular values above max(atol, rtol * largest) (rtol default eps * max(m, n)); int64.
Tensor matrix_rank(const Tensor& A, std::optional<double> atol = std::nullopt,
                   std::optional<double> rtol = std::nullopt);

/// Condition number in the p-norm: p 2 (default) is largest / smallest singular value, -2 the
/// inverse ratio (any shape); p 1, -1, inf, -inf use ||A||_p ||A^{-1}||_p (square, invertible A).
Tensor cond(const Tensor& A, std::optional<double> p = std::nullopt);
/// Condition number in the "fro" or "nuc" norm: ||A|| ||A^{-1}|| (square, invertible A).
Tensor cond(const Tensor& A, const std::string& p);

// ---- norms -------------------------------------------------------------------------------------

/// sum(|x|^ord)^(1/ord) over `dim` (all elements if absent); ord inf/-inf: max/min |x|; 0: count of non-zeros.
Tensor vector_norm(const Tensor& x, double ord = 2, std::optional<DimList> dim = std::nullopt, bool keepdim = false);
/// Matrix norm over the two dims `dim`: ord 2/-2 (largest/smallest singular value), 1/-1 (max/min column
/// abs sum), inf/-inf (max/min row abs sum).
Tensor matrix_norm(const Tensor& A, double ord, const DimList& dim = {-2, -1}, bool keepdim = false);
/// Matrix norm "fro" (Frobenius) or "nuc" (nuclear: sum of singular values).
Tensor matrix_norm(const Tensor& A, const std::string& ord = "fro", const DimList& dim = {-2, -1},
                   bool keepdim = false);
/// torch.linalg.norm: with `dim` of one dim a vector norm, of two dims a matrix norm; without `dim`, ord
/// needs a 1-d (vector norm) or 2-d (matrix norm) input, and no ord is the 2-norm of the flattened input.
Tensor norm(const Tensor& x, std::optional<double> ord = std::nullopt, std::optional<DimList> dim = std::nullopt,
            bool keepdim = false);
/// torch.linalg.norm with ord "fro" or "nuc" (a matrix norm over `dim`, default the last two dims).
Tensor norm(const Tensor& x, const std::string& ord, std::optional<DimList> dim = std::nullopt, bool keepdim = false);

}  // namespace fluxion::linalg
