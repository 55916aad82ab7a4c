// CPU cumsum / cumprod along one dim of a contiguous tensor viewed as [outer, D, inner]
// (optionally from the end: the reverse scans the VJPs use). The running value is kept in
// double for floating types (as PyTorch's CPU kernel does) and int64 for integers and bools,
// which is also the output dtype for those.
#include "kernels/cpu/reduce_engine.h"
#include "kernels/reduce_kernels.h"

namespace fluxion::kernels {
FX_DEFINE_KERNEL(cumsum_kernel, ScanFn);
FX_DEFINE_KERNEL(cumprod_kernel, ScanFn);

namespace {

using reduce::compute_t;
constexpr int64_t kChunk = 64;

template <class T, bool kProd>
void scan_typed(const Tensor& out, const Tensor& in, int64_t dim, bool reverse) {
  constexpr bool kFloat = std::is_floating_point_v<compute_t<T>>;
  using acc_t = std::conditional_t<kFloat, double, int64_t>;
  using out_t = std::conditional_t<kFloat, T, int64_t>;
  FX_ASSERT(out.dtype() == dtype_of<out_t>, "scan kernel: unexpected output dtype");
  const Shape& sz = in.sizes();
  int64_t outer = 1, inner = 1;
  const int64_t D = in.dim() == 0 ? 1 : sz[dim];
  for (int64_t d = 0; d < dim; ++d) outer *= sz[d];
  for (int64_t d = dim + 1; d < in.dim(); ++d) inner *= sz[d];
  const T* x = in.data_ptr<T>();
  out_t* y = out.data_ptr<out_t>();
  auto step = [](acc_t a, T v) {
    if constexpr (kProd)
      return a * static_cast<acc_t>(v);
    else
      return a + static_cast<acc_t>(v);
  };
  const int64_t n_chunks = (inner + kChunk - 1) / kChunk;
  parallel_for(outer * n_chunks, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(D * std::min(inner, kChunk), 1)),
               [&](int64_t b, int64_t e) {
                 acc_t acc[kChunk];
                 for (int64_t u = b; u < e; ++u) {
                   const int64_t r = u / n_chunks, c0 = (u % n_chunks) * kChunk;
                   const int64_t cw = std::min(kChunk, inner - c0);
                   const T* xp = x + r * D * inner + c0;
                   out_t* yp = y + r * D * inner + c0;
                   for (int64_t c = 0; c < cw; ++c) acc[c] = acc_t(kProd ? 1 : 0);
                   for (int64_t k = 0; k < D; ++k) {
                     const int64_t i = reverse ? D - 1 - k : k;
                     for (int64_t c = 0; c < cw; ++c) {
                       acc[c] = step(acc[c], xp[i * inner + c]);
                       yp[i * inner + c] = static_cast<out_t>(acc[c]);
                     }
                   }
                 }
               });
}

template <bool kProd>
void scan_cpu(const Tensor& out, const Tensor& in, int64_t dim, bool reverse) {
  FX_ASSERT(in.is_contiguous() && out.is_contiguous(), "scan kernel: expects contiguous tensors");
  if (in.numel() == 0) return;
  FX_DISPATCH_ALL_TYPES(in.dtype(), kProd ? "cumprod" : "cumsum",
                        [&] { scan_typed<scalar_t, kProd>(out, in, dim, reverse); });
}

bool register_all() {
  for (int t = 0; t < kNumDTypes; ++t) {
    cumsum_kernel.set(DeviceType::CPU, static_cast<DType>(t), &scan_cpu<false>);
    cumprod_kernel.set(DeviceType::CPU, static_cast<DType>(t), &scan_cpu<true>);
  }
  return true;
}
const bool registered = register_all();

}  // namespace
}  // namespace fluxion::kernels
