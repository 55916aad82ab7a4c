// Graph nodes, saved tensors and non-recursive node release.
#include <atomic>

#include "autograd/function_node.h"
#include "fluxion/ops/creation.h"

namespace fluxion::autograd {

namespace {
std::atomic<uint64_t> g_hook_id{1};
}

uint64_t next_sequence_nr() {
  thread_local uint64_t seq = 0;
  return ++seq;
}

void release_node(std::shared_ptr<Node>&& node) {
  thread_local std::vector<std::shared_ptr<Node>> pending;
  thread_local bool draining = false;
  if (!node) return;
  pending.push_back(std::move(node));
  if (draining) return;
  draining = true;
  while (!pending.empty()) {
    std::shared_ptr<Node> n = std::move(pending.back());
    pending.pop_back();
    if (n.use_count() == 1) {
      // Move the predecessors out first so that destroying n only queues them.
      for (auto& e : n->mutable_next_edges())
        if (e.node) pending.push_back(std::move(e.node));
    }
    n.reset();
  }
  draining = false;
}

AutogradMeta::~AutogradMeta() {
  if (grad_fn) release_node(std::move(grad_fn));
}

HookHandle Node::add_pre_hook(uint32_t output_nr, GradHook hook) {
  HookHandle h = g_hook_id.fetch_add(1);
  pre_hooks_.emplace_back(h, output_nr, std::move(hook));
  return h;
}

void Node::remove_pre_hook(HookHandle h) {
  std::erase_if(pre_hooks_, [h](const auto& t) { return std::get<0>(t) == h; });
}

Tensor Node::run_pre_hooks(uint32_t output_nr, Tensor grad) const {
  for (const auto& [h, nr, fn] : pre_hooks_) {
    if (nr != output_nr) continue;
    Tensor r = fn(grad);
    if (r.defined()) grad = r;
  }
  return grad;
}

HookHandle new_hook_handle() { return g_hook_id.fetch_add(1); }

// ---- SavedTensor ------------------------------------------------------------------------------

SavedTensor::SavedTensor(const Tensor& t, bool is_output) : is_output_(is_output) {
  if (!t.defined()) return;
  saved_version_ = t.impl()->storage()->version();
  const TensorImpl* impl = t.impl();
  AutogradMeta* meta = impl->autograd_meta();
  if (!is_output && meta && (meta->grad_fn || meta->requires_grad)) {
    original_ = t;  // an input with history: keep the handle (and so its graph)
    return;
  }
  // Outputs, and inputs without history: keep the data and geometry, the tangents, and for
  // outputs a weak link to the producing node. Not the handle: a JVP that reads an op's own
  // output (exp: t * y) runs before y gets its node, so y is saved here as a plain tensor; held
  // by handle, y -> its tangent -> the tangent's node -> y would be a reference cycle.
  data_ = make_alias(*impl, impl->storage_offset(), impl->sizes(), impl->strides(), impl->dtype());
  if (!is_output) {
    if (meta) tangents_ = meta->tangents;
    return;
  }
  if (AutogradMeta* m = meta) {
    grad_fn_ = m->grad_fn;
    output_nr_ = m->output_nr;
    requires_grad_ = m->grad_fn != nullptr || m->requires_grad;
    tangents_ = m->tangents;
  }
}

Tensor SavedTensor::unpack(const std::shared_ptr<Node>& owner) const {
  const TensorImpl* impl = original_.defined() ? original_.impl() : data_.get();
  if (!impl) return Tensor();
  uint32_t now = impl->storage()->version();
  FX_CHECK(now == saved_version_,
           "one of the tensors needed for gradient computation has been modified by an inplace operation: a tensor "
           "of sizes ",
           impl->sizes(), " saved by ", owner ? owner->name() : std::string("an op"), " is at version ", now,
           "; expected version ", saved_version_,
           " instead. Avoid modifying it in place (use an out-of-place op or .clone()).");
  if (original_.defined()) return original_;
  Tensor t(make_alias(*data_, data_->storage_offset(), data_->sizes(), data_->strides(), data_->dtype()));
  std::shared_ptr<Node> fn = grad_fn_.lock();
  if (fn || !tangents_.empty()) {
    AutogradMeta& m = t.impl()->ensure_autograd_meta();
    m.grad_fn = std::move(fn);
    m.output_nr = output_nr_;
    m.tangents = tangents_;
  }
  return t;
}

bool SavedTensor::snapshot_if_in(const Storage* storage) {
  if (!is_output_ && data_ && data_->storage().get() == storage) {
    if (storage->version() != saved_version_) return false;  // already stale: keep the error
    Tensor copy;
    {
      NoGradGuard ng;
      copy =
          Tensor(make_alias(*data_, data_->storage_offset(), data_->sizes(), data_->strides(), data_->dtype())).clone();
    }
    data_ = copy.impl_ptr();
    saved_version_ = data_->storage()->version();
    return true;
  }
  if (!original_.defined() || original_.impl()->storage().get() != storage) return false;
  if (original_.impl()->storage()->version() != saved_version_) return false;  // already stale: keep the error
  original_ = original_.clone();
  saved_version_ = original_.impl()->storage()->version();
  return true;
}

void SavedTensor::reset() {
  data_.reset();
  original_ = Tensor();
  tangents_.clear();
}

// ---- FunctionNode --------------------------------------------------------------------------------

TensorList FunctionNode::apply(TensorList&& grads) {
  FX_CHECK(!released_, "Trying to backward through the graph a second time (through ", name_,
           "), but the saved intermediate results have already been freed. Specify retain_graph=true on the first "
           "backward() or autograd::grad() call if you need to backward through the graph again.");
  SavedList saved;
  saved.reserve(saved_.size());
  auto self = shared_from_this();
  for (const auto& s : saved_) saved.push_back(s.unpack(self));
  std::vector<bool> needs(next_edges_.size());
  for (size_t i = 0; i < next_edges_.size(); ++i) needs[i] = next_edges_[i].valid();
  BackwardArgs args{grads, needs};
  TensorList out = vjp_(args, saved);
  FX_CHECK(out.size() == next_edges_.size(), name_, ": backward returned ", out.size(), " gradients but the op has ",
           next_edges_.size(), " inputs");
  return out;
}

void FunctionNode::release_saved() {
  saved_.clear();
  vjp_ = nullptr;
  released_ = true;
}

// ---- AccumulateGrad ------------------------------------------------------------------------------

AccumulateGrad::AccumulateGrad(Tensor leaf) : leaf_(std::move(leaf)) {
  output_meta_.push_back(TensorMeta{leaf_.sizes(), leaf_.dtype(), leaf_.device()});
  set_sequence_nr(UINT64_MAX);  // sinks run as soon as they are ready
}

TensorList AccumulateGrad::apply(TensorList&& grads) {
  Tensor g = grads.at(0);
  AutogradMeta& m = leaf_.impl()->ensure_autograd_meta();
  for (const auto& [h, hook] : m.leaf_hooks) {
    Tensor r = hook(g);
    if (r.defined()) g = r;
  }
  if (!g.defined()) return {};
  if (!is_grad_enabled()) g = g.detach();
  if (!m.grad.defined()) {
    // Steal the buffer when nobody else holds it; otherwise copy so later in-place
    // accumulation cannot write into another tensor.
    bool exclusive = g.impl_ptr().use_count() <= 2 && g.impl()->storage().use_count() == 1 && g.is_contiguous();
    m.grad = (exclusive || is_grad_enabled()) ? g : g.clone();
  } else if (is_grad_enabled()) {
    m.grad = m.grad + g;  // create_graph: keep the accumulation differentiable
  } else {
    m.grad.add_(g);
  }
  for (const auto& [h, hook] : m.post_accumulate_hooks) hook(leaf_);
  return {};
}

}  // namespace fluxion::autograd
