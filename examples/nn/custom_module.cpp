// Writing your own module: a residual MLP block (x + W2 relu(W1 norm(x))) and a small network of
// them, trained on two interleaved spirals. Shows registration (parameters get PyTorch-style names
// like "blocks.0.fc1.weight"), the printed summary, a forward hook, freezing a layer
// (requires_grad_(false)) and a state-dict round trip.
// ctest: training accuracy 1\.00
#include <cmath>
#include <cstdio>
#include <iostream>

#include "common/args.h"
#include "fluxion/fluxion.h"
#include "fluxion/nn.h"
#include "fluxion/optim.h"

namespace fx = fluxion;
namespace nn = fluxion::nn;

// A module is a ModuleImpl subclass that registers its parts; FX_MODULE makes the handle type.
struct ResidualBlockImpl : nn::ModuleImpl {
  explicit ResidualBlockImpl(int64_t width) {
    norm = register_module("norm", nn::LayerNorm(nn::LayerNormOptions(fx::Shape{width})));
    fc1 = register_module("fc1", nn::Linear(width, 2 * width));
    fc2 = register_module("fc2", nn::Linear(2 * width, width));
  }
  fx::Tensor forward(const fx::Tensor& x) override { return x + fc2(fc1(norm(x)).relu()); }
  nn::LayerNorm norm{nullptr};
  nn::Linear fc1{nullptr}, fc2{nullptr};
};
FX_MODULE(ResidualBlock);

struct SpiralNetImpl : nn::ModuleImpl {
  SpiralNetImpl(int64_t width, int depth) {
    input = register_module("input", nn::Linear(2, width));
    for (int i = 0; i < depth; ++i) blocks->push_back(ResidualBlock(width));
    register_module("blocks", blocks);
    head = register_module("head", nn::Linear(width, 2));
  }
  fx::Tensor forward(const fx::Tensor& x) override { return head(blocks(input(x))); }
  nn::Linear input{nullptr}, head{nullptr};
  nn::Sequential blocks;
};
FX_MODULE(SpiralNet);

// Two spirals of n points each, class = which spiral.
std::pair<fx::Tensor, fx::Tensor> spirals(int64_t n) {
  auto t = fx::linspace(0.25, 3.0 * std::acos(-1.0), n);
  auto r = t / 3.0;
  auto a = fx::stack({r * t.cos(), r * t.sin()}, 1);
  auto x = fx::cat({a, -a}) + 0.03 * fx::randn({2 * n, 2});
  auto y = fx::cat({fx::zeros({n}, fx::kInt64), fx::ones({n}, fx::kInt64)});
  return {x, y};
}

int main(int argc, char** argv) try {
  const fx::Device device = examples::Args(argc, argv).device();  // --device cpu|cuda|cuda:N
  fx::manual_seed(0);
  fx::set_num_threads(1);  // a tiny network: one thread is fastest
  SpiralNet net(32, 2);
  net->to(device);  // before an optimiser takes the parameters, as in PyTorch
  std::cout << net << "\n";
  std::printf("parameters: %ld, first names: %s, %s\n", static_cast<long>(net->num_parameters()),
              net->named_parameters().keys()[0].c_str(), net->named_parameters().keys()[2].c_str());

  // A forward hook sees every call's input and output (here: the spread of the first block's output).
  double spread = 0;
  auto hook = net->blocks[0]->register_forward_hook(
      [&](nn::ModuleImpl&, const fx::Tensor&, const fx::Tensor& out) { spread = out.std().item<double>(); });

  auto [points, labels] = spirals(200);  // drawn on the CPU, then moved
  const fx::Tensor x = points.to(device), y = labels.to(device);
  fx::optim::Adam opt(net->parameters(), fx::optim::AdamOptions(3e-3));
  for (int step = 1; step <= 300; ++step) {
    opt.zero_grad();
    auto loss = nn::functional::cross_entropy(net(x), y);
    loss.backward();
    opt.step();
    if (step == 10 || step == 50 || step == 300)
      std::printf("step %d  loss %.4f  block-0 output std %.3f\n", step, loss.item<double>(), spread);
  }
  net->blocks[0]->remove_hook(hook);

  // Freeze everything but the head (as in transfer learning) and fine-tune a few more steps.
  net->requires_grad_(false);
  net->head->requires_grad_(true);
  std::printf("trainable parameters after freezing: %ld\n", static_cast<long>(net->num_parameters(true)));
  fx::optim::Adam head_opt(net->head->parameters(), fx::optim::AdamOptions(1e-3));
  for (int step = 0; step < 20; ++step) {
    head_opt.zero_grad();
    nn::functional::cross_entropy(net(x), y).backward();
    head_opt.step();
  }

  // State dicts round-trip into a fresh model with the same structure.
  SpiralNet copy(32, 2);
  copy->to(device);
  copy->load_state_dict(net->state_dict());
  fx::NoGradGuard no_grad;
  const double acc = (copy(x).argmax(1) == y).to(fx::kFloat32).mean().item<double>();
  std::printf("training accuracy %.2f (copy loaded from the state dict)\n", acc);
  return 0;
} catch (const std::exception& e) {
  return examples::fail(e);
}
