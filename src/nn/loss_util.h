// Helpers shared by the loss implementations (src/nn/loss_*.cpp).
#pragma once

#include <string>

#include "fluxion/error.h"
#include "fluxion/ops/reduce.h"
#include "fluxion/tensor.h"

namespace fluxion::nn::functional::detail {

/// Throws unless reduction is one of none/mean/sum (plus "batchmean" when allowed).
inline void check_reduction(const std::string& reduction, const char* op, bool allow_batchmean = false) {
  FX_CHECK(
      reduction == "none" || reduction == "mean" || reduction == "sum" || (allow_batchmean && reduction == "batchmean"),
      op, ": reduction must be 'none', 'mean'", (allow_batchmean ? ", 'sum' or 'batchmean'" : " or 'sum'"), ", got '",
      reduction, "'");
}

/// Applies "none" / "mean" / "sum" to an elementwise loss.
inline Tensor reduce(const Tensor& loss, const std::string& reduction) {
  if (reduction == "none") return loss;
  if (reduction == "sum") return loss.sum();
  return loss.mean();
}

inline void check_defined(const Tensor& t, const char* op, const char* what) {
  FX_CHECK(t.defined(), op, ": ", what, " is undefined");
}

/// input and target must have identical sizes (PyTorch would broadcast with a warning; that is
/// almost always a bug, e.g. (N, 1) against (N), so we refuse).
inline void check_same_sizes(const Tensor& input, const Tensor& target, const char* op) {
  check_defined(input, op, "input");
  check_defined(target, op, "target");
  FX_CHECK(input.sizes() == target.sizes(), op, ": target sizes ", target.sizes(), " differ from input sizes ",
           input.sizes(), "; they must be equal (reshape one of them, e.g. (N, 1) vs (N))");
}

inline void check_floating(const Tensor& t, const char* op, const char* what) {
  FX_CHECK(t.is_floating_point(), op, ": expected a floating-point ", what, ", got ", t.dtype(), " (sizes ", t.sizes(),
           ")");
}

inline void check_integer_target(const Tensor& target, const char* op) {
  FX_CHECK(target.dtype() == kInt64 || target.dtype() == kInt32 || target.dtype() == kUInt8 || target.dtype() == kInt8,
           op, ": expected a target of class indices with an integer dtype (int64), got ", target.dtype(), " (sizes ",
           target.sizes(), ")");
}

}  // namespace fluxion::nn::functional::detail
