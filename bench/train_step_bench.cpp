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
#include <map>
#include <string>

#include "fluxion/fluxion.h"
#include "fluxion/nn.h"
#include "fluxion/optim.h"
#include "twin_bench_util.h"

namespace fx = fluxion;
namespace nn = fluxion::nn;

namespace {

nn::Sequential make_mlp() {
  return nn::Sequential(nn::Linear(784, 1024), nn::ReLU(), nn::Linear(1024, 1024), nn::ReLU(), nn::Linear(1024, 10));
}

nn::Sequential make_lenet5() {
  return nn::Sequential(nn::Conv2d(nn::Conv2dOptions(1, 6, 5).padding(2)), nn::ReLU(), nn::MaxPool2d(2),
                        nn::Conv2d(nn::Conv2dOptions(6, 16, 5)), nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(),
                        nn::Linear(400, 120), nn::ReLU(), nn::Linear(120, 84), nn::ReLU(), nn::Linear(84, 10));
}

double time_step(nn::Sequential& model, fx::optim::Optimizer& opt, const fx::Tensor& x, const fx::Tensor& y, int reps,
                 bool cpu_time) {
  return bench::median_ms(
      [&] {
        opt.zero_grad();
        auto loss = nn::functional::cross_entropy(model(x), y);
        loss.backward();
        opt.step();
      },
      reps, cpu_time);
}

}  // namespace

int main(int argc, char** argv) {
  const bench::TwinArgs args = bench::parse_twin_args(argc, argv);
  fx::manual_seed(0);
  std::map<std::string, double> ours;
  for (int t : args.threads) {
    fx::set_num_threads(t);
    {
      auto model = make_mlp();
      fx::optim::SGD opt(model->parameters(), fx::optim::SGDOptions(0.01).momentum(0.9));
      auto x = fx::randn({128, 784});
      auto y = fx::randint(0, 10, {128});
      bench::report(ours, "train_mlp_sgd_t" + std::to_string(t), time_step(model, opt, x, y, args.reps, args.cpu_time));
    }
    {
      auto model = make_lenet5();
      fx::optim::Adam opt(model->parameters(), fx::optim::AdamOptions(1e-3));
      auto x = fx::randn({128, 1, 28, 28});
      auto y = fx::randint(0, 10, {128});
      bench::report(ours, "train_lenet5_adam_t" + std::to_string(t),
                    time_step(model, opt, x, y, args.reps, args.cpu_time));
    }
  }
  bench::print_twin_table(ours, args.twin, "step");
  return 0;
}
