// User-defined differentiable functions (like torch.autograd.Function / LibTorch's
// torch::autograd::Function) and gradient checkpointing.
//
//   struct MyExp : fx::autograd::Function<MyExp> {
//     static fx::TensorList forward(fx::autograd::AutogradContext* ctx, const fx::Tensor& x) {
//       fx::Tensor y = x.exp();
//       ctx->save_for_backward({y});
//       return {y};
//     }
//     static fx::TensorList backward(fx::autograd::AutogradContext* ctx, const fx::TensorList& g) {
//       return {g[0] * ctx->get_saved_variables()[0]};
//     }
//   };
//   fx::Tensor y = MyExp::apply(x)[0];
#pragma once

#include <any>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "fluxion/autograd.h"

namespace fluxion {

/// Runs fn(inputs) without keeping its intermediate results; backward recomputes them.
/// Trades compute for memory (gradient checkpointing). Tensors that need gradients (weights
/// included) must be passed in `inputs`, as with PyTorch's reentrant checkpoint.
TensorList checkpoint(const std::function<TensorList(const TensorList&)>& fn, const TensorList& inputs);

namespace autograd {

class AutogradContext {
 public:
  /// Tensors the backward needs (version-checked; outputs held without a reference cycle).
  void save_for_backward(TensorList tensors) { to_save_ = std::move(tensors); }
  /// The saved tensors, inside backward.
  const TensorList& get_saved_variables() const { return saved_; }
  /// Outputs that are not differentiable (never require grad).
  void mark_non_differentiable(const TensorList& outputs) {
    for (const Tensor& t : outputs) non_diff_.push_back(t.impl());
  }
  /// Tensors the jvp needs (released right after the forward pass, so no cycle).
  void save_for_forward(TensorList tensors) { saved_for_forward_ = std::move(tensors); }
  const TensorList& get_saved_for_forward() const { return saved_for_forward_; }
  /// needs_input_grad(i): whether tensor input i needs a gradient (inside backward).
  bool needs_input_grad(size_t i) const { return i < needs_.size() && needs_[i]; }
  /// Free-form values for backward (shapes, scalars, flags).
  std::map<std::string, std::any> saved_data;

  // Implementation details used by Function<T>::apply.
  TensorList to_save_;
  TensorList saved_;
  TensorList saved_for_forward_;
  std::vector<bool> needs_;
  std::vector<const TensorImpl*> non_diff_;
};

namespace detail {
template <class A>
void collect_tensor(TensorList& out, const A& a) {
  if constexpr (std::is_same_v<std::decay_t<A>, Tensor>) out.push_back(a);
}
void finish_custom_function(const char* name, const std::shared_ptr<AutogradContext>& ctx, const TensorList& inputs,
                            TensorList& outputs,
                            std::function<TensorList(AutogradContext*, const TensorList&)> backward,
                            std::function<TensorList(AutogradContext*, const TensorList&)> jvp);
}  // namespace detail

template <class T>
struct Function {
  /// Runs T::forward without recording, then records one node whose VJP is T::backward
  /// (and whose JVP is T::jvp when T defines it).
  template <class... Args>
  static TensorList apply(Args&&... args) {
    auto ctx = std::make_shared<AutogradContext>();
    TensorList inputs;
    (detail::collect_tensor(inputs, args), ...);
    TensorList outputs;
    {
      NoGradGuard ng;
      outputs = to_list(T::forward(ctx.get(), std::forward<Args>(args)...));
    }
    std::function<TensorList(AutogradContext*, const TensorList&)> jvp;
    if constexpr (requires(AutogradContext * c, const TensorList& t) { T::jvp(c, t); })
      jvp = [](AutogradContext* c, const TensorList& t) { return T::jvp(c, t); };
    detail::finish_custom_function(
        typeid(T).name(), ctx, inputs, outputs,
        [](AutogradContext* c, const TensorList& g) { return T::backward(c, g); }, jvp);
    return outputs;
  }

 private:
  static TensorList to_list(TensorList l) { return l; }
  static TensorList to_list(Tensor t) { return {std::move(t)}; }
};

}  // namespace autograd
}  // namespace fluxion
