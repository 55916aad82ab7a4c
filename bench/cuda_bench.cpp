// CUDA benchmark (issue 8): matmul f32/f64/f16/bf16 at n = 4096 (f32 with TF32 off, then on) in
// TFLOP/s; elementwise add on 256M floats against a device-to-device copy of the same bytes (the
// goal is >= 80% of copy bandwidth: add reads two arrays and writes one, copy reads one and
// writes one, so bandwidth = bytes moved / time for both); one training step (zero_grad, forward,
// cross-entropy, backward, optimiser step) of LeNet-5 (1x28x28, batch 128, Adam) and ResNet-18
// (3x32x32, batch 128, SGD momentum 0.9). Timed with CUDA events, median of runs. The PyTorch
// twin is bench/cuda_twin.py (same RESULT lines); scripts/gpu-check.sh runs both.
// Output: a table and machine-readable lines
//   RESULT cuda_matmul dtype=f32 n=4096 tf32=0 tflops=...
//   RESULT cuda_add n=268435456 add_gbps=... copy_gbps=... ratio=...
//   RESULT cuda_train model=lenet5 batch=128 ms=...
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

const char* short_name(fx::DType dt) {
  if (dt == fx::kFloat32) return "f32";
  if (dt == fx::kFloat64) return "f64";
  return dt == fx::kFloat16 ? "f16" : "bf16";
}

// Median milliseconds of one training step of `model` on a fixed random batch.
float train_step_ms(fx::nn::Module model, fx::optim::Optimizer& opt, const fx::Tensor& x, const fx::Tensor& y,
                    int reps) {
  return median_ms(reps, [&] {
    opt.zero_grad();
    fx::nn::functional::cross_entropy(model(x), y).backward();
    opt.step();
  });
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

  for (fx::DType dt : {fx::kFloat32, fx::kFloat64, fx::kFloat16, fx::kBFloat16}) {
    for (bool tf32 : {false, true}) {
      if (tf32 && dt != fx::kFloat32) continue;
      fx::cuda::set_allow_tf32(tf32);
      const fx::Tensor a = fx::randn({n, n}).to(gpu).to(dt);
      const fx::Tensor b = fx::randn({n, n}).to(gpu).to(dt);
      fx::Tensor c;
      const float ms = median_ms(reps, [&] { c = fx::mm(a, b); });
      const double tflops = 2.0 * n * n * n / (ms * 1e-3) / 1e12;
      std::printf("matmul %s n=%lld tf32=%d: %.3f ms, %.1f TFLOP/s\n", fx::dtype_name(dt), static_cast<long long>(n),
                  tf32, ms, tflops);
      std::printf("RESULT cuda_matmul dtype=%s n=%lld tf32=%d tflops=%.2f\n", short_name(dt), static_cast<long long>(n),
                  tf32, tflops);
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

  const int64_t batch = 128;
  {
    fx::manual_seed(0);
    fx::nn::Module m = fx::models::create("lenet5");
    m.to(gpu);
    fx::optim::Adam opt(m.parameters(), fx::optim::AdamOptions(1e-3));
    const fx::Tensor x = fx::randn({batch, 1, 28, 28}).to(gpu), y = fx::randint(0, 10, {batch}).to(gpu);
    const float ms = train_step_ms(m, opt, x, y, 4 * reps);
    std::printf("train step lenet5 (Adam, batch %lld): %.3f ms\n", static_cast<long long>(batch), ms);
    std::printf("RESULT cuda_train model=lenet5 batch=%lld ms=%.4f\n", static_cast<long long>(batch), ms);
  }
  {
    fx::manual_seed(0);
    fx::nn::Module m = fx::models::create("resnet18", {3, 32, 32, 10});
    m.to(gpu);
    fx::optim::SGD opt(m.parameters(), fx::optim::SGDOptions(0.1).momentum(0.9));
    const fx::Tensor x = fx::randn({batch, 3, 32, 32}).to(gpu), y = fx::randint(0, 10, {batch}).to(gpu);
    const float ms = train_step_ms(m, opt, x, y, reps);
    std::printf("train step resnet18 (SGD momentum, batch %lld): %.3f ms (%.0f images/s)\n",
                static_cast<long long>(batch), ms, batch / (ms * 1e-3));
    std::printf("RESULT cuda_train model=resnet18 batch=%lld ms=%.4f\n", static_cast<long long>(batch), ms);
  }
  return 0;
}
