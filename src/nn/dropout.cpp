// Dropout modules.
#include "fluxion/nn/dropout.h"

#include <ostream>

namespace fluxion::nn {

DropoutBase::DropoutBase(const DropoutOptions& opts, const char* name) : options(opts), name_(name) {
  FX_CHECK(opts.p() >= 0.0 && opts.p() <= 1.0, name, ": dropout probability has to be between 0 and 1, but got ",
           opts.p());
}

void DropoutBase::pretty_print(std::ostream& os) const {
  os << name_ << "(p=" << options.p() << ", inplace=" << (options.inplace() ? "true" : "false") << ")";
}

Tensor DropoutImpl::forward(const Tensor& x) {
  return functional::dropout(x, options.p(), is_training(), options.inplace());
}
Tensor Dropout1dImpl::forward(const Tensor& x) { return functional::dropout1d(x, options.p(), is_training()); }
Tensor Dropout2dImpl::forward(const Tensor& x) { return functional::dropout2d(x, options.p(), is_training()); }
Tensor Dropout3dImpl::forward(const Tensor& x) { return functional::dropout3d(x, options.p(), is_training()); }
Tensor AlphaDropoutImpl::forward(const Tensor& x) { return functional::alpha_dropout(x, options.p(), is_training()); }
Tensor FeatureAlphaDropoutImpl::forward(const Tensor& x) {
  return functional::feature_alpha_dropout(x, options.p(), is_training());
}

}  // namespace fluxion::nn
