// Newton's method on the Rosenbrock function with exact gradients and Hessians from
// func::grad and func::hessian (forward-over-reverse). Converges to (1, 1) in a few steps.
// ctest: step 8: x = 1.0000000000  y = 1.0000000000
#include <cstdio>

#include "common/args.h"
#include "fluxion/fluxion.h"
#include "fluxion/linalg.h"

namespace fx = fluxion;

int main(int argc, char** argv) try {
  const fx::Device device = examples::Args(argc, argv).device();
  auto f = [](const fx::Tensor& p) {
    auto x = p.select(0, 0), y = p.select(0, 1);
    return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);
  };
  auto grad = fx::func::grad(f);
  auto hess = fx::func::hessian(f);
  auto p = fx::tensor({-1.2, 1.0}, fx::TensorOptions(fx::kFloat64).device(device));
  for (int it = 0; it < 8; ++it) {
    auto g = grad(p);
    auto H = hess(p);
    auto step = fx::linalg::solve(H, g);  // the Newton step solves H d = g
    p = p - step;
    std::printf("step %d: x = %.10f  y = %.10f  f = %.3e\n", it + 1, p[0].item<double>(), p[1].item<double>(),
                f(p).item<double>());
  }
  return 0;
} catch (const std::exception& e) {
  return examples::fail(e);
}
