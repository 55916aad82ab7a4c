// Thread-local forward-mode state shared by record.cpp and forward_ad.cpp.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "fluxion/autograd.h"

namespace fluxion::autograd::detail {

struct ForwardState {
  std::vector<uint64_t> levels;                 // open levels, innermost last
  uint64_t visible_limit = UINT64_MAX;          // levels >= this are hidden (while computing their JVPs)
  std::vector<std::vector<std::weak_ptr<TensorImpl>>> dual_tensors;  // per open level, to clear on exit
};
ForwardState& forward_state();

/// Levels currently visible to ops, outermost first.
inline int visible_level_count() {
  const ForwardState& s = forward_state();
  int n = 0;
  for (uint64_t l : s.levels)
    if (l < s.visible_limit) ++n;
  return n;
}

/// Tangent of `t` at `level` or an undefined tensor.
Tensor tangent_at(const Tensor& t, uint64_t level);
/// Sets (or with an undefined tangent, clears) the tangent of `t` at `level`.
void set_tangent(const Tensor& t, uint64_t level, const Tensor& tangent);

/// Hides levels >= `level` for its lifetime (JVP formulas see primals without those tangents).
class HideLevelsGuard {
 public:
  explicit HideLevelsGuard(uint64_t level) : prev_(forward_state().visible_limit) {
    forward_state().visible_limit = level < prev_ ? level : prev_;
  }
  ~HideLevelsGuard() { forward_state().visible_limit = prev_; }

 private:
  uint64_t prev_;
};

}  // namespace fluxion::autograd::detail
