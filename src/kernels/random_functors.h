// Per-element sampling formulas shared by every random kernel (host/device so a CUDA kernel
// can reuse them). Note [Random stream layout]: a draw of n elements starting at counter
// `offset` maps element i to Philox block (offset + i / per, seed), lane i % per, where
// per = 4 for 32-bit draws (one word per element) and 2 for 64-bit draws (two words). The
// value of element i therefore depends only on (seed, offset, i): never on the thread count.
#pragma once

#include <cmath>
#include <cstdint>

#include "core/philox.h"

namespace fluxion::kernels::rnd {

using philox_impl::U32x4;

/// Elements per Philox block: 4 for 32-bit draws, 2 for 64-bit ("wide") draws.
FX_HOST_DEVICE inline int64_t per_block(bool wide) { return wide ? 2 : 4; }
/// Counters a draw of n elements reserves.
FX_HOST_DEVICE inline uint64_t counters_for(int64_t n, bool wide) {
  int64_t per = per_block(wide);
  return static_cast<uint64_t>((n + per - 1) / per);
}

/// Uniform in [0, 1) with 24 random bits.
FX_HOST_DEVICE inline float to_unit_float(uint32_t x) { return static_cast<float>(x >> 8) * (1.0f / 16777216.0f); }
/// Uniform in [0, 1) with 53 random bits.
FX_HOST_DEVICE inline double to_unit_double(uint32_t hi, uint32_t lo) {
  uint64_t v = ((static_cast<uint64_t>(hi) << 32) | lo) >> 11;
  return static_cast<double>(v) * (1.0 / 9007199254740992.0);
}

/// Lane `lane` of a 32-bit draw.
FX_HOST_DEVICE inline uint32_t word32(const U32x4& b, int lane) { return b.v[lane]; }
/// Lane `lane` (0 or 1) of a 64-bit draw.
FX_HOST_DEVICE inline uint64_t word64(const U32x4& b, int lane) {
  return (static_cast<uint64_t>(b.v[2 * lane]) << 32) | b.v[2 * lane + 1];
}

FX_HOST_DEVICE inline float uniform32(const U32x4& b, int lane) { return to_unit_float(b.v[lane]); }
FX_HOST_DEVICE inline double uniform64(const U32x4& b, int lane) {
  return to_unit_double(b.v[2 * lane], b.v[2 * lane + 1]);
}

/// Box-Muller on the lane's pair of words: lanes (0,1) share one pair, (2,3) the other; the
/// even lane takes the cosine branch, the odd lane the sine branch.
FX_HOST_DEVICE inline float normal32(const U32x4& b, int lane) {
  int pair = lane & ~1;
  float u1 = 1.0f - to_unit_float(b.v[pair]);  // (0, 1]: log is finite
  float u2 = to_unit_float(b.v[pair + 1]);
  float r = std::sqrt(-2.0f * std::log(u1));
  float theta = 6.28318530717958647692f * u2;
  return (lane & 1) ? r * std::sin(theta) : r * std::cos(theta);
}
/// Double-precision Box-Muller: one pair of 53-bit uniforms per block, lane 0 cos, lane 1 sin.
FX_HOST_DEVICE inline double normal64(const U32x4& b, int lane) {
  double u1 = 1.0 - to_unit_double(b.v[0], b.v[1]);
  double u2 = to_unit_double(b.v[2], b.v[3]);
  double r = std::sqrt(-2.0 * std::log(u1));
  double theta = 6.28318530717958647692 * u2;
  return lane ? r * std::sin(theta) : r * std::cos(theta);
}

/// Calls f(i, block, lane) for elements [begin, end) of a draw, computing each block once.
template <class F>
inline void for_each_draw(int64_t begin, int64_t end, uint64_t seed, uint64_t offset, bool wide, const F& f) {
  const int64_t per = per_block(wide);
  int64_t i = begin;
  while (i < end) {
    int64_t c = i / per;
    U32x4 blk = philox_impl::block(offset + static_cast<uint64_t>(c), seed);
    int64_t stop = (c + 1) * per < end ? (c + 1) * per : end;
    for (; i < stop; ++i) f(i, blk, static_cast<int>(i - c * per));
  }
}

}  // namespace fluxion::kernels::rnd
