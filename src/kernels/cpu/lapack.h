// Thin typed wrappers over the Fortran LAPACK routines that libopenblas exports (LP64: 32-bit
// integers). Every matrix is column-major with a leading dimension, exactly as LAPACK takes it;
// the row-major <-> column-major conversion is the caller's (src/ops/linalg_decomp_raw.cpp).
// Workspace queries are done here. Each function returns LAPACK's `info` (0 = success, > 0 a
// numerical failure the caller turns into a fluxion::Error; < 0 is a bug and aborts).
#pragma once

namespace fluxion::kernels::lapack {

/// SVD by divide and conquer: jobz 'N' (values only), 'S' (thin U, VT) or 'A' (full U, VT).
template <class T>
int gesdd(char jobz, int m, int n, T* a, int lda, T* s, T* u, int ldu, T* vt, int ldvt);
/// Symmetric eigendecomposition by divide and conquer: eigenvalues ascending in w; with
/// jobz 'V' the eigenvectors overwrite a (column j is the j-th eigenvector). uplo 'L' or 'U'.
template <class T>
int syevd(char jobz, char uplo, int n, T* a, int lda, T* w);
/// LU factorisation with partial pivoting (1-based ipiv). info > 0: U(info, info) is exactly 0.
template <class T>
int getrf(int m, int n, T* a, int lda, int* ipiv);
/// Solves op(A) X = B with the getrf factors; trans 'N' or 'T'.
template <class T>
int getrs(char trans, int n, int nrhs, const T* a, int lda, const int* ipiv, T* b, int ldb);
/// Householder QR: R in the upper triangle, reflectors below it and in tau (min(m, n)).
template <class T>
int geqrf(int m, int n, T* a, int lda, T* tau);
/// Forms the m x n matrix Q with orthonormal columns from k geqrf reflectors (m >= n >= k).
template <class T>
int orgqr(int m, int n, int k, T* a, int lda, const T* tau);
/// Cholesky factorisation; info > 0: the leading minor of order info is not positive-definite.
template <class T>
int potrf(char uplo, int n, T* a, int lda);
/// Triangular solve op(A) X = B; uplo 'U'/'L', trans 'N'/'T', diag 'N'/'U' (unit diagonal).
/// info > 0: A(info, info) is exactly 0.
template <class T>
int trtrs(char uplo, char trans, char diag, int n, int nrhs, const T* a, int lda, T* b, int ldb);

}  // namespace fluxion::kernels::lapack
