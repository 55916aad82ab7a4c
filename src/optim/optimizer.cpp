// Optimizer base: parameter groups, zero_grad, state dicts, and the helpers concrete optimizers
// use to run their fused kernels on contiguous parameter memory.
#include "fluxion/optim/optimizer.h"

#include <type_traits>
#include <typeinfo>
#include <unordered_set>

#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"

namespace fluxion::optim {

// ---- OptimizerParamGroup ----------------------------------------------------------------------

OptimizerParamGroup::OptimizerParamGroup(std::vector<Tensor> params) : params_(std::move(params)) {}
OptimizerParamGroup::OptimizerParamGroup(std::vector<Tensor> params, std::unique_ptr<OptimizerOptions> options)
    : params_(std::move(params)), options_(std::move(options)) {}
OptimizerParamGroup::OptimizerParamGroup(const OptimizerParamGroup& o)
    : params_(o.params_), options_(o.options_ ? o.options_->clone() : nullptr), extra_(o.extra_) {}
OptimizerParamGroup& OptimizerParamGroup::operator=(const OptimizerParamGroup& o) {
  if (this != &o) {
    params_ = o.params_;
    options_ = o.options_ ? o.options_->clone() : nullptr;
    extra_ = o.extra_;
  }
  return *this;
}
OptimizerOptions& OptimizerParamGroup::options() {
  FX_CHECK(options_ != nullptr, "OptimizerParamGroup: the group has no options (add it to an optimizer first)");
  return *options_;
}
const OptimizerOptions& OptimizerParamGroup::options() const {
  FX_CHECK(options_ != nullptr, "OptimizerParamGroup: the group has no options (add it to an optimizer first)");
  return *options_;
}

// ---- Optimizer --------------------------------------------------------------------------------

Optimizer::Optimizer(std::string name, std::vector<OptimizerParamGroup> groups,
                     std::unique_ptr<OptimizerOptions> defaults)
    : defaults_(std::move(defaults)), name_(std::move(name)) {
  for (const auto& g : groups) add_param_group(g);
}

Optimizer::~Optimizer() = default;

void Optimizer::add_param_group(const OptimizerParamGroup& group) {
  std::unordered_set<const TensorImpl*> seen;
  for (const auto& g : param_groups_)
    for (const auto& p : g.params()) seen.insert(p.impl());
  std::unordered_set<const TensorImpl*> mine;
  for (size_t i = 0; i < group.params().size(); ++i) {
    const Tensor& p = group.params()[i];
    FX_CHECK(p.defined(), name(), ": parameter ", i, " of the new group is undefined");
    FX_CHECK(p.is_floating_point(), name(), ": can only optimize floating-point tensors, but parameter ", i,
             " has dtype ", dtype_name(p.dtype()));
    FX_CHECK(p.is_leaf(), name(), ": can't optimize a non-leaf tensor (parameter ", i, " of sizes ", p.sizes(), ")");
    FX_CHECK(!seen.count(p.impl()), name(), ": some parameters appear in more than one parameter group");
    FX_CHECK(mine.insert(p.impl()).second, name(), ": parameter ", i, " appears twice in the same group");
  }
  if (group.has_options()) {
    const OptimizerOptions& o = group.options();
    FX_CHECK(typeid(o) == typeid(*defaults_), name(), ": a parameter group has options of another optimizer type");
  }
  OptimizerParamGroup g(group.params(), group.has_options() ? group.options().clone() : defaults_->clone());
  g.extra() = group.extra();
  param_groups_.push_back(std::move(g));
}

void Optimizer::zero_grad(bool set_to_none) {
  for (auto& g : param_groups_)
    for (auto& p : g.params()) {
      if (!p.grad().defined()) continue;
      if (set_to_none) {
        p.set_grad(Tensor());
      } else {
        Tensor& gr = p.mutable_grad();
        if (gr.grad_fn()) gr = gr.detach();
        NoGradGuard ng;
        gr.zero_();
      }
    }
}

std::vector<Tensor> Optimizer::parameters() const {
  std::vector<Tensor> out;
  for (const auto& g : param_groups_) out.insert(out.end(), g.params().begin(), g.params().end());
  return out;
}

size_t Optimizer::size() const {
  size_t n = 0;
  for (const auto& g : param_groups_) n += g.params().size();
  return n;
}

void Optimizer::check_grad(const Tensor& p, const Tensor& grad) const {
  FX_CHECK(grad.sizes() == p.sizes(), name(), ": gradient of sizes ", grad.sizes(), " does not match parameter sizes ",
           p.sizes());
  FX_CHECK(grad.dtype() == p.dtype(), name(), ": gradient dtype ", dtype_name(grad.dtype()),
           " does not match parameter dtype ", dtype_name(p.dtype()));
  FX_CHECK(grad.device() == p.device(), name(), ": gradient on ", grad.device().str(), " but parameter on ",
           p.device().str());
}

OptimizerStateDict Optimizer::state_dict() const {
  OptimizerStateDict sd;
  int64_t index = 0;
  for (const auto& g : param_groups_) {
    ParamGroupState gs;
    gs.options = g.options().to_map();
    gs.extra = g.extra();
    for (const auto& p : g.params()) {
      auto it = state_.find(p.impl());
      if (it != state_.end()) sd.state.emplace(index, it->second->to_dict());
      gs.params.push_back(index++);
    }
    sd.param_groups.push_back(std::move(gs));
  }
  return sd;
}

Optimizer::PreparedLoad Optimizer::prepare_load(const OptimizerStateDict& sd) const {
  FX_CHECK(sd.param_groups.size() == param_groups_.size(), name(), ": load_state_dict: the state dict has ",
           sd.param_groups.size(), " parameter groups but the optimizer has ", param_groups_.size());
  // Map saved indices to our parameters (group by group, position by position, as PyTorch does).
  std::map<int64_t, Tensor> id_to_param;
  PreparedLoad out;
  for (size_t gi = 0; gi < param_groups_.size(); ++gi) {
    const auto& saved = sd.param_groups[gi];
    const auto& group = param_groups_[gi];
    FX_CHECK(saved.params.size() == group.params().size(), name(), ": load_state_dict: parameter group ", gi, " has ",
             saved.params.size(), " parameters in the state dict but ", group.params().size(), " in the optimizer");
    for (size_t k = 0; k < saved.params.size(); ++k) {
      FX_CHECK(id_to_param.emplace(saved.params[k], group.params()[k]).second, name(),
               ": load_state_dict: parameter index ", saved.params[k], " appears twice");
    }
    auto opts = group.options().clone();
    try {
      opts->from_map(saved.options);
    } catch (const Error& e) {
      FX_FAIL(name(), ": load_state_dict: parameter group ", gi, ": ", e.what());
    }
    out.options.push_back(std::move(opts));
  }
  for (const auto& [id, dict] : sd.state) {
    auto it = id_to_param.find(id);
    FX_CHECK(it != id_to_param.end(), name(), ": load_state_dict: state for parameter index ", id,
             " which no parameter group lists");
    auto st = make_param_state();
    try {
      NoGradGuard ng;
      st->from_dict(dict, it->second);
    } catch (const Error& e) {
      FX_FAIL(name(), ": load_state_dict: state of parameter ", id, ": ", e.what());
    }
    out.state.emplace(it->second.impl(), std::move(st));
  }
  return out;
}

void Optimizer::validate_state_dict(const OptimizerStateDict& sd) const { (void)prepare_load(sd); }

void Optimizer::load_state_dict(const OptimizerStateDict& sd) {
  PreparedLoad prepared = prepare_load(sd);
  // Everything validated: commit.
  for (size_t gi = 0; gi < param_groups_.size(); ++gi) {
    param_groups_[gi].set_options(std::move(prepared.options[gi]));
    param_groups_[gi].extra() = sd.param_groups[gi].extra;
  }
  state_ = std::move(prepared.state);
}

Tensor Optimizer::run_closure(const LossClosure& closure) {
  if (!closure) return Tensor();
  EnableGradGuard eg;
  return closure();
}

// ---- DenseParam -------------------------------------------------------------------------------

DenseParam::DenseParam(const Tensor& p) : param_(p), work_(p.is_contiguous() ? p : p.detach().contiguous()) {}

void DenseParam::finish() {
  if (!work_.is_same(param_)) {
    NoGradGuard ng;
    Tensor dst = param_.detach();
    dst.copy_(work_);  // copy_ bumps the shared version counter
    return;
  }
  if (!is_inference_mode()) param_.impl()->storage()->bump_version();
}

// ---- helpers ----------------------------------------------------------------------------------

namespace detail {

namespace {
const char* kind_name(const OptionValue& v) {
  switch (v.index()) {
    case 0: return "None";
    case 1: return "bool";
    case 2: return "int";
    case 3: return "float";
    case 4: return "string";
    default: return "tuple";
  }
}
}  // namespace

double option_double(const OptionValue& v, const char* opt, const char* key) {
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  FX_FAIL(opt, ": option '", key, "' must be a number but is a ", kind_name(v));
}

int64_t option_int(const OptionValue& v, const char* opt, const char* key) {
  if (auto* i = std::get_if<int64_t>(&v)) return *i;
  if (auto* d = std::get_if<double>(&v)) {
    FX_CHECK(*d == static_cast<double>(static_cast<int64_t>(*d)), opt, ": option '", key,
             "' must be an integer but is ", *d);
    return static_cast<int64_t>(*d);
  }
  FX_FAIL(opt, ": option '", key, "' must be an integer but is a ", kind_name(v));
}

bool option_bool(const OptionValue& v, const char* opt, const char* key) {
  if (auto* b = std::get_if<bool>(&v)) return *b;
  FX_FAIL(opt, ": option '", key, "' must be a bool but is a ", kind_name(v));
}

OptionValue OptionField::get() const {
  return std::visit(
      [](auto* p) -> OptionValue {
        using P = std::remove_pointer_t<decltype(p)>;
        if constexpr (std::is_same_v<P, std::tuple<double, double>>) {
          return std::vector<double>{std::get<0>(*p), std::get<1>(*p)};
        } else if constexpr (std::is_same_v<P, std::optional<int64_t>>) {
          return p->has_value() ? OptionValue(**p) : OptionValue();
        } else if constexpr (std::is_same_v<P, std::optional<std::string>>) {
          return p->has_value() ? OptionValue(**p) : OptionValue();
        } else {
          return *p;
        }
      },
      ptr);
}

void OptionField::set(const OptionValue& v, const char* opt) const {
  std::visit(
      [&](auto* p) {
        using P = std::remove_pointer_t<decltype(p)>;
        if constexpr (std::is_same_v<P, double>) {
          *p = option_double(v, opt, name);
        } else if constexpr (std::is_same_v<P, bool>) {
          *p = option_bool(v, opt, name);
        } else if constexpr (std::is_same_v<P, int64_t>) {
          *p = option_int(v, opt, name);
        } else if constexpr (std::is_same_v<P, std::tuple<double, double>>) {
          auto* t = std::get_if<std::vector<double>>(&v);
          FX_CHECK(t != nullptr && t->size() == 2, opt, ": option '", name, "' must be a pair of numbers but is a ",
                   kind_name(v));
          *p = {(*t)[0], (*t)[1]};
        } else if constexpr (std::is_same_v<P, std::optional<int64_t>>) {
          if (std::holds_alternative<std::monostate>(v))
            p->reset();
          else
            *p = option_int(v, opt, name);
        } else {
          if (std::holds_alternative<std::monostate>(v)) {
            p->reset();
          } else {
            auto* str = std::get_if<std::string>(&v);
            FX_CHECK(str != nullptr, opt, ": option '", name, "' must be a string or None but is a ", kind_name(v));
            *p = *str;
          }
        }
      },
      ptr);
}

const OptionField& find_field(const std::vector<OptionField>& fields, const std::string& name, const char* opt) {
  for (const auto& f : fields)
    if (name == f.name) return f;
  std::string known;
  for (const auto& f : fields) known += std::string(known.empty() ? "" : ", ") + f.name;
  FX_FAIL(opt, ": unknown option '", name, "' (expected one of: ", known, ")");
}

TensorDict state_to_dict(const std::vector<StateField>& fields) {
  TensorDict d;
  for (const auto& f : fields) {
    if (auto* i = std::get_if<int64_t*>(&f.ptr)) {
      d.insert(f.name, scalar_state(static_cast<double>(**i)));
    } else if (auto* x = std::get_if<double*>(&f.ptr)) {
      d.insert(f.name, scalar_state(**x));
    } else {
      const Tensor& t = *std::get<Tensor*>(f.ptr);
      if (t.defined()) d.insert(f.name, t.detach().clone());
    }
  }
  return d;
}

void state_from_dict(const std::vector<StateField>& fields, const TensorDict& d, const Tensor& param, const char* opt) {
  for (const auto& it : d) {
    bool ok = false;
    for (const auto& f : fields) ok = ok || it.key() == f.name;
    FX_CHECK(ok, opt, ": unknown state entry '", it.key(), "'");
  }
  for (const auto& f : fields) {
    if (auto* i = std::get_if<int64_t*>(&f.ptr)) {
      double v = scalar_state_value(d, f.name, opt);
      FX_CHECK(v >= 0 && v == static_cast<double>(static_cast<int64_t>(v)), opt, ": state entry '", f.name,
               "' must be a non-negative integer but is ", v);
      **i = static_cast<int64_t>(v);
    } else if (auto* x = std::get_if<double*>(&f.ptr)) {
      **x = scalar_state_value(d, f.name, opt);
    } else if (f.required || d.contains(f.name)) {
      *std::get<Tensor*>(f.ptr) = buffer_state(d, f.name, param, opt);
    }
  }
}

Tensor scalar_state(double v) { return full({}, v, TensorOptions(kFloat64)); }

double scalar_state_value(const TensorDict& d, const char* key, const char* opt) {
  const Tensor* t = d.find(key);
  FX_CHECK(t != nullptr, opt, ": missing state entry '", key, "'");
  FX_CHECK(t->defined() && t->numel() == 1, opt, ": state entry '", key, "' must hold one value");
  return t->item<double>();
}

Tensor buffer_state(const TensorDict& d, const char* key, const Tensor& param, const char* opt) {
  const Tensor* t = d.find(key);
  FX_CHECK(t != nullptr, opt, ": missing state entry '", key, "'");
  FX_CHECK(t->defined(), opt, ": state entry '", key, "' is undefined");
  FX_CHECK(t->sizes() == param.sizes(), opt, ": state entry '", key, "' has sizes ", t->sizes(),
           " but the parameter has sizes ", param.sizes());
  FX_CHECK(t->is_floating_point(), opt, ": state entry '", key, "' has non-floating dtype ", dtype_name(t->dtype()));
  return t->detach().to(param.device(), param.dtype(), false, /*copy=*/true).contiguous();
}

void check_state_keys(const TensorDict& d, std::initializer_list<const char*> known, const char* opt) {
  for (const auto& it : d) {
    bool ok = false;
    for (const char* n : known) ok = ok || it.key() == n;
    FX_CHECK(ok, opt, ": unknown state entry '", it.key(), "'");
  }
}

}  // namespace detail
}  // namespace fluxion::optim
