// Low-rank factorisation of a real table: the Iris measurements (150 flowers x 4: sepal and petal
// length and width), standardised per column, factorised Z ~ U V^T at rank 2
//   1. by full-batch gradient descent with autograd (Adam) on |Z - U V^T|^2,
//   2. by PCA: the eigenvectors of the covariance Z^T Z / (n-1) (fx::linalg::eigh) and the SVD
//      of Z (fx::linalg::svd), which give the optimal rank-2 error (Eckart-Young),
// then matrix completion: 20% of the entries hidden, U V^T fitted to the rest (plain, and with the
// penalty lambda (|U|^2 + |V|^2) of matrix completion), and the RMSE on the hidden entries compared
// with filling them with the column mean (0 after standardising).
// Reads iris.csv of scikit-learn (scripts/setup.sh fetches it; see examples/common/sklearn_data.h).
//
// ctest: gradient descent - optimum: [0-9.e+-]+ \(relative (-?[0-9.]+e-(0[5-9]|1[0-9])|-?0\.0e\+00)\)
// ctest-skip-code: 77
#include <cmath>
#include <cstdio>

#include "common/args.h"
#include "common/sklearn_data.h"
#include "fluxion/data.h"
#include "fluxion/fluxion.h"
#include "fluxion/linalg.h"
#include "fluxion/optim.h"

namespace fx = fluxion;
using fx::Tensor;

namespace {

double frobenius(const Tensor& t) { return t.square().sum().sqrt().item<double>(); }

// Full-batch Adam on the squared error over the entries where mask is 1, plus lambda (|U|^2 + |V|^2);
// returns U V^T.
Tensor factorise(const Tensor& Z, const Tensor& mask, int64_t k, double lambda, int steps) {
  // Drawn on the CPU and moved, so every device starts from the same factors.
  auto U = (0.1 * fx::randn({Z.size(0), k}, fx::kFloat64).to(Z.device())).requires_grad_(true);
  auto V = (0.1 * fx::randn({Z.size(1), k}, fx::kFloat64).to(Z.device())).requires_grad_(true);
  fx::optim::Adam opt({U, V}, fx::optim::AdamOptions(0.02));
  for (int s = 0; s < steps; ++s) {
    opt.zero_grad();
    const Tensor loss = ((Z - fx::matmul(U, V.t())) * mask).square().sum();
    (loss + lambda * (U.square().sum() + V.square().sum())).backward();
    opt.step();
  }
  fx::NoGradGuard no_grad;
  return fx::matmul(U, V.t());
}

}  // namespace

int main(int argc, char** argv) try {
  const examples::Args args(argc, argv);
  const fx::Device device = args.device();
  const std::string path = examples::sklearn_file("iris.csv");
  if (path.empty()) return examples::kMissingData;
  fx::manual_seed(0);

  // First line "150,4,setosa,versicolor,virginica" (read as the header), then 4 numbers and a class.
  const fx::data::CsvTable iris = fx::data::read_csv(path);
  const Tensor X = iris.data.to(fx::kFloat64).to(device);  // (150, 4)
  const Tensor centred = X - X.mean({0});
  const Tensor Z = centred / centred.square().mean({0}).sqrt();  // standardised: mean 0, variance 1
  const int64_t n = Z.size(0), k = 2;

  // PCA: eigenvalues of the covariance (ascending, as torch.linalg.eigh) are the variances along
  // the principal axes; the singular values of Z are the same numbers as sqrt((n-1) lambda).
  const auto [lambda, W] = fx::linalg::eigh(fx::matmul(Z.t(), Z) / static_cast<double>(n - 1));
  const auto [Us, S, Vh] = fx::linalg::svd(Z, /*full_matrices=*/false);
  std::printf("covariance eigenvalues (descending):");
  for (int64_t i = 3; i >= 0; --i) std::printf(" %.4f", lambda[i].item<double>());
  std::printf("\nsigma^2/(n-1) from the SVD:         ");
  for (int64_t i = 0; i < 4; ++i) std::printf(" %.4f", S[i].item<double>() * S[i].item<double>() / (n - 1));
  const double total = lambda.sum().item<double>();
  std::printf("\nexplained variance: PC1 %.4f, PC2 %.4f, together %.4f\n", lambda[3].item<double>() / total,
              lambda[2].item<double>() / total, (lambda[3] + lambda[2]).item<double>() / total);

  // Rank-2 reconstructions: projecting on the top two eigenvectors, and gradient descent.
  const Tensor W2 = W.narrow(1, 2, 2);  // eigenvectors of the two largest eigenvalues
  const double err_pca = frobenius(Z - fx::matmul(fx::matmul(Z, W2), W2.t()));
  const double optimum = S.narrow(0, k, 4 - k).square().sum().sqrt().item<double>();
  const double err_gd = frobenius(Z - factorise(Z, fx::ones_like(Z), k, 0.0, 3000));
  std::printf("rank-2 reconstruction error |Z - U V^T| (|Z| = %.4f):\n", frobenius(Z));
  std::printf("  PCA (top-2 eigenvectors)   %.6f\n", err_pca);
  std::printf("  Eckart-Young optimum       %.6f = sqrt(sigma_3^2 + sigma_4^2)\n", optimum);
  std::printf("  gradient descent (Adam)    %.6f\n", err_gd);
  std::printf("gradient descent - optimum: %.2e (relative %.1e)\n", err_gd - optimum, (err_gd - optimum) / optimum);

  // Matrix completion: fit 80% of the entries, score the hidden 20%.
  const Tensor mask = (fx::rand({n, 4}, fx::kFloat64) < 0.8).to(device, fx::kFloat64);
  const Tensor hidden = 1.0 - mask;
  const double count = hidden.sum().item<double>();
  auto held_out_rmse = [&](const Tensor& completed) {
    return std::sqrt(((Z - completed) * hidden).square().sum().item<double>() / count);
  };
  const double rmse_plain = held_out_rmse(factorise(Z, mask, k, 0.0, 3000));
  const double rmse_penalty = held_out_rmse(factorise(Z, mask, k, 1.0, 3000));
  std::printf("completion from 80%% of the entries (%.0f hidden), held-out RMSE:\n", count);
  std::printf("  rank 2, no penalty           %.4f (a row with two visible entries is fitted exactly: over-fitting)\n",
              rmse_plain);
  std::printf("  rank 2, lambda = 1           %.4f\n", rmse_penalty);
  std::printf("  column mean (0)              %.4f\n", held_out_rmse(fx::zeros_like(Z)));
  return 0;
} catch (const std::exception& e) {
  return examples::fail(e);
}
