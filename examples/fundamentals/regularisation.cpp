// Universal approximation, over-fitting and regularisation on a 1-D regression problem.
//  1. A one-hidden-layer tanh network fits f(x) = sin(3x) + 0.3x better as it gets wider.
//  2. A large network trained on 20 noisy points over-fits: the training error keeps falling
//     while the validation error turns up. Weight decay, dropout and early stopping each bring
//     the validation error back down.
// Writes regularisation.svg: training and validation error per step for each setting.
//
//   regularisation [--out DIR] [--device cpu|cuda|cuda:N]
//
// ctest: early stopping +best validation MSE
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/args.h"
#include "fluxion/fluxion.h"
#include "fluxion/nn.h"
#include "fluxion/optim.h"

namespace fx = fluxion;
namespace nn = fluxion::nn;
namespace F = fluxion::nn::functional;

namespace {

fx::Tensor target_fn(const fx::Tensor& x) { return (3.0 * x).sin() + 0.3 * x; }

nn::Sequential mlp(int64_t width, int hidden_layers, double dropout) {
  nn::Sequential net;
  int64_t in = 1;
  for (int l = 0; l < hidden_layers; ++l) {
    net->push_back(nn::Linear(in, width));
    net->push_back(nn::Tanh());
    if (dropout > 0) net->push_back(nn::Dropout(dropout));
    in = width;
  }
  net->push_back(nn::Linear(in, 1));
  return net;
}

struct Curves {
  std::string name;
  std::vector<double> train, val;
};

// Full-batch Adam(W); records both errors every 25 steps (validation in eval mode, no grad).
Curves fit(const std::string& name, nn::Sequential net, const fx::Tensor& x, const fx::Tensor& y, const fx::Tensor& xv,
           const fx::Tensor& yv, int steps, double weight_decay) {
  net->to(x.device());  // the model goes where the data is, before the optimiser takes its parameters
  fx::optim::AdamW opt(net->parameters(), fx::optim::AdamWOptions(1e-2).weight_decay(weight_decay));
  Curves c{name, {}, {}};
  for (int s = 1; s <= steps; ++s) {
    net->train();
    opt.zero_grad();
    auto loss = F::mse_loss(net(x), y);
    loss.backward();
    opt.step();
    if (s % 25 == 0) {
      fx::NoGradGuard no_grad;
      net->eval();
      c.train.push_back(F::mse_loss(net(x), y).item<double>());
      c.val.push_back(F::mse_loss(net(xv), yv).item<double>());
    }
  }
  return c;
}

void write_svg(const std::string& file, const std::vector<Curves>& runs) {
  FILE* out = std::fopen(file.c_str(), "w");
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", file.c_str());
    return;
  }
  const int w = 640, h = 360;
  const double lo = std::log10(1e-4), hi = std::log10(1.0);
  std::fprintf(out, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d'>\n", w + 170, h + 30);
  std::fprintf(out, "<rect width='%d' height='%d' fill='white' stroke='black'/>\n", w, h);
  std::fprintf(
      out, "<text x='4' y='%d' font-size='12'>MSE (log scale, 1e-4 .. 1); solid: train, dashed: validation</text>\n",
      h + 20);
  const char* colours[] = {"#e41a1c", "#377eb8", "#4daf4a", "#984ea3"};
  for (size_t r = 0; r < runs.size(); ++r) {
    for (int which = 0; which < 2; ++which) {
      const auto& v = which == 0 ? runs[r].train : runs[r].val;
      std::fprintf(out, "<polyline fill='none' stroke='%s' stroke-width='2'%s points='", colours[r % 4],
                   which ? " stroke-dasharray='6,4'" : "");
      for (size_t i = 0; i < v.size(); ++i) {
        const double ly = std::log10(std::max(v[i], 1e-4));
        std::fprintf(out, "%.1f,%.1f ", w * (i + 1.0) / v.size(), h * (hi - ly) / (hi - lo));
      }
      std::fprintf(out, "'/>\n");
    }
    std::fprintf(out, "<text x='%d' y='%zu' fill='%s' font-size='14'>%s</text>\n", w + 8, 20 + 18 * r, colours[r % 4],
                 runs[r].name.c_str());
  }
  std::fprintf(out, "</svg>\n");
  std::fclose(out);
}

}  // namespace

int main(int argc, char** argv) try {
  const examples::Args args(argc, argv, {"out"});
  const std::string out_dir = args.str("out", ".");
  const fx::Device device = args.device();
  fx::manual_seed(0);
  // Tensors of at most 200 x 128: one thread, since waking a second one for each small matrix
  // product costs more than it saves (THREADS=N overrides).
  const char* threads = std::getenv("THREADS");
  fx::set_num_threads(threads ? std::atoi(threads) : 1);

  // 1. Universal approximation: 200 noise-free points, growing width.
  auto xs = fx::linspace(-2.0, 2.0, 200).unsqueeze(1).to(device);
  auto ys = target_fn(xs);
  std::printf("universal approximation (one hidden layer, 1500 steps):\n");
  for (int64_t width : {1, 2, 4, 16, 64}) {
    auto c = fit("", mlp(width, 1, 0.0), xs, ys, xs, ys, 1500, 0.0);
    std::printf("  width %3ld: MSE %.2e\n", static_cast<long>(width), c.train.back());
  }

  // 2. Over-fitting: 20 noisy training points, 200 clean validation points.
  // Drawn on the CPU and moved, so every device sees the same points.
  auto x = (fx::rand({20, 1}) * 4.0 - 2.0).to(device);
  auto y = target_fn(x) + 0.3 * fx::randn({20, 1}).to(device);
  const int steps = 2000;
  std::vector<Curves> runs;
  runs.push_back(fit("plain", mlp(128, 2, 0.0), x, y, xs, ys, steps, 0.0));
  runs.push_back(fit("weight decay 0.3", mlp(128, 2, 0.0), x, y, xs, ys, steps, 0.3));
  runs.push_back(fit("dropout 0.2", mlp(128, 2, 0.2), x, y, xs, ys, steps, 0.0));
  std::printf("over-fitting (2 hidden layers of 128, 20 noisy points, %d steps):\n", steps);
  for (const auto& c : runs) {
    std::printf("  %-17s train MSE %.4f  validation MSE %.4f\n", c.name.c_str(), c.train.back(), c.val.back());
  }
  // Early stopping: the plain run's best validation point, where training should have stopped.
  const auto& plain = runs[0].val;
  size_t best = 0;
  for (size_t i = 1; i < plain.size(); ++i)
    if (plain[i] < plain[best]) best = i;
  std::printf("  early stopping    best validation MSE %.4f at step %zu (plain run ends at %.4f)\n", plain[best],
              (best + 1) * 25, plain.back());
  const std::string file = out_dir + "/regularisation.svg";
  write_svg(file, runs);
  std::printf("wrote %s\n", file.c_str());
  return 0;
} catch (const std::exception& e) {
  return examples::fail(e);
}
