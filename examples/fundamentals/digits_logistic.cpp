// Logistic and softmax regression on scikit-learn's 8x8 handwritten digits (1797 images, 64
// pixels 0..16, 10 classes), with hand-written gradients, each checked against central
// differences on every parameter before training:
//   binary:   0 vs 1,      p = sigmoid(X w + b),  dL/dw = X^T (p - y) / n,  dL/db = mean(p - y)
//   10 class: all digits,  P = softmax(X W + b),  dL/dW = X^T (P - Y) / n,  dL/db = mean(P - Y)
// Both are trained by full-batch gradient descent with those gradients (no autograd) on a seeded
// 75/25 train/test split, and the test accuracy is printed.
// Reads digits.csv.gz of scikit-learn (scripts/setup.sh fetches it; see examples/common/sklearn_data.h).
//
// ctest: checks [0-9.]+e-(0[5-9]|1.) and [0-9.]+e-(0[5-9]|1.); test accuracy 0 vs 1 (0\.99|1\.0)[0-9]*, 10 classes 0\.9
// ctest-skip-code: 77
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>

#include "common/args.h"
#include "common/sklearn_data.h"
#include "fluxion/data.h"
#include "fluxion/fluxion.h"

namespace fx = fluxion;
using fx::Tensor;

namespace {

// Mean binary cross-entropy and, when gw is given, its gradient.
double logistic_loss(const Tensor& X, const Tensor& y, const Tensor& w, const Tensor& b, Tensor* gw, Tensor* gb) {
  const Tensor z = fx::matmul(X, w) + b;
  // -[y log p + (1-y) log(1-p)] with p = sigmoid(z) is softplus(z) - y z, without log(0).
  const double loss = ((-z.abs()).exp().log1p() + z.clamp_min(0.0) - y * z).mean().item<double>();
  if (gw) {
    const Tensor r = (z.sigmoid() - y) / static_cast<double>(X.size(0));
    *gw = fx::matmul(X.t(), r);
    *gb = r.sum({0}, /*keepdim=*/true);
  }
  return loss;
}

// Mean cross-entropy of the softmax model and, when gW is given, its gradient.
double softmax_loss(const Tensor& X, const Tensor& labels, const Tensor& W, const Tensor& b, Tensor* gW, Tensor* gb) {
  const Tensor logp = (fx::matmul(X, W) + b).log_softmax(1);
  const Tensor Y = fx::one_hot(labels, W.size(1)).to(X.dtype());
  const double loss = -(Y * logp).sum({1}).mean().item<double>();
  if (gW) {
    const Tensor R = (logp.exp() - Y) / static_cast<double>(X.size(0));
    *gW = fx::matmul(X.t(), R);
    *gb = R.sum({0});
  }
  return loss;
}

// Largest relative error between a hand-written gradient and the central difference
// (L(p + h) - L(p - h)) / 2h over every coordinate of `param`; h = 1e-4 balances the truncation error
// O(h^2) against the rounding error O(1e-16 / h) of the float64 loss.
double check_gradient(Tensor param, const Tensor& grad, const std::function<double()>& loss) {
  double worst = 0;
  auto flat = param.view({-1});
  const Tensor g = grad.reshape({-1}).cpu();
  for (int64_t k = 0; k < flat.numel(); ++k) {
    const double h = 1e-4, v = flat[k].item<double>();
    flat[k].fill_(v + h);
    const double up = loss();
    flat[k].fill_(v - h);
    const double down = loss();
    flat[k].fill_(v);
    const double numeric = (up - down) / (2 * h), analytic = g[k].item<double>();
    worst = std::max(worst, std::abs(numeric - analytic) / std::max(1e-8, std::abs(numeric) + std::abs(analytic)));
  }
  return worst;
}

double accuracy(const Tensor& predicted, const Tensor& labels) {
  return (predicted == labels).to(fx::kFloat64).mean().item<double>();
}

}  // namespace

int main(int argc, char** argv) try {
  const examples::Args args(argc, argv, {"steps"});
  const fx::Device device = args.device();
  const int steps = static_cast<int>(args.integer("steps", 500));
  const std::string path = examples::sklearn_file("digits.csv.gz");
  if (path.empty()) return examples::kMissingData;
  fx::manual_seed(0);

  // 1797 rows of 64 pixels and the digit, no header; read_csv reads gzip directly.
  fx::data::CsvOptions csv;
  csv.header = false;
  const fx::data::CsvTable digits = fx::data::read_csv(path, csv);
  const auto f64 = fx::TensorOptions(fx::kFloat64).device(device);
  const Tensor X = (digits.data.to(fx::kFloat64) / 16.0).to(device);  // pixels in [0, 1]
  const Tensor labels = digits.targets.to(device);
  const int64_t n = X.size(0), n_train = n * 3 / 4;
  const Tensor order = fx::randperm(n).to(device);  // seeded split: 1347 train, 450 test (drawn on the CPU)
  const Tensor train_idx = order.narrow(0, 0, n_train), test_idx = order.narrow(0, n_train, n - n_train);
  const Tensor Xtr = X.index_select(0, train_idx), ytr = labels.index_select(0, train_idx);
  const Tensor Xte = X.index_select(0, test_idx), yte = labels.index_select(0, test_idx);
  std::printf("digits: %ld images of %ld pixels, %ld for training, %ld for testing\n", static_cast<long>(n),
              static_cast<long>(X.size(1)), static_cast<long>(n_train), static_cast<long>(n - n_train));

  // ---- binary logistic regression: 0 vs 1 ----
  auto zeros_and_ones = [](const Tensor& data, const Tensor& lab) {
    const Tensor keep = (lab <= 1).nonzero().view({-1});
    return std::pair{data.index_select(0, keep), lab.index_select(0, keep).to(fx::kFloat64)};
  };
  const auto [Xb, yb] = zeros_and_ones(Xtr, ytr);
  const auto [Xbt, ybt] = zeros_and_ones(Xte, yte);
  Tensor w = 0.01 * fx::randn({64}, fx::kFloat64).to(device), b = fx::zeros({1}, f64);  // drawn on the CPU
  Tensor gw, gb;
  logistic_loss(Xb, yb, w, b, &gw, &gb);
  const double err_w = check_gradient(w, gw, [&] { return logistic_loss(Xb, yb, w, b, nullptr, nullptr); });
  const double err_b = check_gradient(b, gb, [&] { return logistic_loss(Xb, yb, w, b, nullptr, nullptr); });
  const double bin_check = std::max(err_w, err_b);
  std::printf("logistic regression (0 vs 1, %ld training images): gradient check, largest relative error %.1e\n",
              static_cast<long>(Xb.size(0)), bin_check);
  for (int s = 0; s < steps; ++s) {
    logistic_loss(Xb, yb, w, b, &gw, &gb);
    w = w - 0.5 * gw;
    b = b - 0.5 * gb;
  }
  const double bin_acc = accuracy(((fx::matmul(Xbt, w) + b) > 0).to(fx::kFloat64), ybt);
  std::printf("logistic regression: train loss %.4f, test loss %.4f, test accuracy %.4f (%ld test images)\n",
              logistic_loss(Xb, yb, w, b, nullptr, nullptr), logistic_loss(Xbt, ybt, w, b, nullptr, nullptr), bin_acc,
              static_cast<long>(Xbt.size(0)));

  // ---- softmax regression: all 10 digits ----
  Tensor W = 0.01 * fx::randn({64, 10}, fx::kFloat64).to(device), bias = fx::zeros({10}, f64);
  Tensor gW, gbias;
  softmax_loss(Xtr, ytr, W, bias, &gW, &gbias);
  const double err_W = check_gradient(W, gW, [&] { return softmax_loss(Xtr, ytr, W, bias, nullptr, nullptr); });
  const double err_bias =
      check_gradient(bias, gbias, [&] { return softmax_loss(Xtr, ytr, W, bias, nullptr, nullptr); });
  const double soft_check = std::max(err_W, err_bias);
  std::printf("softmax regression (10 classes): gradient check, largest relative error %.1e\n", soft_check);
  for (int s = 0; s < steps; ++s) {
    softmax_loss(Xtr, ytr, W, bias, &gW, &gbias);
    W = W - 0.5 * gW;
    bias = bias - 0.5 * gbias;
  }
  const double soft_acc = accuracy((fx::matmul(Xte, W) + bias).argmax(1), yte);
  std::printf("softmax regression: train loss %.4f, test loss %.4f, test accuracy %.4f\n",
              softmax_loss(Xtr, ytr, W, bias, nullptr, nullptr), softmax_loss(Xte, yte, W, bias, nullptr, nullptr),
              soft_acc);
  std::printf("gradient checks %.1e and %.1e; test accuracy 0 vs 1 %.4f, 10 classes %.4f\n", bin_check, soft_check,
              bin_acc, soft_acc);
  return 0;
} catch (const std::exception& e) {
  return examples::fail(e);
}
