// Multi-tensor optimiser steps: an optimiser queues every parameter's kernel arguments during
// step() and runs them at the end, one multi-tensor kernel call per (device, dtype) — a single
// launch for all parameters of a model on CUDA instead of one per parameter (PyTorch's
// foreach/fused path). Updates of different parameters are independent, so the result is the
// same as updating them one by one.
#pragma once

#include <utility>
#include <vector>

#include "fluxion/optim/optimizer.h"
#include "kernels/dispatch.h"

namespace fluxion::optim::detail {

template <class Args>
class StepBatch {
 public:
  /// Queues the update `a` of parameter `dp` (finished after the kernel ran); `keep` holds any
  /// temporary the arguments point into (a contiguous copy of the gradient).
  void add(DenseParam dp, const Args& a, Tensor keep = Tensor()) {
    const Tensor& p = dp.data();
    Group* g = nullptr;
    for (auto& candidate : groups_)
      if (candidate.device == p.device() && candidate.dtype == p.dtype()) g = &candidate;
    if (!g) g = &groups_.emplace_back(Group{p.device(), p.dtype(), {}});
    g->args.push_back(a);
    params_.push_back(std::move(dp));
    if (keep.defined()) keep_.push_back(std::move(keep));
  }

  /// Runs the queued updates with `table`'s kernel (fn(args, count)) and finishes the parameters.
  template <class Fn>
  void run(const kernels::KernelTable<Fn>& table) {
    for (const Group& g : groups_)
      table.get(g.device.type(), g.dtype)(g.args.data(), static_cast<int64_t>(g.args.size()));
    for (DenseParam& dp : params_) dp.finish();
  }

 private:
  struct Group {
    Device device;
    DType dtype;
    std::vector<Args> args;
  };
  std::vector<Group> groups_;
  std::vector<DenseParam> params_;
  std::vector<Tensor> keep_;
};

}  // namespace fluxion::optim::detail
