// Copies a small tile of a transposed operand into a row-major scratch buffer, with an in-register
// SIMD transpose (AVX-512: 16x16 floats / 8x8 doubles, AVX2: 8x8 floats / 4x4 doubles), chosen at
// run time by CPU feature; a scalar loop does the edges and other element sizes.
//
// Why: run_pointwise_plan (pointwise_cpu.h) walks x.t() + y in tiles. Reading x.t() row by row
// touches one element per cache line and, with a power-of-two row stride, every row of the tile
// lands in the same cache sets. Staging the tile instead reads each source cache line exactly once
// (a whole 64-byte line feeds one register of the block transpose) and the kernel then runs its
// contiguous 1-d loop on scratch rows. Measured by bench/pointwise_bench.cpp ("x.t() + y").
#pragma once

#include <cstdint>

namespace fluxion::kernels {

/// dst[r * dst_stride + c * elsize] = src[r * elsize + c * src_stride] (byte strides) for
/// r < rows, c < cols: the source is contiguous down the tile's columns, the destination along
/// its rows. Any element size is accepted; 4 and 8 bytes are vectorised.
void transpose_tile(const char* src, int64_t src_stride, char* dst, int64_t dst_stride, int64_t rows, int64_t cols,
                    int64_t elsize);

/// True when transpose_tile has a SIMD kernel for `elsize`-byte elements on this CPU (the tiled
/// staging path is only worth it then).
bool transpose_tile_vectorised(int64_t elsize);

}  // namespace fluxion::kernels
