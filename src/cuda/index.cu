// CUDA kernels of the offset-based gather/scatter (see Note [Offset-based gather/scatter] in
// kernels/index_kernels.h), tril/triu, nonzero and searchsorted. One thread per element with a
// grid-stride loop; operand offsets from the element's coordinates (kern::Strided, 64-bit).
//
// index_put: Assign with duplicate destinations keeps one of the values, unspecified which (as
// PyTorch on CUDA); Add uses atomicAdd, Mul/Max/Min an atomicCAS loop (Max/Min propagate NaN as
// the CPU kernel); bool Add/Max are a logical or and Mul/Min a logical and, done with plain byte
// stores (every racing writer stores the same byte).
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <type_traits>

#include "cuda/cuda_check.h"
#include "cuda/index_launch.h"

namespace fluxion::cuda::kern {
namespace {

constexpr int kThreads = 256;

unsigned blocks_for(int64_t n) {
  int64_t b = (n + kThreads - 1) / kThreads;
  if (b > (int64_t{1} << 20)) b = int64_t{1} << 20;  // grid-stride beyond
  return static_cast<unsigned>(b < 1 ? 1 : b);
}

// float16 / bfloat16 values as their bits; arithmetic in float, each result rounded once (as the
// CPU kernels do).
struct F16Bits {
  uint16_t u;
};
struct BF16Bits {
  uint16_t u;
};
__device__ __forceinline__ float to_float(F16Bits v) { return __half2float(__ushort_as_half(v.u)); }
__device__ __forceinline__ float to_float(BF16Bits v) { return __uint_as_float(static_cast<unsigned>(v.u) << 16); }
template <class H>
__device__ __forceinline__ uint16_t from_float(float f) {
  if constexpr (std::is_same_v<H, F16Bits>)
    return __half_as_ushort(__float2half_rn(f));
  else
    return __bfloat16_as_ushort(__float2bfloat16_rn(f));
}
template <class T>
constexpr bool kIs16 = std::is_same_v<T, F16Bits> || std::is_same_v<T, BF16Bits>;

// Byte offsets of linear element i of the iteration for every operand.
template <int N>
__device__ __forceinline__ void offsets_of(const Strided<N>& it, int64_t i, int64_t (&o)[N]) {
#pragma unroll
  for (int k = 0; k < N; ++k) o[k] = 0;
  if (it.contiguous) {
    // nd <= 1 and every operand dense: strides[k][0] is the element size (nd == 0: one element).
    if (it.nd == 1) {
#pragma unroll
      for (int k = 0; k < N; ++k) o[k] = i * it.strides[k][0];
    }
    return;
  }
  for (int d = it.nd - 1; d >= 0; --d) {
    const int64_t sz = it.sizes[d];
    const int64_t q = i / sz;
    const int64_t c = i - q * sz;
    i = q;
#pragma unroll
    for (int k = 0; k < N; ++k) o[k] += c * it.strides[k][d];
  }
}

// ---- index offsets ---------------------------------------------------------------------------

template <class I>
__global__ void index_offsets_kernel(Strided<2> it, int64_t n, int64_t size, int64_t stride, bool wrap_negative,
                                     int64_t* status) {
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int64_t o[2];
    offsets_of<2>(it, i, o);
    const int64_t v = static_cast<int64_t>(*reinterpret_cast<const I*>(it.data[1] + o[1]));
    const int64_t w = (wrap_negative && v < 0) ? v + size : v;
    if (w < 0 || w >= size) {
      if (atomicCAS(reinterpret_cast<unsigned long long*>(status), 0ull, 1ull) == 0ull) status[1] = v;
      continue;
    }
    *reinterpret_cast<int64_t*>(it.data[0] + o[0]) += w * stride;
  }
}

// ---- gather ------------------------------------------------------------------------------------

template <class W>
__global__ void gather_kernel(Strided<3> it, int64_t n) {
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int64_t o[3];
    offsets_of<3>(it, i, o);
    const int64_t e = *reinterpret_cast<const int64_t*>(it.data[2] + o[2]);
    *reinterpret_cast<W*>(it.data[0] + o[0]) =
        *reinterpret_cast<const W*>(it.data[1] + o[1] + e * static_cast<int64_t>(sizeof(W)));
  }
}

// ---- put ---------------------------------------------------------------------------------------

__device__ __forceinline__ unsigned int to_bits(float v) { return __float_as_uint(v); }
__device__ __forceinline__ unsigned long long to_bits(double v) {
  return static_cast<unsigned long long>(__double_as_longlong(v));
}
__device__ __forceinline__ unsigned int to_bits(int32_t v) { return static_cast<unsigned int>(v); }
__device__ __forceinline__ unsigned long long to_bits(int64_t v) { return static_cast<unsigned long long>(v); }
template <class T>
__device__ __forceinline__ T from_bits(unsigned int u) {
  if constexpr (std::is_same_v<T, float>)
    return __uint_as_float(u);
  else
    return static_cast<int32_t>(u);
}
template <class T>
__device__ __forceinline__ T from_bits(unsigned long long u) {
  if constexpr (std::is_same_v<T, double>)
    return __longlong_as_double(static_cast<long long>(u));
  else
    return static_cast<int64_t>(u);
}

template <class T, PutOp M>
__device__ __forceinline__ T combine(T a, T b) {
  if constexpr (M == PutOp::Mul) {
    return a * b;
  } else if constexpr (M == PutOp::Max) {
    return b != b ? b : (a < b ? b : a);  // a NaN destination stays (a < b is false)
  } else {
    return b != b ? b : (b < a ? b : a);
  }
}

// *addr = combine(*addr, v) with a compare-and-swap loop on the element's bits.
template <class T, PutOp M>
__device__ __forceinline__ void cas_update(T* addr, T v) {
  using U = std::conditional_t<sizeof(T) == 4, unsigned int, unsigned long long>;
  U* ua = reinterpret_cast<U*>(addr);
  U old = *reinterpret_cast<volatile U*>(ua);
  while (true) {
    const U nu = to_bits(combine<T, M>(from_bits<T>(old), v));
    if (nu == old) return;  // nothing changes (also ends the loop for a NaN destination)
    const U prev = atomicCAS(ua, old, nu);
    if (prev == old) return;
    old = prev;
  }
}

// A 16-bit element updated through a 16-bit compare-and-swap loop (sm_70+). Only the element's
// own two bytes are accessed: a 32-bit CAS on the enclosing word would reach 2 bytes past the end
// of a buffer whose last element starts a word (e.g. a from_blob tensor over cudaMalloc'd memory).
template <class H, PutOp M>
__device__ __forceinline__ void cas_update16(H* addr, H v) {
  unsigned short* ua = reinterpret_cast<unsigned short*>(addr);
  const float b = to_float(v);
  unsigned short old = *reinterpret_cast<volatile unsigned short*>(ua);
  while (true) {
    const H cur{static_cast<uint16_t>(old)};
    const float x = to_float(cur);
    float r;
    if constexpr (M == PutOp::Add)
      r = x + b;
    else
      r = combine<float, M>(x, b);
    const uint16_t nb = from_float<H>(r);
    if (nb == cur.u) return;
    const unsigned short prev = atomicCAS(ua, old, static_cast<unsigned short>(nb));
    if (prev == old) return;
    old = prev;
  }
}

template <class T, PutOp M>
__device__ __forceinline__ void put_one(T* dst, T v) {
  if constexpr (M == PutOp::Assign) {
    *dst = v;
  } else if constexpr (kIs16<T>) {
    cas_update16<T, M>(dst, v);
  } else if constexpr (std::is_same_v<T, bool>) {
    if constexpr (M == PutOp::Add || M == PutOp::Max) {
      if (v) *dst = true;
    } else {
      if (!v) *dst = false;
    }
  } else if constexpr (M == PutOp::Add) {
    if constexpr (std::is_same_v<T, int64_t>)
      atomicAdd(reinterpret_cast<unsigned long long*>(dst), static_cast<unsigned long long>(v));
    else if constexpr (std::is_same_v<T, int32_t>)
      atomicAdd(reinterpret_cast<int*>(dst), static_cast<int>(v));
    else
      atomicAdd(dst, v);
  } else {
    cas_update<T, M>(dst, v);
  }
}

template <class T, PutOp M>
__global__ void put_kernel(Strided<3> it, int64_t n) {
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int64_t o[3];
    offsets_of<3>(it, i, o);
    const int64_t e = *reinterpret_cast<const int64_t*>(it.data[2] + o[2]);
    T* dst = reinterpret_cast<T*>(it.data[0] + o[0]) + e;
    put_one<T, M>(dst, *reinterpret_cast<const T*>(it.data[1] + o[1]));
  }
}

template <class T>
void put_typed(const Strided<3>& it, int64_t n, PutOp op, cudaStream_t s) {
  switch (op) {
    case PutOp::Assign: put_kernel<T, PutOp::Assign><<<blocks_for(n), kThreads, 0, s>>>(it, n); break;
    case PutOp::Add: put_kernel<T, PutOp::Add><<<blocks_for(n), kThreads, 0, s>>>(it, n); break;
    case PutOp::Mul: put_kernel<T, PutOp::Mul><<<blocks_for(n), kThreads, 0, s>>>(it, n); break;
    case PutOp::Max: put_kernel<T, PutOp::Max><<<blocks_for(n), kThreads, 0, s>>>(it, n); break;
    case PutOp::Min: put_kernel<T, PutOp::Min><<<blocks_for(n), kThreads, 0, s>>>(it, n); break;
  }
  FX_CUDA_CHECK_LAUNCH();
}

// ---- tril / triu -------------------------------------------------------------------------------

template <class W>
__global__ void tri_kernel(Strided<2> it, int64_t n, int64_t M, int64_t N, int64_t diagonal, bool upper) {
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int64_t o[2];
    offsets_of<2>(it, i, o);
    const int64_t j = i % N, r = (i / N) % M;
    const bool keep = upper ? (j - r >= diagonal) : (j - r <= diagonal);
    *reinterpret_cast<W*>(it.data[0] + o[0]) = keep ? *reinterpret_cast<const W*>(it.data[1] + o[1]) : W(0);
  }
}

// ---- nonzero -----------------------------------------------------------------------------------

constexpr int kNzPerThread = static_cast<int>(kNonzeroChunk / kThreads);
static_assert(kNzPerThread * kThreads == kNonzeroChunk);

template <class T>
__device__ __forceinline__ bool nz_at(const Strided<1>& it, int64_t i) {
  int64_t o[1];
  offsets_of<1>(it, i, o);
  const T v = *reinterpret_cast<const T*>(it.data[0] + o[0]);
  if constexpr (kIs16<T>)
    return (v.u & 0x7FFFu) != 0;  // not +-0 (NaN counts as non-zero)
  else
    return v != T(0);  // NaN counts as non-zero
}

// Block b covers linear positions [b * kNonzeroChunk, (b + 1) * kNonzeroChunk); thread t the
// kNzPerThread consecutive ones from b * kNonzeroChunk + t * kNzPerThread (row-major order is kept
// by an exclusive scan of the per-thread counts in nonzero_write_kernel).
template <class T>
__global__ void nonzero_count_kernel(Strided<1> it, int64_t n, int64_t* counts) {
  __shared__ int part[kThreads];
  const int64_t base =
      static_cast<int64_t>(blockIdx.x) * kNonzeroChunk + static_cast<int64_t>(threadIdx.x) * kNzPerThread;
  int c = 0;
  for (int k = 0; k < kNzPerThread; ++k)
    if (base + k < n) c += nz_at<T>(it, base + k) ? 1 : 0;
  part[threadIdx.x] = c;
  __syncthreads();
  for (int w = kThreads / 2; w > 0; w >>= 1) {
    if (static_cast<int>(threadIdx.x) < w) part[threadIdx.x] += part[threadIdx.x + w];
    __syncthreads();
  }
  if (threadIdx.x == 0) counts[blockIdx.x] = part[0];
}

template <class T>
__global__ void nonzero_write_kernel(Strided<1> it, int64_t n, NzShape shape, const int64_t* row_start, int64_t* out) {
  __shared__ int scan[kThreads];
  const int64_t base =
      static_cast<int64_t>(blockIdx.x) * kNonzeroChunk + static_cast<int64_t>(threadIdx.x) * kNzPerThread;
  unsigned mask = 0;  // bit k: position base + k is non-zero
  for (int k = 0; k < kNzPerThread; ++k)
    if (base + k < n && nz_at<T>(it, base + k)) mask |= 1u << k;
  scan[threadIdx.x] = __popc(mask);
  __syncthreads();
  // Inclusive Hillis-Steele scan over the block's threads.
  for (int w = 1; w < kThreads; w <<= 1) {
    const int add = static_cast<int>(threadIdx.x) >= w ? scan[threadIdx.x - w] : 0;
    __syncthreads();
    scan[threadIdx.x] += add;
    __syncthreads();
  }
  int64_t row = row_start[blockIdx.x] + scan[threadIdx.x] - __popc(mask);
  const int nd = shape.nd;
  for (int k = 0; k < kNzPerThread; ++k) {
    if (!(mask & (1u << k))) continue;
    int64_t rem = base + k;
    for (int d = nd - 1; d >= 0; --d) {
      const int64_t q = rem / shape.sizes[d];
      out[row * nd + d] = rem - q * shape.sizes[d];
      rem = q;
    }
    ++row;
  }
}

// ---- searchsorted ------------------------------------------------------------------------------

template <class K, class T>
__device__ __forceinline__ K as_key(T v) {
  if constexpr (kIs16<T>)
    return to_float(v);
  else
    return static_cast<K>(v);
}

template <class T, class K, class O>
__global__ void searchsorted_kernel(const T* seq, const T* v, O* out, int64_t B, int64_t V, int64_t S, bool shared,
                                    bool right) {
  const int64_t n = B * V;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const T* row = seq + (shared ? 0 : (i / V) * S);
    const K x = as_key<K>(v[i]);
    int64_t lo = 0, hi = S;
    while (lo < hi) {  // PyTorch's cus_lower_bound / cus_upper_bound (NaN lands past the end)
      const int64_t mid = lo + (hi - lo) / 2;
      const K mv = as_key<K>(row[mid]);
      const bool go_right = right ? !(mv > x) : !(mv >= x);
      if (go_right)
        lo = mid + 1;
      else
        hi = mid;
    }
    out[i] = static_cast<O>(lo);
  }
}

template <class T, class K>
void searchsorted_typed(const void* seq, const void* v, void* out, bool out32, int64_t B, int64_t V, int64_t S,
                        bool shared, bool right, cudaStream_t s) {
  const unsigned g = blocks_for(B * V);
  if (out32)
    searchsorted_kernel<T, K, int32_t><<<g, kThreads, 0, s>>>(static_cast<const T*>(seq), static_cast<const T*>(v),
                                                              static_cast<int32_t*>(out), B, V, S, shared, right);
  else
    searchsorted_kernel<T, K, int64_t><<<g, kThreads, 0, s>>>(static_cast<const T*>(seq), static_cast<const T*>(v),
                                                              static_cast<int64_t*>(out), B, V, S, shared, right);
  FX_CUDA_CHECK_LAUNCH();
}

}  // namespace

void index_offsets(const Strided<2>& it, int64_t n, bool idx32, int64_t size, int64_t stride, bool wrap_negative,
                   int64_t* status, cudaStream_t s) {
  if (n == 0) return;
  if (idx32)
    index_offsets_kernel<int32_t><<<blocks_for(n), kThreads, 0, s>>>(it, n, size, stride, wrap_negative, status);
  else
    index_offsets_kernel<int64_t><<<blocks_for(n), kThreads, 0, s>>>(it, n, size, stride, wrap_negative, status);
  FX_CUDA_CHECK_LAUNCH();
}

void index_gather(const Strided<3>& it, int64_t n, int elem_size, cudaStream_t s) {
  if (n == 0) return;
  switch (elem_size) {
    case 1: gather_kernel<uint8_t><<<blocks_for(n), kThreads, 0, s>>>(it, n); break;
    case 2: gather_kernel<uint16_t><<<blocks_for(n), kThreads, 0, s>>>(it, n); break;
    case 4: gather_kernel<uint32_t><<<blocks_for(n), kThreads, 0, s>>>(it, n); break;
    default: gather_kernel<uint64_t><<<blocks_for(n), kThreads, 0, s>>>(it, n); break;
  }
  FX_CUDA_CHECK_LAUNCH();
}

void index_put(const Strided<3>& it, int64_t n, Ty t, PutOp op, cudaStream_t s) {
  if (n == 0) return;
  switch (t) {
    case Ty::F32: return put_typed<float>(it, n, op, s);
    case Ty::F64: return put_typed<double>(it, n, op, s);
    case Ty::I64: return put_typed<int64_t>(it, n, op, s);
    case Ty::I32: return put_typed<int32_t>(it, n, op, s);
    case Ty::Bool: return put_typed<bool>(it, n, op, s);
    case Ty::F16: return put_typed<F16Bits>(it, n, op, s);
    case Ty::BF16: return put_typed<BF16Bits>(it, n, op, s);
    default: FX_FAIL("CUDA kernels: unsupported element type ", static_cast<int>(t));
  }
}

void tri(const Strided<2>& it, int64_t n, int64_t M, int64_t N, int64_t diagonal, bool upper, int elem_size,
         cudaStream_t s) {
  if (n == 0 || M == 0 || N == 0) return;
  switch (elem_size) {
    case 1: tri_kernel<uint8_t><<<blocks_for(n), kThreads, 0, s>>>(it, n, M, N, diagonal, upper); break;
    case 2: tri_kernel<uint16_t><<<blocks_for(n), kThreads, 0, s>>>(it, n, M, N, diagonal, upper); break;
    case 4: tri_kernel<uint32_t><<<blocks_for(n), kThreads, 0, s>>>(it, n, M, N, diagonal, upper); break;
    default: tri_kernel<uint64_t><<<blocks_for(n), kThreads, 0, s>>>(it, n, M, N, diagonal, upper); break;
  }
  FX_CUDA_CHECK_LAUNCH();
}

void nonzero_count(const Strided<1>& it, int64_t n, Ty t, int64_t* counts, cudaStream_t s) {
  const int64_t chunks = (n + kNonzeroChunk - 1) / kNonzeroChunk;
  if (chunks == 0) return;
  const unsigned g = static_cast<unsigned>(chunks);  // the host checks chunks < 2^31
  switch (t) {
    case Ty::F32: nonzero_count_kernel<float><<<g, kThreads, 0, s>>>(it, n, counts); break;
    case Ty::F64: nonzero_count_kernel<double><<<g, kThreads, 0, s>>>(it, n, counts); break;
    case Ty::I64: nonzero_count_kernel<int64_t><<<g, kThreads, 0, s>>>(it, n, counts); break;
    case Ty::I32: nonzero_count_kernel<int32_t><<<g, kThreads, 0, s>>>(it, n, counts); break;
    case Ty::Bool: nonzero_count_kernel<bool><<<g, kThreads, 0, s>>>(it, n, counts); break;
    case Ty::F16:
    case Ty::BF16: nonzero_count_kernel<F16Bits><<<g, kThreads, 0, s>>>(it, n, counts); break;
    default: FX_FAIL("CUDA kernels: unsupported element type ", static_cast<int>(t));
  }
  FX_CUDA_CHECK_LAUNCH();
}

void nonzero_write(const Strided<1>& it, int64_t n, Ty t, const NzShape& shape, const int64_t* row_start, int64_t* out,
                   cudaStream_t s) {
  const int64_t chunks = (n + kNonzeroChunk - 1) / kNonzeroChunk;
  if (chunks == 0) return;
  const unsigned g = static_cast<unsigned>(chunks);
  switch (t) {
    case Ty::F32: nonzero_write_kernel<float><<<g, kThreads, 0, s>>>(it, n, shape, row_start, out); break;
    case Ty::F64: nonzero_write_kernel<double><<<g, kThreads, 0, s>>>(it, n, shape, row_start, out); break;
    case Ty::I64: nonzero_write_kernel<int64_t><<<g, kThreads, 0, s>>>(it, n, shape, row_start, out); break;
    case Ty::I32: nonzero_write_kernel<int32_t><<<g, kThreads, 0, s>>>(it, n, shape, row_start, out); break;
    case Ty::Bool: nonzero_write_kernel<bool><<<g, kThreads, 0, s>>>(it, n, shape, row_start, out); break;
    case Ty::F16:
    case Ty::BF16: nonzero_write_kernel<F16Bits><<<g, kThreads, 0, s>>>(it, n, shape, row_start, out); break;
    default: FX_FAIL("CUDA kernels: unsupported element type ", static_cast<int>(t));
  }
  FX_CUDA_CHECK_LAUNCH();
}

void searchsorted(const void* seq, const void* v, void* out, bool out32, int64_t B, int64_t V, int64_t S, bool shared,
                  Ty t, bool right, cudaStream_t s) {
  if (B * V == 0) return;
  switch (t) {
    case Ty::F32: return searchsorted_typed<float, float>(seq, v, out, out32, B, V, S, shared, right, s);
    case Ty::F64: return searchsorted_typed<double, double>(seq, v, out, out32, B, V, S, shared, right, s);
    case Ty::I64: return searchsorted_typed<int64_t, int64_t>(seq, v, out, out32, B, V, S, shared, right, s);
    case Ty::I32: return searchsorted_typed<int32_t, int64_t>(seq, v, out, out32, B, V, S, shared, right, s);
    case Ty::F16: return searchsorted_typed<F16Bits, float>(seq, v, out, out32, B, V, S, shared, right, s);
    case Ty::BF16: return searchsorted_typed<BF16Bits, float>(seq, v, out, out32, B, V, S, shared, right, s);
    default: FX_FAIL("CUDA kernels: unsupported element type ", static_cast<int>(t));
  }
}

}  // namespace fluxion::cuda::kern
