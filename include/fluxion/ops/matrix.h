// Matrix-building and small products: diag, diag_embed, trace, cross, kron (torch.diag, ...).
// Composed from differentiable ops, so every derivative order and forward mode come for free.
#pragma once

#include <cstdint>

#include "fluxion/tensor.h"

namespace fluxion {

/// 1-d x: the square matrix with x on diagonal `diagonal` (> 0 above the main one, < 0 below).
/// 2-d x: that diagonal of x, as a new 1-d tensor. Other ranks are an error.
Tensor diag(const Tensor& x, int64_t diagonal = 0);
/// Puts the last dim of x on diagonal `offset` of new matrices spanning output dims (dim1, dim2);
/// the output has one more dim than x (torch.diag_embed).
Tensor diag_embed(const Tensor& x, int64_t offset = 0, int64_t dim1 = -2, int64_t dim2 = -1);
/// Sum of the main diagonal of a 2-d tensor.
Tensor trace(const Tensor& x);
/// Cross product of 3-vectors along `dim` (size 3 in both), broadcasting the other dims
/// (torch.linalg.cross).
Tensor cross(const Tensor& a, const Tensor& b, int64_t dim = -1);
/// Kronecker product; the operand with fewer dims is treated as having leading size-1 dims.
Tensor kron(const Tensor& a, const Tensor& b);

}  // namespace fluxion
