// Per-thread state of fx::func::vmap that the core needs (Note [Batched tensors] in
// fluxion/tensor_impl.h): the level of the vmap call running on this thread and the exception
// that sends vmap to its per-example fallback.
#pragma once

#include <exception>
#include <string>

namespace fluxion::vmap_state {

/// Level of the batching vmap call running on this thread (0: none). Only one level batches at
/// a time: a vmap nested inside another runs its per-example loop over the outer batched tensors.
int current_level();
/// Enters a new level (returns it; requires current_level() == 0); leave it with pop_level.
int push_level();
void pop_level();

/// Sets the running level (for a backward node recorded inside a vmap call); returns the old one.
int exchange_level(int level);

/// Name of the kernel table most recently looked up on this thread (set by KernelTable::get), so
/// the fallback can say which op had no batching rule.
extern thread_local const char* last_kernel __attribute__((tls_model("initial-exec")));

/// Thrown when an op without a batching rule meets a batched tensor; vmap catches it and runs
/// the function once per example.
class NoBatchingRule : public std::exception {
 public:
  explicit NoBatchingRule(std::string op) : op_(std::move(op)) {}
  const char* what() const noexcept override { return op_.c_str(); }
  const std::string& op() const { return op_; }

 private:
  std::string op_;
};

/// Throws NoBatchingRule naming `op` when called inside the vmap level that batched a tensor.
[[noreturn]] void no_rule(const char* op);

}  // namespace fluxion::vmap_state
