// Upsample layer: forward through functional::interpolate, PyTorch-style repr.
#include "fluxion/nn/upsample.h"

#include <ostream>

namespace fluxion::nn {

void UpsampleImpl::pretty_print(std::ostream& os) const {
  os << "Upsample(";
  if (options.size()) {
    os << "size=(";
    for (size_t i = 0; i < options.size()->size(); ++i) os << (i ? ", " : "") << (*options.size())[i];
    os << "), ";
  }
  if (options.scale_factor()) {
    os << "scale_factor=(";
    for (size_t i = 0; i < options.scale_factor()->size(); ++i) os << (i ? ", " : "") << (*options.scale_factor())[i];
    os << "), ";
  }
  os << "mode='" << options.mode() << "'";
  if (options.align_corners()) os << ", align_corners=" << (*options.align_corners() ? "true" : "false");
  os << ")";
}

Tensor UpsampleImpl::forward(const Tensor& x) {
  functional::InterpolateOptions o;
  o.mode(options.mode());
  if (options.size()) o.size(*options.size());
  if (options.scale_factor()) o.scale_factor(*options.scale_factor());
  if (options.align_corners()) o.align_corners(*options.align_corners());
  return functional::interpolate(x, o);
}

}  // namespace fluxion::nn
