// CUDA random sampling: one thread per Philox block, writing the block's 4 (32-bit draws) or 2
// (64-bit draws) elements with the sampling formulas the CPU uses (kernels/random_functors.h).
// Uniform, Bernoulli and integer draws equal the CPU's bit for bit (products and sums are
// rounded separately, no FMA contraction); normal and exponential samples go through the
// device's log/sin/cos and agree with the CPU to a few ulp.
#include <type_traits>

#include "cuda/cuda_check.h"
#include "cuda/random_launch.h"
#include "kernels/random_functors.h"

namespace fluxion::cuda::kern {
namespace {

namespace rnd = ::fluxion::kernels::rnd;
constexpr int kThreads = 256;

template <class T>
__device__ void store(T* o, int64_t i, double v) {
  o[i] = static_cast<T>(v);
}

template <class T>
__device__ void store_int(T* o, int64_t i, int64_t v) {
  if constexpr (std::is_same_v<T, bool>)
    o[i] = v != 0;
  else if constexpr (std::is_integral_v<T>)
    o[i] = static_cast<T>(v);
  else
    o[i] = static_cast<T>(static_cast<double>(v));
}

// The value of element i (lane `lane` of its block) for the floating distributions.
__device__ float sample32(const RandomArgs& a, const rnd::U32x4& b, int lane) {
  const float fa = static_cast<float>(a.a);
  switch (a.dist) {
    case RandomDist::Uniform: {
      const float span = static_cast<float>(a.b - a.a);
      return __fadd_rn(fa, __fmul_rn(span, rnd::uniform32(b, lane)));
    }
    case RandomDist::Normal: return __fadd_rn(fa, __fmul_rn(static_cast<float>(a.b), rnd::normal32(b, lane)));
    default: return -log1pf(-rnd::uniform32(b, lane)) / fa;  // Exponential
  }
}
__device__ double sample64(const RandomArgs& a, const rnd::U32x4& b, int lane) {
  switch (a.dist) {
    case RandomDist::Uniform: return __dadd_rn(a.a, __dmul_rn(a.b - a.a, rnd::uniform64(b, lane)));
    case RandomDist::Normal: return __dadd_rn(a.a, __dmul_rn(a.b, rnd::normal64(b, lane)));
    default: return -log1p(-rnd::uniform64(b, lane)) / a.a;  // Exponential
  }
}

template <class T>
__global__ void random_kernel(T* out, int64_t n, RandomArgs a) {
  const int per = a.wide ? 2 : 4;
  const int64_t blocks = (n + per - 1) / per;
  for (int64_t c = static_cast<int64_t>(blockIdx.x) * kThreads + threadIdx.x; c < blocks;
       c += static_cast<int64_t>(gridDim.x) * kThreads) {
    const rnd::U32x4 blk = philox_impl::block(a.offset + static_cast<uint64_t>(c), a.seed);
    for (int lane = 0; lane < per; ++lane) {
      const int64_t i = c * per + lane;
      if (i >= n) break;
      switch (a.dist) {
        case RandomDist::Uniform:
        case RandomDist::Normal:
        case RandomDist::Exponential:
          if constexpr (std::is_same_v<T, double>)
            out[i] = sample64(a, blk, lane);
          else if constexpr (std::is_same_v<T, float>)
            out[i] = sample32(a, blk, lane);
          break;
        case RandomDist::Bernoulli: store(out, i, rnd::uniform64(blk, lane) < a.a ? 1.0 : 0.0); break;
        case RandomDist::BernoulliP: store(out, i, rnd::uniform64(blk, lane) < a.p[i] ? 1.0 : 0.0); break;
        case RandomDist::Integer: {
          const uint64_t bits = a.wide ? rnd::word64(blk, lane) : rnd::word32(blk, lane);
          store_int(out, i, static_cast<int64_t>(static_cast<uint64_t>(a.low) + bits % a.range));
          break;
        }
      }
    }
  }
}

template <class T>
void launch(void* out, int64_t n, const RandomArgs& a, cudaStream_t s) {
  const int64_t per = a.wide ? 2 : 4;
  int64_t blocks = ((n + per - 1) / per + kThreads - 1) / kThreads;
  if (blocks > 65535 * 8) blocks = 65535 * 8;  // grid-stride beyond this
  random_kernel<T><<<static_cast<unsigned>(blocks), kThreads, 0, s>>>(static_cast<T*>(out), n, a);
  FX_CUDA_CHECK_LAUNCH();
}

}  // namespace

void random_fill(void* out, int64_t n, Ty t, const RandomArgs& a, cudaStream_t s) {
  if (n == 0) return;
  const bool floating_dist =
      a.dist == RandomDist::Uniform || a.dist == RandomDist::Normal || a.dist == RandomDist::Exponential;
  FX_CHECK(!floating_dist || t == Ty::F32 || t == Ty::F64,
           "random sampling on CUDA: uniform/normal/exponential need float32 or float64");
  switch (t) {
    case Ty::F32: launch<float>(out, n, a, s); break;
    case Ty::F64: launch<double>(out, n, a, s); break;
    case Ty::I64: launch<int64_t>(out, n, a, s); break;
    case Ty::I32: launch<int32_t>(out, n, a, s); break;
    case Ty::Bool: launch<bool>(out, n, a, s); break;
    default: FX_FAIL("random sampling: not implemented on CUDA for this dtype");
  }
}

}  // namespace fluxion::cuda::kern
