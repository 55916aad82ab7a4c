// Typed wrappers over OpenBLAS's Fortran LAPACK symbols (see lapack.h). The prototypes are
// declared here (no lapacke dependency): Fortran convention, every argument by pointer, and the
// hidden length of each CHARACTER argument passed at the end (1 for our single characters).
#include "kernels/cpu/lapack.h"

#include <algorithm>
#include <cstddef>
#include <vector>

#include "fluxion/error.h"

extern "C" {
using fint = int;
using flen = std::size_t;  // gfortran's hidden CHARACTER length
void dgesdd_(const char*, const fint*, const fint*, double*, const fint*, double*, double*, const fint*, double*,
             const fint*, double*, const fint*, fint*, fint*, flen);
void sgesdd_(const char*, const fint*, const fint*, float*, const fint*, float*, float*, const fint*, float*,
             const fint*, float*, const fint*, fint*, fint*, flen);
void dsyevd_(const char*, const char*, const fint*, double*, const fint*, double*, double*, const fint*, fint*,
             const fint*, fint*, flen, flen);
void ssyevd_(const char*, const char*, const fint*, float*, const fint*, float*, float*, const fint*, fint*,
             const fint*, fint*, flen, flen);
void dgetrf_(const fint*, const fint*, double*, const fint*, fint*, fint*);
void sgetrf_(const fint*, const fint*, float*, const fint*, fint*, fint*);
void dgetrs_(const char*, const fint*, const fint*, const double*, const fint*, const fint*, double*, const fint*,
             fint*, flen);
void sgetrs_(const char*, const fint*, const fint*, const float*, const fint*, const fint*, float*, const fint*, fint*,
             flen);
void dgeqrf_(const fint*, const fint*, double*, const fint*, double*, double*, const fint*, fint*);
void sgeqrf_(const fint*, const fint*, float*, const fint*, float*, float*, const fint*, fint*);
void dorgqr_(const fint*, const fint*, const fint*, double*, const fint*, const double*, double*, const fint*, fint*);
void sorgqr_(const fint*, const fint*, const fint*, float*, const fint*, const float*, float*, const fint*, fint*);
void dpotrf_(const char*, const fint*, double*, const fint*, fint*, flen);
void spotrf_(const char*, const fint*, float*, const fint*, fint*, flen);
void dtrtrs_(const char*, const char*, const char*, const fint*, const fint*, const double*, const fint*, double*,
             const fint*, fint*, flen, flen, flen);
void strtrs_(const char*, const char*, const char*, const fint*, const fint*, const float*, const fint*, float*,
             const fint*, fint*, flen, flen, flen);
}

namespace fluxion::kernels::lapack {

namespace {
// A negative info means an argument was invalid: a bug in the caller, not a user error.
int checked(int info, const char* routine) {
  FX_ASSERT(info >= 0, routine, ": argument ", -info, " had an illegal value");
  return info;
}
// Optimal workspace size reported by a query (stored as a floating value).
template <class T>
int work_size(T w) {
  return std::max(1, static_cast<int>(w));
}
}  // namespace

template <>
int gesdd<double>(char jobz, int m, int n, double* a, int lda, double* s, double* u, int ldu, double* vt, int ldvt) {
  int info = 0, lwork = -1;
  double wq = 0;
  std::vector<int> iwork(static_cast<size_t>(8 * std::max(1, std::min(m, n))));
  dgesdd_(&jobz, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, &wq, &lwork, iwork.data(), &info, 1);
  checked(info, "dgesdd");
  lwork = work_size(wq);
  std::vector<double> work(static_cast<size_t>(lwork));
  dgesdd_(&jobz, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, work.data(), &lwork, iwork.data(), &info, 1);
  return checked(info, "dgesdd");
}
template <>
int gesdd<float>(char jobz, int m, int n, float* a, int lda, float* s, float* u, int ldu, float* vt, int ldvt) {
  int info = 0, lwork = -1;
  float wq = 0;
  std::vector<int> iwork(static_cast<size_t>(8 * std::max(1, std::min(m, n))));
  sgesdd_(&jobz, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, &wq, &lwork, iwork.data(), &info, 1);
  checked(info, "sgesdd");
  lwork = work_size(wq);
  std::vector<float> work(static_cast<size_t>(lwork));
  sgesdd_(&jobz, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, work.data(), &lwork, iwork.data(), &info, 1);
  return checked(info, "sgesdd");
}

template <>
int syevd<double>(char jobz, char uplo, int n, double* a, int lda, double* w) {
  int info = 0, lwork = -1, liwork = -1, iq = 0;
  double wq = 0;
  dsyevd_(&jobz, &uplo, &n, a, &lda, w, &wq, &lwork, &iq, &liwork, &info, 1, 1);
  checked(info, "dsyevd");
  lwork = work_size(wq);
  liwork = std::max(1, iq);
  std::vector<double> work(static_cast<size_t>(lwork));
  std::vector<int> iwork(static_cast<size_t>(liwork));
  dsyevd_(&jobz, &uplo, &n, a, &lda, w, work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1);
  return checked(info, "dsyevd");
}
template <>
int syevd<float>(char jobz, char uplo, int n, float* a, int lda, float* w) {
  int info = 0, lwork = -1, liwork = -1, iq = 0;
  float wq = 0;
  ssyevd_(&jobz, &uplo, &n, a, &lda, w, &wq, &lwork, &iq, &liwork, &info, 1, 1);
  checked(info, "ssyevd");
  lwork = work_size(wq);
  liwork = std::max(1, iq);
  std::vector<float> work(static_cast<size_t>(lwork));
  std::vector<int> iwork(static_cast<size_t>(liwork));
  ssyevd_(&jobz, &uplo, &n, a, &lda, w, work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1);
  return checked(info, "ssyevd");
}

template <>
int getrf<double>(int m, int n, double* a, int lda, int* ipiv) {
  int info = 0;
  dgetrf_(&m, &n, a, &lda, ipiv, &info);
  return checked(info, "dgetrf");
}
template <>
int getrf<float>(int m, int n, float* a, int lda, int* ipiv) {
  int info = 0;
  sgetrf_(&m, &n, a, &lda, ipiv, &info);
  return checked(info, "sgetrf");
}

template <>
int getrs<double>(char trans, int n, int nrhs, const double* a, int lda, const int* ipiv, double* b, int ldb) {
  int info = 0;
  dgetrs_(&trans, &n, &nrhs, a, &lda, ipiv, b, &ldb, &info, 1);
  return checked(info, "dgetrs");
}
template <>
int getrs<float>(char trans, int n, int nrhs, const float* a, int lda, const int* ipiv, float* b, int ldb) {
  int info = 0;
  sgetrs_(&trans, &n, &nrhs, a, &lda, ipiv, b, &ldb, &info, 1);
  return checked(info, "sgetrs");
}

template <>
int geqrf<double>(int m, int n, double* a, int lda, double* tau) {
  int info = 0, lwork = -1;
  double wq = 0;
  dgeqrf_(&m, &n, a, &lda, tau, &wq, &lwork, &info);
  checked(info, "dgeqrf");
  lwork = work_size(wq);
  std::vector<double> work(static_cast<size_t>(lwork));
  dgeqrf_(&m, &n, a, &lda, tau, work.data(), &lwork, &info);
  return checked(info, "dgeqrf");
}
template <>
int geqrf<float>(int m, int n, float* a, int lda, float* tau) {
  int info = 0, lwork = -1;
  float wq = 0;
  sgeqrf_(&m, &n, a, &lda, tau, &wq, &lwork, &info);
  checked(info, "sgeqrf");
  lwork = work_size(wq);
  std::vector<float> work(static_cast<size_t>(lwork));
  sgeqrf_(&m, &n, a, &lda, tau, work.data(), &lwork, &info);
  return checked(info, "sgeqrf");
}

template <>
int orgqr<double>(int m, int n, int k, double* a, int lda, const double* tau) {
  int info = 0, lwork = -1;
  double wq = 0;
  dorgqr_(&m, &n, &k, a, &lda, tau, &wq, &lwork, &info);
  checked(info, "dorgqr");
  lwork = work_size(wq);
  std::vector<double> work(static_cast<size_t>(lwork));
  dorgqr_(&m, &n, &k, a, &lda, tau, work.data(), &lwork, &info);
  return checked(info, "dorgqr");
}
template <>
int orgqr<float>(int m, int n, int k, float* a, int lda, const float* tau) {
  int info = 0, lwork = -1;
  float wq = 0;
  sorgqr_(&m, &n, &k, a, &lda, tau, &wq, &lwork, &info);
  checked(info, "sorgqr");
  lwork = work_size(wq);
  std::vector<float> work(static_cast<size_t>(lwork));
  sorgqr_(&m, &n, &k, a, &lda, tau, work.data(), &lwork, &info);
  return checked(info, "sorgqr");
}

template <>
int potrf<double>(char uplo, int n, double* a, int lda) {
  int info = 0;
  dpotrf_(&uplo, &n, a, &lda, &info, 1);
  return checked(info, "dpotrf");
}
template <>
int potrf<float>(char uplo, int n, float* a, int lda) {
  int info = 0;
  spotrf_(&uplo, &n, a, &lda, &info, 1);
  return checked(info, "spotrf");
}

template <>
int trtrs<double>(char uplo, char trans, char diag, int n, int nrhs, const double* a, int lda, double* b, int ldb) {
  int info = 0;
  dtrtrs_(&uplo, &trans, &diag, &n, &nrhs, a, &lda, b, &ldb, &info, 1, 1, 1);
  return checked(info, "dtrtrs");
}
template <>
int trtrs<float>(char uplo, char trans, char diag, int n, int nrhs, const float* a, int lda, float* b, int ldb) {
  int info = 0;
  strtrs_(&uplo, &trans, &diag, &n, &nrhs, a, &lda, b, &ldb, &info, 1, 1, 1);
  return checked(info, "strtrs");
}

}  // namespace fluxion::kernels::lapack
