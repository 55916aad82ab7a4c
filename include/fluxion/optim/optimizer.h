// Optimizer base (LibTorch-style): parameter groups with per-group options, per-parameter
// state, zero_grad, step, and PyTorch-shaped state dicts.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <variant>
#include <vector>

#include "fluxion/ordered_dict.h"
#include "fluxion/tensor.h"

namespace fluxion::optim {

/// One hyperparameter value as it appears in a state dict: None, bool, int, float, string or a
/// tuple of floats (Adam's betas).
using OptionValue = std::variant<std::monostate, bool, int64_t, double, std::string, std::vector<double>>;
/// Hyperparameters by PyTorch name ("lr", "momentum", "betas", ...).
using OptionMap = std::map<std::string, OptionValue>;
/// (beta1, beta2) of the Adam family.
using Betas = std::tuple<double, double>;
/// Named state tensors of one parameter ("step", "exp_avg", ...), in PyTorch's names.
using TensorDict = OrderedDict<std::string, Tensor>;

/// Hyperparameters of one optimizer type; concrete options classes (SGDOptions, AdamOptions, ...)
/// derive from it (through OptimizerCloneableOptions) and add builder-style accessors.
class OptimizerOptions {
 public:
  virtual ~OptimizerOptions() = default;
  virtual std::unique_ptr<OptimizerOptions> clone() const = 0;
  virtual double get_lr() const = 0;
  virtual void set_lr(double lr) = 0;
  /// Every hyperparameter by its PyTorch name (what state_dict() stores per group).
  virtual OptionMap to_map() const = 0;
  /// Sets the hyperparameters named in `m` (a subset is fine); throws fluxion::Error naming an
  /// unknown key or a value of the wrong type, without changing anything.
  virtual void from_map(const OptionMap& m) = 0;
};

namespace detail {
/// One hyperparameter field of an options object, for the generic to_map()/from_map().
struct OptionField {
  const char* name;
  std::variant<double*, bool*, int64_t*, std::tuple<double, double>*, std::optional<int64_t>*,
               std::optional<std::string>*>
      ptr;
  OptionValue get() const;
  /// Assigns `v`, checking its type; `opt` names the options class in errors.
  void set(const OptionValue& v, const char* opt) const;
};
/// Throws unless `name` is one of `fields`; returns it.
const OptionField& find_field(const std::vector<OptionField>& fields, const std::string& name, const char* opt);

/// One entry of an optimizer's per-parameter state, for the generic to_dict()/from_dict().
struct StateField {
  const char* name;
  std::variant<int64_t*, double*, Tensor*> ptr;
  bool required = true;  // a Tensor entry that may be absent (e.g. max_exp_avg_sq without amsgrad)
};
TensorDict state_to_dict(const std::vector<StateField>& fields);
/// Fills `fields` from `d`, converting buffers to `param`'s dtype/device and checking sizes.
void state_from_dict(const std::vector<StateField>& fields, const TensorDict& d, const Tensor& param, const char* opt);
}  // namespace detail

/// Base for concrete options: clone(), get_lr()/set_lr() and the state-dict conversion, all
/// derived from `Derived::fields()` (a list of the hyperparameters) and `Derived::kName`.
template <class Derived>
class OptimizerCloneableOptions : public OptimizerOptions {
 public:
  std::unique_ptr<OptimizerOptions> clone() const override { return std::make_unique<Derived>(derived()); }
  double get_lr() const override { return derived().lr(); }
  void set_lr(double lr) override { static_cast<Derived&>(*this).lr(lr); }
  OptionMap to_map() const override {
    Derived copy = derived();
    OptionMap m;
    for (const auto& f : copy.fields()) m[f.name] = f.get();
    return m;
  }
  void from_map(const OptionMap& m) override {
    Derived copy = derived();
    auto fields = copy.fields();
    for (const auto& [k, v] : m) detail::find_field(fields, k, Derived::kName).set(v, Derived::kName);
    static_cast<Derived&>(*this) = copy;
  }

 private:
  const Derived& derived() const { return static_cast<const Derived&>(*this); }
};

/// Declares a builder-style hyperparameter: `opts.name(v)` sets and returns *this, `opts.name()` reads.
#define FX_OPTIM_ARG(T, name)               \
 public:                                    \
  auto& name(const T& new_value) {          \
    name##_ = new_value;                    \
    return *this;                           \
  }                                         \
  const T& name() const { return name##_; } \
                                            \
 private:                                   \
  T name##_

/// The per-parameter state of one optimizer type (momentum buffers, moment estimates, step).
class OptimizerParamState {
 public:
  virtual ~OptimizerParamState() = default;
  /// The state as named tensors in PyTorch's names, copied ("step" is a 0-d float64 tensor).
  virtual TensorDict to_dict() const = 0;
  /// Replaces the state from to_dict()'s format; `param` gives the expected sizes, dtype and device.
  /// Throws fluxion::Error on a missing/unknown entry or a size mismatch, leaving *this unchanged.
  virtual void from_dict(const TensorDict& d, const Tensor& param) = 0;
};

/// Base for concrete states: to_dict()/from_dict() from `Derived::fields()` and `Derived::kName`.
template <class Derived>
class OptimizerCloneableParamState : public OptimizerParamState {
 public:
  TensorDict to_dict() const override {
    Derived copy = static_cast<const Derived&>(*this);
    return detail::state_to_dict(copy.fields());
  }
  void from_dict(const TensorDict& d, const Tensor& param) override {
    Derived copy;
    detail::state_from_dict(copy.fields(), d, param, Derived::kName);
    static_cast<Derived&>(*this) = copy;
  }
};

/// A list of parameters sharing one set of hyperparameters.
class OptimizerParamGroup {
 public:
  /// A group that takes the optimizer's default options when added.
  OptimizerParamGroup(std::vector<Tensor> params);  // NOLINT: implicit like LibTorch
  OptimizerParamGroup(std::vector<Tensor> params, std::unique_ptr<OptimizerOptions> options);
  /// Convenience: `OptimizerParamGroup({w}, SGDOptions(0.1))`.
  template <class Options, std::enable_if_t<std::is_base_of_v<OptimizerOptions, Options>, int> = 0>
  OptimizerParamGroup(std::vector<Tensor> params, const Options& options)
      : OptimizerParamGroup(std::move(params), options.clone()) {}
  OptimizerParamGroup(const OptimizerParamGroup& other);
  OptimizerParamGroup& operator=(const OptimizerParamGroup& other);
  OptimizerParamGroup(OptimizerParamGroup&&) = default;
  OptimizerParamGroup& operator=(OptimizerParamGroup&&) = default;

  bool has_options() const { return options_ != nullptr; }
  OptimizerOptions& options();
  const OptimizerOptions& options() const;
  void set_options(std::unique_ptr<OptimizerOptions> options) { options_ = std::move(options); }
  /// The options as their concrete type, e.g. group.options_as<SGDOptions>().momentum().
  template <class T>
  T& options_as() {
    auto* p = dynamic_cast<T*>(&options());
    FX_CHECK(p != nullptr, "OptimizerParamGroup: options are not of the requested type");
    return *p;
  }
  template <class T>
  const T& options_as() const {
    auto* p = dynamic_cast<const T*>(&options());
    FX_CHECK(p != nullptr, "OptimizerParamGroup: options are not of the requested type");
    return *p;
  }
  std::vector<Tensor>& params() { return params_; }
  const std::vector<Tensor>& params() const { return params_; }
  /// Named numbers that LR schedulers keep with the group ("initial_lr", "max_lr", ...), saved in
  /// state_dict() next to the hyperparameters as PyTorch keeps them in the group dict.
  std::map<std::string, double>& extra() { return extra_; }
  const std::map<std::string, double>& extra() const { return extra_; }

 private:
  std::vector<Tensor> params_;
  std::unique_ptr<OptimizerOptions> options_;
  std::map<std::string, double> extra_;
};

/// One group in a state dict: hyperparameters, scheduler extras and global parameter indices.
struct ParamGroupState {
  OptionMap options;
  std::map<std::string, double> extra;
  std::vector<int64_t> params;
};

/// PyTorch's optimizer state_dict(): {"state": {index: {name: tensor}}, "param_groups": [...]}.
/// Parameters are numbered in group order, as in PyTorch.
struct OptimizerStateDict {
  std::vector<ParamGroupState> param_groups;
  std::map<int64_t, TensorDict> state;
};

class Optimizer {
 public:
  using LossClosure = std::function<Tensor()>;

  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;
  virtual ~Optimizer();

  /// Performs one update of every parameter that has a gradient. `closure` (required by LBFGS,
  /// optional otherwise) re-evaluates the model and returns the loss; it runs with grad enabled
  /// and its loss is returned (undefined Tensor without a closure).
  virtual Tensor step(LossClosure closure = nullptr) = 0;

  /// Adds a group; parameters must be floating-point leaves not already optimized.
  void add_param_group(const OptimizerParamGroup& group);
  /// Clears the gradients: sets them undefined (set_to_none) or zeroes them in place.
  void zero_grad(bool set_to_none = true);

  std::vector<OptimizerParamGroup>& param_groups() { return param_groups_; }
  const std::vector<OptimizerParamGroup>& param_groups() const { return param_groups_; }
  /// All parameters, in group order.
  std::vector<Tensor> parameters() const;
  /// Number of parameters over all groups.
  size_t size() const;
  const OptimizerOptions& defaults() const { return *defaults_; }
  OptimizerOptions& defaults() { return *defaults_; }
  /// Per-parameter state, keyed by the parameter's TensorImpl.
  std::unordered_map<const TensorImpl*, std::unique_ptr<OptimizerParamState>>& state() { return state_; }
  const std::unordered_map<const TensorImpl*, std::unique_ptr<OptimizerParamState>>& state() const { return state_; }

  /// A snapshot (copied tensors) of the state and the groups' hyperparameters.
  OptimizerStateDict state_dict() const;
  /// Restores state and hyperparameters. The groups must have the same parameter counts as when
  /// saved; state tensors are converted to each parameter's dtype and device. Everything is
  /// validated first: on error, fluxion::Error and nothing changes.
  void load_state_dict(const OptimizerStateDict& sd);
  /// The checks of load_state_dict without loading: throws fluxion::Error if `sd` does not fit.
  void validate_state_dict(const OptimizerStateDict& sd) const;
  /// The optimizer's name, used in error messages ("SGD", "Adam", ...).
  const std::string& name() const { return name_; }

 protected:
  Optimizer(std::string name, std::vector<OptimizerParamGroup> groups, std::unique_ptr<OptimizerOptions> defaults);
  struct PreparedLoad {
    std::vector<std::unique_ptr<OptimizerOptions>> options;
    std::unordered_map<const TensorImpl*, std::unique_ptr<OptimizerParamState>> state;
  };
  PreparedLoad prepare_load(const OptimizerStateDict& sd) const;
  /// A fresh, empty state object of this optimizer's type (used by load_state_dict).
  virtual std::unique_ptr<OptimizerParamState> make_param_state() const = 0;
  /// The state of `p` as type S, created with `init(S&)` on first use.
  template <class S, class Init>
  S& param_state(const Tensor& p, const Init& init) {
    auto it = state_.find(p.impl());
    if (it == state_.end()) {
      auto s = std::make_unique<S>();
      init(*s);
      it = state_.emplace(p.impl(), std::move(s)).first;
    }
    return static_cast<S&>(*it->second);
  }
  /// Checks that `p.grad()` matches `p` (sizes, dtype, device) before an update.
  void check_grad(const Tensor& p, const Tensor& grad) const;
  /// Runs `closure` with grad enabled (undefined Tensor when there is none).
  static Tensor run_closure(const LossClosure& closure);
  /// Calls f(options, param, contiguous grad) for every parameter with a gradient, after checking
  /// every gradient and the groups' option types (so a bad gradient changes nothing).
  template <class Opts, class F>
  void for_each_param_with_grad(const F& f) {
    std::vector<Opts*> opts;
    for (auto& group : param_groups_) {
      auto* o = dynamic_cast<Opts*>(&group.options());
      FX_CHECK(o != nullptr, name_, ": a parameter group has options of another optimizer type");
      opts.push_back(o);
      for (const auto& p : group.params())
        if (p.grad().defined()) check_grad(p, p.grad());
    }
    for (size_t gi = 0; gi < param_groups_.size(); ++gi)
      for (const auto& p : param_groups_[gi].params()) {
        const Tensor& g = p.grad();
        if (!g.defined()) continue;
        f(*opts[gi], p, g.is_contiguous() ? g : g.contiguous());
      }
  }

  std::vector<OptimizerParamGroup> param_groups_;
  std::unordered_map<const TensorImpl*, std::unique_ptr<OptimizerParamState>> state_;
  std::unique_ptr<OptimizerOptions> defaults_;
  std::string name_;
};

/// Keeps a contiguous working copy of a parameter for a fused kernel and writes it back (and bumps
/// the parameter's version counter) in finish(). For contiguous parameters there is no copy.
class DenseParam {
 public:
  explicit DenseParam(const Tensor& p);
  /// The contiguous tensor to update in place.
  const Tensor& data() const { return work_; }
  /// Writes back if needed and bumps the version counter (unless in inference mode).
  void finish();

 private:
  Tensor param_, work_;
};

namespace detail {
// Helpers for to_map()/from_map() implementations and state (de)serialisation.
double option_double(const OptionValue& v, const char* opt, const char* key);
int64_t option_int(const OptionValue& v, const char* opt, const char* key);
bool option_bool(const OptionValue& v, const char* opt, const char* key);
/// A 0-d float64 tensor holding `v`.
Tensor scalar_state(double v);
/// The value of a one-element state tensor (any dtype).
double scalar_state_value(const TensorDict& d, const char* key, const char* opt);
/// A copy of d.at(key) converted to param's dtype and device; its sizes must equal param's.
Tensor buffer_state(const TensorDict& d, const char* key, const Tensor& param, const char* opt);
/// Throws unless every key of `d` is in `known`.
void check_state_keys(const TensorDict& d, std::initializer_list<const char*> known, const char* opt);
}  // namespace detail

}  // namespace fluxion::optim
