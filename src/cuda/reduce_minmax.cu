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

}  // namespace fluxion::cuda::kern
