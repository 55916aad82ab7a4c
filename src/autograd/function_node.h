// Concrete graph nodes: FunctionNode (an op's VJP closure plus its saved tensors) and
// AccumulateGrad (the sink that adds a gradient into a leaf's .grad()).
#pragma once

#include <string>
#include <vector>

#include "fluxion/autograd.h"

namespace fluxion::autograd {

class FunctionNode final : public Node {
 public:
  FunctionNode(const char* name, VjpSavedFn vjp) : name_(name), vjp_(std::move(vjp)) {}
  std::string name() const override { return name_; }
  TensorList apply(TensorList&& grads) override;
  void release_saved() override;
  std::vector<SavedTensor>& saved() { return saved_; }

 private:
  const char* name_;
  VjpSavedFn vjp_;
  std::vector<SavedTensor> saved_;
  bool released_ = false;
};

class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(Tensor leaf);
  std::string name() const override { return "AccumulateGrad"; }
  TensorList apply(TensorList&& grads) override;
  const Tensor& leaf() const { return leaf_; }

 private:
  Tensor leaf_;
};

/// Releases a node without recursing through a long chain of predecessors (a 100 000-op
/// chain would otherwise overflow the stack in nested shared_ptr destructors).
void release_node(std::shared_ptr<Node>&& node);

/// Per-thread counter ordering nodes by creation (the engine runs later nodes first).
uint64_t next_sequence_nr();

}  // namespace fluxion::autograd
