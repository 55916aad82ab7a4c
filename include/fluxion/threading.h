// Intra-op parallelism: one OpenMP pool, shared with OpenBLAS. Documented global state.
#pragma once

namespace fluxion {

/// Sets the number of threads used by Fluxion's kernels and by BLAS.
void set_num_threads(int n);
/// Threads Fluxion's kernels use.
int get_num_threads();
/// Threads the BLAS library reports.
int blas_num_threads();

}  // namespace fluxion
