// DType: element types, their properties and PyTorch's type-promotion lattice.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>

#include "fluxion/error.h"
#include "fluxion/half.h"

namespace fluxion {

enum class DType : int8_t { Float32 = 0, Float64, Float16, BFloat16, Int8, UInt8, Int32, Int64, Bool };
inline constexpr int kNumDTypes = 9;

inline constexpr DType kFloat32 = DType::Float32, kFloat = DType::Float32;
inline constexpr DType kFloat64 = DType::Float64, kDouble = DType::Float64;
inline constexpr DType kFloat16 = DType::Float16, kHalf = DType::Float16;
inline constexpr DType kBFloat16 = DType::BFloat16;
inline constexpr DType kInt8 = DType::Int8, kChar = DType::Int8;
inline constexpr DType kUInt8 = DType::UInt8, kByte = DType::UInt8;
inline constexpr DType kInt32 = DType::Int32, kInt = DType::Int32;
inline constexpr DType kInt64 = DType::Int64, kLong = DType::Int64;
inline constexpr DType kBool = DType::Bool;

size_t element_size(DType t);
const char* dtype_name(DType t);  // "float32", "int64", ...
inline bool is_floating_point(DType t) {
  return t == DType::Float32 || t == DType::Float64 || t == DType::Float16 || t == DType::BFloat16;
}
inline bool is_integral(DType t, bool include_bool = false) {
  return t == DType::Int8 || t == DType::UInt8 || t == DType::Int32 || t == DType::Int64 ||
         (include_bool && t == DType::Bool);
}
/// PyTorch's promote_types: the smallest type both values fit.
DType promote_types(DType a, DType b);
/// The default floating dtype (float32), used for float scalars meeting integer tensors.
DType default_dtype();
void set_default_dtype(DType t);

std::ostream& operator<<(std::ostream& os, DType t);

/// C++ type <-> DType mapping.
template <class T>
struct CppTypeToDType;
#define FX_MAP_TYPE(cpp, dt)           \
  template <>                          \
  struct CppTypeToDType<cpp> {         \
    static constexpr DType value = dt; \
  };
FX_MAP_TYPE(float, DType::Float32)
FX_MAP_TYPE(double, DType::Float64)
FX_MAP_TYPE(Half, DType::Float16)
FX_MAP_TYPE(BFloat16, DType::BFloat16)
FX_MAP_TYPE(int8_t, DType::Int8)
FX_MAP_TYPE(uint8_t, DType::UInt8)
FX_MAP_TYPE(int32_t, DType::Int32)
FX_MAP_TYPE(int64_t, DType::Int64)
FX_MAP_TYPE(bool, DType::Bool)
#undef FX_MAP_TYPE
template <class T>
inline constexpr DType dtype_of = CppTypeToDType<T>::value;

}  // namespace fluxion

// Calls the templated lambda body with `scalar_t` bound to the C++ type of `dtype`.
#define FX_DTYPE_CASE(dt, cpp, ...) \
  case dt: {                        \
    using scalar_t = cpp;           \
    return __VA_ARGS__();           \
  }
#define FX_DISPATCH_ALL_TYPES(dtype, name, ...)                                   \
  [&] {                                                                           \
    switch (dtype) {                                                              \
      FX_DTYPE_CASE(::fluxion::DType::Float32, float, __VA_ARGS__)                \
      FX_DTYPE_CASE(::fluxion::DType::Float64, double, __VA_ARGS__)               \
      FX_DTYPE_CASE(::fluxion::DType::Float16, ::fluxion::Half, __VA_ARGS__)      \
      FX_DTYPE_CASE(::fluxion::DType::BFloat16, ::fluxion::BFloat16, __VA_ARGS__) \
      FX_DTYPE_CASE(::fluxion::DType::Int8, int8_t, __VA_ARGS__)                  \
      FX_DTYPE_CASE(::fluxion::DType::UInt8, uint8_t, __VA_ARGS__)                \
      FX_DTYPE_CASE(::fluxion::DType::Int32, int32_t, __VA_ARGS__)                \
      FX_DTYPE_CASE(::fluxion::DType::Int64, int64_t, __VA_ARGS__)                \
      FX_DTYPE_CASE(::fluxion::DType::Bool, bool, __VA_ARGS__)                    \
    }                                                                             \
    FX_FAIL(name, ": unsupported dtype ", dtype);                                 \
  }()
#define FX_DISPATCH_FLOATING_TYPES(dtype, name, ...)                              \
  [&] {                                                                           \
    switch (dtype) {                                                              \
      FX_DTYPE_CASE(::fluxion::DType::Float32, float, __VA_ARGS__)                \
      FX_DTYPE_CASE(::fluxion::DType::Float64, double, __VA_ARGS__)               \
      FX_DTYPE_CASE(::fluxion::DType::Float16, ::fluxion::Half, __VA_ARGS__)      \
      FX_DTYPE_CASE(::fluxion::DType::BFloat16, ::fluxion::BFloat16, __VA_ARGS__) \
      default: break;                                                             \
    }                                                                             \
    FX_FAIL(name, ": expected a floating-point dtype but got ", dtype);           \
  }()
