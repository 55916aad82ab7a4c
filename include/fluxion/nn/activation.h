// Activation modules (thin wrappers over nn::functional), plus PReLU's learnable slope.
// Constructor arguments follow PyTorch's order and defaults: LeakyReLU(0.2), Softmax(1), GELU("tanh").
#pragma once

#include <optional>
#include <string>

#include "fluxion/nn/functional/activation.h"
#include "fluxion/nn/module.h"

namespace fluxion::nn {

// A parameterless activation module `Name` computing `expr` (x is the input).
#define FX_NN_ACTIVATION(Name, expr)                          \
  class Name##Impl : public ModuleImpl {                      \
   public:                                                    \
    Name##Impl() = default;                                   \
    std::string name() const override { return #Name; }       \
    Tensor forward(const Tensor& x) override { return expr; } \
  };                                                          \
  FX_MODULE(Name)

FX_NN_ACTIVATION(SELU, functional::selu(x));
FX_NN_ACTIVATION(SiLU, functional::silu(x));
FX_NN_ACTIVATION(Sigmoid, functional::sigmoid(x));
FX_NN_ACTIVATION(Tanh, functional::tanh(x));
FX_NN_ACTIVATION(Mish, functional::mish(x));
FX_NN_ACTIVATION(Hardsigmoid, functional::hardsigmoid(x));
FX_NN_ACTIVATION(Hardswish, functional::hardswish(x));
FX_NN_ACTIVATION(Softsign, functional::softsign(x));
FX_NN_ACTIVATION(Tanhshrink, functional::tanhshrink(x));
FX_NN_ACTIVATION(LogSigmoid, functional::logsigmoid(x));
FX_NN_ACTIVATION(ReLU6, functional::relu6(x));
#undef FX_NN_ACTIVATION

/// max(x, 0); inplace=true overwrites the input.
class ReLUImpl : public ModuleImpl {
 public:
  explicit ReLUImpl(bool inplace = false) : inplace(inplace) {}
  std::string name() const override { return "ReLU"; }
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override { return functional::relu(x, inplace); }
  bool inplace;
};
FX_MODULE(ReLU);

class LeakyReLUImpl : public ModuleImpl {
 public:
  explicit LeakyReLUImpl(double negative_slope = 0.01) : negative_slope(negative_slope) {}
  std::string name() const override { return "LeakyReLU"; }
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override { return functional::leaky_relu(x, negative_slope); }
  double negative_slope;
};
FX_MODULE(LeakyReLU);

class ELUImpl : public ModuleImpl {
 public:
  explicit ELUImpl(double alpha = 1.0) : alpha(alpha) {}
  std::string name() const override { return "ELU"; }
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override { return functional::elu(x, alpha); }
  double alpha;
};
FX_MODULE(ELU);

class CELUImpl : public ModuleImpl {
 public:
  explicit CELUImpl(double alpha = 1.0) : alpha(alpha) {}
  std::string name() const override { return "CELU"; }
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override { return functional::celu(x, alpha); }
  double alpha;
};
FX_MODULE(CELU);

/// approximate: "none" or "tanh".
class GELUImpl : public ModuleImpl {
 public:
  explicit GELUImpl(std::string approximate = "none");
  std::string name() const override { return "GELU"; }
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override { return functional::gelu(x, approximate); }
  std::string approximate;
};
FX_MODULE(GELU);

class SoftplusImpl : public ModuleImpl {
 public:
  explicit SoftplusImpl(double beta = 1.0, double threshold = 20.0) : beta(beta), threshold(threshold) {}
  std::string name() const override { return "Softplus"; }
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override { return functional::softplus(x, beta, threshold); }
  double beta, threshold;
};
FX_MODULE(Softplus);

class HardtanhImpl : public ModuleImpl {
 public:
  explicit HardtanhImpl(double min_val = -1.0, double max_val = 1.0);
  std::string name() const override { return "Hardtanh"; }
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override { return functional::hardtanh(x, min_val, max_val); }
  double min_val, max_val;
};
FX_MODULE(Hardtanh);

/// x where x > threshold, else value.
class ThresholdImpl : public ModuleImpl {
 public:
  ThresholdImpl(double threshold, double value) : threshold(threshold), value(value) {}
  std::string name() const override { return "Threshold"; }
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override { return functional::threshold(x, threshold, value); }
  double threshold, value;
};
FX_MODULE(Threshold);

class HardshrinkImpl : public ModuleImpl {
 public:
  explicit HardshrinkImpl(double lambd = 0.5) : lambd(lambd) {}
  std::string name() const override { return "Hardshrink"; }
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override { return functional::hardshrink(x, lambd); }
  double lambd;
};
FX_MODULE(Hardshrink);

class SoftshrinkImpl : public ModuleImpl {
 public:
  explicit SoftshrinkImpl(double lambd = 0.5) : lambd(lambd) {}
  std::string name() const override { return "Softshrink"; }
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override { return functional::softshrink(x, lambd); }
  double lambd;
};
FX_MODULE(Softshrink);

/// Learnable leaky slope: num_parameters = 1 (shared) or the channel count; weight starts at `init`.
class PReLUImpl : public ModuleImpl {
 public:
  explicit PReLUImpl(int64_t num_parameters = 1, double init = 0.25);
  std::string name() const override { return "PReLU"; }
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override { return functional::prelu(x, weight); }
  void reset_parameters();
  int64_t num_parameters;
  double init;
  Tensor weight;  // (num_parameters)
};
FX_MODULE(PReLU);

class GLUImpl : public ModuleImpl {
 public:
  explicit GLUImpl(int64_t dim = -1) : dim(dim) {}
  std::string name() const override { return "GLU"; }
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override { return functional::glu(x, dim); }
  int64_t dim;
};
FX_MODULE(GLU);

/// Softmax over `dim`.
class SoftmaxImpl : public ModuleImpl {
 public:
  explicit SoftmaxImpl(int64_t dim) : dim(dim) {}
  std::string name() const override { return "Softmax"; }
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override { return functional::softmax(x, dim); }
  int64_t dim;
};
FX_MODULE(Softmax);

class LogSoftmaxImpl : public ModuleImpl {
 public:
  explicit LogSoftmaxImpl(int64_t dim) : dim(dim) {}
  std::string name() const override { return "LogSoftmax"; }
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override { return functional::log_softmax(x, dim); }
  int64_t dim;
};
FX_MODULE(LogSoftmax);

class SoftminImpl : public ModuleImpl {
 public:
  explicit SoftminImpl(int64_t dim) : dim(dim) {}
  std::string name() const override { return "Softmin"; }
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override { return functional::softmin(x, dim); }
  int64_t dim;
};
FX_MODULE(Softmin);

}  // namespace fluxion::nn
