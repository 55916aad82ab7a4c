// Convolution layers (Conv1d/2d/3d, ConvTranspose1d/2d/3d): parameters, PyTorch's default
// initialisation, padding modes and repr. The computation is in conv_functional.cpp.
#include "fluxion/nn/conv.h"

#include <cmath>
#include <ostream>

#include "fluxion/nn/init.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/index.h"

namespace fluxion::nn {

namespace {

Shape expand_to(const DimList& v, int nd, const char* layer, const char* what) {
  FX_CHECK(v.size() == 1 || static_cast<int>(v.size()) == nd, layer, ": ", what,
           " must be a single integer or a list of ", nd, " integers, got ", static_cast<const Shape&>(v));
  Shape out;
  for (int i = 0; i < nd; ++i) out.push_back(v.size() == 1 ? v[0] : v[static_cast<size_t>(i)]);
  return out;
}

std::string layer_name(int nd, bool transposed) {
  return std::string(transposed ? "ConvTranspose" : "Conv") + std::to_string(nd) + "d";
}

template <class Opts>
detail::ConvLayerSpec common_spec(const Opts& o, int nd, bool transposed) {
  const std::string name = layer_name(nd, transposed);
  detail::ConvLayerSpec s;
  s.nd = nd;
  s.transposed = transposed;
  s.in_channels = o.in_channels();
  s.out_channels = o.out_channels();
  s.groups = o.groups();
  s.kernel_size = expand_to(o.kernel_size(), nd, name.c_str(), "kernel_size");
  s.stride = expand_to(o.stride(), nd, name.c_str(), "stride");
  s.dilation = expand_to(o.dilation(), nd, name.c_str(), "dilation");
  s.bias = o.bias();
  s.padding_mode = o.padding_mode();
  return s;
}

template <int D>
detail::ConvLayerSpec spec_of(const ConvOptions<D>& o) {
  detail::ConvLayerSpec s = common_spec(o, D, false);
  if (o.padding().is_mode()) {
    s.padding = o.padding();
  } else {
    s.padding = functional::ConvPadding(DimList(expand_to(o.padding().values(), D, "Conv", "padding")));
  }
  s.output_padding = Shape(static_cast<size_t>(D), int64_t{0});
  return s;
}

template <int D>
detail::ConvLayerSpec spec_of(const ConvTransposeOptions<D>& o) {
  detail::ConvLayerSpec s = common_spec(o, D, true);
  s.padding = functional::ConvPadding(DimList(expand_to(o.padding(), D, "ConvTranspose", "padding")));
  s.output_padding = expand_to(o.output_padding(), D, "ConvTranspose", "output_padding");
  return s;
}

void print_tuple(std::ostream& os, const Shape& s) {
  os << "(";
  for (size_t i = 0; i < s.size(); ++i) os << (i ? ", " : "") << s[i];
  os << (s.size() == 1 ? ",)" : ")");
}

bool all_equal(const Shape& s, int64_t v) {
  for (int64_t x : s)
    if (x != v) return false;
  return true;
}

}  // namespace

ConvNdImpl::ConvNdImpl(detail::ConvLayerSpec spec) : spec_(std::move(spec)) {
  const std::string name = layer_name(spec_.nd, spec_.transposed);
  const auto& s = spec_;
  FX_CHECK(s.groups > 0, name, ": groups must be a positive integer, got ", s.groups);
  FX_CHECK(s.in_channels > 0 && s.out_channels > 0, name, ": in_channels and out_channels must be positive, got ",
           s.in_channels, " and ", s.out_channels);
  FX_CHECK(s.in_channels % s.groups == 0, name, ": in_channels (", s.in_channels, ") must be divisible by groups (",
           s.groups, ")");
  FX_CHECK(s.out_channels % s.groups == 0, name, ": out_channels (", s.out_channels, ") must be divisible by groups (",
           s.groups, ")");
  for (int64_t k : s.kernel_size) FX_CHECK(k > 0, name, ": kernel_size must be positive, got ", s.kernel_size);
  FX_CHECK(s.padding_mode == "zeros" || s.padding_mode == "reflect" || s.padding_mode == "replicate" ||
               s.padding_mode == "circular",
           name, ": padding_mode must be one of 'zeros', 'reflect', 'replicate' or 'circular', got '", s.padding_mode,
           "'");
  FX_CHECK(!s.transposed || s.padding_mode == "zeros", name, ": only 'zeros' padding mode is supported for ", name);
  if (s.padding.is_mode()) {
    FX_CHECK(s.padding.mode() == "same" || s.padding.mode() == "valid", name, ": invalid padding string '",
             s.padding.mode(), "', should be one of 'valid' or 'same'");
    if (s.padding.mode() == "same")
      FX_CHECK(all_equal(s.stride, 1), name, ": padding='same' is not supported for strided convolutions");
  }
  // F.pad list (last dim first) for non-zero padding modes, as PyTorch's _reversed_padding_repeated_twice.
  for (int i = s.nd - 1; i >= 0; --i) {
    const size_t j = static_cast<size_t>(i);
    int64_t left = 0, right = 0;
    if (s.padding.is_mode()) {
      if (s.padding.mode() == "same") {
        const int64_t total = s.dilation[j] * (s.kernel_size[j] - 1);
        left = total / 2;
        right = total - left;
      }
    } else {
      left = right = s.padding.values()[j];
    }
    reversed_padding_.push_back(left);
    reversed_padding_.push_back(right);
  }
  Shape wshape =
      s.transposed ? Shape{s.in_channels, s.out_channels / s.groups} : Shape{s.out_channels, s.in_channels / s.groups};
  for (int64_t k : s.kernel_size) wshape.push_back(k);
  weight = register_parameter("weight", empty(wshape));
  bias = register_parameter("bias", s.bias ? empty({s.out_channels}) : Tensor());
  reset_parameters();
}

void ConvNdImpl::reset_parameters() {
  // PyTorch: kaiming_uniform_(a = sqrt(5)) == U(-1/sqrt(fan_in), 1/sqrt(fan_in)); bias the same bound.
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const int64_t fan_in = init::calculate_fan_in_and_fan_out(weight).first;
    const double bound = fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
    init::uniform_(bias, -bound, bound);
  }
}

void ConvNdImpl::pretty_print(std::ostream& os) const {
  const auto& s = spec_;
  os << name() << "(" << s.in_channels << ", " << s.out_channels << ", kernel_size=";
  print_tuple(os, s.kernel_size);
  os << ", stride=";
  print_tuple(os, s.stride);
  if (s.padding.is_mode()) {
    os << ", padding=" << s.padding.mode();
  } else if (!all_equal(s.padding.values(), 0)) {
    os << ", padding=";
    print_tuple(os, s.padding.values());
  }
  if (!all_equal(s.dilation, 1)) {
    os << ", dilation=";
    print_tuple(os, s.dilation);
  }
  if (!all_equal(s.output_padding, 0)) {
    os << ", output_padding=";
    print_tuple(os, s.output_padding);
  }
  if (s.groups != 1) os << ", groups=" << s.groups;
  if (!s.bias) os << ", bias=false";
  if (s.padding_mode != "zeros") os << ", padding_mode=" << s.padding_mode;
  os << ")";
}

Tensor ConvNdImpl::conv_forward(const Tensor& x) {
  const auto& s = spec_;
  auto conv = [&](const Tensor& in, const functional::ConvPadding& pad) {
    switch (s.nd) {
      case 1: return functional::conv1d(in, weight, bias, s.stride, pad, s.dilation, s.groups);
      case 2: return functional::conv2d(in, weight, bias, s.stride, pad, s.dilation, s.groups);
      default: return functional::conv3d(in, weight, bias, s.stride, pad, s.dilation, s.groups);
    }
  };
  if (s.padding_mode == "zeros") return conv(x, s.padding);
  return conv(fluxion::pad(x, reversed_padding_, s.padding_mode), 0);
}

Tensor ConvNdImpl::conv_transpose_forward(const Tensor& x, const std::vector<int64_t>& output_size) {
  const auto& s = spec_;
  const std::string name = layer_name(s.nd, true);
  Shape opad = s.output_padding;
  if (!output_size.empty()) {
    // PyTorch's _output_padding: pick the output padding that produces output_size.
    FX_CHECK(x.dim() == s.nd + 1 || x.dim() == s.nd + 2, name, ": expected ", s.nd + 1, "-d or ", s.nd + 2,
             "-d input, got ", x.sizes());
    const size_t n = output_size.size();
    FX_CHECK(n >= static_cast<size_t>(s.nd), name, ": output_size must end with the ", s.nd, " spatial sizes, got ", n,
             " values");
    for (int i = 0; i < s.nd; ++i) {
      const size_t j = static_cast<size_t>(i);
      const int64_t in = x.size(x.dim() - s.nd + i);
      const int64_t min_size =
          (in - 1) * s.stride[j] - 2 * s.padding.values()[j] + s.dilation[j] * (s.kernel_size[j] - 1) + 1;
      const int64_t want = output_size[n - static_cast<size_t>(s.nd) + j];
      FX_CHECK(want >= min_size && want < min_size + s.stride[j], name, ": requested an output size of ", want,
               " at spatial dim ", i, ", but valid sizes range from ", min_size, " to ", min_size + s.stride[j] - 1,
               " (for an input of size ", x.sizes(), ")");
      opad[j] = want - min_size;
    }
  }
  switch (s.nd) {
    case 1:
      return functional::conv_transpose1d(x, weight, bias, s.stride, s.padding.values(), opad, s.groups, s.dilation);
    case 2:
      return functional::conv_transpose2d(x, weight, bias, s.stride, s.padding.values(), opad, s.groups, s.dilation);
    default:
      return functional::conv_transpose3d(x, weight, bias, s.stride, s.padding.values(), opad, s.groups, s.dilation);
  }
}

Conv1dImpl::Conv1dImpl(const Conv1dOptions& o) : ConvNdImpl(spec_of(o)), options(o) {}
Conv2dImpl::Conv2dImpl(const Conv2dOptions& o) : ConvNdImpl(spec_of(o)), options(o) {}
Conv3dImpl::Conv3dImpl(const Conv3dOptions& o) : ConvNdImpl(spec_of(o)), options(o) {}
ConvTranspose1dImpl::ConvTranspose1dImpl(const ConvTranspose1dOptions& o) : ConvNdImpl(spec_of(o)), options(o) {}
ConvTranspose2dImpl::ConvTranspose2dImpl(const ConvTranspose2dOptions& o) : ConvNdImpl(spec_of(o)), options(o) {}
ConvTranspose3dImpl::ConvTranspose3dImpl(const ConvTranspose3dOptions& o) : ConvNdImpl(spec_of(o)), options(o) {}

}  // namespace fluxion::nn
