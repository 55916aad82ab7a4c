// Recording ops into the graph (reverse mode) and propagating tangents (forward mode).
#include <algorithm>
#include <sstream>

#include "autograd/forward_ad_state.h"
#include "autograd/function_node.h"
#include "core/vmap_state.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/reduce.h"
#include "kernels/cpu/copy.h"

namespace fluxion::autograd {

using detail::forward_state;
using detail::tangent_at;

namespace {

inline bool tensor_requires_grad(const Tensor& t) {
  if (!t.defined()) return false;
  const AutogradMeta* m = t.impl()->autograd_meta();
  return m && (m->requires_grad || m->grad_fn);
}

inline bool has_visible_tangent(const Tensor& t) {
  if (!t.defined()) return false;
  const AutogradMeta* m = t.impl()->autograd_meta();
  if (!m || m->tangents.empty()) return false;
  const auto& fs = forward_state();
  for (const auto& [lvl, tan] : m->tangents)
    if (!fs.hidden(lvl)) return true;
  return false;
}

}  // namespace

bool needs_record(std::initializer_list<const Tensor*> inputs) {
  if (is_grad_enabled())
    for (const Tensor* t : inputs)
      if (tensor_requires_grad(*t)) return true;
  if (!forward_state().levels.empty())
    for (const Tensor* t : inputs)
      if (has_visible_tangent(*t)) return true;
  return false;
}

bool needs_record(const TensorList& inputs) {
  if (is_grad_enabled())
    for (const Tensor& t : inputs)
      if (tensor_requires_grad(t)) return true;
  if (!forward_state().levels.empty())
    for (const Tensor& t : inputs)
      if (has_visible_tangent(t)) return true;
  return false;
}

std::shared_ptr<Node> grad_accumulator(const Tensor& leaf) {
  AutogradMeta& m = leaf.impl()->ensure_autograd_meta();
  FX_ASSERT(m.requires_grad && !m.grad_fn, "grad_accumulator on a non-leaf");
  if (auto acc = m.grad_accumulator.lock()) return acc;
  // The node holds the leaf strongly; the leaf holds the node weakly (no cycle).
  auto acc = std::make_shared<AccumulateGrad>(leaf);
  m.grad_accumulator = acc;
  return acc;
}

Edge gradient_edge(const Tensor& t) {
  const AutogradMeta* m = t.impl()->autograd_meta();
  if (!m) return {};
  if (m->grad_fn) return Edge{m->grad_fn, m->output_nr};
  if (m->requires_grad) return Edge{grad_accumulator(t), 0};
  return {};
}

namespace {

std::string creation_context(const char* name) {
  std::ostringstream os;
  os << "forward op " << name << " (node #" << next_sequence_nr() << ")";
  return os.str();
}

void propagate_tangents(const TensorList& inputs, const TensorList& outputs, const JvpFn& jvp) {
  auto& fs = forward_state();
  if (fs.levels.empty() || !jvp) return;
  // Copy: computing a JVP may not open levels, but be safe against iterator invalidation.
  std::vector<uint64_t> levels = fs.levels;
  for (uint64_t level : levels) {
    if (fs.hidden(level)) continue;
    bool any = false;
    for (const Tensor& in : inputs)
      if (in.defined() && tangent_at(in, level).defined()) any = true;
    if (!any) continue;
    TensorList out_tangents;
    {
      detail::HideLevelsGuard hide(level);
      TensorList tangents;
      tangents.reserve(inputs.size());
      for (const Tensor& in : inputs) {
        if (!in.defined()) {
          tangents.emplace_back();
          continue;
        }
        Tensor tan = tangent_at(in, level);
        if (!tan.defined()) tan = zeros_like(in);
        tangents.push_back(tan);
      }
      out_tangents = jvp(tangents);
    }
    FX_CHECK(out_tangents.size() == outputs.size(), "forward AD: JVP returned ", out_tangents.size(), " tangents for ",
             outputs.size(), " outputs");
    for (size_t j = 0; j < outputs.size(); ++j) {
      if (!outputs[j].defined() || !out_tangents[j].defined() || !outputs[j].is_floating_point()) continue;
      Tensor tj = out_tangents[j];
      if (tj.sizes() != outputs[j].sizes()) tj = tj.expand(outputs[j].sizes());
      if (tj.dtype() != outputs[j].dtype()) tj = tj.to(outputs[j].dtype());
      detail::set_tangent(outputs[j], level, tj);
    }
  }
}

void record_impl(const char* name, const TensorList& inputs, const TensorList& outputs, const TensorList& saved,
                 VjpSavedFn vjp, const JvpFn& jvp) {
  // Forward mode first, so saved outputs carry their tangents (forward-over-reverse).
  propagate_tangents(inputs, outputs, jvp);
  if (!is_grad_enabled()) return;
  bool any = false;
  for (const Tensor& in : inputs)
    if (tensor_requires_grad(in)) any = true;
  if (!any) return;
  auto node = std::make_shared<FunctionNode>(name, std::move(vjp));
  node->set_sequence_nr(next_sequence_nr());
  node->set_vmap_level(vmap_state::current_level());
  auto& edges = node->mutable_next_edges();
  edges.reserve(inputs.size());
  for (const Tensor& in : inputs) edges.push_back(tensor_requires_grad(in) ? gradient_edge(in) : Edge{});
  auto& metas = node->mutable_output_meta();
  metas.reserve(outputs.size());
  for (uint32_t j = 0; j < outputs.size(); ++j) {
    const Tensor& out = outputs[j];
    if (!out.defined()) {
      metas.push_back(TensorMeta{});
      continue;
    }
    metas.push_back(TensorMeta{out.sizes(), out.dtype(), out.device()});
    if (!out.is_floating_point()) continue;
    AutogradMeta& m = out.impl()->ensure_autograd_meta();
    if (m.grad_fn) release_node(std::move(m.grad_fn));
    m.grad_fn = node;
    m.output_nr = j;
    m.requires_grad = false;
  }
  auto& sv = node->saved();
  sv.reserve(saved.size());
  for (const Tensor& s : saved) {
    bool is_output = false;
    for (const Tensor& out : outputs)
      if (s.defined() && out.defined() && s.is_same(out)) is_output = true;
    sv.emplace_back(s, is_output);
  }
  if (is_anomaly_enabled()) node->set_creation_context(creation_context(name));
}

}  // namespace

void record(const char* name, const TensorList& inputs, const TensorList& outputs, const TensorList& saved,
            VjpSavedFn vjp, const JvpFn& jvp) {
  record_impl(name, inputs, outputs, saved, std::move(vjp), jvp);
}

void record(const char* name, const TensorList& inputs, const TensorList& outputs, VjpFn vjp, const JvpFn& jvp) {
  record_impl(
      name, inputs, outputs, {}, [fn = std::move(vjp)](const BackwardArgs& a, const SavedList&) { return fn(a); }, jvp);
}

void record_non_differentiable(const char* name, const TensorList& inputs, const TensorList& outputs) {
  std::string op = name;
  record_impl(
      name, inputs, outputs, {},
      [op](const BackwardArgs&, const SavedList&) -> TensorList {
        FX_FAIL("the derivative for '", op, "' is not implemented (the op is not differentiable)");
      },
      [op](const TensorList&) -> TensorList {
        FX_FAIL("the forward-mode derivative for '", op, "' is not implemented (the op is not differentiable)");
      });
}

// ---- views and in-place ops --------------------------------------------------------------------

void mark_view(const Tensor& base, const Tensor& view) {
  if (!tensor_requires_grad(base)) return;
  const AutogradMeta* bm = base.impl()->autograd_meta();
  AutogradMeta& vm = view.impl()->ensure_autograd_meta();
  vm.is_view = true;
  vm.view_base = (bm && bm->is_view && bm->view_base) ? bm->view_base : base.impl_ptr();
}

void check_inplace(const Tensor& self, const char* op) {
  if (!is_grad_enabled()) return;
  const AutogradMeta* m = self.impl()->autograd_meta();
  if (!m) return;
  FX_CHECK(!(m->requires_grad && !m->grad_fn), op,
           ": a leaf tensor that requires grad is being used in an in-place operation (sizes ", self.sizes(),
           "). Wrap the update in NoGradGuard, or clone() the tensor first.");
  if (m->is_view && m->view_base) {
    const AutogradMeta* bm = m->view_base->autograd_meta();
    FX_CHECK(!(bm && bm->requires_grad && !bm->grad_fn), op,
             ": a view of a leaf tensor that requires grad is being used in an in-place operation (view sizes ",
             self.sizes(), ", base sizes ", m->view_base->sizes(), ").");
  }
}

namespace {
// Gradient routing for an in-place write into a view of a non-leaf base: the base's new
// history is "old base with the viewed region replaced by `result`".
void rebase_view_base(const Tensor& self, const Tensor& result, const std::shared_ptr<TensorImpl>& base_impl) {
  Tensor base(base_impl);
  if (!tensor_requires_grad(base) && !tensor_requires_grad(result)) return;
  FX_CHECK(base.is_contiguous(),
           "in-place operation on a view of a non-contiguous tensor that requires grad is not "
           "supported; call contiguous() on the base first");
  Shape vsizes = self.sizes(), vstrides = self.strides();
  int64_t rel = self.storage_offset() - base.storage_offset();
  Tensor mask;
  {
    NoGradGuard ng;
    mask = ones(base.sizes(), base.options());
    mask.as_strided(vsizes, vstrides, mask.storage_offset() + rel).fill_(0);
  }
  // Old history of the base (an edge), and the result's history.
  auto node = std::make_shared<FunctionNode>(
      "CopySlices", [mask, vsizes, vstrides, rel](const BackwardArgs& a, const SavedList&) {
        Tensor g = a.grad().contiguous();
        Tensor g_base = a.needs(0) ? g * mask : Tensor();
        Tensor g_result = a.needs(1) ? g.as_strided(vsizes, vstrides, g.storage_offset() + rel) : Tensor();
        return TensorList{g_base, g_result};
      });
  node->set_sequence_nr(next_sequence_nr());
  node->mutable_next_edges() = {tensor_requires_grad(base) ? gradient_edge(base) : Edge{},
                                tensor_requires_grad(result) ? gradient_edge(result) : Edge{}};
  node->mutable_output_meta().push_back(TensorMeta{base.sizes(), base.dtype(), base.device()});
  AutogradMeta& bm = base.impl()->ensure_autograd_meta();
  if (bm.grad_fn) release_node(std::move(bm.grad_fn));
  bm.grad_fn = node;
  bm.output_nr = 0;
}
}  // namespace

namespace {
// Note [In-place ops and saved inputs]: an in-place op is computed out of place and then
// written into self's storage. Nodes created by that computation may have saved self (or a
// view of its storage) as an input; give them a snapshot first, as PyTorch's "original_self".
void snapshot_saved_aliases(const Tensor& self, const Tensor& result) {
  const AutogradMeta* sm = self.impl()->autograd_meta();
  const Node* stop = sm ? sm->grad_fn.get() : nullptr;
  const Storage* storage = self.impl()->storage().get();
  std::vector<Node*> stack;
  std::vector<const Node*> seen;
  if (auto fn = result.grad_fn()) stack.push_back(fn.get());
  int budget = 256;
  while (!stack.empty() && budget-- > 0) {
    Node* n = stack.back();
    stack.pop_back();
    if (n == stop || std::find(seen.begin(), seen.end(), n) != seen.end()) continue;
    seen.push_back(n);
    auto* fnode = dynamic_cast<FunctionNode*>(n);
    if (!fnode) continue;
    for (auto& s : fnode->saved()) s.snapshot_if_in(storage);
    for (const Edge& e : n->next_edges())
      if (e.node) stack.push_back(e.node.get());
  }
}
}  // namespace

void rebase_inplace(Tensor& self, const Tensor& result) {
  FX_CHECK(result.sizes() == self.sizes(), "in-place op: result of sizes ", result.sizes(),
           " cannot be written into a tensor of sizes ", self.sizes());
  if (is_grad_enabled()) snapshot_saved_aliases(self, result);
  {
    Tensor src = result.dtype() == self.dtype() ? result : result.detach().to(self.dtype());
    kernels::copy_kernel.get(self.device().type(), self.dtype())(self, src);
    if (!is_inference_mode()) self.impl()->storage()->bump_version();
  }
  const AutogradMeta* rm = result.impl()->autograd_meta();
  AutogradMeta* sm = self.impl()->autograd_meta();
  if (sm && sm->is_view && sm->view_base && is_grad_enabled()) rebase_view_base(self, result, sm->view_base);
  if (rm && (rm->grad_fn || !rm->tangents.empty())) {
    AutogradMeta& m = self.impl()->ensure_autograd_meta();
    if (rm->grad_fn) {
      if (m.grad_fn) release_node(std::move(m.grad_fn));
      m.grad_fn = rm->grad_fn;
      m.output_nr = rm->output_nr;
    }
    if (!rm->tangents.empty()) m.tangents = rm->tangents;
  }
}

Tensor sum_to(const Tensor& grad, const Shape& shape) {
  if (grad.sizes() == shape) return grad;
  const int64_t lead = grad.dim() - static_cast<int64_t>(shape.size());
  FX_CHECK(lead >= 0, "sum_to: cannot reduce gradient of sizes ", grad.sizes(), " to ", shape);
  Shape dims;
  for (int64_t i = 0; i < grad.dim(); ++i) {
    if (i < lead) {
      dims.push_back(i);
    } else if (shape[i - lead] == 1 && grad.sizes()[i] != 1) {
      dims.push_back(i);
    } else {
      FX_CHECK(shape[i - lead] == grad.sizes()[i] || grad.sizes()[i] == 1, "sum_to: cannot reduce gradient of sizes ",
               grad.sizes(), " to ", shape);
    }
  }
  Tensor r = dims.empty() ? grad : sum(grad, DimList(dims), /*keepdim=*/true);
  if (r.sizes() == shape) return r;
  if (r.numel() == shape_numel(shape)) return r.reshape(shape);
  return r.reshape(Shape(r.sizes().begin() + lead, r.sizes().end())).expand(shape);
}

}  // namespace fluxion::autograd
