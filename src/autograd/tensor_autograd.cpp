// Tensor's autograd methods: requires_grad, grad, backward, detach, hooks.
#include "autograd/function_node.h"
#include "fluxion/autograd.h"

namespace fluxion {

namespace autograd {
HookHandle new_hook_handle();
}

using autograd::AutogradMeta;

namespace {
const Tensor& undefined_tensor() {
  static const Tensor t;
  return t;
}
}  // namespace

bool Tensor::requires_grad() const {
  const AutogradMeta* m = impl()->autograd_meta();
  return m && (m->requires_grad || m->grad_fn);
}

Tensor& Tensor::requires_grad_(bool r) {
  AutogradMeta* m = impl()->autograd_meta();
  if (m && m->grad_fn) {
    FX_CHECK(r,
             "requires_grad_(false): you can only change requires_grad flags of leaf tensors; this tensor was "
             "produced by ",
             m->grad_fn->name(), ". Use detach() to get a tensor that does not require grad.");
    return *this;
  }
  if (r)
    FX_CHECK(is_floating_point(), "requires_grad_: only tensors of floating-point dtype can require gradients, got ",
             dtype());
  if (!r && !m) return *this;
  impl()->ensure_autograd_meta().requires_grad = r;
  return *this;
}

const Tensor& Tensor::grad() const {
  const AutogradMeta* m = impl()->autograd_meta();
  return m ? m->grad : undefined_tensor();
}

Tensor& Tensor::mutable_grad() { return impl()->ensure_autograd_meta().grad; }

void Tensor::set_grad(const Tensor& g) {
  if (g.defined())
    FX_CHECK(g.sizes() == sizes(), "set_grad: gradient of sizes ", g.sizes(), " does not match tensor sizes ", sizes());
  impl()->ensure_autograd_meta().grad = g;
}

std::shared_ptr<autograd::Node> Tensor::grad_fn() const {
  const AutogradMeta* m = impl()->autograd_meta();
  return m ? m->grad_fn : nullptr;
}

bool Tensor::is_leaf() const {
  const AutogradMeta* m = impl()->autograd_meta();
  return !m || !m->grad_fn;
}

void Tensor::retain_grad() {
  AutogradMeta& m = impl()->ensure_autograd_meta();
  FX_CHECK(m.requires_grad || m.grad_fn, "retain_grad: can't retain_grad on a tensor that does not require grad");
  if (!m.grad_fn || m.retains_grad) return;
  m.retains_grad = true;
  std::weak_ptr<TensorImpl> weak = impl_ptr();
  m.grad_fn->add_pre_hook(m.output_nr, [weak](const Tensor& g) {
    if (auto impl = weak.lock()) {
      AutogradMeta& meta = impl->ensure_autograd_meta();
      if (!meta.grad.defined())
        meta.grad = is_grad_enabled() ? g : g.detach().clone();
      else
        meta.grad = is_grad_enabled() ? meta.grad + g : meta.grad.add_(g.detach());
    }
    return Tensor();
  });
}

bool Tensor::retains_grad() const {
  const AutogradMeta* m = impl()->autograd_meta();
  return m && m->retains_grad;
}

void Tensor::backward(const Tensor& gradient, std::optional<bool> retain_graph, bool create_graph,
                      const std::vector<Tensor>& inputs) const {
  autograd::backward({*this}, gradient.defined() ? TensorList{gradient} : TensorList{}, retain_graph, create_graph,
                     inputs);
}

Tensor Tensor::detach() const {
  // Shares storage (and so the version counter) but no history.
  return Tensor(make_alias(*impl(), storage_offset(), sizes(), strides(), dtype()));
}

Tensor& Tensor::detach_() {
  AutogradMeta* m = impl()->autograd_meta();
  if (m) {
    FX_CHECK(!m->is_view, "detach_: can't detach views in place; use detach() instead");
    if (m->grad_fn) autograd::release_node(std::move(m->grad_fn));
    m->requires_grad = false;
  }
  return *this;
}

HookHandle Tensor::register_hook(std::function<Tensor(const Tensor&)> hook) const {
  AutogradMeta* m = impl()->autograd_meta();
  FX_CHECK(m && (m->requires_grad || m->grad_fn),
           "register_hook: cannot register a hook on a tensor that doesn't require gradient");
  if (m->grad_fn) return m->grad_fn->add_pre_hook(m->output_nr, std::move(hook));
  HookHandle h = autograd::new_hook_handle();
  m->leaf_hooks.emplace_back(h, std::move(hook));
  return h;
}

void Tensor::remove_hook(HookHandle h) const {
  AutogradMeta* m = impl()->autograd_meta();
  if (!m) return;
  std::erase_if(m->leaf_hooks, [h](const auto& p) { return p.first == h; });
  if (m->grad_fn) m->grad_fn->remove_pre_hook(h);
}

HookHandle Tensor::register_post_accumulate_grad_hook(std::function<void(const Tensor&)> hook) const {
  AutogradMeta* m = impl()->autograd_meta();
  FX_CHECK(m && m->requires_grad && !m->grad_fn,
           "register_post_accumulate_grad_hook: only leaf tensors that require grad support this hook");
  HookHandle h = autograd::new_hook_handle();
  m->post_accumulate_hooks.emplace_back(h, std::move(hook));
  return h;
}

bool Tensor::is_view() const {
  const AutogradMeta* m = impl()->autograd_meta();
  return m && m->is_view;
}

Tensor Tensor::_base() const {
  const AutogradMeta* m = impl()->autograd_meta();
  return (m && m->view_base) ? Tensor(m->view_base) : Tensor();
}

}  // namespace fluxion
