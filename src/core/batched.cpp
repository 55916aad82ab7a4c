#include "core/batched.h"

#include "core/vmap_state.h"
#include "fluxion/error.h"

namespace fluxion::batched {

namespace {
// A batched tensor met by a rule must belong to the running vmap level (or to the level a
// backward node re-entered); anything else escaped its vmap call.
const TensorImpl::BatchDim& checked(const TensorImpl& t) {
  if (t.batch_dim().level != vmap_state::current_level()) vmap_tripwire(t);
  return t.batch_dim();
}
}  // namespace

int64_t batch_size(std::initializer_list<const Tensor*> ts) {
  for (const Tensor* t : ts)
    if (is_batched(*t)) return checked(*t->impl()).size;
  return 0;
}

Tensor physical(const Tensor& t, int64_t B) {
  const TensorImpl& in = *t.impl();
  Shape sizes{B}, strides{is_batched(t) ? checked(in).stride : 0};
  for (int64_t d = 0; d < in.dim(); ++d) {
    sizes.push_back(in.sizes()[d]);
    strides.push_back(in.strides()[d]);
  }
  return Tensor(std::make_shared<TensorImpl>(in.storage(), in.storage_offset(), sizes, strides, in.dtype()));
}

Tensor plain(const Tensor& t) {
  if (is_batched(t)) return physical(t, checked(*t.impl()).size);
  const TensorImpl& in = *t.impl();
  return Tensor(std::make_shared<TensorImpl>(in.storage(), in.storage_offset(), in.sizes(), in.strides(), in.dtype()));
}

Tensor pad_logical(const Tensor& phys, int64_t logical_rank) {
  const int64_t have = phys.dim() - 1;
  if (have >= logical_rank) return phys;
  Shape sizes{phys.sizes()[0]}, strides{phys.strides()[0]};
  for (int64_t i = have; i < logical_rank; ++i) {
    sizes.push_back(1);
    strides.push_back(1);
  }
  for (int64_t d = 1; d < phys.dim(); ++d) {
    sizes.push_back(phys.sizes()[d]);
    strides.push_back(phys.strides()[d]);
  }
  const TensorImpl& in = *phys.impl();
  return Tensor(std::make_shared<TensorImpl>(in.storage(), in.storage_offset(), sizes, strides, in.dtype()));
}

Tensor wrap(const Tensor& phys) {
  const int level = vmap_state::current_level();
  FX_ASSERT(level != 0 && phys.dim() >= 1 && !is_batched(phys), "batched::wrap outside vmap");
  const TensorImpl& in = *phys.impl();
  Shape sizes(in.sizes().begin() + 1, in.sizes().end()), strides(in.strides().begin() + 1, in.strides().end());
  auto impl = std::make_shared<TensorImpl>(in.storage(), in.storage_offset(), sizes, strides, in.dtype());
  impl->set_batch_dim({level, in.sizes()[0], in.strides()[0]});
  return Tensor(std::move(impl));
}

}  // namespace fluxion::batched
