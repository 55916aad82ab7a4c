// Tensors in five lines: create, view, compute, print. Expected output:
//   tensor([[0., 1., 2.],
//           [3., 4., 5.]])
//   tensor([[0., 3.],
//           [1., 4.],
//           [2., 5.]])
//   identity + noise has shape [3, 3], dtype float64
// ctest: tensor\(\[\[0\., 3\.\],
#include <iostream>

#include "common/args.h"
#include "fluxion/fluxion.h"

namespace fx = fluxion;

int main(int argc, char** argv) try {
  const fx::Device device = examples::Args(argc, argv).device();  // --device cpu|cuda|cuda:N
  fx::manual_seed(0);
  fx::Tensor x = fx::arange(6.0).reshape({2, 3}).to(device);  // float32, like torch.arange(6.).reshape(2, 3)
  std::cout << x << "\n" << x.t() << "\n";                    // t() is a view: no copy
  // Random numbers are drawn on the CPU and moved, so every device sees the same ones.
  fx::Tensor noisy =
      fx::eye(3, std::nullopt, fx::kFloat64).to(device) + fx::normal(0.0, 0.01, {3, 3}, fx::kFloat64).to(device);
  std::cout << "identity + noise has shape " << noisy.sizes() << ", dtype " << noisy.dtype() << "\n";
  return 0;
} catch (const std::exception& e) {
  return examples::fail(e);
}
