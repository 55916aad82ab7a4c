// Identity, Linear, Bilinear, Flatten, Unflatten modules.
#include "fluxion/nn/linear.h"

#include <cmath>
#include <ostream>

#include "fluxion/nn/init.h"
#include "fluxion/ops/creation.h"

namespace fluxion::nn {

LinearImpl::LinearImpl(const LinearOptions& opts) : options(opts) {
  FX_CHECK(opts.in_features() >= 0 && opts.out_features() >= 0,
           "Linear: in_features and out_features must be "
           "non-negative, got ",
           opts.in_features(), " and ", opts.out_features());
  weight = register_parameter("weight", empty({opts.out_features(), opts.in_features()}));
  bias = register_parameter("bias", opts.bias() ? empty({opts.out_features()}) : Tensor());
  reset_parameters();
}

void LinearImpl::reset_parameters() {
  // PyTorch's default: kaiming_uniform_(a = sqrt(5)) gives U(-1/sqrt(in), 1/sqrt(in)) for the weight.
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    double bound = options.in_features() > 0 ? 1.0 / std::sqrt(static_cast<double>(options.in_features())) : 0.0;
    init::uniform_(bias, -bound, bound);
  }
}

void LinearImpl::pretty_print(std::ostream& os) const {
  os << "Linear(in_features=" << options.in_features() << ", out_features=" << options.out_features()
     << ", bias=" << (options.bias() ? "true" : "false") << ")";
}

Tensor LinearImpl::forward(const Tensor& x) { return functional::linear(x, weight, bias); }

BilinearImpl::BilinearImpl(const BilinearOptions& opts) : options(opts) {
  FX_CHECK(opts.in1_features() > 0 && opts.in2_features() >= 0 && opts.out_features() >= 0,
           "Bilinear: feature sizes must be positive, got in1=", opts.in1_features(), " in2=", opts.in2_features(),
           " out=", opts.out_features());
  weight = register_parameter("weight", empty({opts.out_features(), opts.in1_features(), opts.in2_features()}));
  bias = register_parameter("bias", opts.bias() ? empty({opts.out_features()}) : Tensor());
  reset_parameters();
}

void BilinearImpl::reset_parameters() {
  double bound = 1.0 / std::sqrt(static_cast<double>(options.in1_features()));
  init::uniform_(weight, -bound, bound);
  if (bias.defined()) init::uniform_(bias, -bound, bound);
}

void BilinearImpl::pretty_print(std::ostream& os) const {
  os << "Bilinear(in1_features=" << options.in1_features() << ", in2_features=" << options.in2_features()
     << ", out_features=" << options.out_features() << ", bias=" << (options.bias() ? "true" : "false") << ")";
}

Tensor BilinearImpl::forward(const Tensor& x1, const Tensor& x2) { return functional::bilinear(x1, x2, weight, bias); }

void FlattenImpl::pretty_print(std::ostream& os) const {
  os << "Flatten(start_dim=" << start_dim << ", end_dim=" << end_dim << ")";
}

void UnflattenImpl::pretty_print(std::ostream& os) const {
  os << "Unflatten(dim=" << dim << ", unflattened_size=" << sizes << ")";
}

}  // namespace fluxion::nn
