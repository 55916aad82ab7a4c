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
#include <map>
#include <string>

#include "fluxion/fluxion.h"
#include "fluxion/nn/functional/conv.h"
#include "twin_bench_util.h"

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

}  // namespace

int main(int argc, char** argv) {
  const bench::TwinArgs args = bench::parse_twin_args(argc, argv);
  fx::manual_seed(0);
  std::map<std::string, double> ours;
  for (int t : args.threads) {
    fx::set_num_threads(t);
    for (const Case& c : kCases) {
      auto x = fx::randn({c.batch, c.cin, c.hw, c.hw}).requires_grad_(true);
      auto w = fx::randn({c.cout, c.cin, c.k, c.k}).requires_grad_(true);
      auto b = fx::randn({c.cout}).requires_grad_(true);
      auto y0 = F::conv2d(x, w, b, 1, c.pad);
      auto gy = fx::randn(y0.sizes());
      double fwd = bench::median_ms(
          [&] {
            fx::NoGradGuard ng;
            F::conv2d(x, w, b, 1, c.pad);
          },
          args.reps, args.cpu_time);
      double fwdbwd = bench::median_ms(
          [&] {
            auto y = F::conv2d(x, w, b, 1, c.pad);
            fx::autograd::grad({y}, {x, w, b}, {gy});
          },
          args.reps, args.cpu_time);
      bench::report(ours, "conv_" + std::string(c.name) + "_fwd_t" + std::to_string(t), fwd);
      bench::report(ours, "conv_" + std::string(c.name) + "_fwdbwd_t" + std::to_string(t), fwdbwd);
    }
  }
  bench::print_twin_table(ours, args.twin, "case");
  return 0;
}
