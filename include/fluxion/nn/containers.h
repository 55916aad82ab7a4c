// Containers: Sequential (runs children in order), ModuleList and ModuleDict (hold children so
// their parameters are registered), with PyTorch's child names ("0", "1", ... or the dict keys).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "fluxion/nn/module.h"

namespace fluxion::nn {

namespace detail {
/// A module handle (Module, Linear, ...) or a shared_ptr to a ModuleImpl subclass.
template <class M>
concept ModuleLike = std::is_base_of_v<Module, std::decay_t<M>> || requires(const std::decay_t<M>& m) {
  std::shared_ptr<ModuleImpl>(m);
};

template <class M>
Module as_module(const M& m) {
  return Module(module_ptr(m));
}

/// `modules[i]` cast to T (a ModuleImpl subclass); throws naming `owner` if it is another type.
template <class T>
T& checked_cast(const Module& m, const char* owner, size_t i) {
  auto* p = dynamic_cast<T*>(m.get());
  FX_CHECK(p != nullptr, owner, ": element ", i, " is a ", m->name(), ", not the requested type");
  return *p;
}
}  // namespace detail

/// Runs its children in order: Sequential(Linear(784, 128), ReLU(), Linear(128, 10)).
class SequentialImpl : public ModuleImpl {
 public:
  SequentialImpl() = default;
  template <class... Ms>
  requires(sizeof...(Ms) > 0 && (detail::ModuleLike<Ms> && ...)) explicit SequentialImpl(Ms&&... modules) {
    (push_back(std::forward<Ms>(modules)), ...);
  }
  /// Named children, as PyTorch's Sequential(OrderedDict(...)).
  explicit SequentialImpl(const std::vector<std::pair<std::string, Module>>& named);

  /// Appends a module named by its position ("0", "1", ...).
  template <class M>
  requires detail::ModuleLike<M>
  void push_back(const M& module) { push_back_module(std::to_string(modules_.size()), detail::as_module(module)); }
  /// Appends a module under an explicit name.
  template <class M>
  requires detail::ModuleLike<M>
  void push_back(const std::string& name, const M& module) { push_back_module(name, detail::as_module(module)); }
  /// Appends every module of another Sequential.
  void extend(const SequentialImpl& other);

  /// Feeds x through every child (their hooks run).
  Tensor forward(const Tensor& x) override;

  /// The i-th module (negative counts from the end).
  Module operator[](int64_t i) const;
  Module at(int64_t i) const { return (*this)[i]; }
  /// The i-th module as its Impl type (throws if it is another type).
  template <class T>
  T& at(int64_t i) const {
    return detail::checked_cast<T>((*this)[i], "Sequential", static_cast<size_t>(i));
  }
  size_t size() const { return modules_.size(); }
  bool is_empty() const { return modules_.empty(); }
  std::vector<Module>::const_iterator begin() const { return modules_.begin(); }
  std::vector<Module>::const_iterator end() const { return modules_.end(); }

 protected:
  void child_replaced(const std::string& name, const std::shared_ptr<ModuleImpl>& module) override;

 private:
  void push_back_module(const std::string& name, Module m);
  std::vector<Module> modules_;
};
FX_MODULE(Sequential);

/// A list of modules whose parameters are registered ("0", "1", ...); has no forward.
class ModuleListImpl : public ModuleImpl {
 public:
  ModuleListImpl() = default;
  template <class... Ms>
  requires(sizeof...(Ms) > 0 && (detail::ModuleLike<Ms> && ...)) explicit ModuleListImpl(Ms&&... modules) {
    (push_back(std::forward<Ms>(modules)), ...);
  }
  explicit ModuleListImpl(const std::vector<Module>& modules);

  template <class M>
  requires detail::ModuleLike<M>
  void push_back(const M& module) { push_back_module(detail::as_module(module)); }
  void extend(const std::vector<Module>& modules);

  Module operator[](int64_t i) const;
  template <class T>
  T& at(int64_t i) const {
    return detail::checked_cast<T>((*this)[i], "ModuleList", static_cast<size_t>(i));
  }
  size_t size() const { return modules_.size(); }
  bool is_empty() const { return modules_.empty(); }
  std::vector<Module>::const_iterator begin() const { return modules_.begin(); }
  std::vector<Module>::const_iterator end() const { return modules_.end(); }

 protected:
  void child_replaced(const std::string& name, const std::shared_ptr<ModuleImpl>& module) override;

 private:
  void push_back_module(Module m);
  std::vector<Module> modules_;
};
FX_MODULE(ModuleList);

/// Modules by name, in insertion order; has no forward.
class ModuleDictImpl : public ModuleImpl {
 public:
  ModuleDictImpl() = default;
  explicit ModuleDictImpl(const std::vector<std::pair<std::string, Module>>& modules);
  explicit ModuleDictImpl(const OrderedDict<std::string, Module>& modules);

  /// Adds (or, if the key exists, replaces) the module under `key`.
  template <class M>
  requires detail::ModuleLike<M>
  void insert(const std::string& key, const M& module) { insert_module(key, detail::as_module(module)); }
  void update(const std::vector<std::pair<std::string, Module>>& modules);

  /// The module under `key` (throws naming the key and the known keys if absent).
  Module operator[](const std::string& key) const;
  template <class T>
  T& at(const std::string& key) const {
    auto* p = dynamic_cast<T*>((*this)[key].get());
    FX_CHECK(p != nullptr, "ModuleDict: module '", key, "' is not of the requested type");
    return *p;
  }
  bool contains(const std::string& key) const { return modules_.contains(key); }
  /// Removes `key` and returns its module.
  Module pop(const std::string& key);
  size_t size() const { return modules_.size(); }
  bool is_empty() const { return modules_.empty(); }
  std::vector<std::string> keys() const { return modules_.keys(); }
  std::vector<Module> values() const { return modules_.values(); }
  const OrderedDict<std::string, Module>& items() const { return modules_; }
  auto begin() const { return modules_.begin(); }
  auto end() const { return modules_.end(); }

 protected:
  void child_replaced(const std::string& name, const std::shared_ptr<ModuleImpl>& module) override;

 private:
  void insert_module(const std::string& key, Module m);
  OrderedDict<std::string, Module> modules_{"ModuleDict key"};
};
FX_MODULE(ModuleDict);

}  // namespace fluxion::nn
