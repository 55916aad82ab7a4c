// Internal threading helpers: one OpenMP pool shared with OpenBLAS (OpenMP build).
#pragma once

#include <cstdint>

#include <omp.h>

namespace fluxion {

/// Elements below which an elementwise loop stays on one thread (thread wake-up costs ~µs).
inline constexpr int64_t kGrainSize = 32768;

/// Runs f(begin, end) over [0, n) split into contiguous chunks, one per thread, when
/// n >= grain and more than one thread is configured and we are not already inside a
/// parallel region; otherwise runs f(0, n) inline.
template <class F>
void parallel_for(int64_t n, int64_t grain, const F& f) {
  if (n <= 0) return;
  int nthreads = omp_get_max_threads();
  if (n < grain || nthreads <= 1 || omp_in_parallel()) {
    f(int64_t{0}, n);
    return;
  }
  int64_t max_chunks = (n + grain - 1) / grain;
  int use = static_cast<int>(max_chunks < nthreads ? max_chunks : nthreads);
#pragma omp parallel num_threads(use)
  {
    int tid = omp_get_thread_num();
    int nt = omp_get_num_threads();
    int64_t chunk = (n + nt - 1) / nt;
    int64_t b = tid * chunk;
    int64_t e = b + chunk < n ? b + chunk : n;
    if (b < e) f(b, e);
  }
}

}  // namespace fluxion
