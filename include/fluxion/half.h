// Half (IEEE binary16) and BFloat16 storage types. Arithmetic goes through float.
#pragma once

#include <cstdint>
#include <cstring>
#include <ostream>

#if defined(__CUDACC__)
#define FX_HOST_DEVICE __host__ __device__
#else
#define FX_HOST_DEVICE
#endif

namespace fluxion {

namespace detail {
FX_HOST_DEVICE inline uint32_t f32_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
FX_HOST_DEVICE inline float bits_f32(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
}  // namespace detail

struct Half {
  uint16_t x = 0;
  Half() = default;
  FX_HOST_DEVICE Half(float f) : x(from_float(f)) {}             // NOLINT: implicit like c10::Half
  FX_HOST_DEVICE operator float() const { return to_float(x); }  // NOLINT

  static Half from_bits(uint16_t b) {
    Half h;
    h.x = b;
    return h;
  }
  // Round-to-nearest-even conversion (same as the hardware F16C instructions).
  FX_HOST_DEVICE static uint16_t from_float(float f) {
    uint32_t u = detail::f32_bits(f);
    uint32_t sign = (u >> 16) & 0x8000u;
    uint32_t abs = u & 0x7fffffffu;
    if (abs >= 0x7f800000u) return static_cast<uint16_t>(sign | (abs > 0x7f800000u ? 0x7e00u : 0x7c00u));
    if (abs >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // overflow to inf
    if (abs < 0x38800000u) {                                               // subnormal or zero
      float af = detail::bits_f32(abs) + 0.5f;  // align so the mantissa holds the result (rounds nearest even)
      return static_cast<uint16_t>(sign | (detail::f32_bits(af) - 0x3f000000u));
    }
    uint32_t mant_odd = (abs >> 13) & 1u;
    abs += 0xc8000fffu + mant_odd;  // rebias exponent (-112 << 23) and round
    return static_cast<uint16_t>(sign | (abs >> 13));
  }
  FX_HOST_DEVICE static float to_float(uint16_t h) {
    uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t mant = h & 0x3ffu;
    uint32_t bits;
    if (exp == 0) {
      if (mant == 0) return detail::bits_f32(sign);
      float f = static_cast<float>(mant) * 5.9604644775390625e-08f;  // 2^-24
      return sign ? -f : f;
    }
    if (exp == 31)
      bits = sign | 0x7f800000u | (mant << 13);
    else
      bits = sign | ((exp + 112u) << 23) | (mant << 13);
    return detail::bits_f32(bits);
  }
};

struct BFloat16 {
  uint16_t x = 0;
  BFloat16() = default;
  FX_HOST_DEVICE BFloat16(float f) : x(from_float(f)) {}                                              // NOLINT
  FX_HOST_DEVICE operator float() const { return detail::bits_f32(static_cast<uint32_t>(x) << 16); }  // NOLINT
  static BFloat16 from_bits(uint16_t b) {
    BFloat16 h;
    h.x = b;
    return h;
  }
  FX_HOST_DEVICE static uint16_t from_float(float f) {
    uint32_t u = detail::f32_bits(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return 0x7fc0;  // NaN
    uint32_t rounding_bias = 0x7fffu + ((u >> 16) & 1u);
    return static_cast<uint16_t>((u + rounding_bias) >> 16);
  }
};

inline std::ostream& operator<<(std::ostream& os, Half h) { return os << static_cast<float>(h); }
inline std::ostream& operator<<(std::ostream& os, BFloat16 h) { return os << static_cast<float>(h); }

}  // namespace fluxion
