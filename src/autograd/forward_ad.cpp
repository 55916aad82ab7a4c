// Forward-mode AD: dual levels and tangents stored per level on each tensor.
#include "autograd/forward_ad_state.h"
#include "fluxion/ops/view.h"

namespace fluxion::autograd {

namespace detail {

ForwardState& forward_state() {
  thread_local ForwardState s;
  return s;
}

Tensor tangent_at(const Tensor& t, uint64_t level) {
  const AutogradMeta* m = t.impl()->autograd_meta();
  if (!m) return Tensor();
  for (const auto& [l, tan] : m->tangents)
    if (l == level) return tan;
  return Tensor();
}

void set_tangent(const Tensor& t, uint64_t level, const Tensor& tangent) {
  AutogradMeta& m = t.impl()->ensure_autograd_meta();
  for (auto it = m.tangents.begin(); it != m.tangents.end(); ++it) {
    if (it->first == level) {
      if (tangent.defined())
        it->second = tangent;
      else
        m.tangents.erase(it);
      return;
    }
  }
  if (!tangent.defined()) return;
  m.tangents.emplace_back(level, tangent);
  auto& fs = forward_state();
  for (size_t i = 0; i < fs.levels.size(); ++i)
    if (fs.levels[i] == level) fs.dual_tensors[i].push_back(t.impl_ptr());
}

}  // namespace detail

namespace forward_ad {

using detail::forward_state;

namespace {
uint64_t next_level_id() {
  thread_local uint64_t next = 0;
  return next++;
}
uint64_t resolve(std::optional<uint64_t> level, const char* api) {
  if (level) return *level;
  auto cur = current_level();
  FX_CHECK(cur.has_value(), api, ": no dual level is open; create a forward_ad::dual_level first");
  return *cur;
}
}  // namespace

dual_level::dual_level() : level_(next_level_id()) {
  auto& fs = forward_state();
  fs.levels.push_back(level_);
  fs.dual_tensors.emplace_back();
}

dual_level::~dual_level() {
  auto& fs = forward_state();
  // Tangents of this level die with it (as in PyTorch).
  for (auto& weak : fs.dual_tensors.back()) {
    if (auto impl = weak.lock()) {
      if (AutogradMeta* m = impl->autograd_meta())
        std::erase_if(m->tangents, [this](const auto& p) { return p.first == level_; });
    }
  }
  fs.dual_tensors.pop_back();
  fs.levels.pop_back();
}

std::optional<uint64_t> current_level() {
  const auto& fs = forward_state();
  for (auto it = fs.levels.rbegin(); it != fs.levels.rend(); ++it)
    if (!fs.hidden(*it)) return *it;
  return std::nullopt;
}

int num_active_levels() { return detail::visible_level_count(); }

Tensor make_dual(const Tensor& primal, const Tensor& tangent, std::optional<uint64_t> level) {
  uint64_t lvl = resolve(level, "make_dual");
  FX_CHECK(primal.defined() && tangent.defined(), "make_dual: primal and tangent must be defined");
  FX_CHECK(primal.sizes() == tangent.sizes(), "make_dual: tangent sizes ", tangent.sizes(), " must match primal sizes ",
           primal.sizes());
  FX_CHECK(primal.is_floating_point() && tangent.is_floating_point(),
           "make_dual: expected floating-point primal and tangent, got ", primal.dtype(), " and ", tangent.dtype());
  FX_CHECK(primal.device() == tangent.device(), "make_dual: primal on ", primal.device(), " but tangent on ",
           tangent.device());
  Tensor out = primal.view(primal.sizes());  // differentiable view: keeps reverse-mode history
  detail::set_tangent(out, lvl, tangent.dtype() == primal.dtype() ? tangent : tangent.to(primal.dtype()));
  return out;
}

std::pair<Tensor, Tensor> unpack_dual(const Tensor& t, std::optional<uint64_t> level) {
  std::optional<uint64_t> lvl = level ? level : current_level();
  if (!lvl) return {t, Tensor()};
  Tensor tan = detail::tangent_at(t, *lvl);
  if (!tan.defined()) return {t, Tensor()};
  Tensor primal;
  {
    detail::HideLevelsGuard hide(*lvl);
    primal = t.view(t.sizes());
  }
  detail::set_tangent(primal, *lvl, Tensor());
  return {primal, tan};
}

Tensor tangent(const Tensor& t, uint64_t level) { return detail::tangent_at(t, level); }

}  // namespace forward_ad
}  // namespace fluxion::autograd
