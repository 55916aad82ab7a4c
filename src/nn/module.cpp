// Module: registration, traversal, placement and state dicts (see include/fluxion/nn/module.h).
#include "fluxion/nn/module.h"

#include <cxxabi.h>

#include <algorithm>
#include <cstdlib>
#include <iomanip>
#include <set>
#include <sstream>
#include <typeinfo>
#include <unordered_set>

#include "fluxion/ops/creation.h"

namespace fluxion::nn {

ModuleImpl::ModuleImpl(std::string name) : name_override_(std::move(name)) {}
ModuleImpl::~ModuleImpl() = default;

std::string ModuleImpl::name() const {
  if (!name_override_.empty()) return name_override_;
  const char* mangled = typeid(*this).name();
  int status = 0;
  char* demangled = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string s = (status == 0 && demangled) ? demangled : mangled;
  std::free(demangled);
  // "fluxion::nn::LinearImpl" -> "Linear"; drop template arguments' namespaces too by cutting at the
  // last "::" before any '<'.
  size_t lt = s.find('<');
  size_t colon = s.rfind("::", lt == std::string::npos ? std::string::npos : lt);
  if (colon != std::string::npos) s = s.substr(colon + 2);
  if (s.size() > 4 && s.compare(s.size() - 4, 4, "Impl") == 0) s.resize(s.size() - 4);
  return s;
}

void ModuleImpl::pretty_print(std::ostream& os) const { os << name() << "()"; }

Tensor ModuleImpl::forward(const Tensor&) {
  FX_FAIL(name(),
          ": this module has no single-tensor forward(const Tensor&); call its own forward(...) "
          "through the typed handle instead");
}

Tensor ModuleImpl::operator()(const Tensor& x) {
  return call_with_hooks(x, [&] { return forward(x); });
}

void ModuleImpl::run_pre_hooks(const Tensor& x) {
  // Copy so a hook may remove itself.
  auto hooks = pre_hooks_;
  for (auto& [h, fn] : hooks) fn(*this, x);
}

void ModuleImpl::run_hooks(const Tensor& x, const Tensor& y) {
  auto hooks = hooks_;
  for (auto& [h, fn] : hooks) fn(*this, x, y);
}

// ---- registration --------------------------------------------------------------------------

void ModuleImpl::check_new_name(const std::string& name, const char* what) const {
  FX_CHECK(!name.empty(), name_override_.empty() ? this->name() : name_override_, ": ", what,
           " name must not be empty");
  FX_CHECK(name.find('.') == std::string::npos, this->name(), ": ", what, " name '", name,
           "' must not contain a dot (dots separate nested module names)");
  FX_CHECK(!parameters_.contains(name) && !buffers_.contains(name) && !children_.contains(name), this->name(),
           ": cannot register ", what, " '", name, "': the name is already used by a ",
           parameters_.contains(name) ? "parameter" : (buffers_.contains(name) ? "buffer" : "submodule"));
}

Tensor& ModuleImpl::register_parameter(const std::string& name, Tensor t, bool requires_grad) {
  check_new_name(name, "parameter");
  if (t.defined()) {
    // A parameter is a leaf: strip any history the caller's expression left on it.
    if (!t.is_leaf()) t = t.detach();
    if (requires_grad)
      FX_CHECK(t.is_floating_point(), this->name(), ": parameter '", name, "' must have a floating-point dtype, got ",
               t.dtype());
    t.requires_grad_(requires_grad);
  }
  return parameters_.insert(name, std::move(t));
}

Tensor& ModuleImpl::register_buffer(const std::string& name, Tensor t, bool persistent) {
  check_new_name(name, "buffer");
  if (!persistent) non_persistent_.push_back(name);
  return buffers_.insert(name, std::move(t));
}

void ModuleImpl::register_module_impl(const std::string& name, std::shared_ptr<ModuleImpl> module) {
  check_new_name(name, "submodule");
  FX_CHECK(module != nullptr, this->name(), ": cannot register an empty module handle as submodule '", name, "'");
  FX_CHECK(module.get() != this, this->name(), ": a module cannot be its own submodule ('", name, "')");
  children_.insert(name, std::move(module));
}

void ModuleImpl::replace_module_impl(const std::string& name, std::shared_ptr<ModuleImpl> module) {
  FX_CHECK(children_.contains(name), this->name(), ": replace_module: no submodule named '", name, "'");
  FX_CHECK(module != nullptr, this->name(), ": replace_module: empty module handle for '", name, "'");
  children_.at(name) = module;
  child_replaced(name, module);
}

void ModuleImpl::unregister(const std::string& name) {
  if (parameters_.contains(name)) {
    parameters_.erase(name);
  } else if (buffers_.contains(name)) {
    buffers_.erase(name);
    std::erase(non_persistent_, name);
  } else {
    FX_CHECK(children_.contains(name), this->name(), ": unregister: no parameter, buffer or submodule named '", name,
             "'");
    children_.erase(name);
  }
}

Tensor& ModuleImpl::tensor(const std::string& name) {
  if (Tensor* p = parameters_.find(name)) return *p;
  if (Tensor* b = buffers_.find(name)) return *b;
  FX_FAIL(this->name(), ": no parameter or buffer named '", name, "'");
}

std::shared_ptr<ModuleImpl> ModuleImpl::child(const std::string& name) const {
  const auto* c = children_.find(name);
  FX_CHECK(c != nullptr, this->name(), ": no submodule named '", name, "'");
  return *c;
}

std::shared_ptr<ModuleImpl> ModuleImpl::self_ptr() const {
  auto p = std::const_pointer_cast<ModuleImpl>(weak_from_this().lock());
  if (p) return p;
  // Not owned by a shared_ptr (a module on the stack): an aliasing pointer that owns nothing.
  return std::shared_ptr<ModuleImpl>(std::shared_ptr<ModuleImpl>(), const_cast<ModuleImpl*>(this));
}

// ---- traversal --------------------------------------------------------------------------------

OrderedDict<std::string, std::shared_ptr<ModuleImpl>> ModuleImpl::named_modules(const std::string& prefix) const {
  OrderedDict<std::string, std::shared_ptr<ModuleImpl>> out("Module");
  std::unordered_set<const ModuleImpl*> seen;
  std::function<void(const ModuleImpl&, const std::string&)> visit = [&](const ModuleImpl& m, const std::string& p) {
    if (!seen.insert(&m).second) return;
    out.insert(p, m.self_ptr());
    for (const auto& c : m.children_) visit(*c.value(), p.empty() ? c.key() : p + "." + c.key());
  };
  visit(*this, prefix);
  return out;
}

std::vector<std::shared_ptr<ModuleImpl>> ModuleImpl::modules() const { return named_modules().values(); }

std::vector<std::shared_ptr<ModuleImpl>> ModuleImpl::children() const { return children_.values(); }

OrderedDict<std::string, std::shared_ptr<ModuleImpl>> ModuleImpl::named_children() const { return children_; }

OrderedDict<std::string, Tensor> ModuleImpl::named_parameters(bool recurse) const {
  OrderedDict<std::string, Tensor> out("Parameter");
  std::unordered_set<const TensorImpl*> seen;
  auto add_from = [&](const ModuleImpl& m, const std::string& prefix) {
    for (const auto& p : m.parameters_) {
      if (!p.value().defined() || !seen.insert(p.value().impl()).second) continue;
      out.insert(prefix.empty() ? p.key() : prefix + "." + p.key(), p.value());
    }
  };
  if (!recurse) {
    add_from(*this, "");
    return out;
  }
  for (const auto& m : named_modules()) add_from(*m.value(), m.key());
  return out;
}

std::vector<Tensor> ModuleImpl::parameters(bool recurse) const { return named_parameters(recurse).values(); }

OrderedDict<std::string, Tensor> ModuleImpl::named_buffers(bool recurse) const {
  OrderedDict<std::string, Tensor> out("Buffer");
  std::unordered_set<const TensorImpl*> seen;
  auto add_from = [&](const ModuleImpl& m, const std::string& prefix) {
    for (const auto& b : m.buffers_) {
      if (!b.value().defined() || !seen.insert(b.value().impl()).second) continue;
      out.insert(prefix.empty() ? b.key() : prefix + "." + b.key(), b.value());
    }
  };
  if (!recurse) {
    add_from(*this, "");
    return out;
  }
  for (const auto& m : named_modules()) add_from(*m.value(), m.key());
  return out;
}

std::vector<Tensor> ModuleImpl::buffers(bool recurse) const { return named_buffers(recurse).values(); }

void ModuleImpl::apply(const std::function<void(ModuleImpl&)>& fn) {
  for (auto& c : children_) c.value()->apply(fn);
  fn(*this);
}

int64_t ModuleImpl::num_parameters(bool only_trainable) const {
  int64_t n = 0;
  for (const auto& p : parameters())
    if (!only_trainable || p.requires_grad()) n += p.numel();
  return n;
}

void ModuleImpl::for_each_tensor(const std::function<void(Tensor&, bool)>& f) {
  std::unordered_set<const TensorImpl*> seen;
  for (auto& m : modules()) {
    for (auto& p : m->parameters_)
      if (p.value().defined() && seen.insert(p.value().impl()).second) f(p.value(), true);
    for (auto& b : m->buffers_)
      if (b.value().defined() && seen.insert(b.value().impl()).second) f(b.value(), false);
  }
}

// ---- mode, placement, gradients ---------------------------------------------------------------

void ModuleImpl::train(bool on) {
  training_ = on;
  for (auto& c : children_) c.value()->train(on);
}

namespace {
// Note [Module::to keeps handles]: an optimiser (or user code) holds copies of the parameter
// handles, so moving a module must not create new TensorImpls. We convert out of place and swap
// the converted storage into the existing TensorImpl, like PyTorch's `param.data = param.data.to(...)`.
void swap_into(Tensor& t, const Tensor& converted) {
  if (converted.is_same(t)) return;
  Tensor c = converted.contiguous();
  t.impl()->set_storage(c.impl()->storage(), c.storage_offset(), c.sizes(), c.strides(), c.dtype());
}

void convert_in_place(Tensor& t, std::optional<Device> device, std::optional<DType> dtype) {
  NoGradGuard no_grad;
  DType target = (dtype && t.is_floating_point()) ? *dtype : t.dtype();
  Device dev = device.value_or(t.device());
  if (t.dtype() == target && t.device() == dev) return;
  swap_into(t, t.detach().to(dev, target));
  if (t.grad().defined()) {
    Tensor g = t.grad();
    DType gt = (dtype && g.is_floating_point()) ? *dtype : g.dtype();
    t.set_grad(g.detach().to(dev, gt));
  }
}
}  // namespace

void ModuleImpl::to(Device device) {
  for_each_tensor([&](Tensor& t, bool) { convert_in_place(t, device, std::nullopt); });
}

void ModuleImpl::to(DType dtype) {
  FX_CHECK(fluxion::is_floating_point(dtype), name(), ".to(", dtype,
           "): modules can only be cast to a floating-point dtype");
  for_each_tensor([&](Tensor& t, bool) { convert_in_place(t, std::nullopt, dtype); });
}

void ModuleImpl::to(Device device, DType dtype) {
  FX_CHECK(fluxion::is_floating_point(dtype), name(), ".to(", device, ", ", dtype,
           "): modules can only be cast to a floating-point dtype");
  for_each_tensor([&](Tensor& t, bool) { convert_in_place(t, device, dtype); });
}

void ModuleImpl::zero_grad(bool set_to_none) {
  for (auto& p : parameters()) {
    if (!p.grad().defined()) continue;
    if (set_to_none) {
      p.set_grad(Tensor());
    } else {
      NoGradGuard no_grad;
      Tensor& g = p.mutable_grad();
      if (g.grad_fn()) g = g.detach();
      g.zero_();
    }
  }
}

void ModuleImpl::requires_grad_(bool r) {
  for (auto& p : parameters()) p.requires_grad_(r);
}

// ---- state dicts -----------------------------------------------------------------------------

void ModuleImpl::state_dict_into(OrderedDict<std::string, Tensor>& out, const std::string& prefix) const {
  for (const auto& p : parameters_)
    if (p.value().defined()) out.insert(prefix + p.key(), p.value().detach());
  for (const auto& b : buffers_) {
    if (!b.value().defined()) continue;
    if (std::find(non_persistent_.begin(), non_persistent_.end(), b.key()) != non_persistent_.end()) continue;
    out.insert(prefix + b.key(), b.value().detach());
  }
  for (const auto& c : children_) c.value()->state_dict_into(out, prefix + c.key() + ".");
}

OrderedDict<std::string, Tensor> ModuleImpl::state_dict() const {
  OrderedDict<std::string, Tensor> out("Key");
  state_dict_into(out, "");
  return out;
}

namespace {
std::string join_keys(const std::vector<std::string>& keys) {
  std::ostringstream os;
  for (size_t i = 0; i < keys.size(); ++i) os << (i ? ", " : "") << '"' << keys[i] << '"';
  return os.str();
}
}  // namespace

LoadStateDictResult ModuleImpl::load_state_dict(const OrderedDict<std::string, Tensor>& sd, bool strict) {
  // Collect the destination slots (the stored handles, not detached copies, so we write in place).
  std::vector<std::pair<std::string, Tensor*>> slots;
  std::function<void(ModuleImpl&, const std::string&)> collect = [&](ModuleImpl& m, const std::string& prefix) {
    for (auto& p : m.parameters_)
      if (p.value().defined()) slots.emplace_back(prefix + p.key(), &p.value());
    for (auto& b : m.buffers_) {
      if (!b.value().defined()) continue;
      if (std::find(m.non_persistent_.begin(), m.non_persistent_.end(), b.key()) != m.non_persistent_.end()) continue;
      slots.emplace_back(prefix + b.key(), &b.value());
    }
    for (auto& c : m.children_) collect(*c.value(), prefix + c.key() + ".");
  };
  collect(*this, "");

  LoadStateDictResult result;
  std::vector<std::string> mismatches;
  std::set<std::string> expected;
  for (auto& [key, slot] : slots) {
    expected.insert(key);
    const Tensor* src = sd.find(key);
    if (!src) {
      result.missing_keys.push_back(key);
      continue;
    }
    FX_CHECK(src->defined(), name(), ".load_state_dict: entry \"", key, "\" is an undefined tensor");
    if (src->sizes() != slot->sizes()) {
      std::ostringstream os;
      os << "size mismatch for \"" << key << "\": copying a param with shape " << src->sizes()
         << " from checkpoint, the shape in current model is " << slot->sizes();
      mismatches.push_back(os.str());
    }
  }
  for (const auto& it : sd)
    if (!expected.count(it.key())) result.unexpected_keys.push_back(it.key());

  bool key_error = strict && (!result.missing_keys.empty() || !result.unexpected_keys.empty());
  if (key_error || !mismatches.empty()) {
    std::ostringstream os;
    os << "Error(s) in loading state_dict for " << name() << ":";
    if (strict && !result.missing_keys.empty())
      os << "\n  Missing key(s) in state_dict: " << join_keys(result.missing_keys) << ".";
    if (strict && !result.unexpected_keys.empty())
      os << "\n  Unexpected key(s) in state_dict: " << join_keys(result.unexpected_keys) << ".";
    for (const auto& m : mismatches) os << "\n  " << m << ".";
    FX_FAIL(os.str());
  }

  NoGradGuard no_grad;
  for (auto& [key, slot] : slots) {
    const Tensor* src = sd.find(key);
    if (!src || src->is_same(*slot)) continue;
    slot->copy_(*src);
  }
  return result;
}

// ---- hooks ------------------------------------------------------------------------------------

HookHandle ModuleImpl::register_forward_hook(ForwardHook hook) {
  FX_CHECK(static_cast<bool>(hook), name(), ": register_forward_hook: empty hook");
  hooks_.emplace_back(next_hook_, std::move(hook));
  return next_hook_++;
}

HookHandle ModuleImpl::register_forward_pre_hook(ForwardPreHook hook) {
  FX_CHECK(static_cast<bool>(hook), name(), ": register_forward_pre_hook: empty hook");
  pre_hooks_.emplace_back(next_hook_, std::move(hook));
  return next_hook_++;
}

void ModuleImpl::remove_hook(HookHandle handle) {
  auto n0 = hooks_.size() + pre_hooks_.size();
  std::erase_if(hooks_, [&](const auto& h) { return h.first == handle; });
  std::erase_if(pre_hooks_, [&](const auto& h) { return h.first == handle; });
  FX_CHECK(hooks_.size() + pre_hooks_.size() < n0, name(), ": remove_hook: no hook with handle ", handle);
}

// ---- printing -------------------------------------------------------------------------------

void ModuleImpl::print_tree(std::ostream& os, int indent) const {
  // Leaves print their own one-line description; a module with children prints "Name(" and one
  // line per child, as PyTorch's repr.
  if (children_.empty()) return pretty_print(os);
  os << name() << "(\n";
  std::string pad(static_cast<size_t>(indent) + 2, ' ');
  for (const auto& c : children_) {
    os << pad << "(" << c.key() << "): ";
    c.value()->print_tree(os, indent + 2);
    os << "\n";
  }
  os << std::string(static_cast<size_t>(indent), ' ') << ")";
}

std::ostream& operator<<(std::ostream& os, const ModuleImpl& m) {
  m.print_tree(os);
  return os;
}

std::ostream& operator<<(std::ostream& os, const Module& m) {
  if (m.is_empty()) return os << "Module(empty)";
  m->print_tree(os);
  os << "\n";
  auto params = m->named_parameters();
  size_t width = 0;
  for (const auto& p : params) width = std::max(width, p.key().size());
  if (!params.empty()) os << "Parameters:\n";
  int64_t total = 0, trainable = 0;
  for (const auto& p : params) {
    os << "  " << std::left << std::setw(static_cast<int>(width)) << p.key() << "  " << p.value().sizes() << "  "
       << p.value().dtype() << (p.value().requires_grad() ? "" : "  (frozen)") << "\n";
    total += p.value().numel();
    if (p.value().requires_grad()) trainable += p.value().numel();
  }
  return os << "Total parameters: " << total << " (trainable: " << trainable << ")";
}
ModuleImpl& Module::checked() const {
  FX_CHECK(impl_ != nullptr,
           "Module: accessing an empty module handle (constructed with nullptr); assign a module "
           "to it first");
  return *impl_;
}

}  // namespace fluxion::nn
