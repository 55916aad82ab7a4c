// Activation functions: fused forward kernels (one pass over memory) with VJPs/JVPs written as
// compositions of differentiable ops, following PyTorch's backward formulas and subgradients.
#include <cmath>

#include "ops/pointwise_common.h"

namespace fluxion {

using namespace pw;  // NOLINT

namespace {

constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;
constexpr double kInvSqrt2Pi = 0.39894228040143267794;  // 1 / sqrt(2 pi)
constexpr double kSqrt1_2 = 0.70710678118654752440;

Tensor activation(const Tensor& x, const char* name, UnaryOp op, const UnaryParams& p = {}) {
  check_defined(x, name);
  check_floating(x, name);
  return unary_op(x, x.dtype(), op, p);
}

}  // namespace

Tensor leaky_relu(const Tensor& x, double negative_slope) {
  UnaryParams p;
  p.a = negative_slope;
  Tensor y = activation(x, "leaky_relu", UnaryOp::LeakyRelu, p);
  if (autograd::needs_record({&x}))
    record_unary("LeakyReluBackward0", x, y, Save::X,
                 [negative_slope](const Tensor& g, const Tensor& x, const Tensor&) {
                   return where(x > 0, g, g * negative_slope);
                 });
  return y;
}

Tensor elu(const Tensor& x, double alpha, double scale, double input_scale) {
  UnaryParams p;
  p.a = alpha;
  p.b = scale;
  p.c = input_scale;
  Tensor y = activation(x, "elu", UnaryOp::Elu, p);
  if (autograd::needs_record({&x}))
    record_unary("EluBackward0", x, y, Save::X,
                 [alpha, scale, input_scale](const Tensor& g, const Tensor& x, const Tensor&) {
                   return where(x > 0, g * scale, g * ((x * input_scale).exp() * (alpha * scale * input_scale)));
                 });
  return y;
}

Tensor selu(const Tensor& x) { return elu(x, kSeluAlpha, kSeluScale, 1.0); }

Tensor celu(const Tensor& x, double alpha) {
  FX_CHECK(alpha != 0.0, "celu: alpha cannot be 0 (ZeroDivisionError)");
  return elu(x, alpha, 1.0, 1.0 / alpha);
}

Tensor gelu(const Tensor& x, const std::string& approximate) {
  FX_CHECK(approximate == "none" || approximate == "tanh",
           "gelu: approximate argument must be either \"none\" or "
           "\"tanh\" but got \"",
           approximate, "\"");
  const bool tanh_mode = approximate == "tanh";
  Tensor y = activation(x, "gelu", tanh_mode ? UnaryOp::GeluTanh : UnaryOp::Gelu);
  if (autograd::needs_record({&x})) {
    if (!tanh_mode) {
      record_unary("GeluBackward0", x, y, Save::X, [](const Tensor& g, const Tensor& x, const Tensor&) {
        Tensor cdf = ((x * kSqrt1_2).erf() + 1) * 0.5;
        Tensor pdf = (x * x * -0.5).exp() * kInvSqrt2Pi;
        return g * (cdf + x * pdf);
      });
    } else {
      record_unary("GeluBackward0", x, y, Save::X, [](const Tensor& g, const Tensor& x, const Tensor&) {
        constexpr double kBeta = 0.79788456080286535588;  // sqrt(2/pi)
        constexpr double kKappa = 0.044715;
        Tensor x2 = x * x;
        Tensor t = ((x + x2 * x * kKappa) * kBeta).tanh();
        Tensor left = (t + 1) * 0.5;
        Tensor right = x * 0.5 * (1 - t * t) * ((x2 * (3 * kKappa) + 1) * kBeta);
        return g * (left + right);
      });
    }
  }
  return y;
}

Tensor softplus(const Tensor& x, double beta, double threshold) {
  FX_CHECK(beta != 0.0, "softplus: beta must not be 0");
  UnaryParams p;
  p.a = beta;
  p.b = threshold;
  Tensor y = activation(x, "softplus", UnaryOp::Softplus, p);
  if (autograd::needs_record({&x}))
    record_unary("SoftplusBackward0", x, y, Save::X,
                 [beta, threshold](const Tensor& g, const Tensor& x, const Tensor&) {
                   Tensor bx = x * beta;
                   return where(bx > threshold, g, g * bx.sigmoid());
                 });
  return y;
}

Tensor mish(const Tensor& x) {
  Tensor y = activation(x, "mish", UnaryOp::Mish);
  if (autograd::needs_record({&x}))
    record_unary("MishBackward0", x, y, Save::X, [](const Tensor& g, const Tensor& x, const Tensor&) {
      Tensor t = softplus(x).tanh();
      return g * (t + x * x.sigmoid() * (1 - t * t));
    });
  return y;
}

namespace {
// hardtanh/relu6: a clamp whose gradient is zero on the bounds (PyTorch's hardtanh_backward).
Tensor hardtanh_impl(const Tensor& x, double min_val, double max_val, const char* name, const char* node) {
  check_defined(x, name);
  FX_CHECK(x.dtype() != DType::Bool, name, ": not implemented for dtype bool");
  FX_CHECK(min_val <= max_val, name, ": min_val (", min_val, ") cannot be greater than max_val (", max_val, ")");
  UnaryParams p;
  if (x.is_floating_point()) {
    p.s0 = min_val;
    p.s1 = max_val;
  } else {
    // Integer tensors clamp to the integer parts of the bounds, as PyTorch's cast of the bounds.
    p.s0 = static_cast<int64_t>(min_val);
    p.s1 = static_cast<int64_t>(max_val);
  }
  Tensor y = unary_op(x, x.dtype(), UnaryOp::Hardtanh, p);
  if (y.is_floating_point() && autograd::needs_record({&x}))
    record_unary(node, x, y, Save::X, [min_val, max_val](const Tensor& g, const Tensor& x, const Tensor&) {
      return where(logical_and(x > min_val, x < max_val), g, 0);
    });
  return y;
}
}  // namespace

Tensor hardtanh(const Tensor& x, double min_val, double max_val) {
  return hardtanh_impl(x, min_val, max_val, "hardtanh", "HardtanhBackward0");
}
Tensor relu6(const Tensor& x) { return hardtanh_impl(x, 0.0, 6.0, "relu6", "HardtanhBackward0"); }

Tensor hardsigmoid(const Tensor& x) {
  Tensor y = activation(x, "hardsigmoid", UnaryOp::Hardsigmoid);
  if (autograd::needs_record({&x}))
    record_unary("HardsigmoidBackward0", x, y, Save::X, [](const Tensor& g, const Tensor& x, const Tensor&) {
      // PyTorch's kernel multiplies by the float constant 1.0f / 6.0f in every dtype.
      return where(logical_and(x > -3, x < 3), g * static_cast<double>(1.0f / 6.0f), 0);
    });
  return y;
}

Tensor hardswish(const Tensor& x) {
  Tensor y = activation(x, "hardswish", UnaryOp::Hardswish);
  if (autograd::needs_record({&x}))
    record_unary("HardswishBackward0", x, y, Save::X, [](const Tensor& g, const Tensor& x, const Tensor&) {
      // Subgradients as PyTorch 2.x: 0 at -3, g at +3.
      return where(x <= -3, 0, where(x < 3, g * (x / 3 + 0.5), g));
    });
  return y;
}

Tensor softsign(const Tensor& x) {
  Tensor y = activation(x, "softsign", UnaryOp::Softsign);
  if (autograd::needs_record({&x}))
    record_unary("SoftsignBackward0", x, y, Save::X, [](const Tensor& g, const Tensor& x, const Tensor&) {
      Tensor d = x.abs() + 1;
      return g / (d * d);
    });
  return y;
}

Tensor tanhshrink(const Tensor& x) {
  Tensor y = activation(x, "tanhshrink", UnaryOp::Tanhshrink);
  if (autograd::needs_record({&x}))
    record_unary("TanhshrinkBackward0", x, y, Save::X, [](const Tensor& g, const Tensor& x, const Tensor&) {
      Tensor t = x.tanh();
      return g * (t * t);
    });
  return y;
}

Tensor logsigmoid(const Tensor& x) {
  Tensor y = activation(x, "logsigmoid", UnaryOp::Logsigmoid);
  if (autograd::needs_record({&x}))
    record_unary("LogSigmoidBackward0", x, y, Save::X,
                 [](const Tensor& g, const Tensor& x, const Tensor&) { return g * x.neg().sigmoid(); });
  return y;
}

Tensor logit(const Tensor& x, std::optional<double> eps) {
  check_defined(x, "logit");
  UnaryParams p;
  p.a = eps.value_or(-1.0);
  FX_CHECK(!eps || (*eps >= 0.0 && *eps <= 0.5), "logit: eps must be in [0, 0.5] but got ", *eps);
  const DType dt = float_result(x.dtype());
  if (eps) {
    // PyTorch forms lo = eps and hi = 1 - eps in the tensor's own dtype.
    auto in_dtype = [dt](double v) -> double {
      switch (dt) {
        case DType::Float16: return static_cast<float>(Half(static_cast<float>(v)));
        case DType::BFloat16: return static_cast<float>(BFloat16(static_cast<float>(v)));
        case DType::Float32: return static_cast<float>(v);
        default: return v;
      }
    };
    p.b = in_dtype(*eps);
    p.c = in_dtype(1.0 - p.b);
  }
  Tensor y = unary_op(x, dt, UnaryOp::Logit, p);
  if (autograd::needs_record({&x})) {
    record_unary("LogitBackward0", x, y, Save::X, [eps](const Tensor& g, const Tensor& x, const Tensor&) {
      Tensor d = g / (x * (1 - x));
      if (!eps) return where(logical_or(x<0, x> 1), std::nan(""), d);
      return where(logical_or(x<*eps, x> 1 - *eps), 0, d);
    });
  }
  return y;
}
Tensor Tensor::logit(std::optional<double> eps) const { return fluxion::logit(*this, eps); }

}  // namespace fluxion
