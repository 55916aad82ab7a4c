// Normalisation layers: parameters, running-statistics buffers (PyTorch names and update rules,
// including momentum = None as a cumulative average), train/eval behaviour and repr.
#include "fluxion/nn/normalization.h"

#include <ostream>
#include <sstream>

#include "fluxion/ops/creation.h"

namespace fluxion::nn {

namespace {

// PyTorch's repr of floats: 1e-05, 0.1, 0.0001.
std::string py_float(double v) {
  std::ostringstream os;
  os << v;
  std::string s = os.str();
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

const char* py_bool(bool b) { return b ? "true" : "false"; }

}  // namespace

// ---- BatchNorm ------------------------------------------------------------------------------

BatchNormImplBase::BatchNormImplBase(const BatchNormOptions& o, int dims_lo, int dims_hi)
    : options(o), dims_lo_(dims_lo), dims_hi_(dims_hi) {
  FX_CHECK(o.num_features() > 0, "BatchNorm: num_features must be positive, got ", o.num_features());
  const int64_t C = o.num_features();
  weight = register_parameter("weight", o.affine() ? empty({C}) : Tensor());
  bias = register_parameter("bias", o.affine() ? empty({C}) : Tensor());
  running_mean = register_buffer("running_mean", o.track_running_stats() ? empty({C}) : Tensor());
  running_var = register_buffer("running_var", o.track_running_stats() ? empty({C}) : Tensor());
  num_batches_tracked = register_buffer("num_batches_tracked", o.track_running_stats() ? zeros({}, kInt64) : Tensor());
  reset_parameters();
}

void BatchNormImplBase::reset_running_stats() {
  if (!options.track_running_stats()) return;
  NoGradGuard ng;
  running_mean.zero_();
  running_var.fill_(1.0);
  num_batches_tracked.zero_();
}

void BatchNormImplBase::reset_parameters() {
  reset_running_stats();
  if (options.affine()) {
    NoGradGuard ng;
    weight.fill_(1.0);
    bias.zero_();
  }
}

void BatchNormImplBase::pretty_print(std::ostream& os) const {
  os << name() << "(" << options.num_features() << ", eps=" << py_float(options.eps())
     << ", momentum=" << (options.momentum() ? py_float(*options.momentum()) : std::string("None"))
     << ", affine=" << py_bool(options.affine()) << ", track_running_stats=" << py_bool(options.track_running_stats())
     << ")";
}

Tensor BatchNormImplBase::forward(const Tensor& x) {
  FX_CHECK(x.defined(), name(), ": input is undefined");
  const int64_t d = x.dim();
  if (dims_lo_ == dims_hi_)
    FX_CHECK(d == dims_lo_, name(), ": expected ", dims_lo_, "D input (got ", d, "D input)");
  else
    FX_CHECK(d >= dims_lo_ && d <= dims_hi_, name(), ": expected ", dims_lo_, "D or ", dims_hi_, "D input (got ", d,
             "D input)");
  FX_CHECK(x.size(1) == options.num_features(), name(), ": expected ", options.num_features(),
           " channels (num_features) in dim 1, got input of size ", x.sizes());
  double factor = options.momentum().value_or(0.0);
  if (is_training() && options.track_running_stats()) {
    NoGradGuard ng;
    num_batches_tracked.add_(1);
    if (!options.momentum()) factor = 1.0 / static_cast<double>(num_batches_tracked.item<int64_t>());
  }
  const bool bn_training = is_training() || !running_mean.defined();
  const bool use_running = !is_training() || options.track_running_stats();
  return functional::batch_norm(x, use_running ? running_mean : Tensor(), use_running ? running_var : Tensor(), weight,
                                bias, bn_training, factor, options.eps());
}

// ---- InstanceNorm ---------------------------------------------------------------------------

InstanceNormImplBase::InstanceNormImplBase(const InstanceNormOptions& o, int spatial_dims)
    : options(o), spatial_dims_(spatial_dims) {
  FX_CHECK(o.num_features() > 0, "InstanceNorm: num_features must be positive, got ", o.num_features());
  const int64_t C = o.num_features();
  weight = register_parameter("weight", o.affine() ? empty({C}) : Tensor());
  bias = register_parameter("bias", o.affine() ? empty({C}) : Tensor());
  running_mean = register_buffer("running_mean", o.track_running_stats() ? empty({C}) : Tensor());
  running_var = register_buffer("running_var", o.track_running_stats() ? empty({C}) : Tensor());
  num_batches_tracked = register_buffer("num_batches_tracked", o.track_running_stats() ? zeros({}, kInt64) : Tensor());
  reset_parameters();
}

void InstanceNormImplBase::reset_running_stats() {
  if (!options.track_running_stats()) return;
  NoGradGuard ng;
  running_mean.zero_();
  running_var.fill_(1.0);
  num_batches_tracked.zero_();
}

void InstanceNormImplBase::reset_parameters() {
  reset_running_stats();
  if (options.affine()) {
    NoGradGuard ng;
    weight.fill_(1.0);
    bias.zero_();
  }
}

void InstanceNormImplBase::pretty_print(std::ostream& os) const {
  os << name() << "(" << options.num_features() << ", eps=" << py_float(options.eps())
     << ", momentum=" << py_float(options.momentum()) << ", affine=" << py_bool(options.affine())
     << ", track_running_stats=" << py_bool(options.track_running_stats()) << ")";
}

Tensor InstanceNormImplBase::forward(const Tensor& x) {
  FX_CHECK(x.defined(), name(), ": input is undefined");
  const int64_t d = x.dim();
  FX_CHECK(d == spatial_dims_ + 1 || d == spatial_dims_ + 2, name(), ": expected ", spatial_dims_ + 1, "D or ",
           spatial_dims_ + 2, "D input (got ", d, "D input)");
  const bool batched = d == spatial_dims_ + 2;
  const int64_t feature_dim = batched ? 1 : 0;
  if (options.affine() || options.track_running_stats())
    FX_CHECK(x.size(feature_dim) == options.num_features(), name(), ": expected input's size at dim=", feature_dim,
             " to match num_features (", options.num_features(), "), but got: ", x.size(feature_dim), ".");
  Tensor in = batched ? x : x.unsqueeze(0);
  Tensor y =
      functional::instance_norm(in, running_mean, running_var, weight, bias,
                                is_training() || !options.track_running_stats(), options.momentum(), options.eps());
  return batched ? y : y.squeeze(0);
}

// ---- LayerNorm ------------------------------------------------------------------------------

LayerNormImpl::LayerNormImpl(const LayerNormOptions& o) : options(o) {
  FX_CHECK(!o.normalized_shape().empty(), "LayerNorm: normalized_shape must not be empty");
  const bool affine = o.elementwise_affine();
  weight = register_parameter("weight", affine ? empty(o.normalized_shape()) : Tensor());
  bias = register_parameter("bias", affine && o.bias() ? empty(o.normalized_shape()) : Tensor());
  reset_parameters();
}

void LayerNormImpl::reset_parameters() {
  NoGradGuard ng;
  if (weight.defined()) weight.fill_(1.0);
  if (bias.defined()) bias.zero_();
}

void LayerNormImpl::pretty_print(std::ostream& os) const {
  const Shape& s = options.normalized_shape();
  os << "LayerNorm((";
  for (size_t i = 0; i < s.size(); ++i) os << (i ? ", " : "") << s[i];
  os << (s.size() == 1 ? ",)" : ")") << ", eps=" << py_float(options.eps())
     << ", elementwise_affine=" << py_bool(options.elementwise_affine()) << ")";
}

Tensor LayerNormImpl::forward(const Tensor& x) {
  return functional::layer_norm(x, options.normalized_shape(), weight, bias, options.eps());
}

// ---- GroupNorm ------------------------------------------------------------------------------

GroupNormImpl::GroupNormImpl(const GroupNormOptions& o) : options(o) {
  FX_CHECK(o.num_groups() > 0 && o.num_channels() % o.num_groups() == 0,
           "GroupNorm: num_channels must be divisible by num_groups, got num_channels=", o.num_channels(),
           " and num_groups=", o.num_groups());
  weight = register_parameter("weight", o.affine() ? empty({o.num_channels()}) : Tensor());
  bias = register_parameter("bias", o.affine() ? empty({o.num_channels()}) : Tensor());
  reset_parameters();
}

void GroupNormImpl::reset_parameters() {
  NoGradGuard ng;
  if (weight.defined()) weight.fill_(1.0);
  if (bias.defined()) bias.zero_();
}

void GroupNormImpl::pretty_print(std::ostream& os) const {
  os << "GroupNorm(" << options.num_groups() << ", " << options.num_channels() << ", eps=" << py_float(options.eps())
     << ", affine=" << py_bool(options.affine()) << ")";
}

Tensor GroupNormImpl::forward(const Tensor& x) {
  FX_CHECK(x.defined() && x.dim() >= 2 && x.size(1) == options.num_channels(), "GroupNorm: expected input with ",
           options.num_channels(), " channels in dim 1, got ", x.defined() ? x.sizes() : Shape{});
  return functional::group_norm(x, options.num_groups(), weight, bias, options.eps());
}

// ---- LocalResponseNorm -------------------------------------------------------------------------

void LocalResponseNormImpl::pretty_print(std::ostream& os) const {
  os << "LocalResponseNorm(" << options.size() << ", alpha=" << py_float(options.alpha())
     << ", beta=" << py_float(options.beta()) << ", k=" << py_float(options.k()) << ")";
}

Tensor LocalResponseNormImpl::forward(const Tensor& x) {
  return functional::local_response_norm(x, options.size(), options.alpha(), options.beta(), options.k());
}

}  // namespace fluxion::nn
