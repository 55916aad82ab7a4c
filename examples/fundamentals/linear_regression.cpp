// Linear regression three ways on synthetic data y = X theta + noise, X with a bias column:
// the pseudo-inverse, the thin SVD, and gradient descent with a hand-written gradient. All three
// land on the same least-squares solution, close to the true theta.
// ctest: gradient descent vs closed form: max difference [0-9.]+e-(0[89]|1[0-9])
#include <cstdio>

#include "common/args.h"
#include "fluxion/fluxion.h"
#include "fluxion/linalg.h"

namespace fx = fluxion;
namespace la = fluxion::linalg;

void show(const char* name, const fx::Tensor& theta) {
  std::printf("%-22s", name);
  for (int64_t i = 0; i < theta.numel(); ++i) std::printf(" %9.5f", theta[i].item<double>());
  std::printf("\n");
}

int main(int argc, char** argv) try {
  const fx::Device device = examples::Args(argc, argv).device();  // --device cpu|cuda|cuda:N
  fx::manual_seed(0);
  const int64_t n = 200, d = 3;
  const auto f64 = fx::TensorOptions(fx::kFloat64).device(device);
  const auto theta_true = fx::tensor({2.0, -1.0, 0.5, 3.0}, f64);  // three weights, then the bias
  // Random numbers are drawn on the CPU and moved, so every device sees the same data.
  const auto X = fx::cat({fx::randn({n, d}, fx::kFloat64).to(device), fx::ones({n, 1}, f64)}, 1);
  const auto y = fx::matmul(X, theta_true) + 0.1 * fx::randn({n}, fx::kFloat64).to(device);

  // 1. theta = X^+ y (the Moore-Penrose pseudo-inverse solves the normal equations).
  const auto theta_pinv = fx::matmul(la::pinv(X), y);

  // 2. The same from X = U S V^T: theta = V S^-1 U^T y.
  const auto [U, S, Vh] = la::svd(X, /*full_matrices=*/false);
  const auto theta_svd = fx::matmul(Vh.mT(), fx::matmul(U.mT(), y) / S);

  // 3. Gradient descent on the mean squared error; its gradient by hand is 2/n X^T (X theta - y).
  auto theta = fx::zeros({d + 1}, f64);
  for (int step = 0; step < 1000; ++step) {
    const auto grad = (2.0 / n) * fx::matmul(X.mT(), fx::matmul(X, theta) - y);
    theta = theta - 0.1 * grad;
  }

  show("true theta", theta_true);
  show("pinv", theta_pinv);
  show("svd", theta_svd);
  show("gradient descent", theta);
  std::printf("pinv vs svd: max difference %.2e\n", (theta_pinv - theta_svd).abs().max().item<double>());
  std::printf("gradient descent vs closed form: max difference %.2e\n",
              (theta - theta_pinv).abs().max().item<double>());
  std::printf("closed form vs true theta: max difference %.3f (the noise)\n",
              (theta_pinv - theta_true).abs().max().item<double>());
  return 0;
} catch (const std::exception& e) {
  return examples::fail(e);
}
