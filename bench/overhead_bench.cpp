// Per-op overhead: the fixed cost of one op call on a tiny tensor (8 floats), where the
// arithmetic is negligible and dispatch, allocation and autograd bookkeeping are all that
// remain. The Time column is ns per op. Twin: overhead_twin.py (the same calls from Python
// through PyTorch). 1 thread.
//   BM_Add8         c = a + b
//   BM_AddInplace8  a.add_(b)
//   BM_Add8Grad     c = a + b with `a` requiring grad (records a graph node)
//   BM_Empty8       empty({8}) (allocator round trip)
#include <benchmark/benchmark.h>

#include "fluxion/fluxion.h"

namespace fx = fluxion;

namespace {

void BM_Add8(benchmark::State& state) {
  fx::set_num_threads(1);
  fx::Tensor a = fx::rand({8}), b = fx::rand({8});
  for (auto _ : state) {
    fx::Tensor c = a + b;
    benchmark::DoNotOptimize(c.data_ptr());
  }
}
BENCHMARK(BM_Add8);

void BM_AddInplace8(benchmark::State& state) {
  fx::set_num_threads(1);
  fx::Tensor a = fx::zeros({8}), b = fx::full({8}, 1e-9f);
  for (auto _ : state) {
    a.add_(b);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_AddInplace8);

void BM_Add8Grad(benchmark::State& state) {
  fx::set_num_threads(1);
  fx::Tensor a = fx::rand({8}, fx::TensorOptions().requires_grad(true)), b = fx::rand({8});
  for (auto _ : state) {
    fx::Tensor c = a + b;
    benchmark::DoNotOptimize(c.data_ptr());
  }
}
BENCHMARK(BM_Add8Grad);

void BM_Empty8(benchmark::State& state) {
  for (auto _ : state) {
    fx::Tensor c = fx::empty({8});
    benchmark::DoNotOptimize(c.data_ptr());
  }
}
BENCHMARK(BM_Empty8);

}  // namespace

BENCHMARK_MAIN();
