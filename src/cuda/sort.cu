// CUDA row sort (sort, argsort, topk; unique's building block): CUB's stable LSD radix sort over
// order-preserving unsigned keys, with the element's linear position as the payload. One CUB
// instantiation serves every dtype (uint64 keys, int64 payload); 32-bit keys sort only their
// 32 bits.
//
//   key(x): floats flip to an unsigned order (negative: all bits inverted, else the sign bit
//   set); every NaN becomes the canonical positive quiet NaN (above +inf: NaN sorts largest) and
//   -0 becomes +0 (equal, so ties keep their order as on the CPU). Signed integers flip the sign
//   bit; bool is 0/1. Descending inverts the key bits, so a stable ascending sort gives the
//   stable descending order (ties keep their original order; topk prefers the lower index).
//
// unique: the rows of an n x m matrix are ordered lexicographically by m stable sorts of the
// permutation, last column first (LSD); then flags (a row differs from its predecessor; NaN
// differs from everything, as the CPU's ==), an inclusive scan (group ids), and scatters for the
// inverse, the group starts, the counts and the first row of each group. Only the number of
// groups comes back to the host.
//
// Rows: when the key bits plus the bits of the row number fit in 64, one sort of
// (row << key_bits | key); otherwise (64-bit keys and several rows) a sort by key followed by a
// stable sort by row.
#include <cub/device/device_radix_sort.cuh>
#include <cub/device/device_scan.cuh>

#include <cstdint>

#include "cuda/cuda_check.h"
#include "cuda/index_launch.h"

namespace fluxion::cuda::kern {
namespace {

constexpr int kThreads = 256;

unsigned blocks_for(int64_t n) {
  int64_t b = (n + kThreads - 1) / kThreads;
  if (b > (int64_t{1} << 20)) b = int64_t{1} << 20;
  return static_cast<unsigned>(b < 1 ? 1 : b);
}

int key_bits(Ty t) {
  switch (t) {
    case Ty::F32:
    case Ty::I32: return 32;
    case Ty::Bool: return 8;
    case Ty::F16:
    case Ty::BF16: return 16;
    default: return 64;
  }
}

int row_bits(int64_t rows) {
  int b = 0;
  while (b < 63 && (int64_t{1} << b) < rows) ++b;
  return b;
}

size_t align_up(size_t v) { return (v + 255) / 256 * 256; }

__device__ __forceinline__ uint64_t key_of(float v) {
  uint32_t u = __float_as_uint(v);
  if (v != v)
    u = 0x7FC00000u;
  else if (u == 0x80000000u)
    u = 0;
  return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}
__device__ __forceinline__ uint64_t key_of(double v) {
  uint64_t u = static_cast<uint64_t>(__double_as_longlong(v));
  if (v != v)
    u = 0x7FF8000000000000ull;
  else if (u == 0x8000000000000000ull)
    u = 0;
  return (u & 0x8000000000000000ull) ? ~u : (u | 0x8000000000000000ull);
}
__device__ __forceinline__ uint64_t key_of(int64_t v) { return static_cast<uint64_t>(v) ^ 0x8000000000000000ull; }
__device__ __forceinline__ uint64_t key_of(int32_t v) { return static_cast<uint32_t>(v) ^ 0x80000000u; }
__device__ __forceinline__ uint64_t key_of(bool v) { return v ? 1u : 0u; }

// float16 / bfloat16 as their bits (same sign bit; the NaN test differs by the exponent width).
struct F16Bits {
  uint16_t u;
};
struct BF16Bits {
  uint16_t u;
};
__device__ __forceinline__ bool is_nan16(F16Bits v) { return (v.u & 0x7C00u) == 0x7C00u && (v.u & 0x03FFu) != 0; }
__device__ __forceinline__ bool is_nan16(BF16Bits v) { return (v.u & 0x7F80u) == 0x7F80u && (v.u & 0x007Fu) != 0; }
template <class H>
__device__ __forceinline__ uint64_t key16(H v, uint32_t canonical_nan) {
  uint32_t u = v.u;
  if (is_nan16(v))
    u = canonical_nan;
  else if (u == 0x8000u)
    u = 0;
  return (u & 0x8000u) ? (~u & 0xFFFFu) : (u | 0x8000u);
}
__device__ __forceinline__ uint64_t key_of(F16Bits v) { return key16(v, 0x7E00u); }
__device__ __forceinline__ uint64_t key_of(BF16Bits v) { return key16(v, 0x7FC0u); }

// Equality as the CPU's == (NaN differs from everything, -0 == +0).
template <class T>
__device__ __forceinline__ bool same(T a, T b) {
  return a == b;
}
template <class H>
__device__ __forceinline__ bool same16(H a, H b) {
  if (is_nan16(a) || is_nan16(b)) return false;
  return a.u == b.u || ((a.u | b.u) & 0x7FFFu) == 0;
}
__device__ __forceinline__ bool same(F16Bits a, F16Bits b) { return same16(a, b); }
__device__ __forceinline__ bool same(BF16Bits a, BF16Bits b) { return same16(a, b); }

// keys[i] = key(in[i]) (inverted within kb bits when descending), plus the row above kb when
// `composite`; idx[i] = i.
template <class T>
__global__ void make_keys_kernel(const T* in, uint64_t* keys, int64_t* idx, int64_t total, int64_t n, int kb,
                                 uint64_t flip, bool composite) {
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < total;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    uint64_t k = key_of(in[i]) ^ flip;
    if (composite) k |= static_cast<uint64_t>(i / n) << kb;
    keys[i] = k;
    idx[i] = i;
  }
}

__global__ void row_keys_kernel(const int64_t* idx, uint64_t* keys, int64_t total, int64_t n) {
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < total;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x)
    keys[i] = static_cast<uint64_t>(idx[i] / n);
}

template <class W>
__global__ void finish_kernel(const W* in, W* values, int64_t* cols, const int64_t* idx, int64_t total, int64_t n) {
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < total;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t lin = idx[i];
    cols[i] = lin % n;
    if (values) values[i] = in[lin];
  }
}

size_t cub_temp_bytes(int64_t total, int end_bit) {
  size_t bytes = 0;
  FX_CUDA_CHECK(cub::DeviceRadixSort::SortPairs(nullptr, bytes, static_cast<const uint64_t*>(nullptr),
                                                static_cast<uint64_t*>(nullptr), static_cast<const int64_t*>(nullptr),
                                                static_cast<int64_t*>(nullptr), total, 0, end_bit));
  return bytes;
}

struct Plan {
  int kb = 64, rb = 0;
  bool composite = true;  // one sort of (row, key)
  int first_end_bit = 64;
};
Plan plan_for(int64_t rows, Ty t) {
  Plan p;
  p.kb = key_bits(t);
  p.rb = rows > 1 ? row_bits(rows) : 0;
  p.composite = p.kb + p.rb <= 64;
  p.first_end_bit = p.composite ? p.kb + p.rb : p.kb;
  return p;
}

template <class T>
void make_keys(const void* in, uint64_t* keys, int64_t* idx, int64_t total, int64_t n, const Plan& p, bool descending,
               cudaStream_t s) {
  const uint64_t flip = !descending ? 0 : (p.kb == 64 ? ~0ull : ((1ull << p.kb) - 1));
  make_keys_kernel<T><<<blocks_for(total), kThreads, 0, s>>>(static_cast<const T*>(in), keys, idx, total, n, p.kb, flip,
                                                             p.composite && p.rb > 0);
  FX_CUDA_CHECK_LAUNCH();
}

template <class W>
void finish(const void* in, void* values, int64_t* cols, const int64_t* idx, int64_t total, int64_t n, cudaStream_t s) {
  finish_kernel<W>
      <<<blocks_for(total), kThreads, 0, s>>>(static_cast<const W*>(in), static_cast<W*>(values), cols, idx, total, n);
  FX_CUDA_CHECK_LAUNCH();
}

// ---- unique ------------------------------------------------------------------------------------

__global__ void iota_kernel(int64_t* idx, int64_t n) {
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x)
    idx[i] = i;
}

// keys[i] = key of column j of row idx[i].
template <class T>
__global__ void column_keys_kernel(const T* in, const int64_t* idx, uint64_t* keys, int64_t n, int64_t m, int64_t j) {
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x)
    keys[i] = key_of(in[idx[i] * m + j]);
}

// flag[i] = 1 when sorted row i starts a group (i == 0 or a column differs from row i - 1).
template <class T>
__global__ void group_flags_kernel(const T* in, const int64_t* perm, int64_t* flag, int64_t n, int64_t m) {
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    bool start = i == 0;
    if (!start) {
      const T* a = in + perm[i] * m;
      const T* b = in + perm[i - 1] * m;
      for (int64_t j = 0; j < m && !start; ++j) start = !same(a[j], b[j]);  // NaN != NaN
    }
    flag[i] = start ? 1 : 0;
  }
}

// gid: inclusive scan of the flags (group g + 1 at sorted position i).
__global__ void group_scatter_kernel(const int64_t* perm, const int64_t* flag, const int64_t* gid, int64_t* inverse,
                                     int64_t* start, int64_t n) {
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t g = gid[i] - 1;
    inverse[perm[i]] = g;
    if (flag[i]) start[g] = i;
  }
}

__global__ void group_counts_kernel(const int64_t* start, int64_t* counts, int64_t u, int64_t n) {
  for (int64_t g = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; g < u;
       g += static_cast<int64_t>(gridDim.x) * blockDim.x)
    counts[g] = (g + 1 < u ? start[g + 1] : n) - start[g];
}

template <class W>
__global__ void group_values_kernel(const W* in, const int64_t* perm, const int64_t* start, W* values, int64_t u,
                                    int64_t m) {
  const int64_t total = u * m;
  for (int64_t e = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < total;
       e += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t g = e / m, j = e - g * m;
    values[e] = in[perm[start[g]] * m + j];
  }
}

// Scratch of unique: keys (2), permutations (2), flags, group ids, starts (n each), CUB temp.
struct UniqueScratch {
  uint64_t *keys_a, *keys_b;
  int64_t *idx_a, *idx_b, *flag, *gid, *start;
  void* temp;
  size_t temp_bytes;
};
size_t unique_temp_bytes(int64_t n, Ty t) {
  size_t sort = cub_temp_bytes(n, key_bits(t)), scan = 0;
  FX_CUDA_CHECK(cub::DeviceScan::InclusiveSum(nullptr, scan, static_cast<const int64_t*>(nullptr),
                                              static_cast<int64_t*>(nullptr), n));
  return align_up(sort > scan ? sort : scan);
}
UniqueScratch unique_layout(void* scratch, int64_t n, Ty t) {
  const size_t arr = align_up(static_cast<size_t>(n) * 8);
  char* b = static_cast<char*>(scratch);
  UniqueScratch u;
  u.keys_a = reinterpret_cast<uint64_t*>(b);
  u.keys_b = reinterpret_cast<uint64_t*>(b + arr);
  u.idx_a = reinterpret_cast<int64_t*>(b + 2 * arr);
  u.idx_b = reinterpret_cast<int64_t*>(b + 3 * arr);
  u.flag = reinterpret_cast<int64_t*>(b + 4 * arr);
  u.gid = reinterpret_cast<int64_t*>(b + 5 * arr);
  u.start = reinterpret_cast<int64_t*>(b + 6 * arr);
  u.temp = b + 7 * arr;
  u.temp_bytes = unique_temp_bytes(n, t);
  return u;
}

template <class T>
int64_t unique_sort_typed(const void* in_v, int64_t n, int64_t m, Ty t, int64_t* inverse, const UniqueScratch& w,
                          cudaStream_t s) {
  const T* in = static_cast<const T*>(in_v);
  const unsigned g = blocks_for(n);
  iota_kernel<<<g, kThreads, 0, s>>>(w.idx_a, n);
  FX_CUDA_CHECK_LAUNCH();
  int64_t* perm = w.idx_a;
  int64_t* other = w.idx_b;
  size_t temp_bytes = w.temp_bytes;
  for (int64_t j = m - 1; j >= 0; --j) {  // LSD: the last column first, each pass stable
    column_keys_kernel<T><<<g, kThreads, 0, s>>>(in, perm, w.keys_a, n, m, j);
    FX_CUDA_CHECK_LAUNCH();
    FX_CUDA_CHECK(
        cub::DeviceRadixSort::SortPairs(w.temp, temp_bytes, w.keys_a, w.keys_b, perm, other, n, 0, key_bits(t), s));
    int64_t* tmp = perm;
    perm = other;
    other = tmp;
  }
  group_flags_kernel<T><<<g, kThreads, 0, s>>>(in, perm, w.flag, n, m);
  FX_CUDA_CHECK_LAUNCH();
  FX_CUDA_CHECK(cub::DeviceScan::InclusiveSum(w.temp, temp_bytes, w.flag, w.gid, n, s));
  group_scatter_kernel<<<g, kThreads, 0, s>>>(perm, w.flag, w.gid, inverse, w.start, n);
  FX_CUDA_CHECK_LAUNCH();
  if (perm != w.idx_a)  // unique_finish reads the permutation from idx_a
    FX_CUDA_CHECK(cudaMemcpyAsync(w.idx_a, perm, static_cast<size_t>(n) * 8, cudaMemcpyDeviceToDevice, s));
  int64_t u = 0;
  FX_CUDA_CHECK(cudaMemcpyAsync(&u, w.gid + (n - 1), sizeof(u), cudaMemcpyDeviceToHost, s));
  FX_CUDA_CHECK(cudaStreamSynchronize(s));
  return u;
}

}  // namespace

size_t sort_scratch_bytes(int64_t rows, int64_t n, Ty t) {
  const int64_t total = rows * n;
  if (total == 0) return 0;
  const Plan p = plan_for(rows, t);
  size_t temp = cub_temp_bytes(total, p.first_end_bit);
  if (!p.composite) {
    const size_t second = cub_temp_bytes(total, p.rb);
    temp = temp > second ? temp : second;
  }
  const size_t arr = align_up(static_cast<size_t>(total) * 8);
  return 4 * arr + align_up(temp);
}

void sort_rows(const void* in, void* values_out, int64_t* cols_out, int64_t rows, int64_t n, Ty t, bool descending,
               void* scratch, cudaStream_t s) {
  const int64_t total = rows * n;
  if (total == 0) return;
  const Plan p = plan_for(rows, t);
  const size_t arr = align_up(static_cast<size_t>(total) * 8);
  char* base = static_cast<char*>(scratch);
  auto* keys_a = reinterpret_cast<uint64_t*>(base);
  auto* keys_b = reinterpret_cast<uint64_t*>(base + arr);
  auto* idx_a = reinterpret_cast<int64_t*>(base + 2 * arr);
  auto* idx_b = reinterpret_cast<int64_t*>(base + 3 * arr);
  void* temp = base + 4 * arr;
  size_t temp_bytes = sort_scratch_bytes(rows, n, t) - 4 * arr;

  switch (t) {
    case Ty::F32: make_keys<float>(in, keys_a, idx_a, total, n, p, descending, s); break;
    case Ty::F64: make_keys<double>(in, keys_a, idx_a, total, n, p, descending, s); break;
    case Ty::I64: make_keys<int64_t>(in, keys_a, idx_a, total, n, p, descending, s); break;
    case Ty::I32: make_keys<int32_t>(in, keys_a, idx_a, total, n, p, descending, s); break;
    case Ty::Bool: make_keys<bool>(in, keys_a, idx_a, total, n, p, descending, s); break;
    case Ty::F16: make_keys<F16Bits>(in, keys_a, idx_a, total, n, p, descending, s); break;
    case Ty::BF16: make_keys<BF16Bits>(in, keys_a, idx_a, total, n, p, descending, s); break;
    default: FX_FAIL("sort: unsupported element type ", static_cast<int>(t));
  }
  FX_CUDA_CHECK(
      cub::DeviceRadixSort::SortPairs(temp, temp_bytes, keys_a, keys_b, idx_a, idx_b, total, 0, p.first_end_bit, s));
  const int64_t* idx = idx_b;
  if (!p.composite) {
    row_keys_kernel<<<blocks_for(total), kThreads, 0, s>>>(idx_b, keys_a, total, n);
    FX_CUDA_CHECK_LAUNCH();
    FX_CUDA_CHECK(cub::DeviceRadixSort::SortPairs(temp, temp_bytes, keys_a, keys_b, idx_b, idx_a, total, 0, p.rb, s));
    idx = idx_a;
  }
  switch (t) {
    case Ty::F32:
    case Ty::I32: return finish<uint32_t>(in, values_out, cols_out, idx, total, n, s);
    case Ty::F64:
    case Ty::I64: return finish<uint64_t>(in, values_out, cols_out, idx, total, n, s);
    case Ty::Bool: return finish<uint8_t>(in, values_out, cols_out, idx, total, n, s);
    case Ty::F16:
    case Ty::BF16: return finish<uint16_t>(in, values_out, cols_out, idx, total, n, s);
    default: FX_FAIL("sort: unsupported element type ", static_cast<int>(t));
  }
}

size_t unique_scratch_bytes(int64_t n, Ty t) {
  if (n == 0) return 0;
  return 7 * align_up(static_cast<size_t>(n) * 8) + unique_temp_bytes(n, t);
}

int64_t unique_sort(const void* in, int64_t n, int64_t m, Ty t, int64_t* inverse, void* scratch, cudaStream_t s) {
  if (n == 0) return 0;
  const UniqueScratch w = unique_layout(scratch, n, t);
  switch (t) {
    case Ty::F32: return unique_sort_typed<float>(in, n, m, t, inverse, w, s);
    case Ty::F64: return unique_sort_typed<double>(in, n, m, t, inverse, w, s);
    case Ty::I64: return unique_sort_typed<int64_t>(in, n, m, t, inverse, w, s);
    case Ty::I32: return unique_sort_typed<int32_t>(in, n, m, t, inverse, w, s);
    case Ty::Bool: return unique_sort_typed<bool>(in, n, m, t, inverse, w, s);
    case Ty::F16: return unique_sort_typed<F16Bits>(in, n, m, t, inverse, w, s);
    case Ty::BF16: return unique_sort_typed<BF16Bits>(in, n, m, t, inverse, w, s);
  }
  FX_FAIL("unique: unsupported element type ", static_cast<int>(t));
}

void unique_finish(const void* in, int64_t n, int64_t m, int64_t u, Ty t, void* values, int64_t* counts, void* scratch,
                   cudaStream_t s) {
  if (u == 0) return;
  const UniqueScratch w = unique_layout(scratch, n, t);
  group_counts_kernel<<<blocks_for(u), kThreads, 0, s>>>(w.start, counts, u, n);
  FX_CUDA_CHECK_LAUNCH();
  if (m == 0) return;
  const unsigned g = blocks_for(u * m);
  switch (t) {
    case Ty::F32:
    case Ty::I32:
      group_values_kernel<uint32_t><<<g, kThreads, 0, s>>>(static_cast<const uint32_t*>(in), w.idx_a, w.start,
                                                           static_cast<uint32_t*>(values), u, m);
      break;
    case Ty::F64:
    case Ty::I64:
      group_values_kernel<uint64_t><<<g, kThreads, 0, s>>>(static_cast<const uint64_t*>(in), w.idx_a, w.start,
                                                           static_cast<uint64_t*>(values), u, m);
      break;
    case Ty::Bool:
      group_values_kernel<uint8_t><<<g, kThreads, 0, s>>>(static_cast<const uint8_t*>(in), w.idx_a, w.start,
                                                          static_cast<uint8_t*>(values), u, m);
      break;
    case Ty::F16:
    case Ty::BF16:
      group_values_kernel<uint16_t><<<g, kThreads, 0, s>>>(static_cast<const uint16_t*>(in), w.idx_a, w.start,
                                                           static_cast<uint16_t*>(values), u, m);
      break;
    default: FX_FAIL("unique: unsupported element type ", static_cast<int>(t));
  }
  FX_CUDA_CHECK_LAUNCH();
}

}  // namespace fluxion::cuda::kern
