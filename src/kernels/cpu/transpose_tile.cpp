// Tile transpose for the staged mixed-layout path of run_pointwise_plan: see transpose_tile.h.
// The SIMD kernels are compiled with GCC target attributes and picked once by CPU feature
// (Note [Runtime ISA dispatch] in pointwise_cpu.h), so the library runs on any x86-64.
#include "kernels/cpu/transpose_tile.h"

#include <cstring>

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define FX_TRANSPOSE_SIMD 1
// GCC 12's _mm512_undefined_* (self-initialised) trips -Wuninitialized once inlined here.
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

namespace fluxion::kernels {
namespace {

// Reference: one element at a time (edges, other element sizes, CPUs without AVX2).
template <class T>
void transpose_scalar_t(const char* src, int64_t ss, char* dst, int64_t ds, int64_t r0, int64_t r1, int64_t c0,
                        int64_t c1) {
  for (int64_t c = c0; c < c1; ++c) {
    const T* s = reinterpret_cast<const T*>(src + c * ss);
    for (int64_t r = r0; r < r1; ++r) *reinterpret_cast<T*>(dst + r * ds + c * int64_t{sizeof(T)}) = s[r];
  }
}

void transpose_scalar(const char* src, int64_t ss, char* dst, int64_t ds, int64_t r0, int64_t r1, int64_t c0,
                      int64_t c1, int64_t es) {
  if (r0 >= r1 || c0 >= c1) return;
  switch (es) {
    case 1: return transpose_scalar_t<uint8_t>(src, ss, dst, ds, r0, r1, c0, c1);
    case 2: return transpose_scalar_t<uint16_t>(src, ss, dst, ds, r0, r1, c0, c1);
    case 4: return transpose_scalar_t<uint32_t>(src, ss, dst, ds, r0, r1, c0, c1);
    case 8: return transpose_scalar_t<uint64_t>(src, ss, dst, ds, r0, r1, c0, c1);
    default:
      for (int64_t c = c0; c < c1; ++c)
        for (int64_t r = r0; r < r1; ++r) std::memcpy(dst + r * ds + c * es, src + r * es + c * ss, es);
  }
}

#ifdef FX_TRANSPOSE_SIMD

// Each block kernel loads B source columns (B contiguous elements each, starting at row r, column
// c) and stores B destination rows. Loads/stores are unaligned: the tile's origin is arbitrary.

__attribute__((target("avx512f"))) void block16x16_f32(const char* src, int64_t ss, char* dst, int64_t ds) {
  __m512 r[16], t[16];
  for (int j = 0; j < 16; ++j) r[j] = _mm512_loadu_ps(src + j * ss);
  for (int j = 0; j < 16; j += 2) {
    t[j] = _mm512_unpacklo_ps(r[j], r[j + 1]);
    t[j + 1] = _mm512_unpackhi_ps(r[j], r[j + 1]);
  }
  for (int j = 0; j < 16; j += 4) {
    r[j] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[j]), _mm512_castps_pd(t[j + 2])));
    r[j + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[j]), _mm512_castps_pd(t[j + 2])));
    r[j + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[j + 1]), _mm512_castps_pd(t[j + 3])));
    r[j + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[j + 1]), _mm512_castps_pd(t[j + 3])));
  }
  for (int j = 0; j < 16; j += 8) {
    for (int i = 0; i < 4; ++i) {
      t[j + i] = _mm512_shuffle_f32x4(r[j + i], r[j + i + 4], 0x88);
      t[j + i + 4] = _mm512_shuffle_f32x4(r[j + i], r[j + i + 4], 0xdd);
    }
  }
  for (int i = 0; i < 8; ++i) {
    r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
    r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xdd);
  }
  for (int i = 0; i < 16; ++i) _mm512_storeu_ps(dst + i * ds, r[i]);
}

__attribute__((target("avx512f"))) void block8x8_f64_avx512(const char* src, int64_t ss, char* dst, int64_t ds) {
  __m512d r[8], t[8];
  for (int j = 0; j < 8; ++j) r[j] = _mm512_loadu_pd(src + j * ss);
  for (int j = 0; j < 8; j += 2) {
    t[j] = _mm512_unpacklo_pd(r[j], r[j + 1]);
    t[j + 1] = _mm512_unpackhi_pd(r[j], r[j + 1]);
  }
  for (int j = 0; j < 8; j += 4) {
    for (int i = 0; i < 2; ++i) {
      r[j + i] = _mm512_shuffle_f64x2(t[j + i], t[j + i + 2], 0x88);
      r[j + i + 2] = _mm512_shuffle_f64x2(t[j + i], t[j + i + 2], 0xdd);
    }
  }
  // r[i] (i < 4) now holds elements i and i + 4 of loaded rows 0..3, r[i + 4] those of rows 4..7.
  for (int i = 0; i < 4; ++i) {
    t[i] = _mm512_shuffle_f64x2(r[i], r[i + 4], 0x88);
    t[i + 4] = _mm512_shuffle_f64x2(r[i], r[i + 4], 0xdd);
  }
  // t[i] = element i of all eight loaded rows (tests/ops/pointwise_layout_test.cpp checks it).
  for (int i = 0; i < 8; ++i) _mm512_storeu_pd(dst + i * ds, t[i]);
}

__attribute__((target("avx2"))) void block8x8_f32(const char* src, int64_t ss, char* dst, int64_t ds) {
  __m256 r[8], t[8];
  for (int j = 0; j < 8; ++j) r[j] = _mm256_loadu_ps(reinterpret_cast<const float*>(src + j * ss));
  for (int j = 0; j < 8; j += 2) {
    t[j] = _mm256_unpacklo_ps(r[j], r[j + 1]);
    t[j + 1] = _mm256_unpackhi_ps(r[j], r[j + 1]);
  }
  for (int j = 0; j < 8; j += 4) {
    r[j] = _mm256_shuffle_ps(t[j], t[j + 2], 0x44);
    r[j + 1] = _mm256_shuffle_ps(t[j], t[j + 2], 0xee);
    r[j + 2] = _mm256_shuffle_ps(t[j + 1], t[j + 3], 0x44);
    r[j + 3] = _mm256_shuffle_ps(t[j + 1], t[j + 3], 0xee);
  }
  for (int i = 0; i < 4; ++i) {
    t[i] = _mm256_permute2f128_ps(r[i], r[i + 4], 0x20);
    t[i + 4] = _mm256_permute2f128_ps(r[i], r[i + 4], 0x31);
  }
  for (int i = 0; i < 8; ++i) _mm256_storeu_ps(reinterpret_cast<float*>(dst + i * ds), t[i]);
}

__attribute__((target("avx2"))) void block4x4_f64(const char* src, int64_t ss, char* dst, int64_t ds) {
  __m256d r[4], t[4];
  for (int j = 0; j < 4; ++j) r[j] = _mm256_loadu_pd(reinterpret_cast<const double*>(src + j * ss));
  t[0] = _mm256_unpacklo_pd(r[0], r[1]);
  t[1] = _mm256_unpackhi_pd(r[0], r[1]);
  t[2] = _mm256_unpacklo_pd(r[2], r[3]);
  t[3] = _mm256_unpackhi_pd(r[2], r[3]);
  r[0] = _mm256_permute2f128_pd(t[0], t[2], 0x20);
  r[1] = _mm256_permute2f128_pd(t[1], t[3], 0x20);
  r[2] = _mm256_permute2f128_pd(t[0], t[2], 0x31);
  r[3] = _mm256_permute2f128_pd(t[1], t[3], 0x31);
  for (int i = 0; i < 4; ++i) _mm256_storeu_pd(reinterpret_cast<double*>(dst + i * ds), r[i]);
}

using BlockFn = void (*)(const char*, int64_t, char*, int64_t);

// Full B x B blocks with `block`, column block outermost so each source column is read in order;
// the edges (rows or cols not a multiple of B) go through the scalar loop.
void transpose_blocks(const char* src, int64_t ss, char* dst, int64_t ds, int64_t rows, int64_t cols, int64_t es,
                      int64_t B, BlockFn block) {
  const int64_t rb = rows - rows % B, cb = cols - cols % B;
  for (int64_t c = 0; c < cb; c += B)
    for (int64_t r = 0; r < rb; r += B) block(src + r * es + c * ss, ss, dst + r * ds + c * es, ds);
  transpose_scalar(src, ss, dst, ds, 0, rb, cb, cols, es);
  transpose_scalar(src, ss, dst, ds, rb, rows, 0, cols, es);
}

enum class Isa { kNone, kAvx2, kAvx512 };

Isa cpu_isa() {
  static const Isa isa = [] {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return Isa::kAvx512;
    if (__builtin_cpu_supports("avx2")) return Isa::kAvx2;
    return Isa::kNone;
  }();
  return isa;
}

#endif  // FX_TRANSPOSE_SIMD

}  // namespace

bool transpose_tile_vectorised(int64_t elsize) {
#ifdef FX_TRANSPOSE_SIMD
  return (elsize == 4 || elsize == 8) && cpu_isa() != Isa::kNone;
#else
  (void)elsize;
  return false;
#endif
}

void transpose_tile(const char* src, int64_t src_stride, char* dst, int64_t dst_stride, int64_t rows, int64_t cols,
                    int64_t elsize) {
#ifdef FX_TRANSPOSE_SIMD
  const Isa isa = cpu_isa();
  if (elsize == 4 && isa == Isa::kAvx512)
    return transpose_blocks(src, src_stride, dst, dst_stride, rows, cols, 4, 16, block16x16_f32);
  if (elsize == 8 && isa == Isa::kAvx512)
    return transpose_blocks(src, src_stride, dst, dst_stride, rows, cols, 8, 8, block8x8_f64_avx512);
  if (elsize == 4 && isa == Isa::kAvx2)
    return transpose_blocks(src, src_stride, dst, dst_stride, rows, cols, 4, 8, block8x8_f32);
  if (elsize == 8 && isa == Isa::kAvx2)
    return transpose_blocks(src, src_stride, dst, dst_stride, rows, cols, 8, 4, block4x4_f64);
#endif
  transpose_scalar(src, src_stride, dst, dst_stride, 0, rows, 0, cols, elsize);
}

}  // namespace fluxion::kernels
