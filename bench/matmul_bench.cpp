// matmul f32 benchmark: fx::matmul against raw cblas_sgemm on the same buffers, square
// n = 256, 512, 1024, 2048 at 1 and 2 threads, with achieved GFLOP/s and the fraction of the
// machine's FP32 peak measured by an FMA loop in this program (AVX-512 when the CPU has it,
// else AVX2+FMA, checked at run time).
//
// Runs of ours and raw alternate so both see the same machine load; medians and bests of the
// per-run times are reported (on a shared machine the best is the cleaner capability number).
// Output: a table, then one machine-readable line per row:
//   RESULT matmul_f32 n=512 threads=1 ours_gflops=... cblas_gflops=... ratio=... peak_gflops=...
// Usage: matmul_bench [--sizes 256,512,...] [--threads 1,2] [--min-time 0.5]
#include <cblas.h>
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "fluxion/fluxion.h"

namespace fx = fluxion;
using clk = std::chrono::steady_clock;

namespace {

double seconds_since(clk::time_point t0) { return std::chrono::duration<double>(clk::now() - t0).count(); }

std::vector<int> parse_list(const char* s) {
  std::vector<int> v;
  for (const char* p = s; *p;) {
    v.push_back(std::atoi(p));
    while (*p && *p != ',') ++p;
    if (*p == ',') ++p;
  }
  return v;
}

// ---- FP32 peak: independent FMA chains, enough to cover latency x throughput ----------------

constexpr int kChains = 16;       // latency 4 x 2 pipes = 8 needed; 16 leaves margin
constexpr long kIters = 400'000;  // ~2 ms per run: short runs dodge time slices on a shared machine

__attribute__((target("avx512f"))) double fma_loop_avx512(long iters) {
  __m512 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm512_set1_ps(1.0f + i * 1e-3f);
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (long it = 0; it < iters; ++it)
    for (int i = 0; i < kChains; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  float sink = 0;
  for (int i = 0; i < kChains; ++i) {
    alignas(64) float lanes[16];
    _mm512_store_ps(lanes, acc[i]);  // (GCC 12 warns falsely inside _mm512_reduce_add_ps)
    for (float v : lanes) sink += v;
  }
  if (sink == 12345.0f) std::printf(" ");  // keep the loop alive
  return 2.0 * 16 * kChains * static_cast<double>(iters);
}

__attribute__((target("avx2,fma"))) double fma_loop_avx2(long iters) {
  __m256 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm256_set1_ps(1.0f + i * 1e-3f);
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (long it = 0; it < iters; ++it)
    for (int i = 0; i < kChains; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  alignas(32) float out[8];
  float sink = 0;
  for (int i = 0; i < kChains; ++i) {
    _mm256_store_ps(out, acc[i]);
    for (float v : out) sink += v;
  }
  if (sink == 12345.0f) std::printf(" ");
  return 2.0 * 8 * kChains * static_cast<double>(iters);
}

// Peak GFLOP/s with `threads` threads: the sum over threads of each thread's best rate over many
// short runs of the widest supported FMA loop. Cores do not share FMA units, so on an idle
// machine this equals the aggregate rate, and on a shared one it does not depend on both
// threads getting a core at the same moment.
double measure_peak(int threads, const char** isa) {
  __builtin_cpu_init();
  const bool avx512 = __builtin_cpu_supports("avx512f");
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  *isa = avx512 ? "avx512" : avx2 ? "avx2+fma" : "none";
  if (!avx512 && !avx2) return 0;
  std::vector<double> best(static_cast<size_t>(threads), 0.0);
  for (int rep = 0; rep < 100; ++rep) {
#pragma omp parallel num_threads(threads)
    {
      auto t0 = clk::now();
      double flops = avx512 ? fma_loop_avx512(kIters) : fma_loop_avx2(kIters);
      double rate = flops / seconds_since(t0) * 1e-9;
      double& b = best[static_cast<size_t>(omp_get_thread_num())];
      b = std::max(b, rate);
    }
  }
  double sum = 0;
  for (double b : best) sum += b;
  return sum;
}

struct Timing {
  double median = 0, best = 0;
};

Timing summarize(std::vector<double> t) {
  std::sort(t.begin(), t.end());
  return {t[t.size() / 2], t.front()};
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes = {256, 512, 1024, 2048}, threads = {1, 2};
  double min_time = 0.5;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--sizes") && i + 1 < argc)
      sizes = parse_list(argv[++i]);
    else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc)
      threads = parse_list(argv[++i]);
    else if (!std::strcmp(argv[i], "--min-time") && i + 1 < argc)
      min_time = std::atof(argv[++i]);
    else {
      std::fprintf(stderr, "usage: %s [--sizes 256,512] [--threads 1,2] [--min-time SECONDS]\n", argv[0]);
      return 2;
    }
  }
  const fx::BuildInfo info = fx::build_info();
  std::printf("Fluxion %s (%s), BLAS: %s, BLAS threads follow set_num_threads\n", info.version.c_str(),
              info.build_type.c_str(), info.blas_vendor.c_str());
  std::printf("%7s %5s %12s %12s %12s %12s %9s %9s %8s\n", "threads", "n", "ours GF/s", "cblas GF/s", "ours best",
              "cblas best", "ours/raw", "peak GF/s", "%peak");
  for (int T : threads) {
    fx::set_num_threads(T);
    const char* isa = "";
    const double peak = measure_peak(T, &isa);
    for (int n : sizes) {
      fx::Generator g(n);
      fx::Tensor a = fx::randn({n, n}, {}, &g), b = fx::randn({n, n}, {}, &g);
      fx::Tensor c = fx::empty({n, n});
      const float* pa = a.data_ptr<float>();
      const float* pb = b.data_ptr<float>();
      float* pc = c.data_ptr<float>();
      auto ours = [&] { return fx::matmul(a, b); };
      auto raw = [&] {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, pa, n, pb, n, 0.0f, pc, n);
      };
      for (int w = 0; w < 2; ++w) {  // warm up caches, allocator and thread pool
        ours();
        raw();
      }
      std::vector<double> t_ours, t_raw;
      auto t_start = clk::now();
      while (t_ours.size() < 5 || (seconds_since(t_start) < 2 * min_time && t_ours.size() < 200)) {
        auto t0 = clk::now();
        fx::Tensor r = ours();
        t_ours.push_back(seconds_since(t0));
        t0 = clk::now();
        raw();
        t_raw.push_back(seconds_since(t0));
      }
      const double flop = 2.0 * n * static_cast<double>(n) * n * 1e-9;
      Timing o = summarize(t_ours), r = summarize(t_raw);
      const double go = flop / o.median, gr = flop / r.median, gob = flop / o.best, grb = flop / r.best;
      std::printf("%7d %5d %12.1f %12.1f %12.1f %12.1f %9.3f %9.1f %7.1f%%\n", T, n, go, gr, gob, grb, go / gr, peak,
                  peak > 0 ? 100.0 * gob / peak : 0.0);
      std::printf(
          "RESULT matmul_f32 n=%d threads=%d ours_gflops=%.2f cblas_gflops=%.2f ours_best_gflops=%.2f "
          "cblas_best_gflops=%.2f ratio=%.4f ratio_best=%.4f peak_gflops=%.2f isa=%s runs=%zu\n",
          n, T, go, gr, gob, grb, go / gr, gob / grb, peak, isa, t_ours.size());
      std::fflush(stdout);
    }
  }
  return 0;
}
