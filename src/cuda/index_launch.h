// Launchers of the CUDA indexing and sorting kernels (index.cu, sort.cu), called by
// index_kernels.cpp with plain descriptors: shared by nvcc and the C++ compiler, includes nothing
// from the tensor library (like launch.h, whose Strided / Ty it uses).
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "cuda/launch.h"

namespace fluxion::cuda::kern {

/// How index_put combines a value with the destination (mirror of kernels::PutMode).
enum class PutOp : int { Assign, Add, Mul, Max, Min };

/// data: off (int64), idx (int32 when idx32, else int64). off[p] += w * stride where w = idx[p]
/// (wrapped by `size` when negative and wrap_negative). An out-of-range index leaves off[p]
/// unchanged and records itself in `status` (2 int64 of device memory, zeroed by the caller):
/// status[0] = 1, status[1] = the first bad index seen (in no particular order).
void index_offsets(const Strided<2>& it, int64_t n, bool idx32, int64_t size, int64_t stride, bool wrap_negative,
                   int64_t* status, cudaStream_t s);

/// data: out, src, off (int64 element offsets): out[p] = src[p + off[p]]; elements of elem_size
/// bytes (1, 2, 4 or 8).
void index_gather(const Strided<3>& it, int64_t n, int elem_size, cudaStream_t s);

/// data: self, values, off: self[p + off[p]] = combine(self[...], values[p]), atomically where
/// several p may address one element. f32/f64/f16/bf16/int64/int32/bool.
void index_put(const Strided<3>& it, int64_t n, Ty t, PutOp op, cudaStream_t s);

/// data: out (contiguous, the shape of x), x. Over the last two dims (M rows, N cols), keeps
/// j - i <= diagonal (tril) or j - i >= diagonal (triu) and writes zero bits elsewhere.
void tri(const Strided<2>& it, int64_t n, int64_t M, int64_t N, int64_t diagonal, bool upper, int elem_size,
         cudaStream_t s);

/// nonzero in two launches: nonzero_count writes, per chunk of kNonzeroChunk linear positions,
/// the number of non-zero elements into counts[chunk]; the host turns the counts into exclusive
/// offsets (row_start, on the device) and nonzero_write writes the coordinates of the non-zero
/// elements in row-major order into out (total x nd int64). `shape` holds x's sizes (nd <= 16).
constexpr int64_t kNonzeroChunk = 2048;
struct NzShape {
  int nd = 0;
  int64_t sizes[16] = {};
};
void nonzero_count(const Strided<1>& it, int64_t n, Ty t, int64_t* counts, cudaStream_t s);
void nonzero_write(const Strided<1>& it, int64_t n, Ty t, const NzShape& shape, const int64_t* row_start, int64_t* out,
                   cudaStream_t s);

/// out[b, j] = first i with seq[b', i] >= v[b, j] (right: >), b' = shared ? 0 : b; seq (B or 1, S)
/// and v (B, V) contiguous of type t (not bool); out int32 (out32) or int64.
void searchsorted(const void* seq, const void* v, void* out, bool out32, int64_t B, int64_t V, int64_t S, bool shared,
                  Ty t, bool right, cudaStream_t s);

/// Stable sort of every row of a contiguous rows x n input (NaN largest, -0 == +0): values_out
/// (the input type, contiguous rows x n, may be null) and cols_out (int64 positions in the row).
/// `scratch` needs sort_scratch_bytes(rows, n, t) bytes.
size_t sort_scratch_bytes(int64_t rows, int64_t n, Ty t);
void sort_rows(const void* in, void* values_out, int64_t* cols_out, int64_t rows, int64_t n, Ty t, bool descending,
               void* scratch, cudaStream_t s);

/// unique of the rows of a contiguous n x m input of type t (lexicographic, NaN largest and every
/// NaN row its own group), in two phases sharing `scratch` (unique_scratch_bytes(n, t) bytes):
/// unique_sort writes inverse (n int64) and returns the number of groups u (it synchronises the
/// stream to read u); unique_finish then writes values (u x m, type t) and counts (u int64).
size_t unique_scratch_bytes(int64_t n, Ty t);
int64_t unique_sort(const void* in, int64_t n, int64_t m, Ty t, int64_t* inverse, void* scratch, cudaStream_t s);
void unique_finish(const void* in, int64_t n, int64_t m, int64_t u, Ty t, void* values, int64_t* counts, void* scratch,
                   cudaStream_t s);

}  // namespace fluxion::cuda::kern
