// CUDA sum/mean over the last dimension of a contiguous rows x cols input (the host side permutes
// the reduced dims last). Long rows: pass 1 splits each row over many blocks (block reduce =
// warp shuffles + one shared-memory step) into partial sums, pass 2 folds the partials. Many short
// rows: one thread per row. Accumulation type: float for float32 (as PyTorch), double for
// float64, int64 for integers and bool.
#include <type_traits>

#include "cuda/cuda_check.h"
#include "cuda/launch.h"

namespace fluxion::cuda::kern {
namespace {

constexpr int kThreads = 256;
constexpr int64_t kShortRow = 64;    // below: one thread per row
constexpr int64_t kPerBlock = 8192;  // elements of a row per block in the split pass
constexpr int64_t kMaxSplits = 1024;

template <class Acc>
__device__ Acc warp_sum(Acc v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
  return v;
}

template <class Acc>
__device__ Acc block_sum(Acc v) {
  __shared__ Acc warp_part[kThreads / 32];
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  v = warp_sum(v);
  if (lane == 0) warp_part[warp] = v;
  __syncthreads();
  v = threadIdx.x < kThreads / 32 ? warp_part[threadIdx.x] : Acc(0);
  if (warp == 0) v = warp_sum(v);
  return v;  // valid in thread 0
}

// Block (s, r) sums in[r, s*chunk : (s+1)*chunk) into out[r * splits + s] (times scale).
template <class In, class Acc, class Out>
__global__ void sum_split_kernel(const In* in, Out* out, int64_t rows, int64_t cols, int64_t chunk, int64_t splits,
                                 double scale) {
  for (int64_t r = blockIdx.y; r < rows; r += gridDim.y) {
    const int64_t s = blockIdx.x;
    const In* row = in + r * cols;
    const int64_t begin = s * chunk;
    const int64_t end = begin + chunk < cols ? begin + chunk : cols;
    Acc acc = Acc(0);
    for (int64_t c = begin + threadIdx.x; c < end; c += blockDim.x) acc += static_cast<Acc>(row[c]);
    acc = block_sum(acc);
    if (threadIdx.x == 0) {
      if constexpr (std::is_floating_point_v<Acc>)
        out[r * splits + s] = static_cast<Out>(acc * static_cast<Acc>(scale));
      else
        out[r * splits + s] = static_cast<Out>(acc);
    }
    __syncthreads();  // warp_part is reused by the next row
  }
}

template <class In, class Acc, class Out>
__global__ void sum_short_rows_kernel(const In* in, Out* out, int64_t rows, int64_t cols, double scale) {
  for (int64_t r = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; r < rows;
       r += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    Acc acc = Acc(0);
    for (int64_t c = 0; c < cols; ++c) acc += static_cast<Acc>(in[r * cols + c]);
    if constexpr (std::is_floating_point_v<Acc>)
      out[r] = static_cast<Out>(acc * static_cast<Acc>(scale));
    else
      out[r] = static_cast<Out>(acc);
  }
}

int64_t splits_for(int64_t cols) {
  int64_t s = (cols + kPerBlock - 1) / kPerBlock;
  return s < 1 ? 1 : (s > kMaxSplits ? kMaxSplits : s);
}

template <class In, class Acc, class Out>
void sum_typed(const In* in, Out* out, int64_t rows, int64_t cols, double scale, Acc* scratch, cudaStream_t s) {
  if (rows == 0) return;
  if (cols <= kShortRow && rows > 1) {
    int64_t blocks = (rows + kThreads - 1) / kThreads;
    if (blocks > 65535) blocks = 65535;
    sum_short_rows_kernel<In, Acc, Out><<<static_cast<unsigned>(blocks), kThreads, 0, s>>>(in, out, rows, cols, scale);
    FX_CUDA_CHECK_LAUNCH();
    return;
  }
  const int64_t splits = splits_for(cols);
  const unsigned grid_y = static_cast<unsigned>(rows < 65535 ? rows : 65535);
  if (splits == 1) {
    sum_split_kernel<In, Acc, Out><<<dim3(1, grid_y), kThreads, 0, s>>>(in, out, rows, cols, cols, 1, scale);
    FX_CUDA_CHECK_LAUNCH();
    return;
  }
  // Multi-pass: partial sums in Acc, then one block per row folds them (with the scale).
  const int64_t chunk = (cols + splits - 1) / splits;
  sum_split_kernel<In, Acc, Acc>
      <<<dim3(static_cast<unsigned>(splits), grid_y), kThreads, 0, s>>>(in, scratch, rows, cols, chunk, splits, 1.0);
  FX_CUDA_CHECK_LAUNCH();
  sum_split_kernel<Acc, Acc, Out><<<dim3(1, grid_y), kThreads, 0, s>>>(scratch, out, rows, splits, splits, 1, scale);
  FX_CUDA_CHECK_LAUNCH();
}

size_t acc_size(Ty t) { return t == Ty::F32 ? sizeof(float) : 8; }

}  // namespace

size_t sum_scratch_bytes(int64_t rows, int64_t cols, Ty in) {
  if (cols <= kShortRow && rows > 1) return 0;
  const int64_t splits = splits_for(cols);
  return splits == 1 ? 0 : static_cast<size_t>(rows * splits) * acc_size(in);
}

void sum_rows(const void* in, void* out, int64_t rows, int64_t cols, Ty in_t, double scale, void* scratch,
              cudaStream_t s) {
  switch (in_t) {
    case Ty::F32:
      return sum_typed<float, float, float>(static_cast<const float*>(in), static_cast<float*>(out), rows, cols, scale,
                                            static_cast<float*>(scratch), s);
    case Ty::F64:
      return sum_typed<double, double, double>(static_cast<const double*>(in), static_cast<double*>(out), rows, cols,
                                               scale, static_cast<double*>(scratch), s);
    case Ty::I64:
      return sum_typed<int64_t, long long, int64_t>(static_cast<const int64_t*>(in), static_cast<int64_t*>(out), rows,
                                                    cols, scale, static_cast<long long*>(scratch), s);
    case Ty::I32:
      return sum_typed<int32_t, long long, int64_t>(static_cast<const int32_t*>(in), static_cast<int64_t*>(out), rows,
                                                    cols, scale, static_cast<long long*>(scratch), s);
    case Ty::Bool:
      return sum_typed<bool, long long, int64_t>(static_cast<const bool*>(in), static_cast<int64_t*>(out), rows, cols,
                                                 scale, static_cast<long long*>(scratch), s);
    default: FX_FAIL("sum: not implemented on CUDA for this element type");
  }
}

}  // namespace fluxion::cuda::kern
