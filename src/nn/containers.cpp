// Sequential, ModuleList, ModuleDict.
#include "fluxion/nn/containers.h"

#include <sstream>

namespace fluxion::nn {

namespace {
size_t wrap_index(int64_t i, size_t n, const char* owner) {
  int64_t m = static_cast<int64_t>(n);
  FX_CHECK(i >= -m && i < m, owner, ": index ", i, " is out of range for a container of ", n, " modules");
  return static_cast<size_t>(i < 0 ? i + m : i);
}
}  // namespace

// ---- Sequential ---------------------------------------------------------------------------------

SequentialImpl::SequentialImpl(const std::vector<std::pair<std::string, Module>>& named) {
  for (const auto& [name, m] : named) push_back_module(name, m);
}

void SequentialImpl::push_back_module(const std::string& name, Module m) {
  FX_CHECK(!m.is_empty(), "Sequential: cannot add an empty module handle (position ", modules_.size(), ")");
  register_module(name, m);
  modules_.push_back(std::move(m));
}

void SequentialImpl::extend(const SequentialImpl& other) {
  FX_CHECK(&other != this, "Sequential: extend with itself");
  for (const auto& m : other.modules_) push_back_module(std::to_string(modules_.size()), m);
}

Tensor SequentialImpl::forward(const Tensor& x) {
  Tensor y = x;
  for (const auto& m : modules_) y = (*m)(y);
  return y;
}

void SequentialImpl::child_replaced(const std::string& name, const std::shared_ptr<ModuleImpl>& module) {
  auto names = named_children().keys();
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) modules_[i] = Module(module);
}

Module SequentialImpl::operator[](int64_t i) const { return modules_[wrap_index(i, modules_.size(), "Sequential")]; }

// ---- ModuleList ----------------------------------------------------------------------------------

ModuleListImpl::ModuleListImpl(const std::vector<Module>& modules) { extend(modules); }

void ModuleListImpl::push_back_module(Module m) {
  FX_CHECK(!m.is_empty(), "ModuleList: cannot add an empty module handle (position ", modules_.size(), ")");
  register_module(std::to_string(modules_.size()), m);
  modules_.push_back(std::move(m));
}

void ModuleListImpl::extend(const std::vector<Module>& modules) {
  for (const auto& m : modules) push_back_module(m);
}

void ModuleListImpl::child_replaced(const std::string& name, const std::shared_ptr<ModuleImpl>& module) {
  modules_[std::stoul(name)] = Module(module);
}

Module ModuleListImpl::operator[](int64_t i) const { return modules_[wrap_index(i, modules_.size(), "ModuleList")]; }

// ---- ModuleDict ----------------------------------------------------------------------------------

ModuleDictImpl::ModuleDictImpl(const std::vector<std::pair<std::string, Module>>& modules) { update(modules); }

ModuleDictImpl::ModuleDictImpl(const OrderedDict<std::string, Module>& modules) {
  for (const auto& it : modules) insert_module(it.key(), it.value());
}

void ModuleDictImpl::insert_module(const std::string& key, Module m) {
  FX_CHECK(!m.is_empty(), "ModuleDict: cannot add an empty module handle under '", key, "'");
  if (modules_.contains(key)) {
    replace_module(key, m);  // child_replaced updates modules_
    return;
  }
  register_module(key, m);
  modules_.insert(key, std::move(m));
}

void ModuleDictImpl::update(const std::vector<std::pair<std::string, Module>>& modules) {
  for (const auto& [k, m] : modules) insert_module(k, m);
}

void ModuleDictImpl::child_replaced(const std::string& name, const std::shared_ptr<ModuleImpl>& module) {
  modules_.at(name) = Module(module);
}

Module ModuleDictImpl::operator[](const std::string& key) const {
  if (const Module* m = modules_.find(key)) return *m;
  std::ostringstream os;
  for (size_t i = 0; i < modules_.size(); ++i) os << (i ? ", " : "") << '\'' << modules_[i].key() << '\'';
  FX_FAIL("ModuleDict: no module named '", key, "' (keys: ", os.str(), ")");
}

Module ModuleDictImpl::pop(const std::string& key) {
  Module m = (*this)[key];
  modules_.erase(key);
  unregister(key);
  return m;
}

}  // namespace fluxion::nn
