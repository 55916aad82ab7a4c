#include "fluxion/dtype.h"

#include <atomic>

#include "fluxion/scalar.h"
#include "fluxion/small_vector.h"

namespace fluxion {

size_t element_size(DType t) {
  switch (t) {
    case DType::Float32: return 4;
    case DType::Float64: return 8;
    case DType::Float16: return 2;
    case DType::BFloat16: return 2;
    case DType::Int8: return 1;
    case DType::UInt8: return 1;
    case DType::Int32: return 4;
    case DType::Int64: return 8;
    case DType::Bool: return 1;
  }
  return 0;
}

const char* dtype_name(DType t) {
  switch (t) {
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
    case DType::Float16: return "float16";
    case DType::BFloat16: return "bfloat16";
    case DType::Int8: return "int8";
    case DType::UInt8: return "uint8";
    case DType::Int32: return "int32";
    case DType::Int64: return "int64";
    case DType::Bool: return "bool";
  }
  return "unknown";
}

DType promote_types(DType a, DType b) {
  if (a == b) return a;
  // Index order: f32 f64 f16 bf16 i8 u8 i32 i64 b (PyTorch's table restricted to our types).
  constexpr DType f4 = DType::Float32, f8 = DType::Float64, f2 = DType::Float16, bf = DType::BFloat16, i1 = DType::Int8,
                  u1 = DType::UInt8, i4 = DType::Int32, i8 = DType::Int64, b1 = DType::Bool;
  static constexpr DType table[kNumDTypes][kNumDTypes] = {
      /* f4 */ {f4, f8, f4, f4, f4, f4, f4, f4, f4},
      /* f8 */ {f8, f8, f8, f8, f8, f8, f8, f8, f8},
      /* f2 */ {f4, f8, f2, f4, f2, f2, f2, f2, f2},
      /* bf */ {f4, f8, f4, bf, bf, bf, bf, bf, bf},
      /* i1 */ {f4, f8, f2, bf, i1, i4 /* PyTorch: int16, which Fluxion lacks */, i4, i8, i1},
      /* u1 */ {f4, f8, f2, bf, i4 /* PyTorch: int16, which Fluxion lacks */, u1, i4, i8, u1},
      /* i4 */ {f4, f8, f2, bf, i4, i4, i4, i8, i4},
      /* i8 */ {f4, f8, f2, bf, i8, i8, i8, i8, i8},
      /* b1 */ {f4, f8, f2, bf, i1, u1, i4, i8, b1},
  };
  return table[static_cast<int>(a)][static_cast<int>(b)];
}

namespace {
std::atomic<DType> g_default_dtype{DType::Float32};
}
DType default_dtype() { return g_default_dtype.load(std::memory_order_relaxed); }
void set_default_dtype(DType t) {
  FX_CHECK(is_floating_point(t), "set_default_dtype: expected a floating-point dtype, got ", dtype_name(t));
  g_default_dtype.store(t);
}

std::ostream& operator<<(std::ostream& os, DType t) { return os << dtype_name(t); }

std::ostream& operator<<(std::ostream& os, const Scalar& s) {
  if (s.is_floating_point()) return os << s.to_double();
  if (s.is_bool()) return os << (s.to_bool() ? "true" : "false");
  return os << s.to_int();
}

std::ostream& operator<<(std::ostream& os, const Shape& s) {
  os << "[";
  for (size_t i = 0; i < s.size(); ++i) os << (i ? ", " : "") << s[i];
  return os << "]";
}

}  // namespace fluxion
