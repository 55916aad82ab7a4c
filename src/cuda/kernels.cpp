// Registration of the CUDA kernels in the kernel tables, and their host side: tensors become
// kern::Strided descriptors, ops become launch parameters (kernels run on the current stream of
// the tensors' device). See docs/cuda.md for which tables have CUDA registrations.
#include <cstring>

#include "cuda/cuda_check.h"
#include "cuda/iter.h"
#include "cuda/rows.h"
#include "cuda/via_f32.h"
#include "fluxion/ops/creation.h"
#include "kernels/cpu/copy.h"
#include "kernels/pointwise_kernels.h"
#include "kernels/range_kernels.h"
#include "kernels/reduce_kernels.h"

namespace fluxion::kernels {
namespace {

namespace cd = ::fluxion::cuda::detail;
namespace kern = ::fluxion::cuda::kern;

// clang-format off
#define FX_SAME_OP(E, M, name) static_assert(static_cast<int>(E::name) == static_cast<int>(kern::M::name))
#define FX_U(name) FX_SAME_OP(UnaryOp, UOp, name)
FX_U(Neg); FX_U(Abs); FX_U(Sign); FX_U(Exp); FX_U(Exp2); FX_U(Log); FX_U(Log2); FX_U(Log10); FX_U(Log1p);
FX_U(Expm1); FX_U(Sqrt); FX_U(Rsqrt); FX_U(Reciprocal); FX_U(Square); FX_U(Sin); FX_U(Cos); FX_U(Tan);
FX_U(Asin); FX_U(Acos); FX_U(Atan); FX_U(Sinh); FX_U(Cosh); FX_U(Tanh); FX_U(Sigmoid); FX_U(Relu); FX_U(Silu);
FX_U(Erf); FX_U(Erfc); FX_U(Floor); FX_U(Ceil); FX_U(Trunc); FX_U(Frac); FX_U(Round); FX_U(Logit);
FX_U(LeakyRelu); FX_U(Elu); FX_U(Gelu); FX_U(GeluTanh); FX_U(Softplus); FX_U(Mish); FX_U(Hardtanh);
FX_U(Hardsigmoid); FX_U(Hardswish); FX_U(Softsign); FX_U(Tanhshrink); FX_U(Logsigmoid); FX_U(NanToNum);
FX_U(Clamp); FX_U(PowScalar); FX_U(BitwiseNot); FX_U(kCount);
#define FX_B(name) FX_SAME_OP(BinaryOp, BOp, name)
FX_B(Add); FX_B(Sub); FX_B(Mul); FX_B(Div); FX_B(DivTrunc); FX_B(DivFloor); FX_B(Fmod); FX_B(Remainder);
FX_B(Maximum); FX_B(Minimum); FX_B(Atan2); FX_B(Pow); FX_B(BitAnd); FX_B(BitOr); FX_B(BitXor); FX_B(Lerp);
FX_B(kCount);
#define FX_C(name) FX_SAME_OP(CompareOp, COp, name)
FX_C(Eq); FX_C(Ne); FX_C(Lt); FX_C(Le); FX_C(Gt); FX_C(Ge); FX_C(LogicalAnd); FX_C(LogicalOr); FX_C(LogicalXor);
FX_C(IsClose); FX_C(kCount);
#define FX_P(name) FX_SAME_OP(PredicateOp, POp, name)
FX_P(IsNan); FX_P(IsInf); FX_P(IsPosInf); FX_P(IsNegInf); FX_P(IsFinite); FX_P(LogicalNot); FX_P(NonZero); FX_P(kCount);
#define FX_T(name) FX_SAME_OP(TernaryOp, TOp, name)
FX_T(Addcmul); FX_T(Addcdiv); FX_T(Lerp); FX_T(kCount);
#undef FX_U
#undef FX_B
#undef FX_C
#undef FX_P
#undef FX_T
#undef FX_SAME_OP
// clang-format on

// ---- fill / copy ----------------------------------------------------------------------------

void fill_cuda(const Tensor& dst, const Scalar& v) {
  const int dev = cd::common_cuda_device({&dst}, "fill");
  if (dst.numel() == 0) return;
  // The value's bit pattern in dst's dtype, converted by the CPU kernel (every dtype works).
  Tensor one = empty({}, TensorOptions(dst.dtype()));
  fill_kernel.get(DeviceType::CPU, dst.dtype())(one, v);
  uint64_t bits = 0;
  std::memcpy(&bits, one.data_ptr(), dst.element_size());
  cd::SetDevice guard(dev);
  kern::fill(cd::strided_of<1>({&dst}), dst.numel(), static_cast<int>(dst.element_size()), bits,
             cd::current_stream(dev));
}

void copy_cuda(const Tensor& dst, const Tensor& src) {
  if (src.is_cpu() && src.dim() == 0) {  // a CPU number broadcast into a CUDA tensor
    fill_cuda(dst, src.item());
    return;
  }
  const int dev = cd::common_cuda_device({&dst, &src}, "copy");
  if (dst.numel() == 0) return;
  cd::SetDevice guard(dev);
  const cudaStream_t s = cd::current_stream(dev);
  if (dst.dtype() == src.dtype()) {
    if (dst.is_contiguous() && src.is_contiguous()) {
      FX_CUDA_CHECK(cudaMemcpyAsync(dst.data_ptr(), src.data_ptr(),
                                    static_cast<size_t>(dst.numel()) * dst.element_size(), cudaMemcpyDeviceToDevice,
                                    s));
      return;
    }
    kern::copy_same(cd::strided_of<2>({&dst, &src}), dst.numel(), static_cast<int>(dst.element_size()), s);
    return;
  }
  kern::convert(cd::strided_of<2>({&dst, &src}), dst.numel(), cd::to_ty(dst.dtype()), cd::to_ty(src.dtype()), s);
}

// ---- elementwise ----------------------------------------------------------------------------

void unary_cuda(const Tensor& out, const Tensor& x, UnaryOp op, const UnaryParams& p) {
  const int dev = cd::common_cuda_device({&out, &x}, "unary op");
  if (out.numel() == 0) return;
  kern::UnaryArgs a;
  a.op = static_cast<int>(op);
  a.a = p.a;
  a.b = p.b;
  a.c = p.c;
  a.i0 = p.i0;
  a.s0 = p.s0.to_double();
  a.s1 = p.s1.to_double();
  a.is0 = p.s0.is_bool() ? p.s0.to_bool() : p.s0.to_int();
  a.is1 = p.s1.is_bool() ? p.s1.to_bool() : p.s1.to_int();
  cd::SetDevice guard(dev);
  kern::unary(cd::strided_of<2>({&out, &x}), out.numel(), cd::to_ty(out.dtype()), a, cd::current_stream(dev));
}

void compare_cuda(const Tensor& out, const Tensor& a, const Tensor& b, CompareOp op, const CompareParams& p);

// Integer division and modulo: the CPU kernel throws on a zero divisor, a GPU kernel cannot, so
// the divisor is checked first (a compare, an any-reduction and a one-byte read-back).
void check_no_zero_divisor(const Tensor& divisor, const Scalar& number, const char* what) {
  bool zero = false;
  if (!divisor.defined()) {
    zero = number.to_double() == 0;
  } else {
    const Tensor is_zero = empty(divisor.sizes(), TensorOptions(kBool).device(divisor.device()));
    CompareParams cp;
    cp.scalar = 0;
    compare_cuda(is_zero, divisor, Tensor(), CompareOp::Eq, cp);
    Shape dims, ones;
    for (int64_t d = 0; d < divisor.dim(); ++d) {
      dims.push_back(d);
      ones.push_back(1);
    }
    const Tensor any = empty(ones, TensorOptions(kBool).device(divisor.device()));
    any_kernel.get(DeviceType::CUDA, kBool)(any, is_zero, dims, 0.0);
    zero = any.item<bool>();
  }
  FX_CHECK(!zero, what, ": integer division by zero (ZeroDivisionError)");
}

const char* integer_division_name(DType dt, BinaryOp op) {
  if (is_floating_point(dt) || dt == kBool) return nullptr;
  switch (op) {
    case BinaryOp::DivTrunc:
    case BinaryOp::DivFloor: return "div";
    case BinaryOp::Fmod: return "fmod";
    case BinaryOp::Remainder: return "remainder";
    default: return nullptr;
  }
}

void binary_cuda(const Tensor& out, const Tensor& a, const Tensor& b, BinaryOp op, const BinaryParams& p) {
  const int dev = cd::common_cuda_device({&out, &a, &b}, "binary op");
  if (out.numel() == 0) return;
  if (const char* what = integer_division_name(out.dtype(), op)) check_no_zero_divisor(b, p.scalar, what);
  kern::BinaryArgs args;
  args.op = static_cast<int>(op);
  args.alpha = p.alpha.to_double();
  args.ialpha = p.alpha.is_bool() ? p.alpha.to_bool() : p.alpha.to_int();
  args.scalar = p.scalar.to_double();
  args.iscalar = p.scalar.is_bool() ? p.scalar.to_bool() : p.scalar.to_int();
  args.scalar_side = !a.defined() ? 1 : (!b.defined() ? 2 : 0);
  const Tensor& t = a.defined() ? a : b;  // with a number operand: the tensor goes in slot 1
  const kern::Strided<3> it = args.scalar_side ? cd::strided_of<3>({&out, &t, &t}) : cd::strided_of<3>({&out, &a, &b});
  cd::SetDevice guard(dev);
  kern::binary(it, out.numel(), cd::to_ty(out.dtype()), args, cd::current_stream(dev));
}

void compare_cuda(const Tensor& out, const Tensor& a, const Tensor& b, CompareOp op, const CompareParams& p) {
  const int dev = cd::common_cuda_device({&out, &a, &b}, "compare op");
  if (out.numel() == 0) return;
  kern::CompareArgs args;
  args.op = static_cast<int>(op);
  args.scalar = p.scalar.to_double();
  args.iscalar = p.scalar.is_bool() ? p.scalar.to_bool() : p.scalar.to_int();
  args.has_scalar = !b.defined();
  args.rtol = p.rtol;
  args.atol = p.atol;
  args.equal_nan = p.equal_nan;
  const kern::Strided<3> it = args.has_scalar ? cd::strided_of<3>({&out, &a, &a}) : cd::strided_of<3>({&out, &a, &b});
  cd::SetDevice guard(dev);
  kern::compare(it, out.numel(), cd::to_ty(a.dtype()), args, cd::current_stream(dev));
}

void predicate_cuda(const Tensor& out, const Tensor& x, PredicateOp op) {
  const int dev = cd::common_cuda_device({&out, &x}, "predicate");
  if (out.numel() == 0) return;
  cd::SetDevice guard(dev);
  kern::predicate(cd::strided_of<2>({&out, &x}), out.numel(), cd::to_ty(x.dtype()), static_cast<kern::POp>(op),
                  cd::current_stream(dev));
}

void ternary_cuda(const Tensor& out, const Tensor& a, const Tensor& b, const Tensor& c, TernaryOp op,
                  const Scalar& value) {
  const int dev = cd::common_cuda_device({&out, &a, &b, &c}, "ternary op");
  if (out.numel() == 0) return;
  cd::SetDevice guard(dev);
  kern::ternary(cd::strided_of<4>({&out, &a, &b, &c}), out.numel(), cd::to_ty(out.dtype()), static_cast<kern::TOp>(op),
                value.to_double(), cd::current_stream(dev));
}

void where_cuda(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  const int dev = cd::common_cuda_device({&out, &cond, &a, &b}, "where");
  if (out.numel() == 0) return;
  cd::SetDevice guard(dev);
  kern::where(cd::strided_of<4>({&out, &cond, &a, &b}), out.numel(), cd::to_ty(out.dtype()), cd::current_stream(dev));
}

// ---- sum / mean -----------------------------------------------------------------------------

using cd::pack_rows;
using cd::Rows;
using cd::scratch_buffer;

void sum_cuda(const Tensor& out, const Tensor& in, const Shape& dims, double scale) {
  const int dev = cd::common_cuda_device({&out, &in}, "sum");
  const kern::Ty t = cd::to_ty(in.dtype());
  FX_CHECK(out.is_contiguous(), "sum: the CUDA kernel expects a contiguous output");
  if (out.numel() == 0) return;
  cd::SetDevice guard(dev);
  const Rows r = pack_rows(in, dims);
  const Tensor scratch = scratch_buffer(kern::sum_scratch_bytes(r.rows, r.cols, t), in.device());
  kern::sum_rows(r.packed.data_ptr(), out.data_ptr(), r.rows, r.cols, t, scale,
                 scratch.defined() ? scratch.data_ptr() : nullptr, cd::current_stream(dev));
}

template <bool kMax>
void minmax_cuda(const Tensor& out, const Tensor& in, const Shape& dims, double) {
  const char* name = kMax ? "amax" : "amin";
  const int dev = cd::common_cuda_device({&out, &in}, name);
  const kern::Ty t = cd::to_ty(in.dtype());
  FX_CHECK(out.is_contiguous(), name, ": the CUDA kernel expects a contiguous output");
  if (out.numel() == 0) return;
  cd::SetDevice guard(dev);
  const Rows r = pack_rows(in, dims);
  const Tensor scratch = scratch_buffer(kern::minmax_scratch_bytes(r.rows, r.cols, t), in.device());
  kern::minmax_rows(r.packed.data_ptr(), out.data_ptr(), r.rows, r.cols, t, kMax,
                    scratch.defined() ? scratch.data_ptr() : nullptr, cd::current_stream(dev));
}

template <bool kMax>
void extreme_dim_cuda(const Tensor& values, const Tensor& indices, const Tensor& in, int64_t dim) {
  const char* name = kMax ? "max" : "min";
  const int dev = cd::common_cuda_device({&values, &indices, &in}, name);
  const kern::Ty t = cd::to_ty(in.dtype());
  FX_CHECK(indices.is_contiguous() && (!values.defined() || values.is_contiguous()), name,
           ": the CUDA kernel expects contiguous outputs");
  if (indices.numel() == 0) return;
  cd::SetDevice guard(dev);
  const Rows r = pack_rows(in, in.dim() == 0 ? Shape{} : Shape{dim});
  kern::arg_rows(r.packed.data_ptr(), values.defined() ? values.data_ptr() : nullptr,
                 static_cast<int64_t*>(indices.data_ptr()), r.rows, r.cols, t, kMax, cd::current_stream(dev));
}

// ---- softmax / log_softmax ----------------------------------------------------------------------

template <bool kLog>
void softmax_cuda(const Tensor& out, const Tensor& in, int64_t dim) {
  const int dev = cd::common_cuda_device({&out, &in}, kLog ? "log_softmax" : "softmax");
  FX_CHECK(in.is_contiguous() && out.is_contiguous(), "softmax: the CUDA kernel expects contiguous tensors");
  if (in.numel() == 0) return;
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < dim; ++d) outer *= in.sizes()[d];
  for (int64_t d = dim + 1; d < in.dim(); ++d) inner *= in.sizes()[d];
  const int64_t D = in.dim() == 0 ? 1 : in.sizes()[dim];
  cd::SetDevice guard(dev);
  kern::softmax(in.data_ptr(), out.data_ptr(), outer, D, inner, cd::to_ty(in.dtype()), kLog, cd::current_stream(dev));
}

// ---- range fills ------------------------------------------------------------------------------------

// arange/linspace/logspace: computed by the CPU kernel into a host buffer and uploaded, so the
// values are exactly the CPU's (these tensors are small next to what is computed from them).
void upload(const Tensor& out, const Tensor& host) {
  Tensor o = out;
  o.copy_(host);
}
void arange_cuda(const Tensor& out, const Scalar& start, const Scalar& step) {
  Tensor h = empty(out.sizes(), TensorOptions(out.dtype()));
  arange_kernel.get(DeviceType::CPU, out.dtype())(h, start, step);
  upload(out, h);
}
void linspace_cuda(const Tensor& out, const Scalar& start, const Scalar& end) {
  Tensor h = empty(out.sizes(), TensorOptions(out.dtype()));
  linspace_kernel.get(DeviceType::CPU, out.dtype())(h, start, end);
  upload(out, h);
}
void logspace_cuda(const Tensor& out, const Scalar& start, const Scalar& end, double base) {
  Tensor h = empty(out.sizes(), TensorOptions(out.dtype()));
  logspace_kernel.get(DeviceType::CPU, out.dtype())(h, start, end, base);
  upload(out, h);
}

// The CPU's dtypes (all but bool), listed here rather than read from the CPU table, whose
// static-initialisation order relative to this file is unspecified.
const bool g_range_registered = [] {
  for (int d = 0; d < kNumDTypes; ++d) {
    const DType dt = static_cast<DType>(d);
    if (dt == DType::Bool) continue;  // no bool ranges (as the CPU and PyTorch)
    arange_kernel.set(DeviceType::CUDA, dt, &arange_cuda);
    linspace_kernel.set(DeviceType::CUDA, dt, &linspace_cuda);
    logspace_kernel.set(DeviceType::CUDA, dt, &logspace_cuda);
  }
  return true;
}();

}  // namespace

#define FX_CUDA_REG(table, dt, fn) FX_REGISTER_KERNEL(table, DeviceType::CUDA, DType::dt, fn)
FX_CUDA_REG(fill_kernel, Float32, &fill_cuda);
FX_CUDA_REG(fill_kernel, Float64, &fill_cuda);
FX_CUDA_REG(fill_kernel, Float16, &fill_cuda);
FX_CUDA_REG(fill_kernel, BFloat16, &fill_cuda);
FX_CUDA_REG(fill_kernel, Int8, &fill_cuda);
FX_CUDA_REG(fill_kernel, UInt8, &fill_cuda);
FX_CUDA_REG(fill_kernel, Int32, &fill_cuda);
FX_CUDA_REG(fill_kernel, Int64, &fill_cuda);
FX_CUDA_REG(fill_kernel, Bool, &fill_cuda);
FX_CUDA_REG(copy_kernel, Float32, &copy_cuda);
FX_CUDA_REG(copy_kernel, Float64, &copy_cuda);
FX_CUDA_REG(copy_kernel, Float16, &copy_cuda);
FX_CUDA_REG(copy_kernel, BFloat16, &copy_cuda);
FX_CUDA_REG(copy_kernel, Int8, &copy_cuda);
FX_CUDA_REG(copy_kernel, UInt8, &copy_cuda);
FX_CUDA_REG(copy_kernel, Int32, &copy_cuda);
FX_CUDA_REG(copy_kernel, Int64, &copy_cuda);
FX_CUDA_REG(copy_kernel, Bool, &copy_cuda);
FX_CUDA_REG(unary_kernel, Float32, &unary_cuda);
FX_CUDA_REG(unary_kernel, Float64, &unary_cuda);
FX_CUDA_REG(unary_kernel, Int64, &unary_cuda);
FX_CUDA_REG(unary_kernel, Int32, &unary_cuda);
FX_CUDA_REG(unary_kernel, Bool, &unary_cuda);
FX_CUDA_REG(binary_kernel, Float32, &binary_cuda);
FX_CUDA_REG(binary_kernel, Float64, &binary_cuda);
FX_CUDA_REG(binary_kernel, Int64, &binary_cuda);
FX_CUDA_REG(binary_kernel, Int32, &binary_cuda);
FX_CUDA_REG(binary_kernel, Bool, &binary_cuda);
FX_CUDA_REG(compare_kernel, Float32, &compare_cuda);
FX_CUDA_REG(compare_kernel, Float64, &compare_cuda);
FX_CUDA_REG(compare_kernel, Int64, &compare_cuda);
FX_CUDA_REG(compare_kernel, Int32, &compare_cuda);
FX_CUDA_REG(compare_kernel, Bool, &compare_cuda);
FX_CUDA_REG(predicate_kernel, Float32, &predicate_cuda);
FX_CUDA_REG(predicate_kernel, Float64, &predicate_cuda);
FX_CUDA_REG(predicate_kernel, Int64, &predicate_cuda);
FX_CUDA_REG(predicate_kernel, Int32, &predicate_cuda);
FX_CUDA_REG(predicate_kernel, Bool, &predicate_cuda);
FX_CUDA_REG(ternary_kernel, Float32, &ternary_cuda);
FX_CUDA_REG(ternary_kernel, Float64, &ternary_cuda);
FX_CUDA_REG(where_kernel, Float32, &where_cuda);
FX_CUDA_REG(where_kernel, Float64, &where_cuda);
FX_CUDA_REG(where_kernel, Int64, &where_cuda);
FX_CUDA_REG(where_kernel, Int32, &where_cuda);
FX_CUDA_REG(where_kernel, Bool, &where_cuda);
FX_CUDA_REG(softmax_kernel, Float32, &softmax_cuda<false>);
FX_CUDA_REG(softmax_kernel, Float64, &softmax_cuda<false>);
FX_CUDA_REG(log_softmax_kernel, Float32, &softmax_cuda<true>);
FX_CUDA_REG(log_softmax_kernel, Float64, &softmax_cuda<true>);
FX_CUDA_REG(amax_kernel, Float32, &minmax_cuda<true>);
FX_CUDA_REG(amax_kernel, Float64, &minmax_cuda<true>);
FX_CUDA_REG(amax_kernel, Int64, &minmax_cuda<true>);
FX_CUDA_REG(amax_kernel, Int32, &minmax_cuda<true>);
FX_CUDA_REG(amin_kernel, Float32, &minmax_cuda<false>);
FX_CUDA_REG(amin_kernel, Float64, &minmax_cuda<false>);
FX_CUDA_REG(amin_kernel, Int64, &minmax_cuda<false>);
FX_CUDA_REG(amin_kernel, Int32, &minmax_cuda<false>);
FX_CUDA_REG(max_dim_kernel, Float32, &extreme_dim_cuda<true>);
FX_CUDA_REG(max_dim_kernel, Float64, &extreme_dim_cuda<true>);
FX_CUDA_REG(max_dim_kernel, Int64, &extreme_dim_cuda<true>);
FX_CUDA_REG(max_dim_kernel, Int32, &extreme_dim_cuda<true>);
FX_CUDA_REG(min_dim_kernel, Float32, &extreme_dim_cuda<false>);
FX_CUDA_REG(min_dim_kernel, Float64, &extreme_dim_cuda<false>);
FX_CUDA_REG(min_dim_kernel, Int64, &extreme_dim_cuda<false>);
FX_CUDA_REG(min_dim_kernel, Int32, &extreme_dim_cuda<false>);
FX_CUDA_REG(sum_kernel, Float32, &sum_cuda);
FX_CUDA_REG(sum_kernel, Float64, &sum_cuda);
FX_CUDA_REG(sum_kernel, Int64, &sum_cuda);
FX_CUDA_REG(sum_kernel, Int32, &sum_cuda);
FX_CUDA_REG(sum_kernel, Bool, &sum_cuda);
// Float16 / BFloat16: elementwise kernels compute in float in-register; reductions and softmax
// run their float32 kernels on float32 copies (cuda/via_f32.h).
#define FX_CUDA_REG_16(table, fn)  \
  FX_CUDA_REG(table, Float16, fn); \
  FX_CUDA_REG(table, BFloat16, fn)
FX_CUDA_REG_16(unary_kernel, &unary_cuda);
FX_CUDA_REG_16(binary_kernel, &binary_cuda);
FX_CUDA_REG_16(compare_kernel, &compare_cuda);
FX_CUDA_REG_16(predicate_kernel, &predicate_cuda);
FX_CUDA_REG_16(ternary_kernel, &ternary_cuda);
FX_CUDA_REG_16(where_kernel, &where_cuda);
FX_CUDA_REG_16(sum_kernel, &cd::reduce_via_f32<&sum_cuda>);
FX_CUDA_REG_16(amax_kernel, &cd::reduce_via_f32<&minmax_cuda<true>>);
FX_CUDA_REG_16(amin_kernel, &cd::reduce_via_f32<&minmax_cuda<false>>);
FX_CUDA_REG_16(max_dim_kernel, &cd::reduce_index_via_f32<&extreme_dim_cuda<true>>);
FX_CUDA_REG_16(min_dim_kernel, &cd::reduce_index_via_f32<&extreme_dim_cuda<false>>);
FX_CUDA_REG_16(softmax_kernel, &cd::softmax_via_f32<&softmax_cuda<false>>);
FX_CUDA_REG_16(log_softmax_kernel, &cd::softmax_via_f32<&softmax_cuda<true>>);
#undef FX_CUDA_REG_16
#undef FX_CUDA_REG

}  // namespace fluxion::kernels
