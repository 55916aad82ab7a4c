// Pooling layers: forward via nn::functional and PyTorch-style repr.
#include "fluxion/nn/pooling.h"

#include <ostream>

namespace fluxion::nn {

namespace {

// PyTorch prints a one-element list as the bare integer (MaxPool2d(kernel_size=2, ...)).
void print_arg(std::ostream& os, const DimList& v) {
  if (v.size() == 1) {
    os << v[0];
    return;
  }
  os << "(";
  for (size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
  os << ")";
}

const DimList& stride_or_kernel(const DimList& stride, const DimList& kernel) {
  return stride.empty() ? kernel : stride;
}

template <class Opts>
void print_max_pool(std::ostream& os, const char* name, const Opts& o) {
  os << name << "(kernel_size=";
  print_arg(os, o.kernel_size());
  os << ", stride=";
  print_arg(os, stride_or_kernel(o.stride(), o.kernel_size()));
  os << ", padding=";
  print_arg(os, o.padding());
  os << ", dilation=";
  print_arg(os, o.dilation());
  os << ", ceil_mode=" << (o.ceil_mode() ? "true" : "false") << ")";
}

template <class Opts>
void print_avg_pool(std::ostream& os, const char* name, const Opts& o) {
  os << name << "(kernel_size=";
  print_arg(os, o.kernel_size());
  os << ", stride=";
  print_arg(os, stride_or_kernel(o.stride(), o.kernel_size()));
  os << ", padding=";
  print_arg(os, o.padding());
  if (o.ceil_mode()) os << ", ceil_mode=true";
  if (!o.count_include_pad()) os << ", count_include_pad=false";
  if (o.divisor_override()) os << ", divisor_override=" << *o.divisor_override();
  os << ")";
}

template <class Opts>
void print_unpool(std::ostream& os, const char* name, const Opts& o) {
  os << name << "(kernel_size=";
  print_arg(os, o.kernel_size());
  os << ", stride=";
  print_arg(os, stride_or_kernel(o.stride(), o.kernel_size()));
  os << ", padding=";
  print_arg(os, o.padding());
  os << ")";
}

}  // namespace

void MaxPool1dImpl::pretty_print(std::ostream& os) const { print_max_pool(os, "MaxPool1d", options); }
Tensor MaxPool1dImpl::forward(const Tensor& x) {
  return functional::max_pool1d(x, options.kernel_size(), options.stride(), options.padding(), options.dilation(),
                                options.ceil_mode());
}
std::tuple<Tensor, Tensor> MaxPool1dImpl::forward_with_indices(const Tensor& x) {
  return functional::max_pool1d_with_indices(x, options.kernel_size(), options.stride(), options.padding(),
                                             options.dilation(), options.ceil_mode());
}

void MaxPool2dImpl::pretty_print(std::ostream& os) const { print_max_pool(os, "MaxPool2d", options); }
Tensor MaxPool2dImpl::forward(const Tensor& x) {
  return functional::max_pool2d(x, options.kernel_size(), options.stride(), options.padding(), options.dilation(),
                                options.ceil_mode());
}
std::tuple<Tensor, Tensor> MaxPool2dImpl::forward_with_indices(const Tensor& x) {
  return functional::max_pool2d_with_indices(x, options.kernel_size(), options.stride(), options.padding(),
                                             options.dilation(), options.ceil_mode());
}

void AvgPool1dImpl::pretty_print(std::ostream& os) const { print_avg_pool(os, "AvgPool1d", options); }
Tensor AvgPool1dImpl::forward(const Tensor& x) {
  FX_CHECK(!options.divisor_override(), "AvgPool1d: divisor_override is only supported by AvgPool2d");
  return functional::avg_pool1d(x, options.kernel_size(), options.stride(), options.padding(), options.ceil_mode(),
                                options.count_include_pad());
}

void AvgPool2dImpl::pretty_print(std::ostream& os) const { print_avg_pool(os, "AvgPool2d", options); }
Tensor AvgPool2dImpl::forward(const Tensor& x) {
  return functional::avg_pool2d(x, options.kernel_size(), options.stride(), options.padding(), options.ceil_mode(),
                                options.count_include_pad(), options.divisor_override());
}

void AdaptiveAvgPool1dImpl::pretty_print(std::ostream& os) const {
  os << "AdaptiveAvgPool1d(output_size=";
  print_arg(os, output_size);
  os << ")";
}
Tensor AdaptiveAvgPool1dImpl::forward(const Tensor& x) { return functional::adaptive_avg_pool1d(x, output_size); }

void AdaptiveAvgPool2dImpl::pretty_print(std::ostream& os) const {
  os << "AdaptiveAvgPool2d(output_size=";
  print_arg(os, output_size);
  os << ")";
}
Tensor AdaptiveAvgPool2dImpl::forward(const Tensor& x) { return functional::adaptive_avg_pool2d(x, output_size); }

void AdaptiveMaxPool1dImpl::pretty_print(std::ostream& os) const {
  os << "AdaptiveMaxPool1d(output_size=";
  print_arg(os, output_size);
  os << ")";
}
Tensor AdaptiveMaxPool1dImpl::forward(const Tensor& x) { return functional::adaptive_max_pool1d(x, output_size); }
std::tuple<Tensor, Tensor> AdaptiveMaxPool1dImpl::forward_with_indices(const Tensor& x) {
  return functional::adaptive_max_pool1d_with_indices(x, output_size);
}

void AdaptiveMaxPool2dImpl::pretty_print(std::ostream& os) const {
  os << "AdaptiveMaxPool2d(output_size=";
  print_arg(os, output_size);
  os << ")";
}
Tensor AdaptiveMaxPool2dImpl::forward(const Tensor& x) { return functional::adaptive_max_pool2d(x, output_size); }
std::tuple<Tensor, Tensor> AdaptiveMaxPool2dImpl::forward_with_indices(const Tensor& x) {
  return functional::adaptive_max_pool2d_with_indices(x, output_size);
}

void MaxUnpool1dImpl::pretty_print(std::ostream& os) const { print_unpool(os, "MaxUnpool1d", options); }
Tensor MaxUnpool1dImpl::forward(const Tensor& x, const Tensor& indices, const DimList& output_size) {
  return functional::max_unpool1d(x, indices, options.kernel_size(), options.stride(), options.padding(), output_size);
}

void MaxUnpool2dImpl::pretty_print(std::ostream& os) const { print_unpool(os, "MaxUnpool2d", options); }
Tensor MaxUnpool2dImpl::forward(const Tensor& x, const Tensor& indices, const DimList& output_size) {
  return functional::max_unpool2d(x, indices, options.kernel_size(), options.stride(), options.padding(), output_size);
}

}  // namespace fluxion::nn
