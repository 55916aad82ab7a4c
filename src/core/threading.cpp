#include "fluxion/threading.h"

#include <omp.h>

#include <atomic>

#include "fluxion/error.h"

extern "C" {
void openblas_set_num_threads(int);
int openblas_get_num_threads(void);
}

namespace fluxion {

void set_num_threads(int n) {
  FX_CHECK(n >= 1, "set_num_threads: expected a positive thread count, got ", n);
  omp_set_num_threads(n);
  openblas_set_num_threads(n);
}

int get_num_threads() { return omp_get_max_threads(); }

int blas_num_threads() { return openblas_get_num_threads(); }

}  // namespace fluxion
