// What fx::train::Trial adds over a hand-written loop: one epoch of LeNet-5 (Adam, batch 128) over
// the same 40 pre-built batches, as the raw loop (zero_grad, forward, loss, backward, step) and as
// Trial::fit with the running loss and an accuracy metric (no callbacks, no validation). The two
// alternate, several times each; prints the medians and the overhead in percent.
//
//   trial_overhead_bench [THREADS] [--reps 7]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "fluxion/fluxion.h"
#include "fluxion/nn.h"
#include "fluxion/optim.h"
#include "fluxion/train.h"

namespace fx = fluxion;
namespace nn = fluxion::nn;

namespace {

nn::Sequential lenet5() {
  return nn::Sequential(nn::Conv2d(nn::Conv2dOptions(1, 6, 5).padding(2)), nn::ReLU(), nn::MaxPool2d(2),
                        nn::Conv2d(nn::Conv2dOptions(6, 16, 5)), nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(),
                        nn::Linear(400, 120), nn::ReLU(), nn::Linear(120, 84), nn::ReLU(), nn::Linear(84, 10));
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 2, reps = 7;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--reps") && i + 1 < argc)
      reps = std::atoi(argv[++i]);
    else
      threads = std::atoi(argv[i]);
  }
  fx::set_num_threads(threads);
  fx::manual_seed(0);
  std::vector<fx::data::Batch> batches;
  for (int i = 0; i < 40; ++i) batches.push_back({fx::randn({128, 1, 28, 28}), fx::randint(0, 10, {128})});

  auto model = lenet5();
  auto opt = std::make_shared<fx::optim::Adam>(model->parameters(), fx::optim::AdamOptions(1e-3));
  fx::train::Trial trial(model, opt, fx::train::cross_entropy_loss(), fx::train::make_metrics({"acc"}));
  std::vector<double> raw, with_trial;
  for (int r = 0; r < reps + 1; ++r) {  // the first round warms up and is not counted
    auto t0 = std::chrono::steady_clock::now();
    for (const auto& b : batches) {
      opt->zero_grad();
      auto loss = nn::functional::cross_entropy(model(b.data), b.target);
      loss.backward();
      opt->step();
    }
    const double t_raw = seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    trial.fit(batches, trial.state().epoch + 2);  // one more epoch
    const double t_trial = seconds_since(t0);
    if (r > 0) {
      raw.push_back(t_raw);
      with_trial.push_back(t_trial);
    }
  }
  const double a = median(raw), b = median(with_trial);
  std::printf("threads %d, 40 batches of 128, medians of %d:\n", threads, reps);
  std::printf("raw loop   %.4f s per epoch\n", a);
  std::printf("Trial::fit %.4f s per epoch\n", b);
  std::printf("overhead   %+.1f %%\n", (b / a - 1.0) * 100.0);
  return 0;
}
