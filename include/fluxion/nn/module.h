// Module: the base of every layer and model. Value-semantics handles (Module, ModuleHolder<Impl>)
// share one ModuleImpl holding named parameters, buffers and children, as in LibTorch.
//
//   struct NetImpl : fx::nn::ModuleImpl {
//     NetImpl() { fc = register_module("fc", fx::nn::Linear(4, 2)); }
//     fx::Tensor forward(const fx::Tensor& x) override { return fc(x); }
//     fx::nn::Linear fc{nullptr};
//   };
//   FX_MODULE(Net);
//   Net net;  auto y = net(x);  net->named_parameters();  // {"fc.weight", "fc.bias"}
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "fluxion/autograd.h"
#include "fluxion/error.h"
#include "fluxion/ordered_dict.h"
#include "fluxion/tensor.h"

/// Declares an option field with a chaining setter and a getter, as LibTorch's TORCH_ARG:
///   struct LinearOptions { FX_ARG(bool, bias) = true; };   LinearOptions(2, 3).bias(false).bias() == false
#ifndef FX_ARG
#define FX_ARG(T, name)                                    \
 public:                                                   \
  auto name(const T& new_##name)->decltype(*this) {        \
    this->name##_ = new_##name;                            \
    return *this;                                          \
  }                                                        \
  const T& name() const noexcept { return this->name##_; } \
  T& name() noexcept { return this->name##_; }             \
                                                           \
 private:                                                  \
  T name##_
#endif

namespace fluxion::nn {

class Module;
class ModuleImpl;

namespace detail {
/// The ModuleImpl pointer behind a handle (Module / ModuleHolder) or a shared_ptr to an Impl.
template <class M>
std::shared_ptr<ModuleImpl> module_ptr(const M& m) {
  if constexpr (requires { std::shared_ptr<ModuleImpl>(m); }) {
    return std::shared_ptr<ModuleImpl>(m);
  } else {
    return std::static_pointer_cast<ModuleImpl>(m.ptr());
  }
}
}  // namespace detail

/// What load_state_dict found: keys the module expects but `sd` lacks, and keys of `sd` it does not know.
struct LoadStateDictResult {
  std::vector<std::string> missing_keys;
  std::vector<std::string> unexpected_keys;
};

/// The shared state of a module. Subclass it (struct LinearImpl : ModuleImpl) and wrap it with FX_MODULE.
class ModuleImpl : public std::enable_shared_from_this<ModuleImpl> {
 public:
  using ForwardHook = std::function<void(ModuleImpl&, const Tensor& input, const Tensor& output)>;
  using ForwardPreHook = std::function<void(ModuleImpl&, const Tensor& input)>;

  ModuleImpl() = default;
  /// `name` overrides the class name shown by name() and operator<<.
  explicit ModuleImpl(std::string name);
  ModuleImpl(const ModuleImpl&) = delete;
  ModuleImpl& operator=(const ModuleImpl&) = delete;
  virtual ~ModuleImpl();

  /// Class name, e.g. "Linear" (default: the demangled type name without namespace and "Impl" suffix).
  virtual std::string name() const;
  /// One-line description: "Linear(in_features=784, out_features=10, bias=true)". Default: name() + "()".
  virtual void pretty_print(std::ostream& os) const;
  /// Single-tensor forward (what Sequential calls); the default throws fluxion::Error.
  virtual Tensor forward(const Tensor& x);
  /// Runs forward pre-hooks, forward and forward hooks.
  Tensor operator()(const Tensor& x);
  /// Runs the hooks around `fn(x)` (ModuleHolder uses it to call a non-virtual forward of a subclass).
  template <class F>
  Tensor call_with_hooks(const Tensor& x, F&& fn) {
    if (pre_hooks_.empty() && hooks_.empty()) return fn();
    run_pre_hooks(x);
    Tensor y = fn();
    run_hooks(x, y);
    return y;
  }

  // ---- registration ------------------------------------------------------------------
  /// Registers a parameter (a leaf; requires_grad set as asked) and returns a reference to the
  /// stored handle. An undefined tensor registers an absent parameter (e.g. bias=false).
  Tensor& register_parameter(const std::string& name, Tensor t, bool requires_grad = true);
  /// Registers a buffer (state that is not trained, e.g. running_mean); non-persistent buffers
  /// are left out of state_dict().
  Tensor& register_buffer(const std::string& name, Tensor t, bool persistent = true);
  /// Registers a child module under `name` and returns the handle unchanged.
  template <class M>
  M register_module(const std::string& name, M module) {
    register_module_impl(name, detail::module_ptr(module));
    return module;
  }
  /// Replaces an already registered child (transfer learning: swap the classifier head).
  template <class M>
  M replace_module(const std::string& name, M module) {
    replace_module_impl(name, detail::module_ptr(module));
    return module;
  }
  /// Unregisters a parameter, buffer or child module by its local name.
  void unregister(const std::string& name);

  // ---- introspection -------------------------------------------------------------------
  std::vector<Tensor> parameters(bool recurse = true) const;
  /// Keys as PyTorch: "features.0.weight". Shared (tied) parameters appear once.
  OrderedDict<std::string, Tensor> named_parameters(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  OrderedDict<std::string, Tensor> named_buffers(bool recurse = true) const;
  std::vector<std::shared_ptr<ModuleImpl>> children() const;
  OrderedDict<std::string, std::shared_ptr<ModuleImpl>> named_children() const;
  /// Self first, then every descendant depth first (each module once).
  std::vector<std::shared_ptr<ModuleImpl>> modules() const;
  /// Like modules(), with dotted names ("" for self).
  OrderedDict<std::string, std::shared_ptr<ModuleImpl>> named_modules(const std::string& prefix = "") const;
  /// Calls fn on every descendant and then on self (PyTorch's order: children first).
  void apply(const std::function<void(ModuleImpl&)>& fn);
  /// Total number of parameter elements (each shared parameter counted once).
  int64_t num_parameters(bool only_trainable = false) const;

  // ---- mode, placement, gradients ------------------------------------------------------
  /// Sets training mode on self and every descendant.
  virtual void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }
  /// Moves parameters and buffers (and their gradients) in place: existing Tensor handles, e.g.
  /// those an optimiser holds, see the new storage.
  virtual void to(Device device);
  /// Casts floating-point parameters and buffers in place (integer buffers keep their dtype).
  virtual void to(DType dtype);
  void to(Device device, DType dtype);
  /// Clears gradients: undefined (set_to_none) or zero-filled.
  void zero_grad(bool set_to_none = true);
  /// Sets requires_grad on every parameter (false freezes the module).
  void requires_grad_(bool r = true);

  // ---- state ---------------------------------------------------------------------------
  /// Parameters then persistent buffers of each module, children after their parent, with
  /// PyTorch keys; the values share storage with the module (detached).
  OrderedDict<std::string, Tensor> state_dict() const;
  /// Copies values into the registered tensors. strict: missing or unexpected keys are an error.
  /// Shape mismatches are always an error. On error nothing is modified; the message lists every
  /// offending key.
  LoadStateDictResult load_state_dict(const OrderedDict<std::string, Tensor>& sd, bool strict = true);

  // ---- hooks ---------------------------------------------------------------------------
  /// `hook(module, input, output)` after every forward call.
  HookHandle register_forward_hook(ForwardHook hook);
  /// `hook(module, input)` before every forward call.
  HookHandle register_forward_pre_hook(ForwardPreHook hook);
  void remove_hook(HookHandle handle);

  // ---- direct access to this module's own entries -------------------------------------------
  const OrderedDict<std::string, Tensor>& local_parameters() const { return parameters_; }
  const OrderedDict<std::string, Tensor>& local_buffers() const { return buffers_; }
  /// The registered parameter or buffer `name` of this module (throws if absent).
  Tensor& tensor(const std::string& name);
  /// The registered child `name` (throws if absent).
  std::shared_ptr<ModuleImpl> child(const std::string& name) const;
  /// A non-owning-safe shared_ptr to this module (works for stack-allocated modules too).
  std::shared_ptr<ModuleImpl> self_ptr() const;

  /// Writes the tree (PyTorch-style repr) with `indent` spaces before nested lines.
  void print_tree(std::ostream& os, int indent = 0) const;

 protected:
  /// Called after replace_module swapped child `name` (containers keep their own lists in sync).
  virtual void child_replaced(const std::string& /*name*/, const std::shared_ptr<ModuleImpl>& /*module*/) {}

  bool training_ = true;

 private:
  void register_module_impl(const std::string& name, std::shared_ptr<ModuleImpl> module);
  void replace_module_impl(const std::string& name, std::shared_ptr<ModuleImpl> module);
  void check_new_name(const std::string& name, const char* what) const;
  void run_pre_hooks(const Tensor& x);
  void run_hooks(const Tensor& x, const Tensor& y);
  void state_dict_into(OrderedDict<std::string, Tensor>& out, const std::string& prefix) const;
  /// Applies `f` to every parameter and buffer slot (the stored handles) of self and descendants.
  void for_each_tensor(const std::function<void(Tensor&, bool is_parameter)>& f);

  std::string name_override_;
  OrderedDict<std::string, Tensor> parameters_{"Parameter"};
  OrderedDict<std::string, Tensor> buffers_{"Buffer"};
  std::vector<std::string> non_persistent_;
  OrderedDict<std::string, std::shared_ptr<ModuleImpl>> children_{"Submodule"};
  std::vector<std::pair<HookHandle, ForwardHook>> hooks_;
  std::vector<std::pair<HookHandle, ForwardPreHook>> pre_hooks_;
  HookHandle next_hook_ = 1;
};

/// A handle to a module: copies share the same ModuleImpl (so parameters are the same tensors).
class Module {
 public:
  Module() = default;
  Module(std::nullptr_t) {}  // NOLINT: empty handle, as LibTorch's `Linear fc{nullptr}`
  explicit Module(std::shared_ptr<ModuleImpl> impl) : impl_(std::move(impl)) {}

  ModuleImpl* operator->() const { return &checked(); }
  ModuleImpl& operator*() const { return checked(); }
  const std::shared_ptr<ModuleImpl>& ptr() const { return impl_; }
  ModuleImpl* get() const { return impl_.get(); }
  bool is_empty() const { return impl_ == nullptr; }
  explicit operator bool() const { return impl_ != nullptr; }

  /// Runs hooks and forward.
  Tensor operator()(const Tensor& x) const { return checked()(x); }
  Tensor forward(const Tensor& x) const { return checked().forward(x); }

  std::vector<Tensor> parameters(bool recurse = true) const { return checked().parameters(recurse); }
  OrderedDict<std::string, Tensor> named_parameters(bool recurse = true) const {
    return checked().named_parameters(recurse);
  }
  std::vector<Tensor> buffers(bool recurse = true) const { return checked().buffers(recurse); }
  OrderedDict<std::string, Tensor> named_buffers(bool recurse = true) const { return checked().named_buffers(recurse); }
  std::vector<std::shared_ptr<ModuleImpl>> children() const { return checked().children(); }
  OrderedDict<std::string, std::shared_ptr<ModuleImpl>> named_children() const { return checked().named_children(); }
  std::vector<std::shared_ptr<ModuleImpl>> modules() const { return checked().modules(); }
  OrderedDict<std::string, std::shared_ptr<ModuleImpl>> named_modules() const { return checked().named_modules(); }
  void apply(const std::function<void(ModuleImpl&)>& fn) const { checked().apply(fn); }
  void train(bool on = true) const { checked().train(on); }
  void eval() const { checked().eval(); }
  bool is_training() const { return checked().is_training(); }
  void to(Device device) const { checked().to(device); }
  void to(DType dtype) const { checked().to(dtype); }
  void to(Device device, DType dtype) const { checked().to(device, dtype); }
  void zero_grad(bool set_to_none = true) const { checked().zero_grad(set_to_none); }
  void requires_grad_(bool r = true) const { checked().requires_grad_(r); }
  OrderedDict<std::string, Tensor> state_dict() const { return checked().state_dict(); }
  LoadStateDictResult load_state_dict(const OrderedDict<std::string, Tensor>& sd, bool strict = true) const {
    return checked().load_state_dict(sd, strict);
  }
  int64_t num_parameters(bool only_trainable = false) const { return checked().num_parameters(only_trainable); }
  HookHandle register_forward_hook(ModuleImpl::ForwardHook hook) const {
    return checked().register_forward_hook(std::move(hook));
  }
  HookHandle register_forward_pre_hook(ModuleImpl::ForwardPreHook hook) const {
    return checked().register_forward_pre_hook(std::move(hook));
  }
  void remove_hook(HookHandle h) const { checked().remove_hook(h); }

 protected:
  ModuleImpl& checked() const;
  std::shared_ptr<ModuleImpl> impl_;
};

/// A typed handle: `Linear lin(784, 10)` constructs a LinearImpl(784, 10); `Linear lin{nullptr}` is empty.
template <class Impl>
class ModuleHolder : public Module {
  template <class... Args>
  static constexpr bool is_ctor_args() {
    if constexpr (sizeof...(Args) == 1) {
      using A = std::decay_t<std::tuple_element_t<0, std::tuple<Args...>>>;
      if constexpr (std::is_base_of_v<ModuleHolder, A> || std::is_same_v<A, std::nullptr_t> ||
                    std::is_same_v<A, std::shared_ptr<Impl>>)
        return false;
    }
    return std::is_constructible_v<Impl, Args...>;
  }

 public:
  using ContainedType = Impl;

  /// Constructs Impl(args...) (with no arguments: a default-constructed Impl).
  template <class... Args>
  requires(is_ctor_args<Args...>()) explicit ModuleHolder(Args&&... args)
      : Module(std::make_shared<Impl>(std::forward<Args>(args)...)) {}
  ModuleHolder(std::nullptr_t) : Module(nullptr) {}                                                            // NOLINT
  ModuleHolder(std::shared_ptr<Impl> impl) : Module(std::static_pointer_cast<ModuleImpl>(std::move(impl))) {}  // NOLINT

  Impl* operator->() const { return static_cast<Impl*>(&checked()); }
  Impl& operator*() const { return static_cast<Impl&>(checked()); }
  Impl* get() const { return static_cast<Impl*>(impl_.get()); }
  std::shared_ptr<Impl> ptr() const { return std::static_pointer_cast<Impl>(impl_); }

  /// Calls Impl::forward(args...); a single Tensor argument also runs the module's hooks.
  template <class... Args>
  decltype(auto) operator()(Args&&... args) const {
    Impl& m = **this;
    if constexpr (sizeof...(Args) == 1 && (std::is_convertible_v<Args, const Tensor&> && ...) &&
                  std::is_same_v<decltype(m.forward(std::declval<Args>()...)), Tensor>) {
      return m.call_with_hooks(args..., [&] { return m.forward(std::forward<Args>(args)...); });
    } else {
      return m.forward(std::forward<Args>(args)...);
    }
  }
  /// Indexes containers: seq[0], dict["head"].
  template <class Arg>
  decltype(auto) operator[](Arg&& arg) const {
    return (**this)[std::forward<Arg>(arg)];
  }
  template <class... Args>
  decltype(auto) forward(Args&&... args) const {
    return (**this).forward(std::forward<Args>(args)...);
  }
};

/// Declares the handle class `Name` for `Name##Impl` (LibTorch's TORCH_MODULE).
#define FX_MODULE(Name)                                          \
  class Name : public ::fluxion::nn::ModuleHolder<Name##Impl> {  \
   public:                                                       \
    using ::fluxion::nn::ModuleHolder<Name##Impl>::ModuleHolder; \
  }

/// Readable summary: the layer tree, every parameter's shape and the total parameter count.
std::ostream& operator<<(std::ostream& os, const Module& m);
/// The layer tree only (PyTorch's repr): "Linear(in_features=2, out_features=3, bias=true)".
std::ostream& operator<<(std::ostream& os, const ModuleImpl& m);

}  // namespace fluxion::nn
