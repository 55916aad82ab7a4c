// A custom differentiable function with its own backward (and forward-mode jvp), checked
// against finite differences with fx::autograd::gradcheck.
// ctest: gradcheck: passed, jvp/vjp check: passed
#include <cstdio>

#include "common/args.h"
#include "fluxion/fluxion.h"

namespace fx = fluxion;

// softplus(x) = log(1 + e^x), with derivative sigmoid(x).
struct SoftPlus : fx::autograd::Function<SoftPlus> {
  static fx::TensorList forward(fx::autograd::AutogradContext* ctx, const fx::Tensor& x) {
    ctx->save_for_backward({x});
    ctx->save_for_forward({x});
    return {(x.exp() + 1).log()};
  }
  static fx::TensorList backward(fx::autograd::AutogradContext* ctx, const fx::TensorList& grads) {
    return {grads[0] * ctx->get_saved_variables()[0].sigmoid()};
  }
  static fx::TensorList jvp(fx::autograd::AutogradContext* ctx, const fx::TensorList& tangents) {
    return {tangents[0] * ctx->get_saved_for_forward()[0].sigmoid()};
  }
};

int main(int argc, char** argv) try {
  const auto f64 = fx::TensorOptions(fx::kFloat64).device(examples::Args(argc, argv).device());
  auto x = fx::tensor({-2.0, 0.0, 3.0}, f64.requires_grad(true));
  auto y = SoftPlus::apply(x)[0];
  y.sum().backward();
  std::printf("softplus(x)      = %s\n", y.detach().toString().c_str());
  std::printf("d/dx (backward)  = %s\n", x.grad().toString().c_str());
  bool ok = fx::autograd::gradcheck([](const fx::TensorList& in) { return SoftPlus::apply(in[0]); },
                                    {fx::tensor({-2.0, 0.0, 3.0}, f64)});
  bool ok2 = fx::autograd::jvp_vjp_check([](const fx::TensorList& in) { return SoftPlus::apply(in[0]); },
                                         {fx::tensor({-2.0, 0.0, 3.0}, f64)});
  std::printf("gradcheck: %s, jvp/vjp check: %s\n", ok ? "passed" : "failed", ok2 ? "passed" : "failed");
  return 0;
} catch (const std::exception& e) {
  return examples::fail(e);
}
