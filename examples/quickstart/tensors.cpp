// Tensors in five lines: create, view, compute, print. Expected output:
//   tensor([[0., 1., 2.],
//           [3., 4., 5.]])
//   tensor([[0., 3.],
//           [1., 4.],
//           [2., 5.]])
//   identity + noise has shape [3, 3], dtype float64
// ctest: tensor\(\[\[0\., 3\.\],
#include <iostream>

#include "fluxion/fluxion.h"

namespace fx = fluxion;

int main() {
  fx::manual_seed(0);
  fx::Tensor x = fx::arange(6.0).reshape({2, 3});  // float32, like torch.arange(6.).reshape(2, 3)
  std::cout << x << "\n" << x.t() << "\n";          // t() is a view: no copy
  fx::Tensor noisy = fx::eye(3, std::nullopt, fx::kFloat64) + fx::normal(0.0, 0.01, {3, 3}, fx::kFloat64);
  std::cout << "identity + noise has shape " << noisy.sizes() << ", dtype " << noisy.dtype() << "\n";
  return 0;
}
