// Logistic and softmax regression on Fashion-MNIST with hand-written gradients, each checked
// against central differences before training:
//   binary:   T-shirt/top (class 0) vs shirt (class 6), p = sigmoid(X w + b)
//   10 class: P = softmax(X W + b)
// Both are trained by mini-batch gradient descent with those gradients (no autograd) and the test
// accuracy is printed. Uses the Fashion-MNIST files of Debian's dataset-fashion-mnist.
//
// ctest: softmax regression: test loss [0-9.]+, test accuracy 0\.8[2-9]
#include <cstdio>
#include <functional>

#include "common/args.h"
#include "fluxion/data.h"
#include "fluxion/fluxion.h"

namespace fx = fluxion;
using fx::Tensor;

namespace {

// Mean cross-entropy of the binary model and its gradient (dL/dw = X^T (p - y) / n, dL/db = mean(p - y)).
double logistic_loss(const Tensor& X, const Tensor& y, const Tensor& w, double b, Tensor* gw, double* gb) {
  const Tensor p = (fx::matmul(X, w) + b).sigmoid();
  const double eps = 1e-12;
  const double loss = -(y * (p + eps).log() + (1.0 - y) * (1.0 - p + eps).log()).mean().item<double>();
  if (gw) {
    const Tensor r = (p - y) / static_cast<double>(X.size(0));
    *gw = fx::matmul(X.t(), r);
    *gb = r.sum().item<double>();
  }
  return loss;
}

// Mean cross-entropy of the softmax model and its gradient (dL/dW = X^T (P - Y) / n, dL/db = mean(P - Y)).
double softmax_loss(const Tensor& X, const Tensor& labels, const Tensor& W, const Tensor& b, Tensor* gW, Tensor* gb) {
  const Tensor logp = (fx::matmul(X, W) + b).log_softmax(1);
  const Tensor Y = fx::one_hot(labels, W.size(1)).to(X.dtype());
  const double loss = -(Y * logp).sum(1).mean().item<double>();
  if (gW) {
    const Tensor R = (logp.exp() - Y) / static_cast<double>(X.size(0));
    *gW = fx::matmul(X.t(), R);
    *gb = R.sum(0);
  }
  return loss;
}

// Largest relative error between a hand-written gradient and central differences over `n`
// random coordinates of `param` (f64, so the differences are accurate).
double check_gradient(Tensor param, const Tensor& grad, const std::function<double()>& loss, int n) {
  double worst = 0;
  auto flat = param.view({-1});
  const auto picks = fx::randint(0, flat.numel(), {n});
  for (int i = 0; i < n; ++i) {
    const int64_t k = picks[i].item<int64_t>();
    const double h = 1e-6, v = flat[k].item<double>();
    flat[k].fill_(v + h);
    const double up = loss();
    flat[k].fill_(v - h);
    const double down = loss();
    flat[k].fill_(v);
    const double numeric = (up - down) / (2 * h), analytic = grad.view({-1})[k].item<double>();
    worst = std::max(worst, std::abs(numeric - analytic) / std::max(1e-8, std::abs(numeric) + std::abs(analytic)));
  }
  return worst;
}

double accuracy(const Tensor& predicted, const Tensor& labels) {
  return (predicted == labels).to(fx::kFloat64).mean().item<double>();
}

}  // namespace

int main(int argc, char** argv) try {
  const fx::Device device = examples::Args(argc, argv).device();  // --device cpu|cuda|cuda:N
  fx::manual_seed(0);
  const std::string dir = fx::data::default_fashion_mnist_dir();
  auto train = fx::data::read_mnist(dir, /*train=*/true), test = fx::data::read_mnist(dir, /*train=*/false);
  // Every tensor lives on `device`; random numbers are drawn on the CPU and moved.
  const Tensor X = train.data.view({train.data.size(0), -1}).to(device, fx::kFloat64);  // (60000, 784) in [0, 1]
  const Tensor Xt = test.data.view({test.data.size(0), -1}).to(device, fx::kFloat64);
  const Tensor labels = train.targets.to(device), test_labels = test.targets.to(device);

  // ---- binary logistic regression: class 0 vs class 6 ----
  auto pick = [](const Tensor& data, const Tensor& labels) {
    const Tensor keep = ((labels == 0) | (labels == 6)).nonzero().view({-1});
    return std::pair{data.index_select(0, keep), (labels.index_select(0, keep) == 6).to(fx::kFloat64)};
  };
  auto [Xb, yb] = pick(X, labels);
  auto [Xbt, ybt] = pick(Xt, test_labels);
  Tensor w = fx::zeros({784}, fx::TensorOptions(fx::kFloat64).device(device));
  double b = 0;
  {
    Tensor gw;
    double gb = 0;
    const Tensor Xs = Xb.narrow(0, 0, 200), ys = yb.narrow(0, 0, 200);
    w = 0.01 * fx::randn({784}, fx::kFloat64).to(device);
    logistic_loss(Xs, ys, w, b, &gw, &gb);
    const double err = check_gradient(
        w, gw, [&] { return logistic_loss(Xs, ys, w, b, nullptr, nullptr); }, 20);
    std::printf("logistic regression: gradient check, largest relative error %.1e\n", err);
  }
  for (int epoch = 0; epoch < 5; ++epoch) {
    const Tensor order = fx::randperm(Xb.size(0)).to(device);
    for (int64_t s = 0; s + 100 <= Xb.size(0); s += 100) {
      const Tensor idx = order.narrow(0, s, 100);
      Tensor gw;
      double gb = 0;
      logistic_loss(Xb.index_select(0, idx), yb.index_select(0, idx), w, b, &gw, &gb);
      w = w - 0.1 * gw;
      b -= 0.1 * gb;
    }
  }
  const double bin_acc = accuracy(((fx::matmul(Xbt, w) + b) > 0).to(fx::kFloat64), ybt);
  std::printf("logistic regression (T-shirt/top vs shirt): test loss %.4f, test accuracy %.4f\n",
              logistic_loss(Xbt, ybt, w, b, nullptr, nullptr), bin_acc);

  // ---- softmax regression: all 10 classes ----
  Tensor W = 0.01 * fx::randn({784, 10}, fx::kFloat64).to(device);
  Tensor bias = fx::zeros({10}, fx::TensorOptions(fx::kFloat64).device(device));
  {
    Tensor gW, gb;
    const Tensor Xs = X.narrow(0, 0, 200), ls = labels.narrow(0, 0, 200);
    softmax_loss(Xs, ls, W, bias, &gW, &gb);
    const double err = check_gradient(
        W, gW, [&] { return softmax_loss(Xs, ls, W, bias, nullptr, nullptr); }, 20);
    std::printf("softmax regression: gradient check, largest relative error %.1e\n", err);
  }
  for (int epoch = 0; epoch < 5; ++epoch) {
    const Tensor order = fx::randperm(X.size(0)).to(device);
    for (int64_t s = 0; s + 100 <= X.size(0); s += 100) {
      const Tensor idx = order.narrow(0, s, 100);
      Tensor gW, gb;
      softmax_loss(X.index_select(0, idx), labels.index_select(0, idx), W, bias, &gW, &gb);
      W = W - 0.1 * gW;
      bias = bias - 0.1 * gb;
    }
  }
  const Tensor predicted = (fx::matmul(Xt, W) + bias).argmax(1);
  std::printf("softmax regression: test loss %.4f, test accuracy %.4f\n",
              softmax_loss(Xt, test_labels, W, bias, nullptr, nullptr), accuracy(predicted, test_labels));
  return 0;
} catch (const std::exception& e) {
  return examples::fail(e);
}
