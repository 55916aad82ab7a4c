// One training step (zero_grad, forward, cross-entropy, backward, optimiser step) of
//   mlp    784-1024-1024-10 (ReLU), batch 128, SGD lr 0.01 momentum 0.9
//   lenet5 conv(1->6, 5x5, pad 2)-relu-maxpool2 - conv(6->16, 5x5)-relu-maxpool2 -
//          fc 400-120-relu-84-relu-10, 1x28x28 batch 128, Adam lr 1e-3
// at 2 and 1 threads. PyTorch twin: train_step_twin.py (same models and format).
//
//   train_step_bench [THREADS] [--threads 2,1] [--reps 9] [--twin FILE] [--cpu-time 1]
//
// Prints `<model>_t<threads> <median seconds per step>` (the twin convention of bench/README.md);
// with --twin FILE (the twin's output) also a table with the speed-up PyTorch time / Fluxion time
// (> 1: Fluxion is faster).
#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "fluxion/fluxion.h"
#include "fluxion/nn.h"
#include "fluxion/optim.h"

namespace fx = fluxion;
namespace nn = fluxion::nn;

namespace {

// Seconds on the wall clock, or of process CPU time with --cpu-time (on a shared machine the CPU
// time of a 1-thread run is what an idle machine's wall clock would show; with 2 threads it also
// counts both threads' spinning, so only the wall clock is meaningful there).
bool g_cpu_time = false;
double now_s() {
  if (g_cpu_time) {
    timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

template <class Fn>
double median_ms(const Fn& fn, int reps, double min_time = 0.25) {
  for (int i = 0; i < 3; ++i) fn();
  int n = 1;
  for (;;) {
    const double t0 = now_s();
    for (int i = 0; i < n; ++i) fn();
    if (now_s() - t0 > min_time / 5) break;
    n *= 2;
  }
  std::vector<double> samples;
  for (int r = 0; r < reps; ++r) {
    const double t0 = now_s();
    for (int i = 0; i < n; ++i) fn();
    samples.push_back((now_s() - t0) / n * 1e3);
  }
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

nn::Sequential make_mlp() {
  return nn::Sequential(nn::Linear(784, 1024), nn::ReLU(), nn::Linear(1024, 1024), nn::ReLU(), nn::Linear(1024, 10));
}

nn::Sequential make_lenet5() {
  return nn::Sequential(nn::Conv2d(nn::Conv2dOptions(1, 6, 5).padding(2)), nn::ReLU(), nn::MaxPool2d(2),
                        nn::Conv2d(nn::Conv2dOptions(6, 16, 5)), nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(),
                        nn::Linear(400, 120), nn::ReLU(), nn::Linear(120, 84), nn::ReLU(), nn::Linear(84, 10));
}

double time_step(nn::Sequential& model, fx::optim::Optimizer& opt, const fx::Tensor& x, const fx::Tensor& y, int reps) {
  return median_ms([&] {
    opt.zero_grad();
    auto loss = nn::functional::cross_entropy(model(x), y);
    loss.backward();
    opt.step();
  }, reps);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> threads{2, 1};
  int reps = 9;
  std::string twin;
  int first = 1;
  if (argc > 1 && std::isdigit(static_cast<unsigned char>(argv[1][0]))) threads = {std::stoi(argv[first++])};
  for (int i = first; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--threads") {
      threads.clear();
      std::stringstream ss(argv[i + 1]);
      std::string item;
      while (std::getline(ss, item, ',')) threads.push_back(std::stoi(item));
    } else if (a == "--reps") {
      reps = std::stoi(argv[i + 1]);
    } else if (a == "--twin") {
      twin = argv[i + 1];
    } else if (a == "--cpu-time") {
      g_cpu_time = std::string(argv[i + 1]) == "1";
    }
  }
  fx::manual_seed(0);
  std::map<std::string, double> ours;
  for (int t : threads) {
    fx::set_num_threads(t);
    {
      auto model = make_mlp();
      fx::optim::SGD opt(model->parameters(), fx::optim::SGDOptions(0.01).momentum(0.9));
      auto x = fx::randn({128, 784});
      auto y = fx::randint(0, 10, {128});
      double ms = time_step(model, opt, x, y, reps);
      ours["train_mlp_sgd_t" + std::to_string(t)] = ms;
      std::printf("train_mlp_sgd_t%d %.6g\n", t, ms * 1e-3);
      std::fflush(stdout);
    }
    {
      auto model = make_lenet5();
      fx::optim::Adam opt(model->parameters(), fx::optim::AdamOptions(1e-3));
      auto x = fx::randn({128, 1, 28, 28});
      auto y = fx::randint(0, 10, {128});
      double ms = time_step(model, opt, x, y, reps);
      ours["train_lenet5_adam_t" + std::to_string(t)] = ms;
      std::printf("train_lenet5_adam_t%d %.6g\n", t, ms * 1e-3);
      std::fflush(stdout);
    }
  }
  if (!twin.empty()) {
    std::ifstream in(twin);
    std::string name;
    double secs;
    std::printf("\n| step | Fluxion ms | PyTorch ms | speed-up (PyTorch / Fluxion time) |\n|---|---|---|---|\n");
    while (in >> name >> secs) {
      auto it = ours.find(name);
      if (it != ours.end())
        std::printf("| %s | %.3f | %.3f | %.2fx |\n", name.c_str(), it->second, secs * 1e3, secs * 1e3 / it->second);
    }
  }
  return 0;
}
