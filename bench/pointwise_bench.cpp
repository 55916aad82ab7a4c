// Micro-benchmark of the elementwise kernels: streaming bandwidth of contiguous f32 ops against a
// STREAM-like raw loop, transposed inputs, and the per-op overhead on tiny tensors.
//
// Built by bench/CMakeLists.txt (release preset); run:
//   build/release/bench/pointwise_bench [threads]
// Prints medians of several runs: GB/s (bytes read + written) and ns per op.
#include <fluxion/fluxion.h>
#include <omp.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

namespace fx = fluxion;

namespace {

double median_seconds(const std::function<void()>& f, int reps) {
  f();  // warm up (page faults, caching allocator)
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) {
    auto s = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - s).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

// Thread CPU time: per-op overheads stay measurable on a machine shared with other jobs.
double cpu_seconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

void report(const char* name, double seconds, double bytes) {
  std::printf("%-34s %9.3f ms  %7.2f GB/s\n", name, seconds * 1e3, bytes / seconds / 1e9);
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  fx::set_num_threads(threads);
  omp_set_num_threads(threads);
  const int64_t n = int64_t{1} << 24;  // 16M floats = 64 MiB per tensor
  const double mb = static_cast<double>(n) * 4;
  std::printf("threads %d, n = %lld floats\n", threads, static_cast<long long>(n));

  // STREAM-like references on raw arrays (same thread count, first-touched in parallel).
  std::vector<float> ra(n), rb(n), rc(n);
#pragma omp parallel for
  for (int64_t i = 0; i < n; ++i) {
    ra[i] = 1.0f;
    rb[i] = 2.0f;
    rc[i] = 0.0f;
  }
  report("raw copy c = a",
         median_seconds(
             [&] {
#pragma omp parallel for
               for (int64_t i = 0; i < n; ++i) rc[i] = ra[i];
             },
             9),
         2 * mb);
  report("raw add c = a + b",
         median_seconds(
             [&] {
#pragma omp parallel for
               for (int64_t i = 0; i < n; ++i) rc[i] = ra[i] + rb[i];
             },
             9),
         3 * mb);

  fx::Tensor a = fx::rand({n}), b = fx::rand({n});
  fx::Tensor out = fx::empty({n});
  fx::NoGradGuard ng;
  report("add (new output)", median_seconds([&] { fx::Tensor c = a + b; }, 9), 3 * mb);
  report("add_out", median_seconds([&] { fx::add_out(out, a, b); }, 9), 3 * mb);
  report("mul (new output)", median_seconds([&] { fx::Tensor c = a * b; }, 9), 3 * mb);
  report("mul by scalar", median_seconds([&] { fx::Tensor c = a * 2.5; }, 9), 2 * mb);
  report("add_ in place", median_seconds([&] { a.add_(b); }, 9), 3 * mb);
  fx::Tensor x = fx::randn({n});
  report("exp", median_seconds([&] { fx::Tensor c = x.exp(); }, 9), 2 * mb);
  report("exp_out", median_seconds([&] { fx::exp_out(out, x); }, 9), 2 * mb);
  report("log (of |x|)", median_seconds([&] { fx::Tensor c = a.log(); }, 9), 2 * mb);
  report("tanh", median_seconds([&] { fx::Tensor c = x.tanh(); }, 9), 2 * mb);
  report("sigmoid", median_seconds([&] { fx::Tensor c = x.sigmoid(); }, 9), 2 * mb);
  report("erf", median_seconds([&] { fx::Tensor c = x.erf(); }, 9), 2 * mb);
  report("gelu", median_seconds([&] { fx::Tensor c = fx::gelu(x); }, 9), 2 * mb);
  report("relu", median_seconds([&] { fx::Tensor c = x.relu(); }, 9), 2 * mb);
  report("sin (libm)", median_seconds([&] { fx::Tensor c = x.sin(); }, 5), 2 * mb);

  // Transposed input: a (4096, 4096) tensor viewed as its transpose.
  fx::Tensor sq = fx::randn({4096, 4096});
  fx::Tensor sqt = sq.t();
  const double t_contig = median_seconds([&] { fx::Tensor c = sq.exp(); }, 9);
  const double t_trans = median_seconds([&] { fx::Tensor c = sqt.exp(); }, 9);
  fx::Tensor sq_out = fx::empty({4096, 4096});
  const double t_trans_out = median_seconds([&] { fx::exp_out(sq_out, sqt); }, 9);
  report("exp 4096x4096 contiguous", t_contig, 2 * mb);
  report("exp transposed (layout kept)", t_trans, 2 * mb);
  report("exp transposed into contiguous", t_trans_out, 2 * mb);
  fx::Tensor sq2 = fx::randn({4096, 4096});
  const double t_add = median_seconds([&] { fx::Tensor c = sq + sq2; }, 9);
  const double t_add_mixed = median_seconds([&] { fx::Tensor c = sqt + sq2; }, 9);
  report("add 4096^2 contiguous", t_add, 3 * mb);
  report("add 4096^2 transposed + contiguous", t_add_mixed, 3 * mb);
  // 4000 is not a power of two: rows no longer alias the same cache sets.
  fx::Tensor r1 = fx::randn({4000, 4000}), r2 = fx::randn({4000, 4000});
  const double t_add4k = median_seconds([&] { fx::Tensor c = r1 + r2; }, 9);
  const double t_add4k_mixed = median_seconds([&] { fx::Tensor c = r1.t() + r2; }, 9);
  report("add 4000^2 contiguous", t_add4k, 3 * 16e6 * 4);
  report("add 4000^2 transposed + contiguous", t_add4k_mixed, 3 * 16e6 * 4);
  std::printf(
      "time ratios vs contiguous: exp(x.t()) %.2f (layout kept), exp into contiguous %.2f, "
      "x.t() + y %.2f (4096^2), %.2f (4000^2)\n",
      t_trans / t_contig, t_trans_out / t_contig, t_add_mixed / t_add, t_add4k_mixed / t_add4k);

  // Per-op overhead on tiny tensors.
  fx::Tensor s1 = fx::rand({8}), s2 = fx::rand({8});
  const int iters = 200000;
  auto per_op = [&](const std::function<void()>& f) {
    double best = 1e30;
    for (int r = 0; r < 7; ++r) {
      const double s = cpu_seconds();
      for (int i = 0; i < iters; ++i) f();
      best = std::min(best, (cpu_seconds() - s) / iters * 1e9);
    }
    return best;  // thread CPU time per op, best of 7
  };
  std::printf("%-34s %9.1f ns/op\n", "tiny add (8 floats)", per_op([&] { fx::Tensor c = s1 + s2; }));
  std::printf("%-34s %9.1f ns/op\n", "tiny mul by scalar (8 floats)", per_op([&] { fx::Tensor c = s1 * 2.0; }));
  std::printf("%-34s %9.1f ns/op\n", "tiny exp (8 floats)", per_op([&] { fx::Tensor c = s1.exp(); }));
  std::printf("%-34s %9.1f ns/op\n", "tiny add_ in place (8 floats)", per_op([&] { s1.add_(s2); }));
  {
    fx::EnableGradGuard eg;
    std::printf("%-34s %9.1f ns/op\n", "tiny add, grad mode on", per_op([&] { fx::Tensor c = s1 + s2; }));
  }
  return 0;
}
