#include "core/vmap_state.h"

#include "fluxion/error.h"
#include "fluxion/tensor_impl.h"

namespace fluxion {
namespace vmap_state {
namespace {
thread_local int t_level = 0;
thread_local int t_next_level = 0;
}  // namespace

thread_local const char* last_kernel __attribute__((tls_model("initial-exec"))) = nullptr;

int current_level() { return t_level; }
int push_level() {
  // Levels only grow on a thread, so a tensor batched by a finished call never matches a new one.
  t_level = ++t_next_level;
  return t_level;
}
void pop_level() { t_level = 0; }
int exchange_level(int level) {
  const int old = t_level;
  t_level = level;
  return old;
}

void no_rule(const char* op) { throw NoBatchingRule(op ? op : "an op"); }

}  // namespace vmap_state

void vmap_tripwire(const TensorImpl& t) {
  if (t.batch_dim().level == vmap_state::current_level()) vmap_state::no_rule(vmap_state::last_kernel);
  FX_FAIL(
      "vmap: a tensor batched inside a vmap call was used outside it (it escaped through a side effect, such "
      "as a captured variable or a leaf's .grad); return it from the function instead");
}

}  // namespace fluxion
