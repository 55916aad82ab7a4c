// collate: stacks samples into a batch with one memcpy per sample when every sample is a CPU
// tensor of the same shape and dtype (the common case), else falls back to fx::stack.
#include "fluxion/data/collate.h"

#include <cstring>

#include "fluxion/error.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/index.h"

namespace fluxion::data {

Tensor collate_tensors(const std::vector<Tensor>& tensors) {
  FX_CHECK(!tensors.empty(), "collate: no samples");
  const Tensor& first = tensors.front();
  FX_CHECK(first.defined(), "collate: sample 0 is undefined");
  bool fast = first.is_cpu();
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    FX_CHECK(t.defined(), "collate: sample ", i, " is undefined while sample 0 is defined");
    FX_CHECK(t.sizes() == first.sizes(), "collate: sample ", i, " has shape ", t.sizes(), " but sample 0 has ",
             first.sizes(), " (resize images to a common size, e.g. transforms::Resize)");
    FX_CHECK(t.dtype() == first.dtype(), "collate: sample ", i, " has dtype ", t.dtype(), " but sample 0 has ",
             first.dtype());
    fast = fast && t.is_cpu() && !t.requires_grad();
  }
  if (!fast) return stack(tensors, 0);
  Shape sizes;
  sizes.push_back(static_cast<int64_t>(tensors.size()));
  for (int64_t s : first.sizes()) sizes.push_back(s);
  Tensor out = empty(sizes, TensorOptions(first.dtype()));
  const size_t bytes = first.nbytes();
  auto* dst = static_cast<char*>(out.data_ptr());
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor c = tensors[i].is_contiguous() ? tensors[i] : tensors[i].contiguous();
    if (bytes > 0) std::memcpy(dst + i * bytes, c.data_ptr(), bytes);
  }
  return out;
}

Batch collate(const std::vector<Example>& examples) {
  FX_CHECK(!examples.empty(), "collate: no samples");
  std::vector<Tensor> data, targets;
  data.reserve(examples.size());
  for (const auto& e : examples) data.push_back(e.data);
  const bool has_target = examples.front().target.defined();
  if (has_target) {
    targets.reserve(examples.size());
    for (const auto& e : examples) targets.push_back(e.target);
  } else {
    for (size_t i = 0; i < examples.size(); ++i)
      FX_CHECK(!examples[i].target.defined(), "collate: sample ", i, " has a target but sample 0 has none");
  }
  return {collate_tensors(data), has_target ? collate_tensors(targets) : Tensor()};
}

}  // namespace fluxion::data
