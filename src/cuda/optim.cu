// CUDA fused optimiser steps: every rule of kernels/optim_kernels.h (SGD, Adam/AdamW, RMSprop,
// Adagrad, Adadelta, Adamax, NAdam, RAdam), one pass over each parameter calling the per-element
// functions the CPU kernels use (kernels/optim_functors.h), so the CPU tests check the formulas
// the GPU runs. The options are kernel arguments (uniform branches): one kernel per rule and
// dtype. nvcc may contract a * b + c into FMAs, so results agree with the CPU to rounding.
#include <vector>

#include "cuda/cuda_check.h"
#include "cuda/optim_launch.h"
#include "kernels/optim_functors.h"

namespace fluxion::cuda::kern {
namespace {

namespace of = ::fluxion::kernels::optim_fn;
using namespace ::fluxion::kernels;

constexpr int kThreads = 256;

template <class Op>
__global__ void step_kernel(int64_t n, Op op) {
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x)
    op(i);
}

template <class Op>
void launch(int64_t n, const Op& op, cudaStream_t s) {
  if (n == 0) return;
  int64_t blocks = (n + kThreads - 1) / kThreads;
  if (blocks > 65535 * 8) blocks = 65535 * 8;  // grid-stride beyond this
  step_kernel<<<static_cast<unsigned>(blocks), kThreads, 0, s>>>(n, op);
  FX_CUDA_CHECK_LAUNCH();
}

// Each Op holds the rule's scalars and flags (computed on the host, as the CPU does) and the
// buffers, and updates element i.
template <class T>
struct SgdOp {
  explicit SgdOp(const SGDKernelArgs& a)
      : s(of::sgd_scalars<T>(a)),
        p(static_cast<T*>(a.param)),
        g(static_cast<const T*>(a.grad)),
        buf(static_cast<T*>(a.momentum_buffer)),
        n(a.n),
        l2(of::uses_l2(a)),
        mom(a.momentum != 0),
        init(a.init_buffer),
        nesterov(a.nesterov) {}
  __device__ void operator()(int64_t i) const { of::sgd_element<T, T>(l2, mom, init, nesterov, s, p, g, buf, i); }
  of::SgdScalars<T> s;
  T* p;
  const T* g;
  T* buf;
  int64_t n;
  bool l2, mom, init, nesterov;
};

template <class T>
struct AdamOp {
  explicit AdamOp(const AdamKernelArgs& a)
      : s(of::adam_scalars<T>(a)),
        p(static_cast<T*>(a.param)),
        g(static_cast<const T*>(a.grad)),
        m1(static_cast<T*>(a.exp_avg)),
        m2(static_cast<T*>(a.exp_avg_sq)),
        mx(static_cast<T*>(a.max_exp_avg_sq)),
        n(a.n),
        l2(of::uses_l2(a)),
        decoupled(of::uses_decoupled_decay(a)),
        amsgrad(a.amsgrad),
        low(of::lerp_low(s.w1)) {}
  __device__ void operator()(int64_t i) const {
    of::adam_element<T, T>(l2, decoupled, amsgrad, low, s, p, g, m1, m2, mx, i);
  }
  of::AdamScalars<T> s;
  T* p;
  const T* g;
  T *m1, *m2, *mx;
  int64_t n;
  bool l2, decoupled, amsgrad, low;
};

template <class T>
struct RmspropOp {
  explicit RmspropOp(const RMSpropKernelArgs& a)
      : s(of::rmsprop_scalars<T>(a)),
        p(static_cast<T*>(a.param)),
        g(static_cast<const T*>(a.grad)),
        sq(static_cast<T*>(a.square_avg)),
        ga(static_cast<T*>(a.grad_avg)),
        buf(static_cast<T*>(a.momentum_buffer)),
        l2(of::uses_l2(a)),
        centered(a.centered),
        mom(a.momentum > 0),
        low(of::lerp_low(s.one_m_alpha)) {}
  __device__ void operator()(int64_t i) const {
    of::rmsprop_element<T, T>(l2, centered, mom, low, s, p, g, sq, ga, buf, i);
  }
  of::RmspropScalars<T> s;
  T* p;
  const T* g;
  T *sq, *ga, *buf;
  bool l2, centered, mom, low;
};

template <class T>
struct AdagradOp {
  explicit AdagradOp(const AdagradKernelArgs& a)
      : s(of::adagrad_scalars<T>(a)),
        p(static_cast<T*>(a.param)),
        g(static_cast<const T*>(a.grad)),
        sum(static_cast<T*>(a.sum)),
        l2(of::uses_l2(a)) {}
  __device__ void operator()(int64_t i) const { of::adagrad_element<T, T>(l2, s, p, g, sum, i); }
  of::AdagradScalars<T> s;
  T* p;
  const T* g;
  T* sum;
  bool l2;
};

template <class T>
struct AdadeltaOp {
  explicit AdadeltaOp(const AdadeltaKernelArgs& a)
      : s(of::adadelta_scalars<T>(a)),
        p(static_cast<T*>(a.param)),
        g(static_cast<const T*>(a.grad)),
        sq(static_cast<T*>(a.square_avg)),
        acc(static_cast<T*>(a.acc_delta)),
        l2(of::uses_l2(a)) {}
  __device__ void operator()(int64_t i) const { of::adadelta_element<T, T>(l2, s, p, g, sq, acc, i); }
  of::AdadeltaScalars<T> s;
  T* p;
  const T* g;
  T *sq, *acc;
  bool l2;
};

template <class T>
struct AdamaxOp {
  explicit AdamaxOp(const AdamaxKernelArgs& a)
      : s(of::adamax_scalars<T>(a)),
        p(static_cast<T*>(a.param)),
        g(static_cast<const T*>(a.grad)),
        m1(static_cast<T*>(a.exp_avg)),
        u(static_cast<T*>(a.exp_inf)),
        l2(of::uses_l2(a)),
        low(of::lerp_low(s.w1)) {}
  __device__ void operator()(int64_t i) const { of::adamax_element<T, T>(l2, low, s, p, g, m1, u, i); }
  of::AdamaxScalars<T> s;
  T* p;
  const T* g;
  T *m1, *u;
  bool l2, low;
};

template <class T>
struct NadamOp {
  explicit NadamOp(const NAdamKernelArgs& a)
      : s(of::nadam_scalars<T>(a)),
        p(static_cast<T*>(a.param)),
        g(static_cast<const T*>(a.grad)),
        m1(static_cast<T*>(a.exp_avg)),
        m2(static_cast<T*>(a.exp_avg_sq)),
        l2(of::uses_l2(a)),
        decoupled(of::uses_decoupled_decay(a)),
        low(of::lerp_low(s.w1)) {}
  __device__ void operator()(int64_t i) const { of::nadam_element<T, T>(l2, decoupled, low, s, p, g, m1, m2, i); }
  of::NadamScalars<T> s;
  T* p;
  const T* g;
  T *m1, *m2;
  bool l2, decoupled, low;
};

template <class T>
struct RadamOp {
  explicit RadamOp(const RAdamKernelArgs& a)
      : s(of::radam_scalars<T>(a)),
        p(static_cast<T*>(a.param)),
        g(static_cast<const T*>(a.grad)),
        m1(static_cast<T*>(a.exp_avg)),
        m2(static_cast<T*>(a.exp_avg_sq)),
        l2(of::uses_l2(a)),
        decoupled(of::uses_decoupled_decay(a)),
        rect(a.rectified),
        low(of::lerp_low(s.w1)) {}
  __device__ void operator()(int64_t i) const { of::radam_element<T, T>(l2, decoupled, rect, low, s, p, g, m1, m2, i); }
  of::RadamScalars<T> s;
  T* p;
  const T* g;
  T *m1, *m2;
  bool l2, decoupled, rect, low;
};

// Multi-tensor form: blockIdx.y picks the parameter, the x blocks stride over its elements.
template <class Op>
__global__ void multi_step_kernel(const Op* ops) {
  const Op op = ops[blockIdx.y];
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < op.n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x)
    op(i);
}

// The Ops of `count` parameters are uploaded into `scratch` (multi_step_bytes) and run in
// launches of up to 65535 parameters (the grid's y limit).
template <class Op, class Args>
void launch_multi(const Args* args, int64_t count, void* scratch, cudaStream_t s) {
  std::vector<Op> ops;
  ops.reserve(static_cast<size_t>(count));
  int64_t max_n = 0;
  for (int64_t i = 0; i < count; ++i) {
    ops.emplace_back(args[i]);
    max_n = args[i].n > max_n ? args[i].n : max_n;
  }
  if (count == 0 || max_n == 0) return;
  Op* dev_ops = static_cast<Op*>(scratch);
  // From pageable memory: returns once `ops` has been staged, so it may be freed afterwards.
  FX_CUDA_CHECK(cudaMemcpyAsync(dev_ops, ops.data(), sizeof(Op) * ops.size(), cudaMemcpyHostToDevice, s));
  int64_t bx = (max_n + kThreads - 1) / kThreads;
  if (bx > 1024) bx = 1024;  // grid-stride beyond this
  for (int64_t first = 0; first < count; first += 65535) {
    const int64_t chunk = count - first < 65535 ? count - first : 65535;
    multi_step_kernel<Op>
        <<<dim3(static_cast<unsigned>(bx), static_cast<unsigned>(chunk)), kThreads, 0, s>>>(dev_ops + first);
    FX_CUDA_CHECK_LAUNCH();
  }
}

template <template <class> class Op, class Args>
void step_multi(const Args* a, int64_t count, Ty t, void* scratch, cudaStream_t s, const char* name) {
  if (t == Ty::F32)
    launch_multi<Op<float>>(a, count, scratch, s);
  else if (t == Ty::F64)
    launch_multi<Op<double>>(a, count, scratch, s);
  else
    FX_FAIL(name, " step: not implemented on CUDA for this dtype (float32 and float64 are)");
}

template <template <class> class Op, class Args>
void step(const Args& a, Ty t, cudaStream_t s, const char* name) {
  if (t == Ty::F32)
    launch(a.n, Op<float>(a), s);
  else if (t == Ty::F64)
    launch(a.n, Op<double>(a), s);
  else
    FX_FAIL(name, " step: not implemented on CUDA for this dtype (float32 and float64 are)");
}

}  // namespace

size_t multi_step_bytes(int64_t count) {
  const size_t op = sizeof(AdamOp<double>) > sizeof(SgdOp<double>) ? sizeof(AdamOp<double>) : sizeof(SgdOp<double>);
  return op * static_cast<size_t>(count);
}
void sgd_multi_step(const SGDKernelArgs* a, int64_t count, Ty t, void* scratch, cudaStream_t s) {
  step_multi<SgdOp>(a, count, t, scratch, s, "SGD");
}
void adam_multi_step(const AdamKernelArgs* a, int64_t count, Ty t, void* scratch, cudaStream_t s) {
  step_multi<AdamOp>(a, count, t, scratch, s, "Adam");
}

void sgd_step(const SGDKernelArgs& a, Ty t, cudaStream_t s) { step<SgdOp>(a, t, s, "SGD"); }
void adam_step(const AdamKernelArgs& a, Ty t, cudaStream_t s) { step<AdamOp>(a, t, s, "Adam"); }
void rmsprop_step(const RMSpropKernelArgs& a, Ty t, cudaStream_t s) { step<RmspropOp>(a, t, s, "RMSprop"); }
void adagrad_step(const AdagradKernelArgs& a, Ty t, cudaStream_t s) { step<AdagradOp>(a, t, s, "Adagrad"); }
void adadelta_step(const AdadeltaKernelArgs& a, Ty t, cudaStream_t s) { step<AdadeltaOp>(a, t, s, "Adadelta"); }
void adamax_step(const AdamaxKernelArgs& a, Ty t, cudaStream_t s) { step<AdamaxOp>(a, t, s, "Adamax"); }
void nadam_step(const NAdamKernelArgs& a, Ty t, cudaStream_t s) { step<NadamOp>(a, t, s, "NAdam"); }
void radam_step(const RAdamKernelArgs& a, Ty t, cudaStream_t s) { step<RadamOp>(a, t, s, "RAdam"); }

}  // namespace fluxion::cuda::kern
