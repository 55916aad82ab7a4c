// Micro-benchmark of the reduction, softmax and scan kernels: read bandwidth of sums over 16M
// f32 elements (all dims, last dim, first dim, transposed), against a raw multi-accumulator loop
// (the achievable read bandwidth), plus the other reductions on the same data.
//
// Built by bench/CMakeLists.txt (release preset); run:
//   build/release/bench/reduce_bench [threads...]      (default: 1 2)
// Prints, per thread count, the median wall time and GB/s (bytes read). With one thread it also
// prints GB/s from the thread's CPU time, which is stable on a loaded machine.
#include <fluxion/fluxion.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <vector>

namespace fx = fluxion;

namespace {

double cpu_now() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

struct Timing {
  double wall, cpu;
};

Timing measure(const std::function<void()>& f, int reps) {
  f();  // warm up (page faults, caching allocator)
  std::vector<double> w, c;
  for (int r = 0; r < reps; ++r) {
    const double c0 = cpu_now();
    const auto s = std::chrono::steady_clock::now();
    f();
    w.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - s).count());
    c.push_back(cpu_now() - c0);
  }
  std::sort(w.begin(), w.end());
  std::sort(c.begin(), c.end());
  return {w[w.size() / 2], c[c.size() / 2]};
}

void report(const char* name, const Timing& t, double bytes, bool single) {
  if (single)
    std::printf("%-36s %8.3f ms  %7.2f GB/s   (cpu time: %7.2f GB/s)\n", name, t.wall * 1e3, bytes / t.wall / 1e9,
                bytes / t.cpu / 1e9);
  else
    std::printf("%-36s %8.3f ms  %7.2f GB/s\n", name, t.wall * 1e3, bytes / t.wall / 1e9);
}

// Raw read-bandwidth reference: 32 float accumulators over a contiguous array.
float raw_sum(const float* p, int64_t n) {
  float total = 0;
#pragma omp parallel reduction(+ : total)
  {
    float a[32] = {};
    const int64_t nt = omp_get_num_threads(), t = omp_get_thread_num();
    const int64_t chunk = (n / nt) / 32 * 32, b = t * chunk, e = t == nt - 1 ? n : b + chunk;
    int64_t i = b;
    for (; i + 32 <= e; i += 32)
      for (int j = 0; j < 32; ++j) a[j] += p[i + j];
    for (; i < e; ++i) a[0] += p[i];
    for (float v : a) total += v;
  }
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> threads;
  for (int i = 1; i < argc; ++i) threads.push_back(std::atoi(argv[i]));
  if (threads.empty()) threads = {1, 2};
  const int64_t n = int64_t{1} << 24;
  const double bytes = static_cast<double>(n) * 4;
  fx::Tensor flat = fx::randn({n});
  fx::Tensor m = flat.view({4096, 4096});
  fx::Tensor mt = m.t();
  fx::Tensor tall = flat.view({n / 4, 4});
  fx::Tensor rows = flat.view({n / 1024, 1024});
  volatile float sink = 0;
  for (int nt : threads) {
    fx::set_num_threads(nt);
    omp_set_num_threads(nt);
    const bool single = nt == 1;
    std::printf("== %d thread(s), %lld f32 elements (64 MB) ==\n", nt, static_cast<long long>(n));
    report("raw loop (32 accumulators)", measure([&] { sink = raw_sum(flat.data_ptr<float>(), n); }, 15), bytes,
           single);
    report("sum() contiguous", measure([&] { flat.sum(); }, 15), bytes, single);
    report("sum(dim 1) [4096, 4096]", measure([&] { m.sum({1}); }, 15), bytes, single);
    report("sum(dim 0) [4096, 4096]", measure([&] { m.sum({0}); }, 15), bytes, single);
    report("sum(dim 0) [4M, 4]", measure([&] { tall.sum({0}); }, 15), bytes, single);
    report("sum(dim 1) [4M, 4]", measure([&] { tall.sum({1}); }, 15), bytes, single);
    report("sum() transposed [4096, 4096]", measure([&] { mt.sum(); }, 15), bytes, single);
    report("sum(dim 0) transposed", measure([&] { mt.sum({0}); }, 15), bytes, single);
    report("sum(dim 1) transposed", measure([&] { mt.sum({1}); }, 15), bytes, single);
    report("mean(dim 1) [16K, 1024]", measure([&] { rows.mean({1}); }, 15), bytes, single);
    report("amax()", measure([&] { flat.amax(); }, 9), bytes, single);
    report("max(dim 1) values+indices", measure([&] { m.max(1); }, 9), bytes, single);
    report("argmax(dim 0)", measure([&] { m.argmax(0); }, 9), bytes, single);
    report("var()", measure([&] { flat.var(); }, 9), bytes, single);
    report("var(dim 0) [4096, 4096]", measure([&] { m.var(fx::DimList{0}); }, 9), bytes, single);
    report("norm()", measure([&] { flat.norm(); }, 9), bytes, single);
    report("logsumexp(dim 1)", measure([&] { m.logsumexp({1}); }, 9), bytes, single);
    report("softmax(dim 1) [4096, 4096]", measure([&] { m.softmax(1); }, 9), 2 * bytes, single);
    report("log_softmax(dim 0) [4096, 4096]", measure([&] { m.log_softmax(0); }, 9), 2 * bytes, single);
    report("cumsum(dim 1) [4096, 4096]", measure([&] { m.cumsum(1); }, 9), 2 * bytes, single);
    report("count_nonzero()", measure([&] { fx::count_nonzero(flat); }, 9), bytes, single);
  }
  return 0;
}
