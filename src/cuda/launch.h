// Launchers of the CUDA kernels (defined in the .cu files of this folder), called by the host
// side (kernels.cpp) with plain descriptors: this header is shared by nvcc and the C++ compiler
// and includes nothing from the tensor library.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace fluxion::cuda::kern {

/// Element types the CUDA kernels are instantiated for.
/// F16/BF16 (fluxion::Half / BFloat16) are computed in float by the elementwise kernels; I8/U8
/// only convert (to and from f32, f64, i64, i32). The other launchers are only reached for the
/// types their tables register, and fail loudly on others.
enum class Ty : int8_t { F32, F64, I64, I32, Bool, F16, BF16, I8, U8 };

/// Mirrors of the op enums of kernels/pointwise_kernels.h (which nvcc does not see); kernels.cpp
/// static_asserts that every value matches.
// clang-format off
enum class UOp : int {
  Neg, Abs, Sign, Exp, Exp2, Log, Log2, Log10, Log1p, Expm1, Sqrt, Rsqrt, Reciprocal, Square,
  Sin, Cos, Tan, Asin, Acos, Atan, Sinh, Cosh, Tanh, Sigmoid, Relu, Silu, Erf, Erfc,
  Floor, Ceil, Trunc, Frac, Round, Logit, LeakyRelu, Elu, Gelu, GeluTanh, Softplus, Mish,
  Hardtanh, Hardsigmoid, Hardswish, Softsign, Tanhshrink, Logsigmoid, NanToNum, Clamp, PowScalar,
  BitwiseNot, kCount
};
enum class BOp : int {
  Add, Sub, Mul, Div, DivTrunc, DivFloor, Fmod, Remainder, Maximum, Minimum, Atan2, Pow,
  BitAnd, BitOr, BitXor, Lerp, kCount
};
enum class COp : int { Eq, Ne, Lt, Le, Gt, Ge, LogicalAnd, LogicalOr, LogicalXor, IsClose, kCount };
enum class POp : int { IsNan, IsInf, IsPosInf, IsNegInf, IsFinite, LogicalNot, NonZero, kCount };
enum class TOp : int { Addcmul, Addcdiv, Lerp, kCount };
// clang-format on

/// Up to N operands with a common iteration space of `nd` dims (coalesced on the host); strides
/// in bytes, stride 0 broadcasts. The offset of element i is computed from its coordinates
/// (PyTorch's OffsetCalculator).
constexpr int kMaxDims = 10;
template <int N>
struct Strided {
  char* data[N] = {};
  int nd = 0;
  int64_t sizes[kMaxDims] = {};
  int64_t strides[N][kMaxDims] = {};
  /// True when every operand is one dense run of elements (nd <= 1, stride = element size).
  bool contiguous = false;
};

/// Elementwise parameters of the unary family (UnaryOp / UnaryParams of pointwise_kernels.h).
struct UnaryArgs {
  int op = 0;
  double a = 0, b = 0, c = 0, s0 = 0, s1 = 0;
  int64_t i0 = 0, is0 = 0, is1 = 0;  // integer copies of s0/s1 for integer dtypes
};
/// Binary family: scalar_side 0 = two tensors, 1 = `a` is the number, 2 = `b` is the number
/// (then data[1] is the tensor operand).
struct BinaryArgs {
  int op = 0;
  double alpha = 1, scalar = 0;
  int64_t ialpha = 1, iscalar = 0;
  int scalar_side = 0;
};
struct CompareArgs {
  int op = 0;
  double scalar = 0, rtol = 0, atol = 0;
  int64_t iscalar = 0;
  bool has_scalar = false, equal_nan = false;
};

void fill(const Strided<1>& it, int64_t n, int elem_size, uint64_t bits, cudaStream_t s);
void copy_same(const Strided<2>& it, int64_t n, int elem_size, cudaStream_t s);
void convert(const Strided<2>& it, int64_t n, Ty dst, Ty src, cudaStream_t s);
void unary(const Strided<2>& it, int64_t n, Ty t, const UnaryArgs& a, cudaStream_t s);
void binary(const Strided<3>& it, int64_t n, Ty t, const BinaryArgs& a, cudaStream_t s);
/// Output bool; data[2] unused when has_scalar.
void compare(const Strided<3>& it, int64_t n, Ty t, const CompareArgs& a, cudaStream_t s);

/// Bool out = pred(x); data: out, x.
void predicate(const Strided<2>& it, int64_t n, Ty t, POp op, cudaStream_t s);
/// out = f(a, b, c), all of type t (float types); `value` for addcmul/addcdiv. data: out, a, b, c.
void ternary(const Strided<4>& it, int64_t n, Ty t, TOp op, double value, cudaStream_t s);
/// out = cond ? a : b; data: out, cond (bool), a, b (type t).
void where(const Strided<4>& it, int64_t n, Ty t, cudaStream_t s);

/// out[r] = max (or min) of in[r, 0:cols], NaN-propagating; f32/f64/int64/int32, out of the
/// input type. `scratch` needs minmax_scratch_bytes(...) bytes.
size_t minmax_scratch_bytes(int64_t rows, int64_t cols, Ty t);
void minmax_rows(const void* in, void* out, int64_t rows, int64_t cols, Ty t, bool max, void* scratch, cudaStream_t s);

/// values[r] / indices[r] = max (or min) of in[r, 0:cols] and its first index (the first NaN
/// wins); values may be null. f32/f64/int64/int32.
void arg_rows(const void* in, void* values, int64_t* indices, int64_t rows, int64_t cols, Ty t, bool max,
              cudaStream_t s);

/// y = softmax (log: log_softmax) of a contiguous x viewed as [outer, D, inner], along D (f32/f64).
void softmax(const void* x, void* y, int64_t outer, int64_t D, int64_t inner, Ty t, bool log, cudaStream_t s);

/// out[r] = scale * sum(in[r, 0:cols]) for a contiguous rows x cols input. Output type: the input
/// type for floats, int64 for integers and bool. `scratch` needs sum_scratch_bytes(...) bytes.
size_t sum_scratch_bytes(int64_t rows, int64_t cols, Ty in);
void sum_rows(const void* in, void* out, int64_t rows, int64_t cols, Ty in_t, double scale, void* scratch,
              cudaStream_t s);

}  // namespace fluxion::cuda::kern
