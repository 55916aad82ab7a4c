// The reverse-mode engine: runs graph nodes in dependency order with an explicit work queue
// (no recursion, so arbitrarily long chains work), accumulating gradients per node input.
#include <algorithm>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "autograd/function_node.h"
#include "core/batched.h"
#include "core/vmap_state.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/pointwise.h"
#include "fluxion/ops/reduce.h"

namespace fluxion::autograd {

namespace {

struct CaptureSlot {
  Node* node;
  uint32_t input_nr;
  size_t out_index;
};

struct ReadyCompare {
  bool operator()(const std::shared_ptr<Node>& a, const std::shared_ptr<Node>& b) const {
    return a->sequence_nr() < b->sequence_nr();  // highest sequence number (latest op) first
  }
};

void check_anomaly(const Node& node, const TensorList& grads) {
  for (size_t i = 0; i < grads.size(); ++i) {
    const Tensor& g = grads[i];
    if (!g.defined() || !g.is_floating_point()) continue;
    NoGradGuard ng;
    bool bad = !isfinite(g).all().item<bool>();
    FX_CHECK(!bad, "anomaly detected: function '", node.name(), "' returned NaN or Inf values in its output ", i,
             " during backward. ",
             node.creation_context().empty() ? std::string("") : "It was created by " + node.creation_context() + ".");
  }
}

// Sets the running vmap level for a scope.
struct LevelScope {
  int old;
  explicit LevelScope(int level) : old(vmap_state::exchange_level(level)) {}
  ~LevelScope() { vmap_state::exchange_level(old); }
  LevelScope(const LevelScope&) = delete;
  LevelScope& operator=(const LevelScope&) = delete;
};

// Runs a node's backward at the vmap level its forward ran at (Node::vmap_level), so the batched
// tensors it saved keep working after that vmap call has returned.
TensorList apply_at_vmap_level(Node& node, TensorList&& grads) {
  const int level = node.vmap_level();
  if (level == 0 || level == vmap_state::current_level()) return node.apply(std::move(grads));
  LevelScope at(level);
  try {
    return node.apply(std::move(grads));
  } catch (const vmap_state::NoBatchingRule& e) {
    // Outside its vmap call there is no per-example loop to fall back to.
    FX_FAIL("vmap: the backward of ", node.name(), " (recorded inside a vmap call) needs a batching rule for ", e.op(),
            ", which Fluxion does not have yet; differentiate inside the vmapped function instead "
            "(vmap(grad(f))) or loop over the examples");
  }
}

Tensor materialize(const TensorMeta& m) { return zeros(m.sizes, TensorOptions(m.dtype).device(m.device)); }

// Runs the backward pass. With `captures` non-empty, gradients arriving at those slots are
// returned instead of being accumulated into leaves, and only the needed part of the graph runs.
TensorList run_engine(const std::vector<Edge>& roots, const TensorList& root_grads, bool keep_graph, bool create_graph,
                      const std::vector<Edge>& capture_edges, bool accumulate_leaves) {
  // 1. Discover the graph and count dependencies (iterative DFS).
  std::unordered_map<Node*, int> deps;
  std::unordered_set<Node*> seen;
  std::vector<Node*> stack, order;
  for (const Edge& r : roots)
    if (r.node && seen.insert(r.node.get()).second) stack.push_back(r.node.get());
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    order.push_back(n);
    for (const Edge& e : n->next_edges()) {
      if (!e.node) continue;
      ++deps[e.node.get()];
      if (seen.insert(e.node.get()).second) stack.push_back(e.node.get());
    }
  }

  // 2. With captures, find the nodes that lead to a captured slot; skip everything else.
  std::unordered_set<Node*> capture_nodes;
  for (const Edge& e : capture_edges)
    if (e.node) capture_nodes.insert(e.node.get());
  std::unordered_set<Node*> needed;
  const bool selective = !capture_edges.empty() && !accumulate_leaves;
  if (selective) {
    // Reverse topological order: a node is needed if it is captured or feeds a needed node.
    // Compute a topological order with Kahn's algorithm on the discovered subgraph.
    std::unordered_map<Node*, int> d = deps;
    std::vector<Node*> topo;
    std::vector<Node*> q;
    for (const Edge& r : roots)
      if (r.node && d[r.node.get()] == 0) q.push_back(r.node.get());
    std::unordered_set<Node*> queued(q.begin(), q.end());
    while (!q.empty()) {
      Node* n = q.back();
      q.pop_back();
      topo.push_back(n);
      for (const Edge& e : n->next_edges())
        if (e.node && --d[e.node.get()] == 0 && queued.insert(e.node.get()).second) q.push_back(e.node.get());
    }
    for (auto it = topo.rbegin(); it != topo.rend(); ++it) {
      Node* n = *it;
      bool need = capture_nodes.count(n) > 0;
      for (const Edge& e : n->next_edges())
        if (e.node && needed.count(e.node.get())) need = true;
      if (need) needed.insert(n);
    }
  }

  TensorList captured(capture_edges.size());
  std::unordered_map<Node*, TensorList> buffers;
  auto add_to_buffer = [&](const Edge& e, Tensor g) {
    TensorList& buf = buffers[e.node.get()];
    if (buf.size() < e.node->num_outputs()) buf.resize(std::max<size_t>(e.node->num_outputs(), 1));
    if (buf.empty()) buf.resize(1);
    Tensor& slot = buf[e.input_nr];
    if (!slot.defined())
      slot = std::move(g);
    else
      slot = slot + g;
  };

  std::priority_queue<std::shared_ptr<Node>, std::vector<std::shared_ptr<Node>>, ReadyCompare> ready;
  for (size_t i = 0; i < roots.size(); ++i) {
    if (!roots[i].node) continue;
    add_to_buffer(roots[i], root_grads[i]);
  }
  {
    std::unordered_set<Node*> pushed;
    for (const Edge& r : roots)
      if (r.node && deps[r.node.get()] == 0 && pushed.insert(r.node.get()).second) ready.push(r.node);
  }

  const bool prev_grad = is_grad_enabled();
  set_grad_enabled(create_graph);
  try {
    while (!ready.empty()) {
      std::shared_ptr<Node> node = ready.top();
      ready.pop();
      TensorList grads = std::move(buffers[node.get()]);
      buffers.erase(node.get());
      grads.resize(std::max<size_t>(node->num_outputs(), grads.size()));
      if (node->has_pre_hooks())
        for (uint32_t i = 0; i < grads.size(); ++i)
          if (grads[i].defined()) grads[i] = node->run_pre_hooks(i, grads[i]);
      for (size_t k = 0; k < capture_edges.size(); ++k)
        if (capture_edges[k].node.get() == node.get()) {
          const Tensor& g = grads[capture_edges[k].input_nr];
          captured[k] = captured[k].defined() && g.defined() ? captured[k] + g : g;
        }
      const bool is_sink = dynamic_cast<AccumulateGrad*>(node.get()) != nullptr;
      bool run = true;
      if (is_sink && !accumulate_leaves) run = false;
      if (selective && !needed.count(node.get())) run = false;
      if (selective && capture_nodes.count(node.get())) {
        // Captured non-leaf inputs: keep going only if something beyond them is also needed.
        bool beyond = false;
        for (const Edge& e : node->next_edges())
          if (e.node && needed.count(e.node.get())) beyond = true;
        run = run && beyond;
      }
      TensorList outs;
      if (run) {
        for (size_t i = 0; i < node->num_outputs(); ++i)
          if (!grads[i].defined() && !is_sink) grads[i] = materialize(node->output_meta()[i]);
        outs = apply_at_vmap_level(*node, std::move(grads));
        if (is_anomaly_enabled()) check_anomaly(*node, outs);
        if (!keep_graph) node->release_saved();
      }
      const auto& edges = node->next_edges();
      for (size_t i = 0; i < edges.size(); ++i) {
        const Edge& e = edges[i];
        if (!e.node) continue;
        if (run && i < outs.size() && outs[i].defined()) {
          Tensor g = outs[i];
          // Note [Batched tensors]: a batched gradient that leaves its vmap call for an input
          // recorded outside it (a shared weight in grad(vmap(f))) is the sum over the examples;
          // inside the call (vmap(grad(f))) it stays per example.
          const int run_level = vmap_state::current_level(), target_level = e.node->vmap_level();
          if (g.impl()->is_batched()) {
            const auto& bd = g.impl()->batch_dim();
            if (bd.level != run_level && bd.level != target_level) {
              const int lvl = bd.level;
              LevelScope at(lvl);
              g = batched::physical(g, bd.size).sum(0);
            }
          }
          LevelScope at(target_level != 0 ? target_level : run_level);
          const TensorMeta& want = e.node->output_meta()[e.input_nr];
          if (!(g.sizes() == want.sizes)) {
            FX_CHECK(shape_numel(g.sizes()) == shape_numel(want.sizes) || g.dim() == 0, "Function ", node->name(),
                     " returned an invalid gradient at index ", i, ": got sizes ", g.sizes(), " but expected sizes ",
                     want.sizes);
            g = g.dim() == 0 ? g.expand(want.sizes) : g.reshape(want.sizes);
          }
          if (g.dtype() != want.dtype) g = g.to(want.dtype);
          add_to_buffer(e, std::move(g));
        }
        if (--deps[e.node.get()] == 0) ready.push(e.node);
      }
    }
  } catch (...) {
    set_grad_enabled(prev_grad);
    throw;
  }
  set_grad_enabled(prev_grad);
  return captured;
}

void collect_roots(const TensorList& outputs, const TensorList& grad_outputs, std::vector<Edge>& roots,
                   TensorList& root_grads, const char* api) {
  FX_CHECK(grad_outputs.empty() || grad_outputs.size() == outputs.size(), api, ": got ", grad_outputs.size(),
           " grad_outputs for ", outputs.size(), " outputs");
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Tensor& out = outputs[i];
    FX_CHECK(out.defined(), api, ": output ", i, " is undefined");
    Edge e = gradient_edge(out);
    FX_CHECK(e.valid(), api, ": element ", i, " of tensors does not require grad and does not have a grad_fn");
    Tensor g = grad_outputs.empty() ? Tensor() : grad_outputs[i];
    if (!g.defined()) {
      FX_CHECK(out.numel() == 1, api, ": grad can be implicitly created only for scalar outputs (output ", i,
               " has sizes ", out.sizes(), "); pass a gradient");
      g = ones_like(out);
    } else {
      FX_CHECK(g.sizes() == out.sizes(), api, ": mismatch in shape: grad_output[", i, "] has sizes ", g.sizes(),
               " and output[", i, "] has sizes ", out.sizes());
      FX_CHECK(g.is_floating_point() == out.is_floating_point(), api, ": grad_output[", i, "] has dtype ", g.dtype(),
               " but output has dtype ", out.dtype());
    }
    roots.push_back(std::move(e));
    root_grads.push_back(std::move(g));
  }
}

}  // namespace

void backward(const TensorList& tensors, const TensorList& grad_tensors, std::optional<bool> retain_graph,
              bool create_graph, const TensorList& inputs) {
  std::vector<Edge> roots;
  TensorList root_grads;
  collect_roots(tensors, grad_tensors, roots, root_grads, "backward");
  bool keep = retain_graph.value_or(create_graph);
  if (inputs.empty()) {
    run_engine(roots, root_grads, keep, create_graph, {}, /*accumulate_leaves=*/true);
    return;
  }
  // backward(inputs=...): accumulate only into the given tensors.
  std::vector<Edge> caps;
  for (const Tensor& in : inputs) {
    Edge e = gradient_edge(in);
    FX_CHECK(e.valid(), "backward: an input in `inputs` does not require grad");
    caps.push_back(e);
  }
  TensorList gs = run_engine(roots, root_grads, keep, create_graph, caps, /*accumulate_leaves=*/false);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!gs[i].defined()) continue;
    AutogradMeta& m = inputs[i].impl()->ensure_autograd_meta();
    Tensor g = create_graph ? gs[i] : gs[i].detach();
    m.grad = m.grad.defined() ? (create_graph ? m.grad + g : m.grad.add_(g)) : (create_graph ? g : g.clone());
  }
}

TensorList grad(const TensorList& outputs, const TensorList& inputs, const TensorList& grad_outputs,
                std::optional<bool> retain_graph, bool create_graph, bool allow_unused) {
  std::vector<Edge> roots;
  TensorList root_grads;
  collect_roots(outputs, grad_outputs, roots, root_grads, "autograd::grad");
  std::vector<Edge> caps;
  for (size_t i = 0; i < inputs.size(); ++i) {
    FX_CHECK(inputs[i].defined(), "autograd::grad: input ", i, " is undefined");
    Edge e = gradient_edge(inputs[i]);
    FX_CHECK(e.valid(), "autograd::grad: input ", i, " (sizes ", inputs[i].sizes(),
             ") does not require grad; call requires_grad_() on it first");
    caps.push_back(e);
  }
  TensorList gs = run_engine(roots, root_grads, retain_graph.value_or(create_graph), create_graph, caps,
                             /*accumulate_leaves=*/false);
  for (size_t i = 0; i < gs.size(); ++i) {
    if (!gs[i].defined()) {
      FX_CHECK(allow_unused, "autograd::grad: input ", i,
               " was not used in the graph of the outputs; pass allow_unused=true to get an undefined gradient");
    } else if (!create_graph) {
      gs[i] = gs[i].detach();
    }
  }
  return gs;
}

}  // namespace fluxion::autograd
