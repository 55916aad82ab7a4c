// Reverse- and forward-mode automatic differentiation: grad mode, graph nodes, the engine
// entry points, hooks, anomaly mode, dual tensors, and the recording API ops use.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fluxion/tensor.h"

namespace fluxion {

using TensorList = std::vector<Tensor>;

/// Whether ops record a graph on this thread (default true).
bool is_grad_enabled();
void set_grad_enabled(bool enabled);
/// Whether inference mode is on (no graph, no version counting).
bool is_inference_mode();

/// Disables graph recording for its lifetime.
class NoGradGuard {
 public:
  NoGradGuard() : prev_(is_grad_enabled()) { set_grad_enabled(false); }
  ~NoGradGuard() { set_grad_enabled(prev_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool prev_;
};

/// Re-enables graph recording for its lifetime (inside a NoGradGuard).
class EnableGradGuard {
 public:
  EnableGradGuard() : prev_(is_grad_enabled()) { set_grad_enabled(true); }
  ~EnableGradGuard() { set_grad_enabled(prev_); }
  EnableGradGuard(const EnableGradGuard&) = delete;
  EnableGradGuard& operator=(const EnableGradGuard&) = delete;

 private:
  bool prev_;
};

/// Inference mode: no graph recording and no version-counter bumps (cheapest evaluation).
class InferenceModeGuard {
 public:
  explicit InferenceModeGuard(bool enabled = true);
  ~InferenceModeGuard();
  InferenceModeGuard(const InferenceModeGuard&) = delete;
  InferenceModeGuard& operator=(const InferenceModeGuard&) = delete;

 private:
  bool prev_grad_, prev_inference_;
};

namespace autograd {

class Node;

/// Where a gradient goes: input `input_nr` of `node`.
struct Edge {
  std::shared_ptr<Node> node;
  uint32_t input_nr = 0;
  bool valid() const { return node != nullptr; }
};

/// Shape/dtype/device of a forward output, so an absent gradient can be materialised as zeros.
struct TensorMeta {
  Shape sizes;
  DType dtype = kFloat32;
  Device device = kCPU;
};

/// A backward function in the graph. Its inputs are the gradients of the forward op's outputs;
/// its outputs are the gradients of the forward op's inputs, sent along next_edges.
class Node : public std::enable_shared_from_this<Node> {
 public:
  virtual ~Node() = default;
  virtual std::string name() const = 0;
  virtual TensorList apply(TensorList&& grads) = 0;
  /// Drops saved tensors after a backward pass without retain_graph.
  virtual void release_saved() {}

  const std::vector<Edge>& next_edges() const { return next_edges_; }
  std::vector<Edge>& mutable_next_edges() { return next_edges_; }
  size_t num_outputs() const { return output_meta_.size(); }
  const std::vector<TensorMeta>& output_meta() const { return output_meta_; }
  std::vector<TensorMeta>& mutable_output_meta() { return output_meta_; }
  uint64_t sequence_nr() const { return sequence_nr_; }
  void set_sequence_nr(uint64_t s) { sequence_nr_ = s; }

  /// Hooks on the gradient of forward output `output_nr` (tensor hooks of non-leaves).
  using GradHook = std::function<Tensor(const Tensor&)>;
  HookHandle add_pre_hook(uint32_t output_nr, GradHook hook);
  void remove_pre_hook(HookHandle h);
  Tensor run_pre_hooks(uint32_t output_nr, Tensor grad) const;
  bool has_pre_hooks() const { return !pre_hooks_.empty(); }

  /// The vmap level the forward op ran at (0: none); its backward runs at that level again, so
  /// batched saved tensors stay usable after the vmap call returned (grad of a vmapped function).
  int vmap_level() const { return vmap_level_; }
  void set_vmap_level(int level) { vmap_level_ = level; }

  /// Anomaly mode: where the forward op ran.
  const std::string& creation_context() const { return creation_context_; }
  void set_creation_context(std::string s) { creation_context_ = std::move(s); }

 protected:
  std::vector<Edge> next_edges_;
  std::vector<TensorMeta> output_meta_;
  uint64_t sequence_nr_ = 0;
  std::vector<std::tuple<HookHandle, uint32_t, GradHook>> pre_hooks_;
  std::string creation_context_;
  int vmap_level_ = 0;
};

/// Per-tensor autograd state (owned by TensorImpl).
struct AutogradMeta {
  AutogradMeta() = default;
  AutogradMeta(const AutogradMeta&) = delete;
  AutogradMeta& operator=(const AutogradMeta&) = delete;
  ~AutogradMeta();  // releases grad_fn without deep recursion
  bool requires_grad = false;
  bool retains_grad = false;
  Tensor grad;
  std::shared_ptr<Node> grad_fn;
  uint32_t output_nr = 0;
  std::weak_ptr<Node> grad_accumulator;  // leaves: the cached AccumulateGrad node
  // Leaf hooks: run on the incoming gradient before accumulation.
  std::vector<std::pair<HookHandle, Node::GradHook>> leaf_hooks;
  std::vector<std::pair<HookHandle, std::function<void(const Tensor&)>>> post_accumulate_hooks;
  // Views: the tensor whose storage this one views (for in-place checks), and whether it is one.
  bool is_view = false;
  std::shared_ptr<TensorImpl> view_base;
  // Forward mode: tangent per dual level.
  std::vector<std::pair<uint64_t, Tensor>> tangents;
};

/// Arguments to a VJP: the gradient of each forward output and which inputs need a gradient.
struct BackwardArgs {
  const TensorList& grads;
  const std::vector<bool>& needs_input_grad;
  const Tensor& grad(size_t i = 0) const { return grads[i]; }
  bool needs(size_t i) const { return needs_input_grad[i]; }
};
/// Returns one gradient per forward input (an undefined Tensor for "none").
using VjpFn = std::function<TensorList(const BackwardArgs&)>;
/// Given one tangent per forward input (zeros where absent), returns one tangent per output.
using JvpFn = std::function<TensorList(const TensorList& input_tangents)>;

/// A tensor kept for backward. Outputs of the op itself are held weakly (no reference cycle
/// through the node) and re-attached on unpack. Unpacking checks the version counter.
class SavedTensor {
 public:
  SavedTensor() = default;
  SavedTensor(const Tensor& t, bool is_output);
  /// Returns the saved tensor; throws if it was modified in place since it was saved.
  Tensor unpack(const std::shared_ptr<Node>& owner = nullptr) const;
  bool defined() const { return data_ != nullptr || original_.defined(); }
  void reset();
  /// If this saved input lives in `storage`, replaces it by a copy (same history) so an
  /// in-place write about to happen there cannot invalidate it. Returns true if it did.
  bool snapshot_if_in(const Storage* storage);

 private:
  std::shared_ptr<TensorImpl> data_;                   // shallow copy without autograd meta
  Tensor original_;                                    // inputs: the tensor itself (keeps its history)
  std::weak_ptr<Node> grad_fn_;                        // outputs: the node that produced it
  std::vector<std::pair<uint64_t, Tensor>> tangents_;  // outputs: forward-mode tangents
  uint32_t output_nr_ = 0;
  uint32_t saved_version_ = 0;
  bool requires_grad_ = false;
  bool is_output_ = false;
};

/// Fast check used by every op: does recording apply to these inputs (grad mode and some input
/// requires grad, or some input carries a forward-mode tangent)?
bool needs_record(std::initializer_list<const Tensor*> inputs);
bool needs_record(const TensorList& inputs);

/// Records a differentiable op. `outputs` get a grad_fn (reverse mode) and tangents (forward
/// mode). `saved` are the tensors the VJP reads through `saved_args()[i].unpack()`; outputs among
/// them are detected and held weakly. Call after computing the outputs.
///   record("ExpBackward0", {x}, {y}, {y}, [](const BackwardArgs& a, const SavedList& s) {...},
///          [&](const TensorList& t) { return TensorList{t[0] * y}; });
using SavedList = std::vector<Tensor>;
using VjpSavedFn = std::function<TensorList(const BackwardArgs&, const SavedList&)>;
void record(const char* name, const TensorList& inputs, const TensorList& outputs, const TensorList& saved,
            VjpSavedFn vjp, const JvpFn& jvp);
/// Shorthand for ops that save nothing (or capture only non-tensor values).
void record(const char* name, const TensorList& inputs, const TensorList& outputs, VjpFn vjp, const JvpFn& jvp);
/// Marks outputs of a non-differentiable op: raises if asked to differentiate through it.
/// (Comparisons/argmax/integer outputs simply never require grad; this is for float outputs
/// of ops with no derivative, e.g. round's straight-through is *not* assumed.)
void record_non_differentiable(const char* name, const TensorList& inputs, const TensorList& outputs);

/// Views: marks `view` as a view of `base` (shares storage) and records its VJP/JVP.
void mark_view(const Tensor& base, const Tensor& view);
/// Checks an in-place write on `self` is legal (not a leaf that requires grad, not a view of one
/// while recording); `op` names the op in the error.
void check_inplace(const Tensor& self, const char* op);
/// After an in-place op was computed out of place as `result`: copies the values into `self`,
/// moves `result`'s history (grad_fn, tangents) onto `self`, bumps the version counter.
void rebase_inplace(Tensor& self, const Tensor& result);

/// Sums a broadcast gradient back to `shape` (differentiable).
Tensor sum_to(const Tensor& grad, const Shape& shape);

/// The AccumulateGrad node of a leaf that requires grad (created on first use).
std::shared_ptr<Node> grad_accumulator(const Tensor& leaf);
/// The edge a gradient for `t` flows into: (grad_fn, output_nr) or the leaf's accumulator.
Edge gradient_edge(const Tensor& t);

/// Reverse-mode pass from `tensors` with seed gradients `grad_tensors` (undefined = ones for
/// scalars); accumulates into leaves' .grad(). retain_graph defaults to create_graph.
void backward(const TensorList& tensors, const TensorList& grad_tensors = {},
              std::optional<bool> retain_graph = std::nullopt, bool create_graph = false,
              const TensorList& inputs = {});
/// Gradients of `outputs` with respect to `inputs` (not accumulated into .grad()).
TensorList grad(const TensorList& outputs, const TensorList& inputs, const TensorList& grad_outputs = {},
                std::optional<bool> retain_graph = std::nullopt, bool create_graph = false, bool allow_unused = false);

/// Anomaly mode: backward checks every gradient for NaN/Inf and names the forward op.
bool is_anomaly_enabled();
class DetectAnomalyGuard {
 public:
  DetectAnomalyGuard();
  ~DetectAnomalyGuard();
  DetectAnomalyGuard(const DetectAnomalyGuard&) = delete;
  DetectAnomalyGuard& operator=(const DetectAnomalyGuard&) = delete;

 private:
  bool prev_;
};

/// Checks reverse-mode gradients of `f` against central finite differences (inputs should be
/// float64; floating inputs are differentiated). Also re-checks with non-contiguous copies of
/// 2-d+ inputs. Returns true, or throws fluxion::Error describing the first mismatch.
using CheckedFn = std::function<TensorList(const TensorList&)>;
bool gradcheck(const CheckedFn& f, const TensorList& inputs, double eps = 1e-6, double atol = 1e-5, double rtol = 1e-3,
               bool check_noncontiguous = true);
/// gradcheck of the vector-Jacobian product of `f` (checks second derivatives).
bool gradgradcheck(const CheckedFn& f, const TensorList& inputs, double eps = 1e-6, double atol = 1e-5,
                   double rtol = 1e-3);
/// Forward vs reverse consistency: <J u, v> == <u, J^T v> for random u, v (forward-mode JVPs
/// against reverse-mode VJPs). Returns true or throws with the two values.
bool jvp_vjp_check(const CheckedFn& f, const TensorList& inputs, double atol = 1e-7, double rtol = 1e-6);

/// Writes the graph behind `t` in Graphviz DOT format.
std::string to_dot(const Tensor& t);

namespace forward_ad {
/// Opens a dual level for its lifetime; tangents made inside belong to it.
class dual_level {
 public:
  dual_level();
  ~dual_level();
  dual_level(const dual_level&) = delete;
  dual_level& operator=(const dual_level&) = delete;
  uint64_t level() const { return level_; }

 private:
  uint64_t level_;
};
/// A tensor with primal value `primal` and tangent `tangent` at the innermost (or given) level.
Tensor make_dual(const Tensor& primal, const Tensor& tangent, std::optional<uint64_t> level = std::nullopt);
/// {primal, tangent} at the innermost (or given) level; the tangent is undefined if absent.
std::pair<Tensor, Tensor> unpack_dual(const Tensor& t, std::optional<uint64_t> level = std::nullopt);
/// The innermost open level, or nullopt.
std::optional<uint64_t> current_level();
/// Number of levels open on this thread (0 means forward mode is off: ops skip tangent checks).
int num_active_levels();
/// Tangent of `t` at `level` (undefined if none).
Tensor tangent(const Tensor& t, uint64_t level);
}  // namespace forward_ad

}  // namespace autograd
}  // namespace fluxion
