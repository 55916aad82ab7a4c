// Thread-local forward-mode state shared by record.cpp and forward_ad.cpp.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "fluxion/autograd.h"

namespace fluxion::autograd::detail {

struct ForwardState {
  std::vector<uint64_t> levels;  // open levels, innermost last
  // Levels in [hide_lo, hide_hi] are hidden while their JVPs are computed (levels opened
  // later, e.g. by a nested func::jvp inside a JVP formula, stay visible).
  uint64_t hide_lo = UINT64_MAX;
  uint64_t hide_hi = 0;
  bool hidden(uint64_t l) const { return l >= hide_lo && l <= hide_hi; }
  std::vector<std::vector<std::weak_ptr<TensorImpl>>> dual_tensors;  // per open level, to clear on exit
};
ForwardState& forward_state();

/// Levels currently visible to ops, outermost first.
inline int visible_level_count() {
  const ForwardState& s = forward_state();
  int n = 0;
  for (uint64_t l : s.levels)
    if (!s.hidden(l)) ++n;
  return n;
}

/// Tangent of `t` at `level` or an undefined tensor.
Tensor tangent_at(const Tensor& t, uint64_t level);
/// Sets (or with an undefined tangent, clears) the tangent of `t` at `level`.
void set_tangent(const Tensor& t, uint64_t level, const Tensor& tangent);

/// Hides levels >= `level` for its lifetime (JVP formulas see primals without those tangents).
class HideLevelsGuard {
 public:
  explicit HideLevelsGuard(uint64_t level) {
    ForwardState& s = forward_state();
    prev_lo_ = s.hide_lo;
    prev_hi_ = s.hide_hi;
    uint64_t top = s.levels.empty() ? level : s.levels.back();
    if (s.hide_lo == UINT64_MAX) {
      s.hide_lo = level;
      s.hide_hi = top;
    } else {
      s.hide_lo = level < s.hide_lo ? level : s.hide_lo;
      s.hide_hi = top > s.hide_hi ? top : s.hide_hi;
    }
  }
  ~HideLevelsGuard() {
    forward_state().hide_lo = prev_lo_;
    forward_state().hide_hi = prev_hi_;
  }

 private:
  uint64_t prev_lo_, prev_hi_;
};

}  // namespace fluxion::autograd::detail
