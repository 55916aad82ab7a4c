// Activation modules: constructors that validate and PyTorch-style descriptions.
#include "fluxion/nn/activation.h"

#include <ostream>

#include "fluxion/ops/creation.h"

namespace fluxion::nn {

void ReLUImpl::pretty_print(std::ostream& os) const { os << "ReLU(" << (inplace ? "inplace=true" : "") << ")"; }
void LeakyReLUImpl::pretty_print(std::ostream& os) const { os << "LeakyReLU(negative_slope=" << negative_slope << ")"; }
void ELUImpl::pretty_print(std::ostream& os) const { os << "ELU(alpha=" << alpha << ")"; }
void CELUImpl::pretty_print(std::ostream& os) const { os << "CELU(alpha=" << alpha << ")"; }

GELUImpl::GELUImpl(std::string approximate_) : approximate(std::move(approximate_)) {
  FX_CHECK(approximate == "none" || approximate == "tanh", "GELU: approximate must be 'none' or 'tanh', got '",
           approximate, "'");
}
void GELUImpl::pretty_print(std::ostream& os) const { os << "GELU(approximate='" << approximate << "')"; }

void SoftplusImpl::pretty_print(std::ostream& os) const {
  os << "Softplus(beta=" << beta << ", threshold=" << threshold << ")";
}

HardtanhImpl::HardtanhImpl(double min_val_, double max_val_) : min_val(min_val_), max_val(max_val_) {
  FX_CHECK(min_val <= max_val, "Hardtanh: min_val (", min_val, ") must not exceed max_val (", max_val, ")");
}
void HardtanhImpl::pretty_print(std::ostream& os) const {
  os << "Hardtanh(min_val=" << min_val << ", max_val=" << max_val << ")";
}

void ThresholdImpl::pretty_print(std::ostream& os) const {
  os << "Threshold(threshold=" << threshold << ", value=" << value << ")";
}
void HardshrinkImpl::pretty_print(std::ostream& os) const { os << "Hardshrink(" << lambd << ")"; }
void SoftshrinkImpl::pretty_print(std::ostream& os) const { os << "Softshrink(" << lambd << ")"; }

PReLUImpl::PReLUImpl(int64_t num_parameters_, double init_) : num_parameters(num_parameters_), init(init_) {
  FX_CHECK(num_parameters >= 1, "PReLU: num_parameters must be at least 1, got ", num_parameters);
  weight = register_parameter("weight", empty({num_parameters}));
  reset_parameters();
}
void PReLUImpl::reset_parameters() {
  NoGradGuard g;
  weight.fill_(init);
}
void PReLUImpl::pretty_print(std::ostream& os) const { os << "PReLU(num_parameters=" << num_parameters << ")"; }

void GLUImpl::pretty_print(std::ostream& os) const { os << "GLU(dim=" << dim << ")"; }
void SoftmaxImpl::pretty_print(std::ostream& os) const { os << "Softmax(dim=" << dim << ")"; }
void LogSoftmaxImpl::pretty_print(std::ostream& os) const { os << "LogSoftmax(dim=" << dim << ")"; }
void SoftminImpl::pretty_print(std::ostream& os) const { os << "Softmin(dim=" << dim << ")"; }

}  // namespace fluxion::nn
