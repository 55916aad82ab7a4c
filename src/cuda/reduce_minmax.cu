// CUDA amax/amin over the last dimension of a contiguous rows x cols input (the host side permutes
// the reduced dims last), NaN-propagating like the CPU kernel. Same shape as the sum kernel
// (reduce.cu): block reductions over splits of long rows plus a folding pass, one thread per row
// for short rows.
#include <limits>
#include <type_traits>

#include "cuda/cuda_check.h"
#include "cuda/launch.h"

namespace fluxion::cuda::kern {
namespace {

constexpr int kThreads = 256;
constexpr int64_t kShortRow = 64;
constexpr int64_t kPerBlock = 8192;
constexpr int64_t kMaxSplits = 1024;

template <class T, bool kMax>
struct MinMax {
  __device__ static T identity() {
    if constexpr (std::is_floating_point_v<T>)
      return kMax ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
    else
      return kMax ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
  }
  __device__ static T combine(T a, T b) {
    if (a != a) return a;  // NaN wins (always false for integers)
    if (b != b) return b;
    return kMax ? (a > b ? a : b) : (a < b ? a : b);
  }
};

template <class T, bool kMax>
__device__ T block_reduce(T v) {
  using Op = MinMax<T, kMax>;
  __shared__ T part[kThreads / 32];
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v = Op::combine(v, __shfl_down_sync(0xffffffffu, v, o));
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  if (lane == 0) part[warp] = v;
  __syncthreads();
  v = threadIdx.x < kThreads / 32 ? part[threadIdx.x] : Op::identity();
  if (warp == 0) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = Op::combine(v, __shfl_down_sync(0xffffffffu, v, o));
  }
  return v;  // valid in thread 0
}

template <class T, bool kMax>
__global__ void minmax_split_kernel(const T* in, T* out, int64_t rows, int64_t cols, int64_t chunk, int64_t splits) {
  using Op = MinMax<T, kMax>;
  for (int64_t r = blockIdx.y; r < rows; r += gridDim.y) {
    const int64_t s = blockIdx.x;
    const T* row = in + r * cols;
    const int64_t begin = s * chunk;
    const int64_t end = begin + chunk < cols ? begin + chunk : cols;
    T acc = Op::identity();
    for (int64_t c = begin + threadIdx.x; c < end; c += blockDim.x) acc = Op::combine(acc, row[c]);
    acc = block_reduce<T, kMax>(acc);
    if (threadIdx.x == 0) out[r * splits + s] = acc;
    __syncthreads();
  }
}

template <class T, bool kMax>
__global__ void minmax_short_rows_kernel(const T* in, T* out, int64_t rows, int64_t cols) {
  using Op = MinMax<T, kMax>;
  for (int64_t r = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; r < rows;
       r += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    T acc = Op::identity();
    for (int64_t c = 0; c < cols; ++c) acc = Op::combine(acc, in[r * cols + c]);
    out[r] = acc;
  }
}

int64_t splits_for(int64_t cols) {
  int64_t s = (cols + kPerBlock - 1) / kPerBlock;
  return s < 1 ? 1 : (s > kMaxSplits ? kMaxSplits : s);
}

template <class T, bool kMax>
void minmax_typed(const T* in, T* out, int64_t rows, int64_t cols, T* scratch, cudaStream_t s) {
  if (rows == 0) return;
  if (cols <= kShortRow && rows > 1) {
    int64_t blocks = (rows + kThreads - 1) / kThreads;
    if (blocks > 65535) blocks = 65535;
    minmax_short_rows_kernel<T, kMax><<<static_cast<unsigned>(blocks), kThreads, 0, s>>>(in, out, rows, cols);
    FX_CUDA_CHECK_LAUNCH();
    return;
  }
  const int64_t splits = splits_for(cols);
  const unsigned grid_y = static_cast<unsigned>(rows < 65535 ? rows : 65535);
  if (splits == 1) {
    minmax_split_kernel<T, kMax><<<dim3(1, grid_y), kThreads, 0, s>>>(in, out, rows, cols, cols, 1);
    FX_CUDA_CHECK_LAUNCH();
    return;
  }
  const int64_t chunk = (cols + splits - 1) / splits;
  minmax_split_kernel<T, kMax>
      <<<dim3(static_cast<unsigned>(splits), grid_y), kThreads, 0, s>>>(in, scratch, rows, cols, chunk, splits);
  FX_CUDA_CHECK_LAUNCH();
  minmax_split_kernel<T, kMax><<<dim3(1, grid_y), kThreads, 0, s>>>(scratch, out, rows, splits, splits, 1);
  FX_CUDA_CHECK_LAUNCH();
}

template <class T>
void minmax_dispatch(const void* in, void* out, int64_t rows, int64_t cols, bool max, void* scratch, cudaStream_t s) {
  const T* i = static_cast<const T*>(in);
  T* o = static_cast<T*>(out);
  T* sc = static_cast<T*>(scratch);
  if (max)
    minmax_typed<T, true>(i, o, rows, cols, sc, s);
  else
    minmax_typed<T, false>(i, o, rows, cols, sc, s);
}

// ---- max/min along a dim with the index (first occurrence; the first NaN wins) ----------------

template <class T, bool kMax>
__device__ __forceinline__ void pick(T& v, long long& i, T v2, long long i2) {
  const bool n1 = v != v, n2 = v2 != v2;
  bool take;
  if (n1 || n2)
    take = n2 && (!n1 || i2 < i);
  else
    take = (kMax ? v2 > v : v2 < v) || (v2 == v && i2 < i);
  if (take) {
    v = v2;
    i = i2;
  }
}

// One block per row: each thread scans a strided part of the row, then a block reduction of
// (value, index) pairs.
template <class T, bool kMax>
__global__ void arg_rows_kernel(const T* in, T* values, long long* indices, int64_t rows, int64_t cols) {
  __shared__ T pv[kThreads / 32];
  __shared__ long long pi[kThreads / 32];
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const T* row = in + r * cols;
    T v = MinMax<T, kMax>::identity();
    long long i = cols;  // "no element yet": loses every tie
    for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) pick<T, kMax>(v, i, row[c], c);
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
      const T v2 = __shfl_down_sync(0xffffffffu, v, o);
      const long long i2 = __shfl_down_sync(0xffffffffu, i, o);
      pick<T, kMax>(v, i, v2, i2);
    }
    const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    if (lane == 0) {
      pv[warp] = v;
      pi[warp] = i;
    }
    __syncthreads();
    if (warp == 0) {
      v = lane < kThreads / 32 ? pv[lane] : MinMax<T, kMax>::identity();
      i = lane < kThreads / 32 ? pi[lane] : cols;
#pragma unroll
      for (int o = 16; o > 0; o >>= 1) {
        const T v2 = __shfl_down_sync(0xffffffffu, v, o);
        const long long i2 = __shfl_down_sync(0xffffffffu, i, o);
        pick<T, kMax>(v, i, v2, i2);
      }
      if (lane == 0) {
        // A row of identities only (e.g. all -inf for max): the first element.
        if (i >= cols) {
          i = 0;
          v = row[0];
        }
        if (values) values[r] = v;
        indices[r] = i;
      }
    }
    __syncthreads();
  }
}

template <class T, bool kMax>
__global__ void arg_short_rows_kernel(const T* in, T* values, long long* indices, int64_t rows, int64_t cols) {
  for (int64_t r = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; r < rows;
       r += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    T v = in[r * cols];
    long long i = 0;
    for (int64_t c = 1; c < cols; ++c) pick<T, kMax>(v, i, in[r * cols + c], c);
    if (values) values[r] = v;
    indices[r] = i;
  }
}

template <class T>
void arg_dispatch(const void* in, void* values, int64_t* indices, int64_t rows, int64_t cols, bool max,
                  cudaStream_t s) {
  if (rows == 0 || cols == 0) return;
  const T* x = static_cast<const T*>(in);
  T* v = static_cast<T*>(values);
  long long* idx = reinterpret_cast<long long*>(indices);
  if (cols <= kShortRow && rows > 1) {
    int64_t blocks = (rows + kThreads - 1) / kThreads;
    if (blocks > 65535) blocks = 65535;
    if (max)
      arg_short_rows_kernel<T, true><<<static_cast<unsigned>(blocks), kThreads, 0, s>>>(x, v, idx, rows, cols);
    else
      arg_short_rows_kernel<T, false><<<static_cast<unsigned>(blocks), kThreads, 0, s>>>(x, v, idx, rows, cols);
  } else {
    const unsigned blocks = static_cast<unsigned>(rows < 65535 ? rows : 65535);
    if (max)
      arg_rows_kernel<T, true><<<blocks, kThreads, 0, s>>>(x, v, idx, rows, cols);
    else
      arg_rows_kernel<T, false><<<blocks, kThreads, 0, s>>>(x, v, idx, rows, cols);
  }
  FX_CUDA_CHECK_LAUNCH();
}

size_t ty_size(Ty t) { return t == Ty::F32 || t == Ty::I32 ? 4 : (t == Ty::Bool ? 1 : 8); }

}  // namespace

size_t minmax_scratch_bytes(int64_t rows, int64_t cols, Ty t) {
  if (cols <= kShortRow && rows > 1) return 0;
  const int64_t splits = splits_for(cols);
  return splits == 1 ? 0 : static_cast<size_t>(rows * splits) * ty_size(t);
}

void minmax_rows(const void* in, void* out, int64_t rows, int64_t cols, Ty t, bool max, void* scratch, cudaStream_t s) {
  switch (t) {
    case Ty::F32: return minmax_dispatch<float>(in, out, rows, cols, max, scratch, s);
    case Ty::F64: return minmax_dispatch<double>(in, out, rows, cols, max, scratch, s);
    case Ty::I64: return minmax_dispatch<long long>(in, out, rows, cols, max, scratch, s);
    case Ty::I32: return minmax_dispatch<int>(in, out, rows, cols, max, scratch, s);
    default: FX_FAIL("amax/amin: not implemented on CUDA for this dtype");
  }
}

void arg_rows(const void* in, void* values, int64_t* indices, int64_t rows, int64_t cols, Ty t, bool max,
              cudaStream_t s) {
  switch (t) {
    case Ty::F32: return arg_dispatch<float>(in, values, indices, rows, cols, max, s);
    case Ty::F64: return arg_dispatch<double>(in, values, indices, rows, cols, max, s);
    case Ty::I64: return arg_dispatch<long long>(in, values, indices, rows, cols, max, s);
    case Ty::I32: return arg_dispatch<int>(in, values, indices, rows, cols, max, s);
    default: FX_FAIL("max/min along a dim: not implemented on CUDA for this dtype");
  }
}

}  // namespace fluxion::cuda::kern
