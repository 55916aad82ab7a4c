// Tensor::index / index_put_ with LibTorch TensorIndex lists: basic indices (integers, slices,
// None, Ellipsis, bools) make views; tensor indices then go through advanced indexing.
#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/index.h"
#include "fluxion/ops/pointwise.h"
#include "fluxion/ops/view.h"
#include "ops/index_util.h"

namespace fluxion {

namespace {

bool is_mask(const Tensor& t) { return t.dtype() == kBool || t.dtype() == kUInt8; }

// The view left after the basic indices, and the advanced index list for what remains
// (entries line up with the view's dims, a k-d mask covering k of them).
struct Sliced {
  Tensor view;
  std::vector<Tensor> indices;
  bool has_tensor = false;
};

Sliced apply_slicing(const Tensor& self, const std::vector<TensorIndex>& idx, const char* op) {
  FX_CHECK(self.defined(), op, ": tensor is undefined");
  int64_t specified = 0, ellipses = 0;
  for (const TensorIndex& i : idx) {
    if (i.is_integer() || i.is_slice())
      ++specified;
    else if (i.is_tensor())
      specified += is_mask(i.tensor()) ? i.tensor().dim() : 1;
    else if (i.is_ellipsis())
      ++ellipses;
  }
  FX_CHECK(ellipses <= 1, op, ": an index can only have a single ellipsis ('...')");
  FX_CHECK(specified <= self.dim(), op, ": too many indices for tensor of dimension ", self.dim(), " (", specified,
           " given)");
  Sliced s;
  s.view = self;
  int64_t d = 0;        // current dim of s.view
  int64_t covered = 0;  // dims covered by s.indices so far
  auto record = [&](const Tensor& t, int64_t span) {
    while (covered < d) {
      s.indices.emplace_back();
      ++covered;
    }
    s.indices.push_back(t);
    covered += span;
    d += span;
    s.has_tensor = true;
  };
  auto bool_index = [&](bool b) {
    // x[True] adds a dim of size 1, x[False] one of size 0.
    s.view = s.view.unsqueeze(d);
    record(b ? zeros({1}, TensorOptions(kInt64).device(self.device()))
             : empty({0}, TensorOptions(kInt64).device(self.device())),
           1);
  };
  for (const TensorIndex& i : idx) {
    if (i.is_integer()) {
      FX_CHECK(s.view.dim() > 0, op, ": invalid index of a 0-dim tensor");
      int64_t n = s.view.sizes()[d], v = i.integer();
      FX_CHECK(v >= -n && v < n, op, ": index ", v, " is out of bounds for dimension ", d, " with size ", n);
      s.view = s.view.select(d, v);
    } else if (i.is_slice()) {
      FX_CHECK(s.view.dim() > 0, op, ": invalid index of a 0-dim tensor");
      const Slice& sl = i.slice();
      FX_CHECK(sl.step > 0, op, ": slice step must be positive, got ", sl.step);
      s.view = s.view.slice(d, sl.start, sl.stop, sl.step);
      ++d;
    } else if (i.is_none()) {
      s.view = s.view.unsqueeze(d);
      ++d;
    } else if (i.is_ellipsis()) {
      d += self.dim() - specified;
    } else if (i.is_bool()) {
      bool_index(i.boolean());
    } else {
      const Tensor& t = i.tensor();
      FX_CHECK(t.defined(), op, ": index tensor is undefined");
      if (t.dim() == 0 && is_integral(t.dtype(), true)) {
        if (is_mask(t)) {
          bool_index(t.item<int64_t>() != 0);
        } else {
          FX_CHECK(s.view.dim() > 0, op, ": invalid index of a 0-dim tensor");
          int64_t n = s.view.sizes()[d], v = t.item<int64_t>();
          FX_CHECK(v >= -n && v < n, op, ": index ", v, " is out of bounds for dimension ", d, " with size ", n);
          s.view = s.view.select(d, v);
        }
      } else {
        record(t, is_mask(t) ? t.dim() : 1);
      }
    }
  }
  return s;
}

// Leading size-1 dims of `values` beyond the view's rank are dropped (PyTorch's set_item).
Tensor strip_value(const Tensor& values, int64_t rank) {
  Shape s = values.sizes();
  while (static_cast<int64_t>(s.size()) > rank && s[0] == 1) s.erase(s.begin());
  return s.size() == values.sizes().size() ? values : values.reshape(s);
}

}  // namespace

Tensor Tensor::index(const std::vector<TensorIndex>& indices) const {
  Sliced s = apply_slicing(*this, indices, "index");
  if (!s.has_tensor) return s.view;
  return fluxion::index(s.view, s.indices);
}

Tensor& Tensor::index_put_(const std::vector<TensorIndex>& indices, const Tensor& values, bool accumulate) {
  FX_CHECK(values.defined(), "index_put_: values tensor is undefined");
  Sliced s = apply_slicing(*this, indices, "index_put_");
  if (!s.has_tensor) {
    // Basic indices address each element once, so accumulating is a plain in-place add.
    if (accumulate)
      s.view.add_(strip_value(values, s.view.dim()));
    else
      s.view.copy_(strip_value(values, s.view.dim()));
    return *this;
  }
  fluxion::index_put_(s.view, s.indices, values, accumulate);
  return *this;
}

Tensor& Tensor::index_put_(const std::vector<TensorIndex>& indices, const Scalar& value) {
  Sliced s = apply_slicing(*this, indices, "index_put_");
  if (!s.has_tensor) {
    s.view.fill_(value);
    return *this;
  }
  fluxion::index_put_(s.view, s.indices, full({}, value, options()), false);
  return *this;
}

}  // namespace fluxion
