// Matrix products. f32/f64 go through BLAS; other dtypes use a portable blocked kernel.
#pragma once

#include <string>
#include <vector>

#include "fluxion/tensor.h"

namespace fluxion {

/// PyTorch matmul semantics: 1-d·1-d dot, 2-d mm, 1-d/2-d promotion, batched with broadcasting.
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor mm(const Tensor& a, const Tensor& b);
Tensor bmm(const Tensor& a, const Tensor& b);
Tensor mv(const Tensor& a, const Tensor& v);
Tensor dot(const Tensor& a, const Tensor& b);
Tensor outer(const Tensor& a, const Tensor& b);
/// beta * self + alpha * (m1 @ m2)
Tensor addmm(const Tensor& self, const Tensor& m1, const Tensor& m2, const Scalar& beta = 1, const Scalar& alpha = 1);
Tensor addmv(const Tensor& self, const Tensor& m, const Tensor& v, const Scalar& beta = 1, const Scalar& alpha = 1);
/// beta * self + alpha * bmm(b1, b2)
Tensor baddbmm(const Tensor& self, const Tensor& b1, const Tensor& b2, const Scalar& beta = 1, const Scalar& alpha = 1);
Tensor& mm_out(Tensor& out, const Tensor& a, const Tensor& b);
Tensor& matmul_out(Tensor& out, const Tensor& a, const Tensor& b);
/// Einstein summation ("ij,jk->ik", "bij,bjk->bik", "ii->i", "i,i->", implicit output, "...").
Tensor einsum(const std::string& equation, const std::vector<Tensor>& operands);
Tensor tensordot(const Tensor& a, const Tensor& b, const std::vector<int64_t>& dims_a,
                 const std::vector<int64_t>& dims_b);

}  // namespace fluxion
