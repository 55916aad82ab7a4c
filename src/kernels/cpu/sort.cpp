// CPU kernels: sort, topk, unique and searchsorted. NaN orders as the largest value (PyTorch).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "core/parallel.h"
#include "fluxion/ops/creation.h"
#include "kernels/cpu/index_iter.h"
#include "kernels/index_kernels.h"

namespace fluxion::kernels {

FX_DEFINE_KERNEL(sort_kernel, SortFn);
FX_DEFINE_KERNEL(topk_kernel, TopkFn);
FX_DEFINE_KERNEL(unique_kernel, UniqueFn);
FX_DEFINE_KERNEL(searchsorted_kernel, SearchsortedFn);

namespace {

// Comparison key: half types compare as float, every integer type (and bool) as int64. The
// sorting algorithms are instantiated per key type only (3 of them), which keeps this file's
// compile time down; values are still copied in their own type.
template <class T>
using key_t = std::conditional_t<
    std::is_same_v<T, double>, double,
    std::conditional_t<std::is_floating_point_v<T> || std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>, float,
                       int64_t>>;
// Strict "a before b" in ascending order with NaN largest.
template <class K>
inline bool less_nan_last(K a, K b) {
  if constexpr (std::is_floating_point_v<K>)
    return a < b || (!std::isnan(a) && std::isnan(b));
  else
    return a < b;
}

// Stable order of `key` (ascending or descending, NaN largest) into perm. Sorting (key, index)
// pairs with the index as tie-break gives exactly the stable order, and an in-place std::sort
// on contiguous pairs is faster than stable_sort over an index array (no indirection).
template <class K>
[[gnu::noinline]] void sort_perm(const std::vector<K>& key, std::vector<int64_t>& perm, bool descending) {
  std::vector<std::pair<K, int64_t>> kv(key.size());
  for (size_t i = 0; i < key.size(); ++i) kv[i] = {key[i], static_cast<int64_t>(i)};
  std::sort(kv.begin(), kv.end(), [descending](const std::pair<K, int64_t>& a, const std::pair<K, int64_t>& b) {
    bool ab = descending ? less_nan_last(b.first, a.first) : less_nan_last(a.first, b.first);
    bool ba = descending ? less_nan_last(a.first, b.first) : less_nan_last(b.first, a.first);
    return ab || (!ba && a.second < b.second);
  });
  for (size_t i = 0; i < kv.size(); ++i) perm[i] = kv[i].second;
}

// The first k entries of perm become the k largest (smallest) keys in order; ties go to the
// lower index, so the order is total and the result deterministic.
template <class K>
[[gnu::noinline]] void topk_perm(const std::vector<K>& key, std::vector<int64_t>& perm, int64_t k, bool largest) {
  std::iota(perm.begin(), perm.end(), int64_t{0});
  auto before = [&](int64_t a, int64_t b) {
    bool ab = largest ? less_nan_last(key[b], key[a]) : less_nan_last(key[a], key[b]);
    bool ba = largest ? less_nan_last(key[a], key[b]) : less_nan_last(key[b], key[a]);
    return ab || (!ba && a < b);
  };
  std::partial_sort(perm.begin(), perm.begin() + k, perm.end(), before);
}

// Calls f(x_off, v_off, i_off) for every row along `dim` (other coordinates), threaded over rows.
// Offsets are in elements; len/strides along dim are passed separately.
template <class F>
void for_each_row(const Tensor& x, const Tensor& values, const Tensor& indices, int64_t dim, int64_t cost_per_row,
                  const F& f) {
  Shape sizes, sx, sv, si;
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (d == dim) continue;
    sizes.push_back(x.sizes()[d]);
    sx.push_back(x.strides()[d]);
    sv.push_back(values.strides()[d]);
    si.push_back(indices.strides()[d]);
  }
  const int64_t rows = shape_numel(sizes);
  const std::array<const int64_t*, 3> st = {sx.data(), sv.data(), si.data()};
  parallel_for(rows, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(cost_per_row, 1)), [&](int64_t b, int64_t e) {
    walk_offsets<3>(sizes, st, {0, 0, 0}, b, e, [&](const std::array<int64_t, 3>& o) { f(o[0], o[1], o[2]); });
  });
}

template <class T>
void sort_cpu(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t dim, bool descending) {
  if (x.numel() == 0) return;
  using K = key_t<T>;
  const int64_t n = x.dim() == 0 ? 1 : x.sizes()[dim];
  const int64_t xs = x.dim() == 0 ? 1 : x.strides()[dim];
  const int64_t vs = x.dim() == 0 ? 1 : values.strides()[dim];
  const int64_t is = x.dim() == 0 ? 1 : indices.strides()[dim];
  const T* xp = static_cast<const T*>(x.data_ptr());
  T* vp = static_cast<T*>(values.data_ptr());
  int64_t* ip = static_cast<int64_t*>(indices.data_ptr());
  for_each_row(x, values, indices, x.dim() == 0 ? -1 : dim, n * 8, [&](int64_t xo, int64_t vo, int64_t io) {
    std::vector<K> key(static_cast<size_t>(n));
    std::vector<int64_t> perm(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) key[i] = static_cast<K>(xp[xo + i * xs]);
    sort_perm(key, perm, descending);
    for (int64_t i = 0; i < n; ++i) {
      vp[vo + i * vs] = xp[xo + perm[i] * xs];
      ip[io + i * is] = perm[i];
    }
  });
}

template <class T>
void topk_cpu(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t k, int64_t dim, bool largest) {
  if (values.numel() == 0) return;
  using K = key_t<T>;
  const bool zero_d = x.dim() == 0;
  const int64_t n = zero_d ? 1 : x.sizes()[dim];
  const int64_t xs = zero_d ? 1 : x.strides()[dim];
  const int64_t vs = zero_d ? 1 : values.strides()[dim];
  const int64_t is = zero_d ? 1 : indices.strides()[dim];
  const T* xp = static_cast<const T*>(x.data_ptr());
  T* vp = static_cast<T*>(values.data_ptr());
  int64_t* ip = static_cast<int64_t*>(indices.data_ptr());
  for_each_row(x, values, indices, zero_d ? -1 : dim, n * 4, [&](int64_t xo, int64_t vo, int64_t io) {
    std::vector<K> key(static_cast<size_t>(n));
    std::vector<int64_t> perm(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) key[i] = static_cast<K>(xp[xo + i * xs]);
    topk_perm(key, perm, k, largest);
    for (int64_t i = 0; i < k; ++i) {
      vp[vo + i * vs] = xp[xo + perm[i] * xs];
      ip[io + i * is] = perm[i];
    }
  });
}

// Sorted order of the rows of the (n, m) key matrix p and the first row of each group of
// equal rows (NaN != NaN, so every NaN row stays its own group, as torch.unique does).
template <class K>
[[gnu::noinline]] void unique_groups(const K* p, int64_t n, int64_t m, std::vector<int64_t>& perm,
                                     std::vector<int64_t>& group_start) {
  perm.resize(static_cast<size_t>(n));
  std::iota(perm.begin(), perm.end(), int64_t{0});
  auto row_less = [&](int64_t a, int64_t b) {
    for (int64_t j = 0; j < m; ++j) {
      K x = p[a * m + j], y = p[b * m + j];
      if (less_nan_last(x, y)) return true;
      if (less_nan_last(y, x)) return false;
    }
    return false;
  };
  auto row_equal = [&](int64_t a, int64_t b) {
    for (int64_t j = 0; j < m; ++j)
      if (!(p[a * m + j] == p[b * m + j])) return false;
    return true;
  };
  std::stable_sort(perm.begin(), perm.end(), row_less);
  for (int64_t i = 0; i < n; ++i)
    if (i == 0 || !row_equal(perm[i - 1], perm[i])) group_start.push_back(i);
}

template <class T>
UniqueResult unique_cpu(const Tensor& rows) {
  using K = key_t<T>;
  const int64_t n = rows.sizes()[0], m = rows.sizes()[1];
  const T* p = static_cast<const T*>(rows.data_ptr());
  std::vector<K> keys(static_cast<size_t>(n * m));
  for (int64_t i = 0; i < n * m; ++i) keys[i] = static_cast<K>(p[i]);
  std::vector<int64_t> perm, group_start;
  unique_groups(keys.data(), n, m, perm, group_start);
  Tensor inverse = empty({n}, TensorOptions(kInt64).device(rows.device()));
  int64_t* inv = inverse.data_ptr<int64_t>();
  for (size_t g = 0; g < group_start.size(); ++g) {
    int64_t e = g + 1 < group_start.size() ? group_start[g + 1] : n;
    for (int64_t i = group_start[g]; i < e; ++i) inv[perm[i]] = static_cast<int64_t>(g);
  }
  const int64_t u = static_cast<int64_t>(group_start.size());
  UniqueResult r;
  r.values = empty({u, m}, TensorOptions(rows.dtype()).device(rows.device()));
  r.counts = empty({u}, TensorOptions(kInt64).device(rows.device()));
  T* vp = static_cast<T*>(r.values.data_ptr());
  int64_t* cp = r.counts.data_ptr<int64_t>();
  for (int64_t g = 0; g < u; ++g) {
    int64_t s = group_start[g], e = g + 1 < u ? group_start[g + 1] : n;
    cp[g] = e - s;
    std::copy(p + perm[s] * m, p + perm[s] * m + m, vp + g * m);
  }
  r.inverse = inverse;
  return r;
}

// Binary searches written as PyTorch's (cus_lower_bound / cus_upper_bound) so NaN lands
// where PyTorch puts it (past the end).
template <class T, class O>
void searchsorted_typed(const Tensor& out, const Tensor& seq, const Tensor& values, bool right) {
  using K = key_t<T>;
  const int64_t B = values.sizes()[0], V = values.sizes()[1], S = seq.sizes()[1];
  const bool shared = seq.sizes()[0] == 1;
  const T* sp = static_cast<const T*>(seq.data_ptr());
  const T* vp = static_cast<const T*>(values.data_ptr());
  O* op = static_cast<O*>(out.data_ptr());
  parallel_for(B * V, 4096, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const T* row = sp + (shared ? 0 : (i / V) * S);
      const K v = static_cast<K>(vp[i]);
      int64_t lo = 0, hi = S;
      while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        K mv = static_cast<K>(row[mid]);
        bool go_right = right ? !(mv > v) : !(mv >= v);
        if (go_right)
          lo = mid + 1;
        else
          hi = mid;
      }
      op[i] = static_cast<O>(lo);
    }
  });
}

template <class T>
void searchsorted_cpu(const Tensor& out, const Tensor& seq, const Tensor& values, bool right) {
  if (out.numel() == 0) return;
  if (out.dtype() == kInt32)
    searchsorted_typed<T, int32_t>(out, seq, values, right);
  else
    searchsorted_typed<T, int64_t>(out, seq, values, right);
}

template <class T>
void register_type(DType dt) {
  sort_kernel.set(DeviceType::CPU, dt, &sort_cpu<T>);
  topk_kernel.set(DeviceType::CPU, dt, &topk_cpu<T>);
  unique_kernel.set(DeviceType::CPU, dt, &unique_cpu<T>);
  if (dt != kBool) searchsorted_kernel.set(DeviceType::CPU, dt, &searchsorted_cpu<T>);
}

bool register_all() {
  register_type<float>(kFloat32);
  register_type<double>(kFloat64);
  register_type<Half>(kFloat16);
  register_type<BFloat16>(kBFloat16);
  register_type<int8_t>(kInt8);
  register_type<uint8_t>(kUInt8);
  register_type<int32_t>(kInt32);
  register_type<int64_t>(kInt64);
  register_type<bool>(kBool);
  return true;
}
const bool registered = register_all();

}  // namespace
}  // namespace fluxion::kernels
