// torch.nn.init equivalents. Fills run under NoGradGuard so parameters (leaves that require grad)
// can be initialised in place; matrix-valued initialisers build their values in float64 on the
// CPU and copy them in (copy_ converts dtype and device).
#include "fluxion/nn/init.h"

#include <cmath>
#include <vector>

#include "fluxion/autograd.h"
#include "fluxion/error.h"
#include "fluxion/ops/creation.h"

namespace fluxion::nn::init {

namespace {
void check_defined(const Tensor& t, const char* op) {
  FX_CHECK(t.defined(), "nn::init::", op, ": tensor is undefined");
}

void check_float(const Tensor& t, const char* op) {
  check_defined(t, op);
  FX_CHECK(t.is_floating_point(), "nn::init::", op, ": expected a floating-point tensor, got ", t.dtype());
}

double fan_for(const Tensor& t, const std::string& mode, const char* op) {
  FX_CHECK(mode == "fan_in" || mode == "fan_out", "nn::init::", op, ": mode must be 'fan_in' or 'fan_out', got '", mode,
           "'");
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  return static_cast<double>(mode == "fan_in" ? fan_in : fan_out);
}

/// Copies float64 CPU values (row-major, t's sizes) into t.
void assign(Tensor& t, const std::vector<double>& values) {
  Tensor src = tensor(values, t.sizes(), TensorOptions(kFloat64));
  t.copy_(src);
}

/// Inverse of erf on (-1, 1): an initial rational approximation refined by Newton steps.
double erfinv(double y) {
  if (y <= -1.0) return -INFINITY;
  if (y >= 1.0) return INFINITY;
  // Giles' single-precision approximation as the starting point.
  double w = -std::log((1.0 - y) * (1.0 + y));
  double x;
  if (w < 5.0) {
    w -= 2.5;
    double p = 2.81022636e-08;
    p = 3.43273939e-07 + p * w;
    p = -3.5233877e-06 + p * w;
    p = -4.39150654e-06 + p * w;
    p = 0.00021858087 + p * w;
    p = -0.00125372503 + p * w;
    p = -0.00417768164 + p * w;
    p = 0.246640727 + p * w;
    p = 1.50140941 + p * w;
    x = p * y;
  } else {
    w = std::sqrt(w) - 3.0;
    double p = -0.000200214257;
    p = 0.000100950558 + p * w;
    p = 0.00134934322 + p * w;
    p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w;
    p = -0.0076224613 + p * w;
    p = 0.00943887047 + p * w;
    p = 1.00167406 + p * w;
    p = 2.83297682 + p * w;
    x = p * y;
  }
  const double two_over_sqrt_pi = 1.1283791670955126;
  for (int i = 0; i < 3; ++i) {
    double err = std::erf(x) - y;
    x -= err / (two_over_sqrt_pi * std::exp(-x * x));
  }
  return x;
}
}  // namespace

double calculate_gain(const std::string& nonlinearity, std::optional<double> param) {
  const std::string& n = nonlinearity;
  if (n == "linear" || n == "conv1d" || n == "conv2d" || n == "conv3d" || n == "conv_transpose1d" ||
      n == "conv_transpose2d" || n == "conv_transpose3d" || n == "sigmoid")
    return 1.0;
  if (n == "tanh") return 5.0 / 3.0;
  if (n == "relu") return std::sqrt(2.0);
  if (n == "leaky_relu") {
    double slope = param.value_or(0.01);
    return std::sqrt(2.0 / (1.0 + slope * slope));
  }
  if (n == "selu") return 3.0 / 4.0;
  FX_FAIL("nn::init::calculate_gain: unsupported nonlinearity '", n,
          "' (expected linear, conv1d/2d/3d, conv_transpose1d/2d/3d, sigmoid, tanh, relu, leaky_relu or selu)");
}

std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& t) {
  check_defined(t, "calculate_fan_in_and_fan_out");
  FX_CHECK(t.dim() >= 2,
           "nn::init: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions "
           "(got sizes ",
           t.sizes(), ")");
  int64_t receptive = 1;
  for (int64_t d = 2; d < t.dim(); ++d) receptive *= t.size(d);
  return {t.size(1) * receptive, t.size(0) * receptive};
}

Tensor uniform_(Tensor t, double a, double b, Generator* gen) {
  check_float(t, "uniform_");
  NoGradGuard g;
  fluxion::uniform_(t, a, b, gen);
  return t;
}

Tensor normal_(Tensor t, double mean, double std, Generator* gen) {
  check_float(t, "normal_");
  NoGradGuard g;
  fluxion::normal_(t, mean, std, gen);
  return t;
}

Tensor trunc_normal_(Tensor t, double mean, double std, double a, double b, Generator* gen) {
  check_float(t, "trunc_normal_");
  FX_CHECK(std > 0 && a < b, "nn::init::trunc_normal_: expected std > 0 and a < b, got std=", std, " a=", a, " b=", b);
  NoGradGuard g;
  // Sample U in [Phi(alpha), Phi(beta)] and map it through the inverse normal CDF (PyTorch's method).
  auto norm_cdf = [](double x) { return (1.0 + std::erf(x / std::sqrt(2.0))) / 2.0; };
  double lo = norm_cdf((a - mean) / std), hi = norm_cdf((b - mean) / std);
  Tensor u = rand(t.sizes(), TensorOptions(kFloat64), gen).contiguous();
  const double* up = u.data_ptr<double>();
  std::vector<double> v(static_cast<size_t>(t.numel()));
  for (size_t i = 0; i < v.size(); ++i) {
    double uu = (2 * lo - 1) + (2 * hi - 1 - (2 * lo - 1)) * up[i];  // U(2lo - 1, 2hi - 1)
    double x = erfinv(uu) * std * std::sqrt(2.0) + mean;
    v[i] = std::min(std::max(x, a), b);
  }
  assign(t, v);
  return t;
}

Tensor constant_(Tensor t, double value) {
  check_defined(t, "constant_");
  NoGradGuard g;
  t.fill_(value);
  return t;
}

Tensor zeros_(Tensor t) { return constant_(std::move(t), 0.0); }
Tensor ones_(Tensor t) { return constant_(std::move(t), 1.0); }

Tensor eye_(Tensor t) {
  check_defined(t, "eye_");
  FX_CHECK(t.dim() == 2, "nn::init::eye_: only 2-d tensors are supported, got sizes ", t.sizes());
  NoGradGuard g;
  t.copy_(eye(t.size(0), t.size(1), TensorOptions(kFloat64)));
  return t;
}

Tensor dirac_(Tensor t, int64_t groups) {
  check_defined(t, "dirac_");
  FX_CHECK(t.dim() >= 3 && t.dim() <= 5, "nn::init::dirac_: only 3, 4 and 5-d tensors are supported, got sizes ",
           t.sizes());
  FX_CHECK(groups >= 1 && t.size(0) % groups == 0, "nn::init::dirac_: dim 0 (", t.size(0),
           ") must be divisible by groups (", groups, ")");
  NoGradGuard g;
  int64_t out_per_group = t.size(0) / groups;
  int64_t min_dim = std::min(out_per_group, t.size(1));
  Shape strides = contiguous_strides(t.sizes());
  std::vector<double> v(static_cast<size_t>(t.numel()), 0.0);
  for (int64_t gi = 0; gi < groups; ++gi) {
    for (int64_t d = 0; d < min_dim; ++d) {
      int64_t off = (gi * out_per_group + d) * strides[0] + d * strides[1];
      for (int64_t k = 2; k < t.dim(); ++k) off += (t.size(k) / 2) * strides[k];
      v[static_cast<size_t>(off)] = 1.0;
    }
  }
  assign(t, v);
  return t;
}

Tensor xavier_uniform_(Tensor t, double gain, Generator* gen) {
  check_float(t, "xavier_uniform_");
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  double std = gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out));
  double bound = std::sqrt(3.0) * std;
  return uniform_(std::move(t), -bound, bound, gen);
}

Tensor xavier_normal_(Tensor t, double gain, Generator* gen) {
  check_float(t, "xavier_normal_");
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  double std = gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out));
  return normal_(std::move(t), 0.0, std, gen);
}

Tensor kaiming_uniform_(Tensor t, double a, const std::string& mode, const std::string& nonlinearity, Generator* gen) {
  check_float(t, "kaiming_uniform_");
  if (t.numel() == 0) return t;  // PyTorch warns and leaves zero-element tensors alone
  double fan = fan_for(t, mode, "kaiming_uniform_");
  double std = calculate_gain(nonlinearity, a) / std::sqrt(fan);
  double bound = std::sqrt(3.0) * std;
  return uniform_(std::move(t), -bound, bound, gen);
}

Tensor kaiming_normal_(Tensor t, double a, const std::string& mode, const std::string& nonlinearity, Generator* gen) {
  check_float(t, "kaiming_normal_");
  if (t.numel() == 0) return t;
  double fan = fan_for(t, mode, "kaiming_normal_");
  double std = calculate_gain(nonlinearity, a) / std::sqrt(fan);
  return normal_(std::move(t), 0.0, std, gen);
}

Tensor orthogonal_(Tensor t, double gain, Generator* gen) {
  check_float(t, "orthogonal_");
  FX_CHECK(t.dim() >= 2, "nn::init::orthogonal_: only tensors with 2 or more dimensions are supported, got sizes ",
           t.sizes());
  if (t.numel() == 0) return t;
  NoGradGuard g;
  const int64_t rows = t.size(0), cols = t.numel() / rows;
  // Work on an m x n matrix with m >= n (transpose when the tensor is wide).
  const bool wide = rows < cols;
  const int64_t m = wide ? cols : rows, n = wide ? rows : cols;
  Tensor a = randn({m, n}, TensorOptions(kFloat64), gen).contiguous();
  std::vector<double> q(a.data_ptr<double>(), a.data_ptr<double>() + m * n);  // (m, n) row-major
  // Modified Gram-Schmidt, twice ("twice is enough") for orthogonality to rounding level. The
  // resulting R has a positive diagonal, which is exactly PyTorch's q * sign(diag(r)) correction.
  for (int pass = 0; pass < 2; ++pass) {
    for (int64_t j = 0; j < n; ++j) {
      for (int64_t k = 0; k < j; ++k) {
        double dot = 0;
        for (int64_t i = 0; i < m; ++i) dot += q[i * n + k] * q[i * n + j];
        for (int64_t i = 0; i < m; ++i) q[i * n + j] -= dot * q[i * n + k];
      }
      double nrm = 0;
      for (int64_t i = 0; i < m; ++i) nrm += q[i * n + j] * q[i * n + j];
      nrm = std::sqrt(nrm);
      FX_CHECK(nrm > 0, "nn::init::orthogonal_: degenerate random matrix (rank deficient); try again");
      for (int64_t i = 0; i < m; ++i) q[i * n + j] /= nrm;
    }
  }
  std::vector<double> v(static_cast<size_t>(rows * cols));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) v[r * cols + c] = gain * (wide ? q[c * n + r] : q[r * n + c]);
  assign(t, v);
  return t;
}

Tensor sparse_(Tensor t, double sparsity, double std, Generator* gen) {
  check_float(t, "sparse_");
  FX_CHECK(t.dim() == 2, "nn::init::sparse_: only 2-d tensors are supported, got sizes ", t.sizes());
  FX_CHECK(sparsity >= 0 && sparsity <= 1, "nn::init::sparse_: sparsity must be in [0, 1], got ", sparsity);
  NoGradGuard g;
  const int64_t rows = t.size(0), cols = t.size(1);
  const int64_t num_zeros = static_cast<int64_t>(std::ceil(sparsity * static_cast<double>(rows)));
  Tensor vals = randn({rows, cols}, TensorOptions(kFloat64), gen).contiguous();
  std::vector<double> v(vals.data_ptr<double>(), vals.data_ptr<double>() + rows * cols);
  for (int64_t c = 0; c < cols; ++c) {
    Tensor perm = randperm(rows, TensorOptions(kInt64), gen);
    const int64_t* p = perm.data_ptr<int64_t>();
    for (int64_t r = 0; r < rows; ++r) v[r * cols + c] *= std;
    for (int64_t z = 0; z < num_zeros; ++z) v[p[z] * cols + c] = 0.0;
  }
  assign(t, v);
  return t;
}

}  // namespace fluxion::nn::init
