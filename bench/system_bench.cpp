// What this machine can do, as the yardstick for every other benchmark:
//   BM_StreamCopy/T   c[i] = a[i]            (STREAM copy, 16 bytes moved per element), T threads
//   BM_StreamTriad/T  a[i] = b[i] + s * c[i] (STREAM triad, 24 bytes per element)
//   BM_FmaPeak/T      FP32 FMA throughput: 12 independent vector accumulators per thread,
//                     AVX-512 when the CPU has it (checked at run time), else AVX2+FMA
// Arrays are 2^24 doubles (128 MiB each), far larger than the last-level cache, first touched
// by the threads that later stream them. Counters: GB/s (STREAM's byte counting) and GFLOP/s.
#include <benchmark/benchmark.h>
#include <immintrin.h>
#include <omp.h>

#include <cstdint>
#include <memory>

namespace {

constexpr int64_t kN = int64_t{1} << 24;

struct Arrays {
  std::unique_ptr<double[]> a{new double[kN]}, b{new double[kN]}, c{new double[kN]};
  explicit Arrays(int threads) {
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t i = 0; i < kN; ++i) {
      a[i] = 1.0;
      b[i] = 2.0;
      c[i] = 0.5;
    }
  }
};

void BM_StreamCopy(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  Arrays arr(threads);
  double* a = arr.a.get();
  double* c = arr.c.get();
  for (auto _ : state) {
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t i = 0; i < kN; ++i) c[i] = a[i];
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * kN * 16);
}
BENCHMARK(BM_StreamCopy)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_StreamTriad(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  Arrays arr(threads);
  double* a = arr.a.get();
  double* b = arr.b.get();
  double* c = arr.c.get();
  const double s = 3.0;
  for (auto _ : state) {
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t i = 0; i < kN; ++i) a[i] = b[i] + s * c[i];
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * kN * 24);
}
BENCHMARK(BM_StreamTriad)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

// Each FMA loop runs `iters` rounds of 12 independent FMAs (enough to cover a 4-cycle latency
// on two FMA ports) and returns a value so the work cannot be dropped.
constexpr int64_t kFmaIters = 1 << 20;

__attribute__((target("avx512f"))) float fma_avx512(int64_t iters) {
  __m512 acc[12];
  for (int k = 0; k < 12; ++k) acc[k] = _mm512_set1_ps(static_cast<float>(k));
  const __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
  for (int64_t i = 0; i < iters; ++i)
    for (int k = 0; k < 12; ++k) acc[k] = _mm512_fmadd_ps(acc[k], x, y);
  __m512 s = acc[0];
  for (int k = 1; k < 12; ++k) s = _mm512_add_ps(s, acc[k]);
  // Stored and summed by hand: GCC 12's _mm512_reduce_add_ps trips -Wuninitialized in its own
  // header (_mm256_undefined_pd), which -Werror turns into a build failure.
  alignas(64) float out[16];
  _mm512_store_ps(out, s);
  float r = 0;
  for (float v : out) r += v;
  return r;
}

__attribute__((target("avx2,fma"))) float fma_avx2(int64_t iters) {
  __m256 acc[12];
  for (int k = 0; k < 12; ++k) acc[k] = _mm256_set1_ps(static_cast<float>(k));
  const __m256 x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-7f);
  for (int64_t i = 0; i < iters; ++i)
    for (int k = 0; k < 12; ++k) acc[k] = _mm256_fmadd_ps(acc[k], x, y);
  __m256 s = acc[0];
  for (int k = 1; k < 12; ++k) s = _mm256_add_ps(s, acc[k]);
  alignas(32) float out[8];
  _mm256_store_ps(out, s);
  return out[0] + out[1] + out[2] + out[3] + out[4] + out[5] + out[6] + out[7];
}

void BM_FmaPeak(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  __builtin_cpu_init();
  const bool avx512 = __builtin_cpu_supports("avx512f");
  if (!avx512 && !(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) {
    state.SkipWithError("this CPU has neither AVX-512 nor AVX2+FMA");
    return;
  }
  const int lanes = avx512 ? 16 : 8;
  float sink = 0;
  for (auto _ : state) {
#pragma omp parallel num_threads(threads) reduction(+ : sink)
    sink += avx512 ? fma_avx512(kFmaIters) : fma_avx2(kFmaIters);
  }
  benchmark::DoNotOptimize(sink);
  const double flops = 2.0 * 12 * lanes * static_cast<double>(kFmaIters) * threads;
  state.counters["GFLOPS"] =
      benchmark::Counter(flops * static_cast<double>(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
  state.SetLabel(avx512 ? "avx512" : "avx2");
}
BENCHMARK(BM_FmaPeak)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
