// CUDA prod, all/any/count_nonzero, norms, logsumexp and var/mean over the last dimension of a
// contiguous rows x cols input (the host side permutes the reduced dims last, as for sum), and
// cumsum/cumprod along a dim of a contiguous [outer, D, inner] input.
//
// Reductions: one generic kernel per op functor (identity / reduce / combine / write, the same
// shape as the CPU's reduce ops): a block per row (grid-stride over rows) combining its threads
// through a shared-memory tree; few long rows are split over many blocks whose partial
// accumulators a second kernel folds (as sum in reduce.cu); one thread per row for many short
// rows. Accumulation: float for f32 products and norms (as the CPU), double for f64, int64 for
// integers and bool; var/mean uses Welford updates per thread and Chan's formula to combine, in
// double.
//
// Scans: one thread per (outer, inner) line walking D serially in the CPU's order (the running
// value in double for floats, int64 otherwise), except long lines (D > kLongScan) along the last
// dim or too few of them to fill the GPU, which get a block per line scanning tiles of kThreads
// elements with a carry (a different summation order: equal to the CPU up to rounding).
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "cuda/cuda_check.h"
#include "cuda/reduce_more_launch.h"

namespace fluxion::cuda::kern {
namespace {

constexpr int kThreads = 256;
constexpr int64_t kShortRow = 64;     // below (with several rows): one thread per row
constexpr int64_t kLongScan = 1024;   // longer scans may get a block per line
constexpr int64_t kFewLines = 16384;  // fewer (outer, inner) lines: a block per long line
constexpr int64_t kMaxBlocks = 65535;
constexpr int64_t kPerBlock = 8192;  // elements of a row per block when rows are split
constexpr int64_t kMaxSplits = 1024;
constexpr int64_t kSplitRows = 1024;  // from this many rows on, a block per row is enough
constexpr size_t kMaxAccBytes = 24;   // the largest accumulator (Welford)

// Blocks per row: 1, or enough for kPerBlock elements each when there are few long rows.
int64_t splits_for(int64_t rows, int64_t cols) {
  if (rows >= kSplitRows || cols <= 2 * kPerBlock) return 1;
  const int64_t s = (cols + kPerBlock - 1) / kPerBlock;
  return s > kMaxSplits ? kMaxSplits : s;
}

unsigned grid_for(int64_t work, int64_t per_block) {
  int64_t b = (work + per_block - 1) / per_block;
  if (b > kMaxBlocks) b = kMaxBlocks;
  return static_cast<unsigned>(b < 1 ? 1 : b);
}

template <class A>
__device__ __forceinline__ A nan_extreme(A a, A b, bool max) {
  if (a != a) return a;
  if (b != b) return b;
  return max ? (a > b ? a : b) : (a < b ? a : b);
}
__device__ __forceinline__ float ex(float v) { return expf(v); }
__device__ __forceinline__ double ex(double v) { return exp(v); }
__device__ __forceinline__ float lg(float v) { return logf(v); }
__device__ __forceinline__ double lg(double v) { return log(v); }

// ---- op functors -------------------------------------------------------------------------------

template <class In, class AccT, class Out>
struct ProdOp {
  using Acc = AccT;
  using in_t = In;
  Out* out;
  __device__ Acc identity() const { return Acc(1); }
  __device__ Acc reduce(Acc a, In x) const { return a * static_cast<Acc>(x); }
  __device__ Acc combine(Acc a, Acc b) const { return a * b; }
  __device__ void write(int64_t r, Acc a) const { out[r] = static_cast<Out>(a); }
};

template <class In, RowOp K>
struct LogicalOp {
  using Acc = long long;
  using in_t = In;
  void* out;
  __device__ Acc identity() const { return K == RowOp::All ? 1 : 0; }
  __device__ Acc reduce(Acc a, In x) const {
    const bool t = x != In(0);  // NaN is true
    if constexpr (K == RowOp::All)
      return a && t;
    else if constexpr (K == RowOp::Any)
      return a || t;
    else
      return a + (t ? 1 : 0);
  }
  __device__ Acc combine(Acc a, Acc b) const {
    if constexpr (K == RowOp::All)
      return a && b;
    else if constexpr (K == RowOp::Any)
      return a || b;
    else
      return a + b;
  }
  __device__ void write(int64_t r, Acc a) const {
    if constexpr (K == RowOp::CountNonzero)
      static_cast<long long*>(out)[r] = a;
    else
      static_cast<bool*>(out)[r] = a != 0;
  }
};

template <class T, RowOp K>
struct NormOp {
  using Acc = T;
  using in_t = T;
  T* out;
  T p;
  __device__ Acc identity() const { return K == RowOp::NormNegInf ? std::numeric_limits<T>::infinity() : T(0); }
  __device__ Acc reduce(Acc a, T v) const {
    if constexpr (K == RowOp::Norm0)
      return a + (v != T(0) ? T(1) : T(0));
    else if constexpr (K == RowOp::Norm1)
      return a + fabs(v);
    else if constexpr (K == RowOp::Norm2)
      return a + v * v;
    else if constexpr (K == RowOp::NormP)
      return a + pow(fabs(v), p);
    else
      return combine(a, fabs(v));
  }
  __device__ Acc combine(Acc a, Acc b) const {
    if constexpr (K == RowOp::NormInf)
      return nan_extreme(a, b, true);
    else if constexpr (K == RowOp::NormNegInf)
      return nan_extreme(a, b, false);
    else
      return a + b;
  }
  __device__ void write(int64_t r, Acc a) const {
    if constexpr (K == RowOp::Norm2)
      a = sqrt(a);
    else if constexpr (K == RowOp::NormP)
      a = pow(a, T(1) / p);
    out[r] = a;
  }
};

// Running max m and s = sum exp(x - m) (the CPU's LogSumExpOp); m = -inf: nothing finite yet.
template <class A>
struct MaxSum {
  A m, s;
};
template <class A>
struct LogSumExpOp {
  using Acc = MaxSum<A>;
  using in_t = A;
  A* out;
  __device__ static A ninf() { return -std::numeric_limits<A>::infinity(); }
  __device__ static A qnan() { return std::numeric_limits<A>::quiet_NaN(); }
  __device__ Acc identity() const { return Acc{ninf(), A(0)}; }
  __device__ Acc reduce(Acc a, A v) const {
    if (v != v || a.m != a.m) return Acc{qnan(), A(1)};
    if (v == ninf()) return a;
    if (v > a.m) return Acc{v, a.s * ex(a.m - v) + A(1)};  // exp(-inf) = 0 on the first element
    if (v == a.m) return Acc{a.m, a.s + A(1)};             // also covers +inf twice
    return Acc{a.m, a.s + ex(v - a.m)};
  }
  __device__ Acc combine(Acc a, Acc b) const {
    if (a.m != a.m || b.m != b.m) return Acc{qnan(), A(1)};
    const A m = a.m >= b.m ? a.m : b.m;
    if (m == ninf()) return identity();
    const A sa = a.m == m ? a.s : a.s * ex(a.m - m);
    const A sb = b.m == m ? b.s : b.s * ex(b.m - m);
    return Acc{m, sa + sb};
  }
  __device__ void write(int64_t r, Acc a) const { out[r] = a.m == ninf() ? a.m : a.m + lg(a.s); }
};

struct Welford {
  double mean, m2;
  long long n;
};
template <class T>
struct WelfordOp {
  using Acc = Welford;
  using in_t = T;
  T* var;
  T* mean;
  double correction;
  bool take_sqrt;
  __device__ Acc identity() const { return Acc{0.0, 0.0, 0}; }
  __device__ Acc reduce(Acc a, T x) const {
    const double v = static_cast<double>(x);
    a.n += 1;
    const double d = v - a.mean;
    a.mean += d / static_cast<double>(a.n);
    a.m2 += d * (v - a.mean);
    return a;
  }
  __device__ Acc combine(Acc a, Acc b) const {
    if (a.n == 0) return b;
    if (b.n == 0) return a;
    const double n = static_cast<double>(a.n + b.n);
    const double d = b.mean - a.mean;
    const double fb = static_cast<double>(b.n) / n;
    return Acc{a.mean + d * fb, a.m2 + b.m2 + d * d * static_cast<double>(a.n) * fb, a.n + b.n};
  }
  __device__ void write(int64_t r, Acc a) const {
    if (var) {
      double dof = static_cast<double>(a.n) - correction;
      if (dof < 0) dof = 0;
      const double v = a.m2 / dof;  // 0/0 = nan when nothing is left, as PyTorch
      var[r] = static_cast<T>(take_sqrt ? sqrt(v) : v);
    }
    if (mean) mean[r] = static_cast<T>(a.n == 0 ? std::numeric_limits<double>::quiet_NaN() : a.mean);
  }
};

// ---- generic row kernels -----------------------------------------------------------------------

// Combines every thread's `a` through shared memory; the result is valid in thread 0. Ends with a
// barrier, so `sh` may be reused right after.
template <class Op>
__device__ typename Op::Acc block_combine(const Op& op, typename Op::Acc a, typename Op::Acc* sh) {
  sh[threadIdx.x] = a;
  __syncthreads();
  for (int w = kThreads / 2; w > 0; w >>= 1) {
    if (static_cast<int>(threadIdx.x) < w) sh[threadIdx.x] = op.combine(sh[threadIdx.x], sh[threadIdx.x + w]);
    __syncthreads();
  }
  a = sh[0];
  __syncthreads();
  return a;
}

// Block (s, r) folds in[r, s*chunk : (s+1)*chunk) and writes the accumulator to part[r*splits+s]
// (splits > 1), or the result of row r (splits == 1, then chunk == cols).
template <class Op>
__global__ void rows_block_kernel(Op op, const typename Op::in_t* in, typename Op::Acc* part, int64_t rows,
                                  int64_t cols, int64_t chunk, int64_t splits) {
  using Acc = typename Op::Acc;
  __shared__ __align__(16) unsigned char raw[kThreads * sizeof(Acc)];
  Acc* sh = reinterpret_cast<Acc*>(raw);
  const int64_t s = blockIdx.x;
  const int64_t begin = s * chunk;
  const int64_t end = begin + chunk < cols ? begin + chunk : cols;
  for (int64_t r = blockIdx.y; r < rows; r += gridDim.y) {
    const typename Op::in_t* row = in + r * cols;
    Acc a = op.identity();
    for (int64_t c = begin + threadIdx.x; c < end; c += blockDim.x) a = op.reduce(a, row[c]);
    a = block_combine(op, a, sh);
    if (threadIdx.x == 0) {
      if (splits == 1)
        op.write(r, a);
      else
        part[r * splits + s] = a;
    }
  }
}

// Row r of the splits x rows partial accumulators folded into its result.
template <class Op>
__global__ void rows_fold_kernel(Op op, const typename Op::Acc* part, int64_t rows, int64_t splits) {
  using Acc = typename Op::Acc;
  __shared__ __align__(16) unsigned char raw[kThreads * sizeof(Acc)];
  Acc* sh = reinterpret_cast<Acc*>(raw);
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    Acc a = op.identity();
    for (int64_t s = threadIdx.x; s < splits; s += blockDim.x) a = op.combine(a, part[r * splits + s]);
    a = block_combine(op, a, sh);
    if (threadIdx.x == 0) op.write(r, a);
  }
}

template <class Op>
__global__ void rows_thread_kernel(Op op, const typename Op::in_t* in, int64_t rows, int64_t cols) {
  for (int64_t r = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; r < rows;
       r += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    typename Op::Acc a = op.identity();
    for (int64_t c = 0; c < cols; ++c) a = op.reduce(a, in[r * cols + c]);
    op.write(r, a);
  }
}

template <class Op>
void run_rows(const Op& op, const void* in, int64_t rows, int64_t cols, void* scratch, cudaStream_t s) {
  using Acc = typename Op::Acc;
  static_assert(sizeof(Acc) <= kMaxAccBytes && alignof(Acc) <= 8);
  if (rows == 0) return;
  const auto* p = static_cast<const typename Op::in_t*>(in);
  if (cols <= kShortRow && rows > 1) {
    rows_thread_kernel<Op><<<grid_for(rows, kThreads), kThreads, 0, s>>>(op, p, rows, cols);
    FX_CUDA_CHECK_LAUNCH();
    return;
  }
  const int64_t splits = splits_for(rows, cols);
  const unsigned grid_y = static_cast<unsigned>(rows < kMaxBlocks ? rows : kMaxBlocks);
  if (splits == 1) {
    rows_block_kernel<Op><<<dim3(1, grid_y), kThreads, 0, s>>>(op, p, nullptr, rows, cols, cols, 1);
    FX_CUDA_CHECK_LAUNCH();
    return;
  }
  // Few long rows: split each over many blocks, then fold the partial accumulators.
  const int64_t chunk = (cols + splits - 1) / splits;
  Acc* part = static_cast<Acc*>(scratch);
  rows_block_kernel<Op>
      <<<dim3(static_cast<unsigned>(splits), grid_y), kThreads, 0, s>>>(op, p, part, rows, cols, chunk, splits);
  FX_CUDA_CHECK_LAUNCH();
  rows_fold_kernel<Op><<<grid_for(rows, 1), kThreads, 0, s>>>(op, part, rows, splits);
  FX_CUDA_CHECK_LAUNCH();
}

template <class T>
void norm_typed(const void* in, void* out, int64_t rows, int64_t cols, RowOp op, double p, void* scratch,
                cudaStream_t s) {
  T* o = static_cast<T*>(out);
  const T tp = static_cast<T>(p);
  switch (op) {
    case RowOp::Norm0: return run_rows(NormOp<T, RowOp::Norm0>{o, tp}, in, rows, cols, scratch, s);
    case RowOp::Norm1: return run_rows(NormOp<T, RowOp::Norm1>{o, tp}, in, rows, cols, scratch, s);
    case RowOp::Norm2: return run_rows(NormOp<T, RowOp::Norm2>{o, tp}, in, rows, cols, scratch, s);
    case RowOp::NormInf: return run_rows(NormOp<T, RowOp::NormInf>{o, tp}, in, rows, cols, scratch, s);
    case RowOp::NormNegInf: return run_rows(NormOp<T, RowOp::NormNegInf>{o, tp}, in, rows, cols, scratch, s);
    case RowOp::NormP: return run_rows(NormOp<T, RowOp::NormP>{o, tp}, in, rows, cols, scratch, s);
    case RowOp::LogSumExp: return run_rows(LogSumExpOp<T>{o}, in, rows, cols, scratch, s);
    default: FX_FAIL("norm/logsumexp: unexpected row op ", static_cast<int>(op));
  }
}

template <class In>
void logical_typed(const void* in, void* out, int64_t rows, int64_t cols, RowOp op, void* scratch, cudaStream_t s) {
  switch (op) {
    case RowOp::All: return run_rows(LogicalOp<In, RowOp::All>{out}, in, rows, cols, scratch, s);
    case RowOp::Any: return run_rows(LogicalOp<In, RowOp::Any>{out}, in, rows, cols, scratch, s);
    case RowOp::CountNonzero: return run_rows(LogicalOp<In, RowOp::CountNonzero>{out}, in, rows, cols, scratch, s);
    default: FX_FAIL("all/any/count_nonzero: unexpected row op ", static_cast<int>(op));
  }
}

// ---- scans -------------------------------------------------------------------------------------

template <class In, class Acc, class Out, bool kProd>
__global__ void scan_columns_kernel(const In* in, Out* out, int64_t outer, int64_t D, int64_t inner, bool reverse) {
  const int64_t n = outer * inner;
  for (int64_t j = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; j < n;
       j += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t o = j / inner, c = j - o * inner;
    const In* x = in + o * D * inner + c;
    Out* y = out + o * D * inner + c;
    Acc acc = Acc(kProd ? 1 : 0);
    for (int64_t k = 0; k < D; ++k) {
      const int64_t i = reverse ? D - 1 - k : k;
      const Acc v = static_cast<Acc>(x[i * inner]);
      acc = kProd ? acc * v : acc + v;
      y[i * inner] = static_cast<Out>(acc);
    }
  }
}

// Long scans with few lines to run in parallel: a block per line ((outer, inner) pair, elements
// `inner` apart), tiles of kThreads elements (Hillis-Steele scan in shared memory) chained by a
// carry.
template <class In, class Acc, class Out, bool kProd>
__global__ void scan_lines_block_kernel(const In* in, Out* out, int64_t lines, int64_t D, int64_t inner, bool reverse) {
  __shared__ Acc sh[kThreads];
  const int tid = static_cast<int>(threadIdx.x);
  const Acc id = Acc(kProd ? 1 : 0);
  for (int64_t l = blockIdx.x; l < lines; l += gridDim.x) {
    const int64_t o = l / inner, c = l - o * inner;
    const In* x = in + o * D * inner + c;
    Out* y = out + o * D * inner + c;
    Acc carry = id;
    for (int64_t t0 = 0; t0 < D; t0 += kThreads) {
      const int64_t k = t0 + tid;
      const int64_t i = reverse ? D - 1 - k : k;
      sh[tid] = k < D ? static_cast<Acc>(x[i * inner]) : id;
      __syncthreads();
      for (int w = 1; w < kThreads; w <<= 1) {
        const Acc add = tid >= w ? sh[tid - w] : id;
        __syncthreads();
        sh[tid] = kProd ? sh[tid] * add : sh[tid] + add;
        __syncthreads();
      }
      if (k < D) y[i * inner] = static_cast<Out>(kProd ? carry * sh[tid] : carry + sh[tid]);
      carry = kProd ? carry * sh[kThreads - 1] : carry + sh[kThreads - 1];
      __syncthreads();  // sh is rewritten by the next tile
    }
  }
}

template <class In, class Acc, class Out>
void scan_typed(const void* in, void* out, int64_t outer, int64_t D, int64_t inner, bool prod, bool reverse,
                cudaStream_t s) {
  const auto* x = static_cast<const In*>(in);
  auto* y = static_cast<Out*>(out);
  const int64_t lines = outer * inner;
  // A block per line for long lines along the last dim, or when there are too few lines to keep
  // the GPU busy with a thread each; a thread per line otherwise (the CPU's order exactly).
  if (D > kLongScan && (inner == 1 || lines < kFewLines)) {
    const unsigned g = grid_for(lines, 1);
    if (prod)
      scan_lines_block_kernel<In, Acc, Out, true><<<g, kThreads, 0, s>>>(x, y, lines, D, inner, reverse);
    else
      scan_lines_block_kernel<In, Acc, Out, false><<<g, kThreads, 0, s>>>(x, y, lines, D, inner, reverse);
  } else {
    const unsigned g = grid_for(lines, kThreads);
    if (prod)
      scan_columns_kernel<In, Acc, Out, true><<<g, kThreads, 0, s>>>(x, y, outer, D, inner, reverse);
    else
      scan_columns_kernel<In, Acc, Out, false><<<g, kThreads, 0, s>>>(x, y, outer, D, inner, reverse);
  }
  FX_CUDA_CHECK_LAUNCH();
}

}  // namespace

size_t reduce_more_scratch_bytes(int64_t rows, int64_t cols) {
  if (cols <= kShortRow && rows > 1) return 0;
  const int64_t splits = splits_for(rows, cols);
  return splits == 1 ? 0 : static_cast<size_t>(rows * splits) * kMaxAccBytes;
}

void reduce_rows_more(const void* in, void* out, int64_t rows, int64_t cols, Ty t, RowOp op, double p, void* scratch,
                      cudaStream_t s) {
  if (op == RowOp::Prod) {
    switch (t) {
      case Ty::F32: return run_rows(ProdOp<float, float, float>{static_cast<float*>(out)}, in, rows, cols, scratch, s);
      case Ty::F64:
        return run_rows(ProdOp<double, double, double>{static_cast<double*>(out)}, in, rows, cols, scratch, s);
      case Ty::I64:
        return run_rows(ProdOp<int64_t, long long, int64_t>{static_cast<int64_t*>(out)}, in, rows, cols, scratch, s);
      case Ty::I32:
        return run_rows(ProdOp<int32_t, long long, int64_t>{static_cast<int64_t*>(out)}, in, rows, cols, scratch, s);
      case Ty::Bool:
        return run_rows(ProdOp<bool, long long, int64_t>{static_cast<int64_t*>(out)}, in, rows, cols, scratch, s);
      default: FX_FAIL("CUDA kernels: unsupported element type ", static_cast<int>(t));
    }
    return;
  }
  if (op == RowOp::All || op == RowOp::Any || op == RowOp::CountNonzero) {
    switch (t) {
      case Ty::F32: return logical_typed<float>(in, out, rows, cols, op, scratch, s);
      case Ty::F64: return logical_typed<double>(in, out, rows, cols, op, scratch, s);
      case Ty::I64: return logical_typed<int64_t>(in, out, rows, cols, op, scratch, s);
      case Ty::I32: return logical_typed<int32_t>(in, out, rows, cols, op, scratch, s);
      case Ty::Bool: return logical_typed<bool>(in, out, rows, cols, op, scratch, s);
      default: FX_FAIL("CUDA kernels: unsupported element type ", static_cast<int>(t));
    }
    return;
  }
  if (t == Ty::F32) return norm_typed<float>(in, out, rows, cols, op, p, scratch, s);
  if (t == Ty::F64) return norm_typed<double>(in, out, rows, cols, op, p, scratch, s);
  FX_FAIL("norm/logsumexp: unsupported element type ", static_cast<int>(t));
}

void var_mean_rows(const void* in, void* var, void* mean, int64_t rows, int64_t cols, Ty t, double correction,
                   bool take_sqrt, void* scratch, cudaStream_t s) {
  if (t == Ty::F32)
    run_rows(WelfordOp<float>{static_cast<float*>(var), static_cast<float*>(mean), correction, take_sqrt}, in, rows,
             cols, scratch, s);
  else if (t == Ty::F64)
    run_rows(WelfordOp<double>{static_cast<double*>(var), static_cast<double*>(mean), correction, take_sqrt}, in, rows,
             cols, scratch, s);
  else
    FX_FAIL("var_mean: unsupported element type ", static_cast<int>(t));
}

void scan_dim(const void* in, void* out, int64_t outer, int64_t D, int64_t inner, Ty t, bool prod, bool reverse,
              cudaStream_t s) {
  if (outer * D * inner == 0) return;
  switch (t) {
    case Ty::F32: return scan_typed<float, double, float>(in, out, outer, D, inner, prod, reverse, s);
    case Ty::F64: return scan_typed<double, double, double>(in, out, outer, D, inner, prod, reverse, s);
    case Ty::I64: return scan_typed<int64_t, long long, int64_t>(in, out, outer, D, inner, prod, reverse, s);
    case Ty::I32: return scan_typed<int32_t, long long, int64_t>(in, out, outer, D, inner, prod, reverse, s);
    case Ty::Bool: return scan_typed<bool, long long, int64_t>(in, out, outer, D, inner, prod, reverse, s);
    default: FX_FAIL("CUDA kernels: unsupported element type ", static_cast<int>(t));
  }
}

}  // namespace fluxion::cuda::kern
