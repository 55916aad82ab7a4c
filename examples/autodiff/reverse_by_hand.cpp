// Reverse-mode AD two ways: a tiny tape written from scratch, then Fluxion's backward() and
// func::grad, on z = x*y + sin(x) at (0.5, 4.2).
// ctest: func::grad: dz/dx = 5.077582561890373
#include <cmath>
#include <cstdio>
#include <functional>
#include <vector>

#include "common/args.h"
#include "fluxion/fluxion.h"

namespace fx = fluxion;

// The tape: each node stores its value and, per parent, the local partial derivative.
struct Tape {
  struct Node {
    double value;
    std::vector<std::pair<int, double>> parents;  // (parent index, d node / d parent)
  };
  std::vector<Node> nodes;
  int leaf(double v) {
    nodes.push_back({v, {}});
    return static_cast<int>(nodes.size()) - 1;
  }
  int mul(int a, int b) {
    nodes.push_back({nodes[a].value * nodes[b].value, {{a, nodes[b].value}, {b, nodes[a].value}}});
    return static_cast<int>(nodes.size()) - 1;
  }
  int add(int a, int b) {
    nodes.push_back({nodes[a].value + nodes[b].value, {{a, 1.0}, {b, 1.0}}});
    return static_cast<int>(nodes.size()) - 1;
  }
  int sin(int a) {
    nodes.push_back({std::sin(nodes[a].value), {{a, std::cos(nodes[a].value)}}});
    return static_cast<int>(nodes.size()) - 1;
  }
  // Walk the tape backwards once, pushing adjoints to parents (nodes are in topological order).
  std::vector<double> backward(int out) const {
    std::vector<double> adj(nodes.size(), 0.0);
    adj[out] = 1.0;
    for (int i = out; i >= 0; --i)
      for (auto [p, d] : nodes[i].parents) adj[p] += adj[i] * d;
    return adj;
  }
};

int main(int argc, char** argv) try {
  const auto f64 = fx::TensorOptions(fx::kFloat64).device(examples::Args(argc, argv).device());
  Tape tape;
  int x = tape.leaf(0.5), y = tape.leaf(4.2);
  int z = tape.add(tape.mul(x, y), tape.sin(x));
  auto adj = tape.backward(z);
  std::printf("tape      : z = %.15f  dz/dx = %.15f  dz/dy = %.15f\n", tape.nodes[z].value, adj[x], adj[y]);

  auto tx = fx::tensor({0.5}, f64.requires_grad(true));
  auto ty = fx::tensor({4.2}, f64.requires_grad(true));
  auto tz = tx * ty + tx.sin();
  tz.backward();
  std::printf("backward  : z = %.15f  dz/dx = %.15f  dz/dy = %.15f\n", tz.item<double>(), tx.grad().item<double>(),
              ty.grad().item<double>());

  auto dzdx = fx::func::grad([](const fx::Tensor& v) { return (v * 4.2 + v.sin()).sum(); });
  std::printf("func::grad: dz/dx = %.15f\n", dzdx(fx::tensor({0.5}, f64)).item<double>());

  // A vector-Jacobian product: y = x^2 elementwise, v = (1, 10, 100) gives 2 x v.
  auto vx = fx::tensor({1.0, 2.0, 3.0}, f64.requires_grad(true));
  (vx * vx).backward(fx::tensor({1.0, 10.0, 100.0}, f64));
  std::printf("vjp       : %s\n", vx.grad().toString().c_str());

  // Modifying a tensor that backward needs is caught with a clear error.
  auto a = fx::tensor({1.0, 2.0}, f64.requires_grad(true));
  auto b = a * 2;
  auto c = b * b;  // saves b
  b.add_(1.0);
  try {
    c.sum().backward();
  } catch (const fx::Error& e) {
    std::printf("in-place error: %.60s...\n", e.what());
  }

  // The same through an alias: v is a view of b2, so writing v changes what backward needs.
  auto b2 = a * 3;
  auto d2 = b2 * b2;  // saves b2
  auto v = b2.narrow(0, 0, 1);
  v.mul_(2.0);
  try {
    d2.sum().backward();
  } catch (const fx::Error& e) {
    std::printf("alias error: %.60s...\n", e.what());
  }

  // The reparameterisation trick: z = mu + sigma * eps with eps ~ N(0, 1) drawn outside the
  // graph, so dz/dmu = 1 and dz/dsigma = eps — sampling becomes differentiable.
  fx::manual_seed(0);
  auto mu = fx::tensor({0.5}, f64.requires_grad(true));
  auto sigma = fx::tensor({2.0}, f64.requires_grad(true));
  auto eps = fx::randn({1}, fx::kFloat64).to(f64.device());  // drawn on the CPU: the same on every device
  auto sample = mu + sigma * eps;
  sample.backward();
  std::printf("reparameterisation: eps = %.6f  dz/dmu = %.1f  dz/dsigma = %.6f\n", eps.item<double>(),
              mu.grad().item<double>(), sigma.grad().item<double>());
  return 0;
} catch (const std::exception& e) {
  return examples::fail(e);
}
