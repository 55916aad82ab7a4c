// Forward-mode AD two ways: a dual-number class written from scratch, then Fluxion's jvp.
// Both differentiate z = x*y + sin(x) at (0.5, 4.2) and a function defined by a loop.
// ctest: fluxion jvp : z = 2.579425538604203  dz/dx = 5.077582561890373  dz/dy = 0.500000000000000
#include <cmath>
#include <cstdio>

#include "common/args.h"
#include "fluxion/fluxion.h"

namespace fx = fluxion;

// A dual number a + b·ε with ε² = 0: carrying b through every operation gives the derivative.
struct Dual {
  double val, der;
};
Dual operator+(Dual a, Dual b) { return {a.val + b.val, a.der + b.der}; }
Dual operator-(Dual a, Dual b) { return {a.val - b.val, a.der - b.der}; }
Dual operator*(Dual a, Dual b) { return {a.val * b.val, a.der * b.val + a.val * b.der}; }
Dual operator/(Dual a, Dual b) { return {a.val / b.val, (a.der * b.val - a.val * b.der) / (b.val * b.val)}; }
Dual sin(Dual a) { return {std::sin(a.val), std::cos(a.val) * a.der}; }
Dual cos(Dual a) { return {std::cos(a.val), -std::sin(a.val) * a.der}; }
Dual tan(Dual a) { return {std::tan(a.val), a.der / (std::cos(a.val) * std::cos(a.val))}; }
Dual exp(Dual a) { return {std::exp(a.val), std::exp(a.val) * a.der}; }
Dual log(Dual a) { return {std::log(a.val), a.der / a.val}; }
Dual pow(Dual a, double p) { return {std::pow(a.val, p), p * std::pow(a.val, p - 1) * a.der}; }
Dual operator*(Dual a, double c) { return {a.val * c, a.der * c}; }

template <class T>
T z_of(T x, T y) {
  return x * y + sin(x);
}

// An algorithm with a loop; exp/log are found by argument-dependent lookup for both types.
template <class T>
T loop_fn(T x) {
  T acc = x;
  for (int i = 0; i < 3; ++i) acc = acc * x + exp(acc * 0.25) - log(x * x);
  return acc;
}

int main(int argc, char** argv) try {
  const auto f64 = fx::TensorOptions(fx::kFloat64).device(examples::Args(argc, argv).device());
  // d/dx: seed x's derivative with 1.
  Dual zx = z_of(Dual{0.5, 1.0}, Dual{4.2, 0.0});
  Dual zy = z_of(Dual{0.5, 0.0}, Dual{4.2, 1.0});
  std::printf("dual numbers: z = %.15f  dz/dx = %.15f  dz/dy = %.15f\n", zx.val, zx.der, zy.der);
  std::printf("closed form : dz/dx = 4.2 + cos(0.5) = %.15f\n", 4.2 + std::cos(0.5));

  // The same with Fluxion's forward mode (func::jvp), one tangent per input direction.
  fx::func::Fn z = [](const fx::TensorList& v) { return fx::TensorList{v[0] * v[1] + v[0].sin()}; };
  auto x = fx::tensor({0.5}, f64), y = fx::tensor({4.2}, f64);
  auto [out, tx] = fx::func::jvp(z, {x, y}, {fx::ones_like(x), fx::zeros_like(y)});
  auto [out2, ty] = fx::func::jvp(z, {x, y}, {fx::zeros_like(x), fx::ones_like(y)});
  std::printf("fluxion jvp : z = %.15f  dz/dx = %.15f  dz/dy = %.15f\n", out[0].item<double>(), tx[0].item<double>(),
              ty[0].item<double>());

  Dual l = loop_fn(Dual{1.3, 1.0});
  auto [lv, lt] =
      fx::func::jvp([](const fx::Tensor& t) { return loop_fn(t); }, fx::tensor({1.3}, f64), fx::ones({1}, f64));
  std::printf("loop        : dual %.12f  fluxion %.12f\n", l.der, lt.item<double>());
  return 0;
} catch (const std::exception& e) {
  return examples::fail(e);
}
