// CUDA batched strided GEMM (kernels/linalg_kernels.h) through cuBLAS, float32 and float64.
// Operands with a unit-stride dim are passed as transpose flags + leading dimensions (no copy);
// others are packed into a contiguous buffer first. The batch dims are merged where every
// operand allows it; the innermost batch dim runs as one cublas<t>gemmStridedBatched call.
// Row-major C = A B is computed as column-major C^T = B^T A^T. TF32 is off unless
// fluxion::cuda::set_allow_tf32(true).
#include <algorithm>
#include <climits>
#include <map>
#include <utility>
#include <vector>

#include "cuda/cuda_check.h"
#include "cuda/iter.h"
#include "fluxion/ops/creation.h"
#include "kernels/linalg_kernels.h"

namespace fluxion::kernels {
namespace {

namespace cd = ::fluxion::cuda::detail;
namespace kern = ::fluxion::cuda::kern;

// How an (r x c) matrix with element strides (rs, cs) is seen as a row-major BLAS operand.
struct Layout {
  bool ok = false;
  bool trans = false;  // stored as its transpose (unit row stride)
  int64_t ld = 0;
};

Layout layout_of(int64_t r, int64_t c, int64_t rs, int64_t cs) {
  const int64_t rmin = std::max<int64_t>(r, 1), cmin = std::max<int64_t>(c, 1);
  if (cs == 1 || c == 1) {
    const int64_t ld = r == 1 ? cmin : rs;
    if (ld >= cmin && ld <= INT_MAX) return {true, false, ld};
  }
  if (rs == 1 || r == 1) {
    const int64_t ld = c == 1 ? rmin : cs;
    if (ld >= rmin && ld <= INT_MAX) return {true, true, ld};
  }
  return {};
}

int device_of(const void* p) {
  cudaPointerAttributes attr{};
  FX_CUDA_CHECK(cudaPointerGetAttributes(&attr, p));
  FX_CHECK(attr.type == cudaMemoryTypeDevice, "matmul: CUDA GEMM got an operand that is not in device memory");
  return attr.device;
}

// Copies a strided (batch..., r, c) operand between two buffers on the device.
void strided_copy(char* dst, const Shape& dst_strides, const char* src, const Shape& src_strides, const Shape& sizes,
                  int64_t elem, cudaStream_t s) {
  int64_t n = 1;
  for (int64_t v : sizes) n *= v;
  if (n == 0) return;
  const kern::Strided<2> it =
      cd::make_strided<2>(sizes, {dst, const_cast<char*>(src)}, {dst_strides.data(), src_strides.data()}, {elem, elem});
  kern::copy_same(it, n, static_cast<int>(elem), s);
}

struct Operand {
  char* data;
  int64_t rows, cols, rs, cs;
  Shape bstrides;
};

Shape full_sizes(const Shape& batch, int64_t r, int64_t c) {
  Shape s = batch;
  s.push_back(r);
  s.push_back(c);
  return s;
}
Shape full_strides(const Operand& o) {
  Shape s = o.bstrides;
  s.push_back(o.rs);
  s.push_back(o.cs);
  return s;
}

// Packs o into a fresh contiguous buffer (kept alive by `keep`); copies the data when `copy_in`.
void pack(Operand& o, const Shape& batch, int64_t elem, Device dev, std::vector<Tensor>& keep, bool copy_in,
          cudaStream_t s) {
  const Shape sizes = full_sizes(batch, o.rows, o.cols);
  int64_t n = 1;
  for (int64_t v : sizes) n *= v;
  Tensor buf = empty({n * elem}, TensorOptions(kUInt8).device(dev));
  keep.push_back(buf);
  const Shape dense = contiguous_strides(sizes);
  if (copy_in) strided_copy(static_cast<char*>(buf.data_ptr()), dense, o.data, full_strides(o), sizes, elem, s);
  o.data = static_cast<char*>(buf.data_ptr());
  o.rs = o.cols;
  o.cs = 1;
  o.bstrides = Shape(dense.begin(), dense.end() - 2);
}

// Float16/BFloat16 products accumulate in float32 (cublasGemmStridedBatchedEx with
// CUBLAS_COMPUTE_32F); alpha and beta are then floats.
template <class T>
constexpr bool kReduced = std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>;
template <class T>
using ScaleT = std::conditional_t<kReduced<T>, float, T>;

template <class T>
void gemm_call(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k, ScaleT<T> alpha,
               const T* a, int lda, long long sa, const T* b, int ldb, long long sb, ScaleT<T> beta, T* c, int ldc,
               long long sc, int count) {
  if constexpr (kReduced<T>) {
    const cudaDataType_t dt = std::is_same_v<T, Half> ? CUDA_R_16F : CUDA_R_16BF;
    FX_CUBLAS_CHECK(cublasGemmStridedBatchedEx(h, ta, tb, m, n, k, &alpha, a, dt, lda, sa, b, dt, ldb, sb, &beta, c, dt,
                                               ldc, sc, count, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  } else if constexpr (std::is_same_v<T, float>)
    FX_CUBLAS_CHECK(
        cublasSgemmStridedBatched(h, ta, tb, m, n, k, &alpha, a, lda, sa, b, ldb, sb, &beta, c, ldc, sc, count));
  else
    FX_CUBLAS_CHECK(
        cublasDgemmStridedBatched(h, ta, tb, m, n, k, &alpha, a, lda, sa, b, ldb, sb, &beta, c, ldc, sc, count));
}

// cublasSetStream puts a handle back on its default workspace, which a GEMM still running on
// another stream may be using (a thread that switches streams, a handle recycled to another
// thread). So each (handle, stream) pair gets its own workspace from the caching allocator,
// allocated on that stream, as PyTorch does: 32 MiB on Hopper and newer, 8 MiB before.
void set_workspace(cublasHandle_t h, int dev, cudaStream_t s) {
  thread_local std::map<std::pair<cublasHandle_t, cudaStream_t>, Tensor> workspaces;
  Tensor& w = workspaces[{h, s}];
  if (!w.defined()) {
    int major = 0;
    FX_CUDA_CHECK(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, dev));
    const int64_t bytes = major >= 9 ? (int64_t{32} << 20) : (int64_t{8} << 20);
    w = empty({bytes}, TensorOptions(kUInt8).device(Device(kCUDA, dev)));
  }
  FX_CUBLAS_CHECK(cublasSetWorkspace(h, w.data_ptr(), static_cast<size_t>(w.numel())));
}

template <class T>
void gemm_cuda(const GemmParams& p) {
  if (p.m == 0 || p.n == 0) return;
  for (int64_t v : p.batch)
    if (v == 0) return;
  const int64_t elem = sizeof(T);
  const int dev = device_of(p.c.data);
  cd::SetDevice guard(dev);
  const cudaStream_t s = cd::current_stream(dev);
  Operand a{p.a.data, p.m, p.k, p.a.rs, p.a.cs, p.a.bstrides};
  Operand b{p.b.data, p.k, p.n, p.b.rs, p.b.cs, p.b.bstrides};
  Operand c{p.c.data, p.m, p.n, p.c.rs, p.c.cs, p.c.bstrides};
  int64_t m = p.m, n = p.n;
  // C must be a non-transposed row-major operand; a column-major C swaps the problem to C^T = B^T A^T.
  Layout lc = layout_of(m, n, c.rs, c.cs);
  if (lc.ok && lc.trans) {
    std::swap(a, b);
    std::swap(a.rs, a.cs);
    std::swap(a.rows, a.cols);
    std::swap(b.rs, b.cs);
    std::swap(b.rows, b.cols);
    std::swap(c.rs, c.cs);
    std::swap(c.rows, c.cols);
    std::swap(m, n);
    lc = layout_of(m, n, c.rs, c.cs);
  }
  std::vector<Tensor> keep;
  const Device device(kCUDA, dev);
  Operand c_out = c;
  const bool beta_zero = p.beta.to_double() == 0.0;
  if (!lc.ok || lc.trans) {
    pack(c, p.batch, elem, device, keep, !beta_zero, s);
    lc = layout_of(m, n, c.rs, c.cs);
  }
  Layout la = layout_of(a.rows, a.cols, a.rs, a.cs);
  Layout lb = layout_of(b.rows, b.cols, b.rs, b.cs);
  if (p.k == 0) {  // C = beta * C: A and B are never read, any valid leading dims will do
    la = {true, false, 1};
    lb = {true, false, std::max<int64_t>(n, 1)};
  }
  if (!la.ok) {
    pack(a, p.batch, elem, device, keep, true, s);
    la = layout_of(a.rows, a.cols, a.rs, a.cs);
  }
  if (!lb.ok) {
    pack(b, p.batch, elem, device, keep, true, s);
    lb = layout_of(b.rows, b.cols, b.rs, b.cs);
  }
  FX_CHECK(m <= INT_MAX && n <= INT_MAX && p.k <= INT_MAX,
           "matmul: matrix dims above INT_MAX are not supported on CUDA");
  // Merge batch dims that every operand walks as one.
  Shape bs;
  std::vector<Shape> st(3);
  for (size_t d = 0; d < p.batch.size(); ++d) {
    const int64_t sz = p.batch[d];
    const int64_t sd[3] = {a.bstrides[d], b.bstrides[d], c.bstrides[d]};
    if (sz == 1) continue;
    if (!bs.empty() && st[0].back() == sd[0] * sz && st[1].back() == sd[1] * sz && st[2].back() == sd[2] * sz) {
      bs.back() *= sz;
      for (int k = 0; k < 3; ++k) st[k].back() = sd[k];
      continue;
    }
    bs.push_back(sz);
    for (int k = 0; k < 3; ++k) st[k].push_back(sd[k]);
  }
  const int64_t inner = bs.empty() ? 1 : bs.back();
  FX_CHECK(inner <= INT_MAX, "matmul: batch above INT_MAX is not supported on CUDA");
  const long long sa = bs.empty() ? 0 : st[0].back(), sb = bs.empty() ? 0 : st[1].back();
  const long long sc = bs.empty() ? 0 : st[2].back();
  int64_t outer = 1;
  for (size_t d = 0; d + 1 < bs.size(); ++d) outer *= bs[d];
  const ScaleT<T> alpha = static_cast<ScaleT<T>>(p.alpha.to_double());
  const ScaleT<T> beta = static_cast<ScaleT<T>>(p.beta.to_double());
  cublasHandle_t h = cd::cublas_handle(dev);
  set_workspace(h, dev, s);
  for (int64_t o = 0; o < outer; ++o) {
    int64_t rem = o, offa = 0, offb = 0, offc = 0;
    for (int64_t d = static_cast<int64_t>(bs.size()) - 2; d >= 0; --d) {
      const int64_t idx = rem % bs[d];
      rem /= bs[d];
      offa += idx * st[0][d];
      offb += idx * st[1][d];
      offc += idx * st[2][d];
    }
    const T* pa = reinterpret_cast<const T*>(a.data) + offa;
    const T* pb = reinterpret_cast<const T*>(b.data) + offb;
    T* pc = reinterpret_cast<T*>(c.data) + offc;
    gemm_call<T>(h, lb.trans ? CUBLAS_OP_T : CUBLAS_OP_N, la.trans ? CUBLAS_OP_T : CUBLAS_OP_N, static_cast<int>(n),
                 static_cast<int>(m), static_cast<int>(p.k), alpha, pb, static_cast<int>(lb.ld), sb, pa,
                 static_cast<int>(la.ld), sa, beta, pc, static_cast<int>(lc.ld), sc, static_cast<int>(inner));
  }
  if (c.data != c_out.data)
    strided_copy(c_out.data, full_strides(c_out), c.data, full_strides(c), full_sizes(p.batch, m, n), elem, s);
}

}  // namespace

FX_REGISTER_KERNEL(gemm_kernel, DeviceType::CUDA, DType::Float32, &gemm_cuda<float>);
FX_REGISTER_KERNEL(gemm_kernel, DeviceType::CUDA, DType::Float64, &gemm_cuda<double>);
FX_REGISTER_KERNEL(gemm_kernel, DeviceType::CUDA, DType::Float16, &gemm_cuda<Half>);
FX_REGISTER_KERNEL(gemm_kernel, DeviceType::CUDA, DType::BFloat16, &gemm_cuda<BFloat16>);

}  // namespace fluxion::kernels
