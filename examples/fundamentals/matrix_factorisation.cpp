// Low-rank matrix factorisation A ~ U V^T (A: 40 x 30, rank 3 plus noise) three ways:
//   1. element-wise SGD with hand-written updates (the classic recommender-system loop),
//   2. full-batch gradient descent on |A - U V^T|^2 with autograd and Adam,
//   3. the truncated SVD, which is optimal (Eckart-Young): no rank-3 factorisation does better.
// Then matrix completion: 30% of the entries hidden, U V^T fitted to the rest only, and the
// error on the hidden entries compared with filling them with the mean.
// ctest: RMSE on the hidden entries 0\.[01]
#include <cmath>
#include <cstdio>

#include "common/args.h"
#include "fluxion/fluxion.h"
#include "fluxion/linalg.h"
#include "fluxion/optim.h"

namespace fx = fluxion;
using fx::Tensor;

namespace {

const fx::TensorOptions f64(fx::kFloat64);

// Draws on the CPU and moves the result, so every device sees the same numbers.
Tensor randn_on(const fx::Shape& shape, fx::Device device) { return fx::randn(shape, f64).to(device); }

double frobenius(const Tensor& t) { return t.square().sum().sqrt().item<double>(); }

// Full-batch Adam on the (optionally masked) squared error; returns U V^T.
Tensor fit_autograd(const Tensor& A, const Tensor& mask, int64_t k, int steps) {
  auto U = (0.1 * randn_on({A.size(0), k}, A.device())).requires_grad_(true);
  auto V = (0.1 * randn_on({A.size(1), k}, A.device())).requires_grad_(true);
  fx::optim::Adam opt({U, V}, fx::optim::AdamOptions(0.05));
  for (int s = 0; s < steps; ++s) {
    opt.zero_grad();
    auto loss = ((A - fx::matmul(U, V.t())) * mask).square().sum();
    loss.backward();
    opt.step();
  }
  fx::NoGradGuard no_grad;
  return fx::matmul(U, V.t());
}

}  // namespace

int main(int argc, char** argv) try {
  const fx::Device device = examples::Args(argc, argv).device();  // --device cpu|cuda|cuda:N
  fx::manual_seed(0);
  const int64_t m = 40, n = 30, k = 3;
  const Tensor A = fx::matmul(randn_on({m, k}, device), randn_on({k, n}, device)) + 0.1 * randn_on({m, n}, device);

  // 1. Element-wise SGD: for each entry, move u_i and v_j along the error's gradient.
  Tensor U = 0.1 * fx::randn({m, k}, f64), V = 0.1 * fx::randn({n, k}, f64);
  {
    // Plain arrays on the CPU: the per-entry updates touch 3 numbers at a time, far below tensor-op
    // sizes (and far below what is worth a GPU kernel launch).
    auto u = U.contiguous(), v = V.contiguous(), a = A.cpu().contiguous();
    double* up = u.data_ptr<double>();
    double* vp = v.data_ptr<double>();
    const double* ap = a.data_ptr<double>();
    for (int epoch = 0; epoch < 300; ++epoch) {
      const Tensor order = fx::randperm(m * n);  // a new random order of the entries each epoch
      const int64_t* op = order.data_ptr<int64_t>();
      for (int64_t e = 0; e < m * n; ++e) {
        const int64_t i = op[e] / n, j = op[e] % n;
        double pred = 0;
        for (int64_t r = 0; r < k; ++r) pred += up[i * k + r] * vp[j * k + r];
        const double err = ap[i * n + j] - pred, lr = 0.01;
        for (int64_t r = 0; r < k; ++r) {
          const double ur = up[i * k + r];
          up[i * k + r] += lr * err * vp[j * k + r];
          vp[j * k + r] += lr * err * ur;
        }
      }
    }
    U = u.to(device);
    V = v.to(device);
  }
  const double err_sgd = frobenius(A - fx::matmul(U, V.t()));

  // 2. Full-batch gradient descent with autograd.
  const double err_gd = frobenius(A - fit_autograd(A, fx::ones({m, n}, f64.device(device)), k, 1500));

  // 3. Truncated SVD: keep the k largest singular triplets.
  const auto [Us, S, Vh] = fx::linalg::svd(A, /*full_matrices=*/false);
  const Tensor Ak = fx::matmul(Us.narrow(1, 0, k) * S.narrow(0, 0, k), Vh.narrow(0, 0, k));
  const double err_svd = frobenius(A - Ak);
  const double tail = S.narrow(0, k, S.size(0) - k).square().sum().sqrt().item<double>();

  std::printf("reconstruction error |A - U V^T| (rank %ld):\n", static_cast<long>(k));
  std::printf("  element-wise SGD         %.4f\n", err_sgd);
  std::printf("  gradient descent (Adam)  %.4f\n", err_gd);
  std::printf("  truncated SVD (optimal)  %.4f = sqrt(sum of the discarded sigma^2) = %.4f\n", err_svd, tail);

  // Matrix completion: fit the observed 70% only, score the hidden 30%.
  const Tensor mask = (fx::rand({m, n}, f64) < 0.7).to(device, fx::kFloat64);
  const Tensor hidden = 1.0 - mask;
  const Tensor completed = fit_autograd(A, mask, k, 1500);
  const double count = hidden.sum().item<double>();
  const double rmse = std::sqrt(((A - completed) * hidden).square().sum().item<double>() / count);
  const double mean = (A * mask).sum().item<double>() / mask.sum().item<double>();
  const double rmse_mean = std::sqrt(((A - mean) * hidden).square().sum().item<double>() / count);
  std::printf("completion from 70%% of the entries: RMSE on the hidden entries %.4f (mean fill: %.4f)\n", rmse,
              rmse_mean);
  return 0;
} catch (const std::exception& e) {
  return examples::fail(e);
}
