// Conv2d forward and forward+backward (input, weight and bias gradients) for the LeNet-size
// (b128, 1->6, 5x5, 28x28), VGG-size (b64, 64->64, 3x3, 32x32, pad 1) and ResNet-size
// (b32, 128->128, 3x3, 16x16, pad 1) layers at 2 and 1 threads. PyTorch twin: conv_twin.py.
//
//   conv_bench [THREADS] [--threads 2,1] [--reps 9] [--twin FILE] [--cpu-time 1]
//
// Prints `<case>_t<threads> <median seconds per iteration>` per case, the twin convention of
// bench/README.md (bench/run_all.sh passes THREADS; bench/compare.py pairs the lines). With
// --twin FILE (the twin's output) it also prints a table with PyTorch's time and the speed-up
// PyTorch time / Fluxion time (> 1: Fluxion is faster).
#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
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
  int i = 1;
  if (argc > 1 && std::isdigit(static_cast<unsigned char>(argv[1][0]))) threads = {std::stoi(argv[i++])};
  for (; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--threads") threads = parse_list(argv[i + 1]);
    else if (a == "--reps") reps = std::stoi(argv[i + 1]);
    else if (a == "--twin") twin = argv[i + 1];
    else if (a == "--cpu-time") g_cpu_time = std::string(argv[i + 1]) == "1";
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
      const std::string key = "conv_" + std::string(c.name) + "_fwd_t" + std::to_string(t);
      const std::string key2 = "conv_" + std::string(c.name) + "_fwdbwd_t" + std::to_string(t);
      ours[key] = fwd;
      ours[key2] = fwdbwd;
      std::printf("%s %.6g\n%s %.6g\n", key.c_str(), fwd * 1e-3, key2.c_str(), fwdbwd * 1e-3);
      std::fflush(stdout);
    }
  }
  if (!twin.empty()) {
    std::ifstream in(twin);
    std::string name;
    double secs;
    std::printf("\n| case | Fluxion ms | PyTorch ms | speed-up (PyTorch / Fluxion time) |\n|---|---|---|---|\n");
    while (in >> name >> secs) {
      auto it = ours.find(name);
      if (it == ours.end()) continue;
      std::printf("| %s | %.3f | %.3f | %.2fx |\n", name.c_str(), it->second, secs * 1e3, secs * 1e3 / it->second);
    }
  }
  return 0;
}
