// Conv2d forward and forward+backward (input, weight and bias gradients) for the LeNet-size
// (b128, 1->6, 5x5, 28x28), VGG-size (b64, 64->64, 3x3, 32x32, pad 1) and ResNet-size
// (b32, 128->128, 3x3, 16x16, pad 1) layers at 2 and 1 threads. PyTorch twin: conv_twin.py.
//
//   conv_bench [--threads 2,1] [--reps 9] [--twin FILE]
//
// Prints `<name> <threads> <median ms>` per case (the twin's format). With --twin FILE (the twin's
// output) it prints a table with PyTorch's time and the throughput ratio PyTorch_ms / Fluxion_ms
// (> 1 means Fluxion is faster).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "fluxion/fluxion.h"
#include "fluxion/nn/functional/conv.h"

namespace fx = fluxion;
namespace F = fluxion::nn::functional;

namespace {

struct Case {
  const char* name;
  int64_t batch, cin, cout, k, hw, pad;
};
const Case kCases[] = {
    {"lenet", 128, 1, 6, 5, 28, 0},
    {"vgg", 64, 64, 64, 3, 32, 1},
    {"resnet", 32, 128, 128, 3, 16, 1},
};

template <class Fn>
double median_ms(const Fn& fn, int reps, double min_time = 0.25) {
  for (int i = 0; i < 3; ++i) fn();
  int n = 1;
  for (;;) {
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) fn();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (s > min_time / 5) break;
    n *= 2;
  }
  std::vector<double> samples;
  for (int r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) fn();
    samples.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / n * 1e3);
  }
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

std::vector<int> parse_list(const std::string& s) {
  std::vector<int> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(std::stoi(item));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> threads{2, 1};
  int reps = 9;
  std::string twin;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--threads") threads = parse_list(argv[i + 1]);
    else if (a == "--reps") reps = std::stoi(argv[i + 1]);
    else if (a == "--twin") twin = argv[i + 1];
  }
  fx::manual_seed(0);
  std::map<std::string, double> ours;
  for (int t : threads) {
    fx::set_num_threads(t);
    for (const Case& c : kCases) {
      auto x = fx::randn({c.batch, c.cin, c.hw, c.hw}).requires_grad_(true);
      auto w = fx::randn({c.cout, c.cin, c.k, c.k}).requires_grad_(true);
      auto b = fx::randn({c.cout}).requires_grad_(true);
      auto y0 = F::conv2d(x, w, b, 1, c.pad);
      auto gy = fx::randn(y0.sizes());
      double fwd = median_ms([&] {
        fx::NoGradGuard ng;
        F::conv2d(x, w, b, 1, c.pad);
      }, reps);
      double fwdbwd = median_ms([&] {
        auto y = F::conv2d(x, w, b, 1, c.pad);
        fx::autograd::grad({y}, {x, w, b}, {gy});
      }, reps);
      const std::string key = std::string(c.name) + "_fwd " + std::to_string(t);
      const std::string key2 = std::string(c.name) + "_fwdbwd " + std::to_string(t);
      ours[key] = fwd;
      ours[key2] = fwdbwd;
      std::printf("%s %.4f\n%s %.4f\n", key.c_str(), fwd, key2.c_str(), fwdbwd);
      std::fflush(stdout);
    }
  }
  if (!twin.empty()) {
    std::ifstream in(twin);
    std::string name;
    int t;
    double ms;
    std::printf("\n| case | threads | Fluxion ms | PyTorch ms | ratio (PyTorch/Fluxion) |\n|---|---|---|---|---|\n");
    while (in >> name >> t >> ms) {
      auto it = ours.find(name + " " + std::to_string(t));
      if (it == ours.end()) continue;
      std::printf("| %s | %d | %.3f | %.3f | %.2fx |\n", name.c_str(), t, it->second, ms, ms / it->second);
    }
  }
  return 0;
}
