// Autograd overhead and transform benchmarks (PyTorch twin: autograd_twin.py).
//   chain100     forward+backward of 100 elementwise ops on 8-element tensors (time per op)
//   tiny_mlp     forward+backward of a 3-layer MLP 16-32-32-1, batch 4
//   hessian100   Hessian of f(x) = sum(tanh(x) * x^2) + (sum x)^2, 100-dim
//   per_sample   per-sample gradients via vmap(grad) of a 16-32-1 MLP loss, batch 32
//   per_sample_cnn  per-sample gradients (DP-SGD style) of a small CNN's cross-entropy w.r.t. all
//                   its weights: conv 1->8 5x5 on 28x28, relu, 2x2 max-pool, linear 1152->10, batch 32
#include <benchmark/benchmark.h>

#include "fluxion/fluxion.h"

namespace fx = fluxion;

static void BM_Chain100(benchmark::State& state) {
  fx::set_num_threads(1);
  auto x = fx::randn({8}, fx::TensorOptions().requires_grad(true));
  for (auto _ : state) {
    fx::Tensor y = x;
    for (int i = 0; i < 25; ++i) y = ((y * 1.01f).sin() + 0.5f).tanh();
    y.sum().backward();
    benchmark::DoNotOptimize(x.grad().data_ptr());
  }
  state.counters["ns_per_op"] = benchmark::Counter(static_cast<double>(state.iterations()) * 101,
                                                   benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_Chain100)->Unit(benchmark::kMicrosecond);

static void BM_TinyMLP(benchmark::State& state) {
  fx::set_num_threads(1);
  auto opts = fx::TensorOptions().requires_grad(true);
  auto w1 = fx::randn({16, 32}, opts), w2 = fx::randn({32, 32}, opts), w3 = fx::randn({32, 1}, opts);
  auto x = fx::randn({4, 16});
  for (auto _ : state) {
    auto h = x.matmul(w1).relu();
    h = h.matmul(w2).relu();
    auto loss = h.matmul(w3).square().mean();
    loss.backward();
    benchmark::DoNotOptimize(w1.grad().data_ptr());
  }
}
BENCHMARK(BM_TinyMLP)->Unit(benchmark::kMicrosecond);

static void BM_Hessian100(benchmark::State& state) {
  fx::set_num_threads(1);
  auto f = [](const fx::Tensor& x) { return (x.tanh() * x * x).sum() + x.sum() * x.sum(); };
  auto x = fx::randn({100}, fx::kFloat64);
  auto H = fx::func::hessian(f);
  for (auto _ : state) benchmark::DoNotOptimize(H(x).data_ptr());
}
BENCHMARK(BM_Hessian100)->Unit(benchmark::kMillisecond);

static void BM_PerSampleGrad(benchmark::State& state) {
  fx::set_num_threads(1);
  auto w1 = fx::randn({16, 32}), w2 = fx::randn({32, 1});
  auto xs = fx::randn({32, 16});
  // Per-sample gradient w.r.t. the first-layer weights for each of the 32 examples.
  auto sample_grad = fx::func::vmap([&](const fx::Tensor& x) {
    return fx::func::grad([&](const fx::Tensor& w) { return x.matmul(w).relu().matmul(w2).square().sum(); })(w1);
  });
  for (auto _ : state) benchmark::DoNotOptimize(sample_grad(xs).data_ptr());
}
BENCHMARK(BM_PerSampleGrad)->Unit(benchmark::kMillisecond);

static void BM_PerSampleGradCnn(benchmark::State& state) {
  namespace F = fx::nn::functional;
  fx::set_num_threads(1);
  auto wc = fx::randn({8, 1, 5, 5}) * 0.2, bc = fx::zeros({8}), wl = fx::randn({10, 1152}) * 0.03, bl = fx::zeros({10});
  auto xs = fx::randn({32, 1, 1, 28, 28});
  auto ys = fx::randint(0, 10, {32, 1});
  fx::func::Fn loss = [](const fx::TensorList& p) {
    // p: wc, bc, wl, bl, x (1, 1, 28, 28), y (1)
    fx::Tensor h = F::max_pool2d(F::relu(F::conv2d(p[4], p[0], p[1])), {2, 2});
    return fx::TensorList{F::cross_entropy(F::linear(h.flatten(1), p[2], p[3]), p[5])};
  };
  auto per_sample = fx::func::vmap(
      [&](const fx::TensorList& a) {
        return fx::func::grad(loss, {0, 1, 2, 3})({wc, bc, wl, bl, a[0], a[1]});
      },
      {0, 0});
  for (auto _ : state) benchmark::DoNotOptimize(per_sample({xs, ys})[0].data_ptr());
}
BENCHMARK(BM_PerSampleGradCnn)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
