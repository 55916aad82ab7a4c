// CUDA benchmark (issue 8): matmul f32/f64 at n = 4096 (TF32 off, then on) in TFLOP/s, and
// elementwise add on 256M floats against a device-to-device copy of the same bytes (the goal is
// >= 80% of copy bandwidth: add reads two arrays and writes one, copy reads one and writes one,
// so bandwidth = bytes moved / time for both). Timed with CUDA events, median of runs.
// Output: a table and machine-readable lines
//   RESULT cuda_matmul dtype=f32 n=4096 tf32=0 tflops=...
//   RESULT cuda_add n=268435456 add_gbps=... copy_gbps=... ratio=...
// Usage: cuda_bench [--n 4096] [--numel 268435456] [--reps 10]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "fluxion/fluxion.h"

namespace fx = fluxion;

namespace {

template <class F>
float median_ms(int reps, F&& f) {
  f();  // warm-up
  fx::cuda::synchronize();
  std::vector<float> ms;
  for (int r = 0; r < reps; ++r) {
    fx::cuda::Event start, stop;
    start.record();
    f();
    stop.record();
    stop.synchronize();
    ms.push_back(stop.elapsed_time(start));
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int64_t n = 4096, numel = int64_t{1} << 28;
  int reps = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--n"))
      n = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--numel"))
      numel = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--reps"))
      reps = std::atoi(argv[i + 1]);
  }
  if (fx::cuda::device_count() == 0) {
    std::printf("cuda_bench: no CUDA device (%s)\n", fx::cuda_compiled() ? "CUDA compiled in" : "CPU-only build");
    return 0;
  }
  const fx::cuda::DeviceProperties p = fx::cuda::get_device_properties(0);
  std::printf("device: %s (sm_%d%d, %d SMs)\n", p.name.c_str(), p.major, p.minor, p.multi_processor_count);
  const fx::Device gpu(fx::kCUDA, 0);

  for (fx::DType dt : {fx::kFloat32, fx::kFloat64}) {
    for (bool tf32 : {false, true}) {
      if (tf32 && dt != fx::kFloat32) continue;
      fx::cuda::set_allow_tf32(tf32);
      const fx::Tensor a = fx::randn({n, n}, fx::TensorOptions(dt)).to(gpu);
      const fx::Tensor b = fx::randn({n, n}, fx::TensorOptions(dt)).to(gpu);
      fx::Tensor c;
      const float ms = median_ms(reps, [&] { c = fx::mm(a, b); });
      const double tflops = 2.0 * n * n * n / (ms * 1e-3) / 1e12;
      std::printf("matmul %s n=%lld tf32=%d: %.3f ms, %.1f TFLOP/s\n", fx::dtype_name(dt), static_cast<long long>(n),
                  tf32, ms, tflops);
      std::printf("RESULT cuda_matmul dtype=%s n=%lld tf32=%d tflops=%.2f\n", dt == fx::kFloat32 ? "f32" : "f64",
                  static_cast<long long>(n), tf32, tflops);
    }
  }
  fx::cuda::set_allow_tf32(false);

  {
    const fx::Tensor x = fx::ones({numel}, fx::TensorOptions().device(gpu));
    const fx::Tensor y = fx::ones({numel}, fx::TensorOptions().device(gpu));
    fx::Tensor out = fx::empty({numel}, fx::TensorOptions().device(gpu));
    const float add_ms = median_ms(reps, [&] { fx::add_out(out, x, y); });
    const float copy_ms = median_ms(reps, [&] { out.copy_(x); });
    const double bytes = static_cast<double>(numel) * 4;
    const double add_gbps = 3 * bytes / (add_ms * 1e-3) / 1e9, copy_gbps = 2 * bytes / (copy_ms * 1e-3) / 1e9;
    std::printf("add %lld floats: %.3f ms (%.0f GB/s); copy: %.3f ms (%.0f GB/s); add/copy bandwidth %.2f\n",
                static_cast<long long>(numel), add_ms, add_gbps, copy_ms, copy_gbps, add_gbps / copy_gbps);
    std::printf("RESULT cuda_add n=%lld add_gbps=%.1f copy_gbps=%.1f ratio=%.3f\n", static_cast<long long>(numel),
                add_gbps, copy_gbps, add_gbps / copy_gbps);
  }
  return 0;
}
