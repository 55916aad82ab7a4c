// CUDA elementwise kernels: fill, copy/convert, unary, binary, compare. One generic launcher per
// shape of operation (map0/map1/map2), each with a vectorised contiguous path (4 elements per
// thread, 16-byte loads when aligned) and a generic strided path (offsets from coordinates,
// stride 0 broadcasts). The per-element math is the shared FX_HOST_DEVICE code of
// kernels/functors.h, so the CPU tests check the formulas these kernels run. The op is a runtime
// switch inside one kernel per dtype (uniform across a warp), which keeps nvcc's work small.
#include <cmath>
#include <limits>

#include "cuda/cuda_check.h"
#include "cuda/launch.h"
#include "kernels/functors.h"

namespace fluxion::cuda::kern {
namespace {

constexpr int kThreads = 256;
constexpr int kVec = 4;

template <class T, int V>
struct alignas(sizeof(T) * V) Vec {
  T v[V];
};

// Half and BFloat16 are stored in 16 bits and computed in float (as the CPU kernels do), so
// each result is rounded once.
template <class T>
constexpr bool kReduced = std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>;

int blocks_for(int64_t n, int per_thread) {
  const int64_t per_block = int64_t{kThreads} * per_thread;
  int64_t b = (n + per_block - 1) / per_block;
  if (b < 1) b = 1;
  if (b > (int64_t{1} << 20)) b = int64_t{1} << 20;  // grid-stride loops cover the rest
  return static_cast<int>(b);
}

bool aligned(const void* p, size_t bytes) { return reinterpret_cast<uintptr_t>(p) % bytes == 0; }

template <int N>
__device__ __forceinline__ void offsets(const Strided<N>& it, int64_t i, char* (&p)[N]) {
  int64_t off[N];
#pragma unroll
  for (int k = 0; k < N; ++k) off[k] = 0;
  for (int d = it.nd - 1; d >= 0; --d) {
    const int64_t sz = it.sizes[d];
    const int64_t idx = i % sz;
    i /= sz;
#pragma unroll
    for (int k = 0; k < N; ++k) off[k] += idx * it.strides[k][d];
  }
#pragma unroll
  for (int k = 0; k < N; ++k) p[k] = it.data[k] + off[k];
}

__device__ __forceinline__ int64_t first_index(int per_thread) {
  return (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) * per_thread;
}
__device__ __forceinline__ int64_t grid_step(int per_thread) {
  return static_cast<int64_t>(gridDim.x) * blockDim.x * per_thread;
}

// ---- generic kernels ------------------------------------------------------------------------

template <class Out>
__global__ void map0_contig(Out* o, int64_t n, Out v, bool vec_ok) {
  for (int64_t base = first_index(kVec); base < n; base += grid_step(kVec)) {
    if (vec_ok && base + kVec <= n) {
      Vec<Out, kVec> ov;
#pragma unroll
      for (int j = 0; j < kVec; ++j) ov.v[j] = v;
      *reinterpret_cast<Vec<Out, kVec>*>(o + base) = ov;
    } else {
      for (int j = 0; j < kVec && base + j < n; ++j) o[base + j] = v;
    }
  }
}
template <class Out>
__global__ void map0_strided(Strided<1> it, int64_t n, Out v) {
  for (int64_t i = first_index(1); i < n; i += grid_step(1)) {
    char* p[1];
    offsets(it, i, p);
    *reinterpret_cast<Out*>(p[0]) = v;
  }
}

template <class Out, class In, class F>
__global__ void map1_contig(Out* o, const In* x, int64_t n, F f, bool vec_ok) {
  for (int64_t base = first_index(kVec); base < n; base += grid_step(kVec)) {
    if (vec_ok && base + kVec <= n) {
      const Vec<In, kVec> xv = *reinterpret_cast<const Vec<In, kVec>*>(x + base);
      Vec<Out, kVec> ov;
#pragma unroll
      for (int j = 0; j < kVec; ++j) ov.v[j] = f(xv.v[j]);
      *reinterpret_cast<Vec<Out, kVec>*>(o + base) = ov;
    } else {
      for (int j = 0; j < kVec && base + j < n; ++j) o[base + j] = f(x[base + j]);
    }
  }
}
template <class Out, class In, class F>
__global__ void map1_strided(Strided<2> it, int64_t n, F f) {
  for (int64_t i = first_index(1); i < n; i += grid_step(1)) {
    char* p[2];
    offsets(it, i, p);
    *reinterpret_cast<Out*>(p[0]) = f(*reinterpret_cast<const In*>(p[1]));
  }
}

template <class Out, class A, class B, class F>
__global__ void map2_contig(Out* o, const A* a, const B* b, int64_t n, F f, bool vec_ok) {
  for (int64_t base = first_index(kVec); base < n; base += grid_step(kVec)) {
    if (vec_ok && base + kVec <= n) {
      const Vec<A, kVec> av = *reinterpret_cast<const Vec<A, kVec>*>(a + base);
      const Vec<B, kVec> bv = *reinterpret_cast<const Vec<B, kVec>*>(b + base);
      Vec<Out, kVec> ov;
#pragma unroll
      for (int j = 0; j < kVec; ++j) ov.v[j] = f(av.v[j], bv.v[j]);
      *reinterpret_cast<Vec<Out, kVec>*>(o + base) = ov;
    } else {
      for (int j = 0; j < kVec && base + j < n; ++j) o[base + j] = f(a[base + j], b[base + j]);
    }
  }
}
template <class Out, class A, class B, class F>
__global__ void map2_strided(Strided<3> it, int64_t n, F f) {
  for (int64_t i = first_index(1); i < n; i += grid_step(1)) {
    char* p[3];
    offsets(it, i, p);
    *reinterpret_cast<Out*>(p[0]) = f(*reinterpret_cast<const A*>(p[1]), *reinterpret_cast<const B*>(p[2]));
  }
}

template <class Out, class A, class B, class C, class F>
__global__ void map3_contig(Out* o, const A* a, const B* b, const C* c, int64_t n, F f) {
  for (int64_t i = first_index(1); i < n; i += grid_step(1)) o[i] = f(a[i], b[i], c[i]);
}
template <class Out, class A, class B, class C, class F>
__global__ void map3_strided(Strided<4> it, int64_t n, F f) {
  for (int64_t i = first_index(1); i < n; i += grid_step(1)) {
    char* p[4];
    offsets(it, i, p);
    *reinterpret_cast<Out*>(p[0]) =
        f(*reinterpret_cast<const A*>(p[1]), *reinterpret_cast<const B*>(p[2]), *reinterpret_cast<const C*>(p[3]));
  }
}

// ---- host launchers -------------------------------------------------------------------------

template <class Out>
void launch_map0(const Strided<1>& it, int64_t n, Out v, cudaStream_t s) {
  if (it.contiguous) {
    Out* o = reinterpret_cast<Out*>(it.data[0]);
    map0_contig<Out><<<blocks_for(n, kVec), kThreads, 0, s>>>(o, n, v, aligned(o, sizeof(Out) * kVec));
  } else {
    map0_strided<Out><<<blocks_for(n, 1), kThreads, 0, s>>>(it, n, v);
  }
  FX_CUDA_CHECK_LAUNCH();
}

template <class Out, class In, class F>
void launch_map1(const Strided<2>& it, int64_t n, F f, cudaStream_t s) {
  if (it.contiguous) {
    Out* o = reinterpret_cast<Out*>(it.data[0]);
    const In* x = reinterpret_cast<const In*>(it.data[1]);
    const bool vec_ok = aligned(o, sizeof(Out) * kVec) && aligned(x, sizeof(In) * kVec);
    map1_contig<Out, In, F><<<blocks_for(n, kVec), kThreads, 0, s>>>(o, x, n, f, vec_ok);
  } else {
    map1_strided<Out, In, F><<<blocks_for(n, 1), kThreads, 0, s>>>(it, n, f);
  }
  FX_CUDA_CHECK_LAUNCH();
}

template <class Out, class A, class B, class F>
void launch_map2(const Strided<3>& it, int64_t n, F f, cudaStream_t s) {
  if (it.contiguous) {
    Out* o = reinterpret_cast<Out*>(it.data[0]);
    const A* a = reinterpret_cast<const A*>(it.data[1]);
    const B* b = reinterpret_cast<const B*>(it.data[2]);
    const bool vec_ok = aligned(o, sizeof(Out) * kVec) && aligned(a, sizeof(A) * kVec) && aligned(b, sizeof(B) * kVec);
    map2_contig<Out, A, B, F><<<blocks_for(n, kVec), kThreads, 0, s>>>(o, a, b, n, f, vec_ok);
  } else {
    map2_strided<Out, A, B, F><<<blocks_for(n, 1), kThreads, 0, s>>>(it, n, f);
  }
  FX_CUDA_CHECK_LAUNCH();
}

template <class Out, class A, class B, class C, class F>
void launch_map3(const Strided<4>& it, int64_t n, F f, cudaStream_t s) {
  if (it.contiguous) {
    map3_contig<Out, A, B, C, F><<<blocks_for(n, 1), kThreads, 0, s>>>(
        reinterpret_cast<Out*>(it.data[0]), reinterpret_cast<const A*>(it.data[1]),
        reinterpret_cast<const B*>(it.data[2]), reinterpret_cast<const C*>(it.data[3]), n, f);
  } else {
    map3_strided<Out, A, B, C, F><<<blocks_for(n, 1), kThreads, 0, s>>>(it, n, f);
  }
  FX_CUDA_CHECK_LAUNCH();
}

/// The operand list of a two-tensor op with one operand replaced by a number.
Strided<2> drop_operand(const Strided<3>& it) {
  Strided<2> r;
  r.data[0] = it.data[0];
  r.data[1] = it.data[1];
  r.nd = it.nd;
  r.contiguous = it.contiguous;
  for (int d = 0; d < it.nd; ++d) {
    r.sizes[d] = it.sizes[d];
    r.strides[0][d] = it.strides[0][d];
    r.strides[1][d] = it.strides[1][d];
  }
  return r;
}

// ---- copy / convert -------------------------------------------------------------------------

template <class D, class S>
struct ConvertF {
  __device__ D operator()(S v) const {
    if constexpr (kReduced<S>)  // through float, as the CPU's cast_value
      return ConvertF<D, float>{}(static_cast<float>(v));
    else if constexpr (std::is_same_v<D, bool>)
      return v != S(0);
    else if constexpr (kReduced<D>)
      return D(static_cast<float>(v));
    else
      return static_cast<D>(v);
  }
};
struct IdentityU8 {
  __device__ uint8_t operator()(uint8_t v) const { return v; }
};
struct IdentityU16 {
  __device__ uint16_t operator()(uint16_t v) const { return v; }
};
struct IdentityU32 {
  __device__ uint32_t operator()(uint32_t v) const { return v; }
};
struct IdentityU64 {
  __device__ uint64_t operator()(uint64_t v) const { return v; }
};

template <class D>
void convert_from(const Strided<2>& it, int64_t n, Ty src, cudaStream_t s) {
  switch (src) {
    case Ty::F32: return launch_map1<D, float>(it, n, ConvertF<D, float>{}, s);
    case Ty::F64: return launch_map1<D, double>(it, n, ConvertF<D, double>{}, s);
    case Ty::I64: return launch_map1<D, int64_t>(it, n, ConvertF<D, int64_t>{}, s);
    case Ty::I32: return launch_map1<D, int32_t>(it, n, ConvertF<D, int32_t>{}, s);
    case Ty::Bool: return launch_map1<D, bool>(it, n, ConvertF<D, bool>{}, s);
    case Ty::F16: return launch_map1<D, Half>(it, n, ConvertF<D, Half>{}, s);
    case Ty::BF16: return launch_map1<D, BFloat16>(it, n, ConvertF<D, BFloat16>{}, s);
    default: FX_FAIL("copy: unsupported source element type");
  }
}

// ---- unary ----------------------------------------------------------------------------------

template <class T>
__device__ T unary_float(const UnaryArgs& p, T v) {
  using namespace ::fluxion::kernels::math;  // NOLINT
  switch (static_cast<UOp>(p.op)) {
    case UOp::Neg: return -v;
    case UOp::Abs: return fx_abs(v);
    case UOp::Sign: return static_cast<T>((v > T(0)) - (v < T(0)));
    case UOp::Exp: return fx_exp(v);
    case UOp::Exp2: return fx_exp2(v);
    case UOp::Log: return fx_log(v);
    case UOp::Log2: return fx_log2(v);
    case UOp::Log10: return fx_log10(v);
    case UOp::Log1p: return fx_log1p(v);
    case UOp::Expm1: return fx_expm1(v);
    case UOp::Sqrt: return std::sqrt(v);
    case UOp::Rsqrt: return T(1) / std::sqrt(v);
    case UOp::Reciprocal: return T(1) / v;
    case UOp::Square: return v * v;
    case UOp::Sin: return std::sin(v);
    case UOp::Cos: return std::cos(v);
    case UOp::Tan: return std::tan(v);
    case UOp::Asin: return std::asin(v);
    case UOp::Acos: return std::acos(v);
    case UOp::Atan: return std::atan(v);
    case UOp::Sinh: return std::sinh(v);
    case UOp::Cosh: return std::cosh(v);
    case UOp::Tanh: return fx_tanh(v);
    case UOp::Sigmoid: return fx_sigmoid(v);
    case UOp::Relu: return v < T(0) ? T(0) : v;
    case UOp::Silu: return silu(v);
    case UOp::Erf: return fx_erf(v);
    case UOp::Erfc: return fx_erfc(v);
    case UOp::Floor: return std::floor(v);
    case UOp::Ceil: return std::ceil(v);
    case UOp::Trunc: return std::trunc(v);
    case UOp::Frac: return v - std::trunc(v);
    case UOp::Round: {
      const int64_t d = p.i0;
      const T tp = static_cast<T>(::pow(10.0, static_cast<double>(d < 0 ? -d : d)));
      return round_decimals(v, d, tp);
    }
    case UOp::Logit: {
      const T lo = static_cast<T>(p.b), hi = static_cast<T>(p.c);
      const T z = p.a >= 0 ? (v < lo ? lo : (v > hi ? hi : v)) : v;
      return fx_log(z / (T(1) - z));
    }
    case UOp::LeakyRelu: return v > T(0) ? v : v * static_cast<T>(p.a);
    case UOp::Elu: return elu(v, static_cast<T>(p.a), static_cast<T>(p.b), static_cast<T>(p.c));
    case UOp::Gelu: return gelu_exact(v);
    case UOp::GeluTanh: return gelu_tanh(v);
    case UOp::Softplus: return softplus(v, static_cast<T>(p.a), static_cast<T>(p.b));
    case UOp::Mish: return mish(v);
    case UOp::Hardtanh: return hardtanh(v, static_cast<T>(p.s0), static_cast<T>(p.s1));
    case UOp::Hardsigmoid: return hardsigmoid(v);
    case UOp::Hardswish: return hardswish(v);
    case UOp::Softsign: return v / (T(1) + fx_abs(v));
    case UOp::Tanhshrink: return v - fx_tanh(v);
    case UOp::Logsigmoid: return logsigmoid(v);
    case UOp::NanToNum: {
      const T inf = std::numeric_limits<T>::infinity();
      return is_nan(v) ? static_cast<T>(p.a) : (v == inf ? static_cast<T>(p.b) : (v == -inf ? static_cast<T>(p.c) : v));
    }
    case UOp::Clamp: {
      const T inf = std::numeric_limits<T>::infinity();
      const T lo = (p.i0 & 1) ? static_cast<T>(p.s0) : -inf;
      const T hi = (p.i0 & 2) ? static_cast<T>(p.s1) : inf;
      return clamp_nan(v, lo, hi);
    }
    case UOp::PowScalar: {
      const double e = p.s0;
      if (e == 2.0) return v * v;
      if (e == 0.5) return std::sqrt(v);
      if (e == 3.0) return v * v * v;
      if (e == -1.0) return T(1) / v;
      if (e == 1.0) return v;
      return std::pow(v, static_cast<T>(e));
    }
    default: return v;  // rejected on the host (unary_supported)
  }
}

template <class T>
__device__ T unary_int(const UnaryArgs& p, T v) {
  using namespace ::fluxion::kernels::math;  // NOLINT
  switch (static_cast<UOp>(p.op)) {
    case UOp::Neg: return wrap_neg(v);
    case UOp::Abs: return v < T(0) ? wrap_neg(v) : v;
    case UOp::Sign: return static_cast<T>((v > T(0)) - (v < T(0)));
    case UOp::Square: return wrap_mul(v, v);
    case UOp::Relu: return v < T(0) ? T(0) : v;
    case UOp::BitwiseNot: return static_cast<T>(~v);
    case UOp::Clamp:
    case UOp::Hardtanh: {
      const bool has_lo = static_cast<UOp>(p.op) == UOp::Hardtanh || (p.i0 & 1);
      const bool has_hi = static_cast<UOp>(p.op) == UOp::Hardtanh || (p.i0 & 2);
      const T lo = has_lo ? static_cast<T>(p.is0) : std::numeric_limits<T>::lowest();
      const T hi = has_hi ? static_cast<T>(p.is1) : std::numeric_limits<T>::max();
      const T y = v < lo ? lo : v;
      return y > hi ? hi : y;
    }
    case UOp::PowScalar: return pow_int(v, static_cast<T>(p.is0));
    default: return v;  // Floor/Ceil/Trunc/Round are the identity on integers
  }
}

__device__ bool unary_bool(const UnaryArgs& p, bool v) {
  switch (static_cast<UOp>(p.op)) {
    case UOp::BitwiseNot: return !v;
    case UOp::PowScalar: return v || p.is0 == 0;
    default: return v;  // Sign
  }
}

template <class T>
struct UnaryF {
  UnaryArgs p;
  __device__ T operator()(T v) const {
    if constexpr (kReduced<T>)
      return T(unary_float<float>(p, static_cast<float>(v)));
    else if constexpr (std::is_same_v<T, bool>)
      return unary_bool(p, v);
    else if constexpr (std::is_integral_v<T>)
      return unary_int(p, v);
    else
      return unary_float(p, v);
  }
};

bool unary_supported(Ty t, UOp op) {
  switch (t) {
    case Ty::F32:
    case Ty::F64:
    case Ty::F16:
    case Ty::BF16: return op != UOp::BitwiseNot && op < UOp::kCount;
    case Ty::I64:
    case Ty::I32:
      return op == UOp::Neg || op == UOp::Abs || op == UOp::Sign || op == UOp::Square || op == UOp::Relu ||
             op == UOp::BitwiseNot || op == UOp::Clamp || op == UOp::Hardtanh || op == UOp::PowScalar ||
             op == UOp::Floor || op == UOp::Ceil || op == UOp::Trunc || op == UOp::Round;
    case Ty::Bool: return op == UOp::Sign || op == UOp::BitwiseNot || op == UOp::PowScalar;
    default: return false;
  }
}

// ---- binary ---------------------------------------------------------------------------------

template <class T>
__device__ T binary_float(const BinaryArgs& p, T a, T b) {
  using namespace ::fluxion::kernels::math;  // NOLINT
  const T alpha = static_cast<T>(p.alpha);
  switch (static_cast<BOp>(p.op)) {
    case BOp::Add: return a + alpha * b;
    case BOp::Sub: return a - alpha * b;
    case BOp::Mul: return a * b;
    case BOp::Div: return a / b;
    case BOp::DivTrunc: return std::trunc(a / b);
    case BOp::DivFloor: return div_floor_float(a, b);
    case BOp::Fmod: return std::fmod(a, b);
    case BOp::Remainder: return remainder_float(a, b);
    case BOp::Maximum: return max_nan(a, b);
    case BOp::Minimum: return min_nan(a, b);
    case BOp::Atan2: return std::atan2(a, b);
    case BOp::Pow: return std::pow(a, b);
    case BOp::Lerp: return lerp(a, b, alpha);
    default: return a;
  }
}

// Integer division and modulo, out of line: 64-bit division is a long software routine on the
// GPU, and inlined into every (unrolled) binary kernel it multiplied this file's compile time
// by ten. A zero divisor is rejected on the host before the launch; the guard only keeps a
// kernel from ever dividing by zero.
template <class T>
__device__ __noinline__ T int_division(BOp op, T a, T b) {
  using namespace ::fluxion::kernels::math;  // NOLINT
  if (b == T(0)) return T(0);
  switch (op) {
    case BOp::DivTrunc: return div_trunc_int(a, b);
    case BOp::DivFloor: return div_floor_int(a, b);
    case BOp::Fmod: return fmod_int(a, b);
    default: return remainder_int(a, b);
  }
}

template <class T>
__device__ T binary_int(const BinaryArgs& p, T a, T b) {
  using namespace ::fluxion::kernels::math;  // NOLINT
  const T alpha = static_cast<T>(p.ialpha);
  switch (static_cast<BOp>(p.op)) {
    case BOp::Add: return wrap_add(a, wrap_mul(alpha, b));
    case BOp::Sub: return wrap_sub(a, wrap_mul(alpha, b));
    case BOp::Mul: return wrap_mul(a, b);
    case BOp::Maximum: return a > b ? a : b;
    case BOp::Minimum: return a < b ? a : b;
    case BOp::Pow: return pow_int(a, b);
    case BOp::DivTrunc:
    case BOp::DivFloor:
    case BOp::Fmod:
    case BOp::Remainder: return int_division(static_cast<BOp>(p.op), a, b);
    case BOp::BitAnd: return static_cast<T>(a & b);
    case BOp::BitOr: return static_cast<T>(a | b);
    case BOp::BitXor: return static_cast<T>(a ^ b);
    default: return a;
  }
}

__device__ bool binary_bool(const BinaryArgs& p, bool a, bool b) {
  switch (static_cast<BOp>(p.op)) {
    case BOp::Add: return a || (p.ialpha != 0 && b);
    case BOp::Mul:
    case BOp::Minimum:
    case BOp::BitAnd: return a && b;
    case BOp::Maximum:
    case BOp::BitOr: return a || b;
    case BOp::BitXor: return a != b;
    default: return a;
  }
}

template <class T>
__device__ T binary_apply(const BinaryArgs& p, T a, T b) {
  if constexpr (kReduced<T>)
    return T(binary_float<float>(p, static_cast<float>(a), static_cast<float>(b)));
  else if constexpr (std::is_same_v<T, bool>)
    return binary_bool(p, a, b);
  else if constexpr (std::is_integral_v<T>)
    return binary_int(p, a, b);
  else
    return binary_float(p, a, b);
}

template <class T>
struct BinaryF {
  BinaryArgs p;
  __device__ T operator()(T a, T b) const { return binary_apply(p, a, b); }
};
/// The type a number operand is kept in: float for Half/BFloat16 (PyTorch's opmath), else T.
template <class T>
using NumberT = std::conditional_t<kReduced<T>, float, T>;

template <class T>
struct BinaryScalarF {  // one operand is the number p.scalar
  BinaryArgs p;
  NumberT<T> num;
  __device__ T operator()(T x) const {
    const NumberT<T> v = static_cast<NumberT<T>>(x);
    return T(p.scalar_side == 1 ? binary_apply(p, num, v) : binary_apply(p, v, num));
  }
};

bool binary_supported(Ty t, BOp op) {
  switch (t) {
    case Ty::F32:
    case Ty::F64:
    case Ty::F16:
    case Ty::BF16: return op != BOp::BitAnd && op != BOp::BitOr && op != BOp::BitXor && op < BOp::kCount;
    case Ty::I64:
    case Ty::I32:
      return op == BOp::Add || op == BOp::Sub || op == BOp::Mul || op == BOp::Maximum || op == BOp::Minimum ||
             op == BOp::Pow || op == BOp::BitAnd || op == BOp::BitOr || op == BOp::BitXor || op == BOp::DivTrunc ||
             op == BOp::DivFloor || op == BOp::Fmod || op == BOp::Remainder;
    case Ty::Bool:
      return op == BOp::Add || op == BOp::Mul || op == BOp::Minimum || op == BOp::BitAnd || op == BOp::Maximum ||
             op == BOp::BitOr || op == BOp::BitXor;
    default: return false;
  }
}

// ---- compare --------------------------------------------------------------------------------

template <class T>
__device__ bool compare_apply(const CompareArgs& p, T x, T y) {
  if constexpr (kReduced<T>) return compare_apply<float>(p, static_cast<float>(x), static_cast<float>(y));
  switch (static_cast<COp>(p.op)) {
    case COp::Eq: return x == y;
    case COp::Ne: return x != y;
    case COp::Lt: return x < y;
    case COp::Le: return x <= y;
    case COp::Gt: return x > y;
    case COp::Ge: return x >= y;
    case COp::LogicalAnd: return (x != T(0)) && (y != T(0));
    case COp::LogicalOr: return (x != T(0)) || (y != T(0));
    case COp::LogicalXor: return (x != T(0)) != (y != T(0));
    case COp::IsClose: {
      using E = std::conditional_t<std::is_floating_point_v<T>, T, double>;
      if (x == y) return true;
      const E ex = static_cast<E>(x), ey = static_cast<E>(y);
      if (p.equal_nan && ex != ex && ey != ey) return true;
      const E err = std::fabs(ex - ey);
      return std::isfinite(err) && err <= static_cast<E>(p.atol) + std::fabs(static_cast<E>(p.rtol) * ey);
    }
    default: return false;
  }
}
template <class T>
struct CompareF {
  CompareArgs p;
  __device__ bool operator()(T x, T y) const { return compare_apply(p, x, y); }
};
template <class T>
struct CompareScalarF {
  CompareArgs p;
  NumberT<T> num;
  __device__ bool operator()(T x) const { return compare_apply(p, static_cast<NumberT<T>>(x), num); }
};

template <class T>
T scalar_of(double d, int64_t i) {
  if constexpr (std::is_same_v<T, bool>)
    return i != 0;
  else if constexpr (std::is_integral_v<T>)
    return static_cast<T>(i);
  else
    return static_cast<T>(d);
}

template <class T>
void compare_typed(const Strided<3>& it, int64_t n, const CompareArgs& a, cudaStream_t s) {
  if (a.has_scalar)
    launch_map1<bool, T>(drop_operand(it), n, CompareScalarF<T>{a, scalar_of<NumberT<T>>(a.scalar, a.iscalar)}, s);
  else
    launch_map2<bool, T, T>(it, n, CompareF<T>{a}, s);
}

template <class T>
void binary_typed(const Strided<3>& it, int64_t n, const BinaryArgs& a, cudaStream_t s) {
  if (a.scalar_side != 0)
    launch_map1<T, T>(drop_operand(it), n, BinaryScalarF<T>{a, scalar_of<NumberT<T>>(a.scalar, a.iscalar)}, s);
  else
    launch_map2<T, T, T>(it, n, BinaryF<T>{a}, s);
}

// ---- predicate / ternary / where ---------------------------------------------------------------

template <class T>
struct PredicateF {
  POp op;
  __device__ bool operator()(T v) const {
    if constexpr (kReduced<T>) {
      return PredicateF<float>{op}(static_cast<float>(v));
    } else if constexpr (std::is_floating_point_v<T>) {
      const T inf = std::numeric_limits<T>::infinity();
      switch (op) {
        case POp::IsNan: return v != v;
        case POp::IsInf: return v == inf || v == -inf;
        case POp::IsPosInf: return v == inf;
        case POp::IsNegInf: return v == -inf;
        case POp::IsFinite: return v - v == T(0);
        default: break;
      }
    } else {
      switch (op) {
        case POp::IsNan:
        case POp::IsInf:
        case POp::IsPosInf:
        case POp::IsNegInf: return false;
        case POp::IsFinite: return true;
        default: break;
      }
    }
    return op == POp::LogicalNot ? v == T(0) : v != T(0);
  }
};

template <class T>
struct TernaryF {
  TOp op;
  NumberT<T> value;  // float for Half/BFloat16 (opmath, as the CPU): not rounded to 16 bits
  __device__ T operator()(T x, T y, T z) const {
    if constexpr (kReduced<T>) {
      return T(TernaryF<float>{op, value}(static_cast<float>(x), static_cast<float>(y), static_cast<float>(z)));
    } else {
      switch (op) {
        case TOp::Addcmul: return x + value * y * z;
        case TOp::Addcdiv: return x + value * y / z;
        default: return ::fluxion::kernels::math::lerp(x, y, z);
      }
    }
  }
};

template <class T>
struct WhereF {
  __device__ T operator()(bool c, T a, T b) const { return c ? a : b; }
};

const char* ty_name(Ty t) {
  switch (t) {
    case Ty::F32: return "float32";
    case Ty::F64: return "float64";
    case Ty::I64: return "int64";
    case Ty::I32: return "int32";
    case Ty::Bool: return "bool";
    case Ty::F16: return "float16";
    case Ty::BF16: return "bfloat16";
    case Ty::I8: return "int8";
    case Ty::U8: return "uint8";
  }
  return "?";
}

}  // namespace

// ---- entry points ---------------------------------------------------------------------------

void fill(const Strided<1>& it, int64_t n, int elem_size, uint64_t bits, cudaStream_t s) {
  switch (elem_size) {
    case 1: return launch_map0<uint8_t>(it, n, static_cast<uint8_t>(bits), s);
    case 2: return launch_map0<uint16_t>(it, n, static_cast<uint16_t>(bits), s);
    case 4: return launch_map0<uint32_t>(it, n, static_cast<uint32_t>(bits), s);
    case 8: return launch_map0<uint64_t>(it, n, bits, s);
    default: FX_FAIL("fill: unsupported element size ", elem_size);
  }
}

void copy_same(const Strided<2>& it, int64_t n, int elem_size, cudaStream_t s) {
  switch (elem_size) {
    case 1: return launch_map1<uint8_t, uint8_t>(it, n, IdentityU8{}, s);
    case 2: return launch_map1<uint16_t, uint16_t>(it, n, IdentityU16{}, s);
    case 4: return launch_map1<uint32_t, uint32_t>(it, n, IdentityU32{}, s);
    case 8: return launch_map1<uint64_t, uint64_t>(it, n, IdentityU64{}, s);
    default: FX_FAIL("copy: unsupported element size ", elem_size);
  }
}

// int8/uint8 (images, quantised data) convert to and from the four wide types only: every other
// pair would add two kernels per combination to this file's compile time.
template <class D>
bool convert_narrow_to(const Strided<2>& it, int64_t n, Ty src, cudaStream_t s) {
  switch (src) {
    case Ty::I8: return launch_map1<D, int8_t>(it, n, ConvertF<D, int8_t>{}, s), true;
    case Ty::U8: return launch_map1<D, uint8_t>(it, n, ConvertF<D, uint8_t>{}, s), true;
    default: return false;
  }
}
template <class S>
bool convert_narrow_from(const Strided<2>& it, int64_t n, Ty dst, cudaStream_t s) {
  switch (dst) {
    case Ty::I8: return launch_map1<int8_t, S>(it, n, ConvertF<int8_t, S>{}, s), true;
    case Ty::U8: return launch_map1<uint8_t, S>(it, n, ConvertF<uint8_t, S>{}, s), true;
    default: return false;
  }
}
bool convert_narrow(const Strided<2>& it, int64_t n, Ty dst, Ty src, cudaStream_t s) {
  const bool narrow_src = src == Ty::I8 || src == Ty::U8, narrow_dst = dst == Ty::I8 || dst == Ty::U8;
  if (narrow_src == narrow_dst) return false;
  const Ty wide = narrow_src ? dst : src;
  switch (wide) {
    case Ty::F32:
      return narrow_src ? convert_narrow_to<float>(it, n, src, s) : convert_narrow_from<float>(it, n, dst, s);
    case Ty::F64:
      return narrow_src ? convert_narrow_to<double>(it, n, src, s) : convert_narrow_from<double>(it, n, dst, s);
    case Ty::I64:
      return narrow_src ? convert_narrow_to<int64_t>(it, n, src, s) : convert_narrow_from<int64_t>(it, n, dst, s);
    case Ty::I32:
      return narrow_src ? convert_narrow_to<int32_t>(it, n, src, s) : convert_narrow_from<int32_t>(it, n, dst, s);
    default: return false;
  }
}

void convert(const Strided<2>& it, int64_t n, Ty dst, Ty src, cudaStream_t s) {
  if (src == Ty::I8 || src == Ty::U8 || dst == Ty::I8 || dst == Ty::U8) {
    FX_CHECK(convert_narrow(it, n, dst, src, s), "copy: conversion from ", ty_name(src), " to ", ty_name(dst),
             " is not implemented on CUDA (int8/uint8 convert to and from float32, float64, int64, int32)");
    return;
  }
  switch (dst) {
    case Ty::F32: return convert_from<float>(it, n, src, s);
    case Ty::F64: return convert_from<double>(it, n, src, s);
    case Ty::I64: return convert_from<int64_t>(it, n, src, s);
    case Ty::I32: return convert_from<int32_t>(it, n, src, s);
    case Ty::Bool: return convert_from<bool>(it, n, src, s);
    case Ty::F16: return convert_from<Half>(it, n, src, s);
    case Ty::BF16: return convert_from<BFloat16>(it, n, src, s);
    default: FX_FAIL("copy: unsupported destination element type");
  }
}

void unary(const Strided<2>& it, int64_t n, Ty t, const UnaryArgs& a, cudaStream_t s) {
  FX_CHECK(unary_supported(t, static_cast<UOp>(a.op)), "unary op ", a.op, ": not implemented on CUDA for dtype ",
           ty_name(t));
  switch (t) {
    case Ty::F32: return launch_map1<float, float>(it, n, UnaryF<float>{a}, s);
    case Ty::F64: return launch_map1<double, double>(it, n, UnaryF<double>{a}, s);
    case Ty::I64: return launch_map1<int64_t, int64_t>(it, n, UnaryF<int64_t>{a}, s);
    case Ty::I32: return launch_map1<int32_t, int32_t>(it, n, UnaryF<int32_t>{a}, s);
    case Ty::Bool: return launch_map1<bool, bool>(it, n, UnaryF<bool>{a}, s);
    case Ty::F16: return launch_map1<Half, Half>(it, n, UnaryF<Half>{a}, s);
    case Ty::BF16: return launch_map1<BFloat16, BFloat16>(it, n, UnaryF<BFloat16>{a}, s);
    default: break;
  }
}

void binary(const Strided<3>& it, int64_t n, Ty t, const BinaryArgs& a, cudaStream_t s) {
  FX_CHECK(binary_supported(t, static_cast<BOp>(a.op)), "binary op ", a.op, ": not implemented on CUDA for dtype ",
           ty_name(t));
  switch (t) {
    case Ty::F32: return binary_typed<float>(it, n, a, s);
    case Ty::F64: return binary_typed<double>(it, n, a, s);
    case Ty::I64: return binary_typed<int64_t>(it, n, a, s);
    case Ty::I32: return binary_typed<int32_t>(it, n, a, s);
    case Ty::Bool: return binary_typed<bool>(it, n, a, s);
    case Ty::F16: return binary_typed<Half>(it, n, a, s);
    case Ty::BF16: return binary_typed<BFloat16>(it, n, a, s);
    default: break;
  }
}

void compare(const Strided<3>& it, int64_t n, Ty t, const CompareArgs& a, cudaStream_t s) {
  switch (t) {
    case Ty::F32: return compare_typed<float>(it, n, a, s);
    case Ty::F64: return compare_typed<double>(it, n, a, s);
    case Ty::I64: return compare_typed<int64_t>(it, n, a, s);
    case Ty::I32: return compare_typed<int32_t>(it, n, a, s);
    case Ty::Bool: return compare_typed<bool>(it, n, a, s);
    case Ty::F16: return compare_typed<Half>(it, n, a, s);
    case Ty::BF16: return compare_typed<BFloat16>(it, n, a, s);
    default: FX_FAIL("compare: not implemented on CUDA for dtype ", ty_name(t));
  }
}

void predicate(const Strided<2>& it, int64_t n, Ty t, POp op, cudaStream_t s) {
  switch (t) {
    case Ty::F32: return launch_map1<bool, float>(it, n, PredicateF<float>{op}, s);
    case Ty::F64: return launch_map1<bool, double>(it, n, PredicateF<double>{op}, s);
    case Ty::I64: return launch_map1<bool, int64_t>(it, n, PredicateF<int64_t>{op}, s);
    case Ty::I32: return launch_map1<bool, int32_t>(it, n, PredicateF<int32_t>{op}, s);
    case Ty::Bool: return launch_map1<bool, bool>(it, n, PredicateF<bool>{op}, s);
    case Ty::F16: return launch_map1<bool, Half>(it, n, PredicateF<Half>{op}, s);
    case Ty::BF16: return launch_map1<bool, BFloat16>(it, n, PredicateF<BFloat16>{op}, s);
    default: FX_FAIL("predicate: not implemented on CUDA for dtype ", ty_name(t));
  }
}

void ternary(const Strided<4>& it, int64_t n, Ty t, TOp op, double value, cudaStream_t s) {
  switch (t) {
    case Ty::F32:
      return launch_map3<float, float, float, float>(it, n, TernaryF<float>{op, static_cast<float>(value)}, s);
    case Ty::F64: return launch_map3<double, double, double, double>(it, n, TernaryF<double>{op, value}, s);
    case Ty::F16: return launch_map3<Half, Half, Half, Half>(it, n, TernaryF<Half>{op, static_cast<float>(value)}, s);
    case Ty::BF16:
      return launch_map3<BFloat16, BFloat16, BFloat16, BFloat16>(it, n,
                                                                 TernaryF<BFloat16>{op, static_cast<float>(value)}, s);
    default: FX_FAIL("ternary op: not implemented on CUDA for dtype ", ty_name(t));
  }
}

void where(const Strided<4>& it, int64_t n, Ty t, cudaStream_t s) {
  switch (t) {
    case Ty::F32: return launch_map3<float, bool, float, float>(it, n, WhereF<float>{}, s);
    case Ty::F64: return launch_map3<double, bool, double, double>(it, n, WhereF<double>{}, s);
    case Ty::I64: return launch_map3<int64_t, bool, int64_t, int64_t>(it, n, WhereF<int64_t>{}, s);
    case Ty::I32: return launch_map3<int32_t, bool, int32_t, int32_t>(it, n, WhereF<int32_t>{}, s);
    case Ty::Bool: return launch_map3<bool, bool, bool, bool>(it, n, WhereF<bool>{}, s);
    case Ty::F16: return launch_map3<Half, bool, Half, Half>(it, n, WhereF<Half>{}, s);
    case Ty::BF16: return launch_map3<BFloat16, bool, BFloat16, BFloat16>(it, n, WhereF<BFloat16>{}, s);
    default: FX_FAIL("where: not implemented on CUDA for dtype ", ty_name(t));
  }
}

}  // namespace fluxion::cuda::kern
