// fx::linalg norms: vector_norm, matrix_norm and norm, composed from differentiable reductions
// (fx::norm, amax/amin, sum of abs) and svdvals, so their gradients and JVPs come from those ops.
#include <algorithm>
#include <cmath>

#include "fluxion/ops/creation.h"
#include "fluxion/ops/index.h"
#include "fluxion/ops/pointwise.h"
#include "fluxion/ops/reduce.h"
#include "fluxion/ops/view.h"
#include "ops/linalg_decomp_util.h"

namespace fluxion::linalg {

using namespace detail;

namespace {

void check_norm_input(const char* op, const Tensor& x) {
  FX_CHECK(x.defined(), op, ": got an undefined tensor");
  FX_CHECK(x.dtype() == kFloat32 || x.dtype() == kFloat64, op, ": expected a float32 or float64 tensor, but got ",
           dtype_name(x.dtype()), " (sizes ", x.sizes(), ")");
}

// The two (wrapped, distinct) dims of a matrix norm.
std::pair<int64_t, int64_t> matrix_dims(const char* op, const Tensor& A, const DimList& dim) {
  FX_CHECK(dim.size() == 2, op, ": dim must name exactly 2 dims, but got ", dim.size());
  FX_CHECK(A.dim() >= 2, op, ": the input must have at least 2 dimensions, but got sizes ", A.sizes());
  const int64_t d0 = wrap_dim(dim[0], A.dim(), op), d1 = wrap_dim(dim[1], A.dim(), op);
  FX_CHECK(d0 != d1, op, ": dims must be different, but both are ", d0);
  return {d0, d1};
}

// Applies f to A with the dims (d0, d1) moved to the end (reducing them to a [...] result), then
// re-inserts them as size-1 dims if keepdim.
template <class F>
Tensor over_matrix_dims(const Tensor& A, int64_t d0, int64_t d1, bool keepdim, F&& f) {
  Tensor out = f(A.movedim(DimList{d0, d1}, DimList{-2, -1}));
  if (keepdim) {
    out = out.unsqueeze(std::min(d0, d1));
    out = out.unsqueeze(std::max(d0, d1));
  }
  return out;
}

}  // namespace

Tensor vector_norm(const Tensor& x, double ord, std::optional<DimList> dim, bool keepdim) {
  const char* op = "linalg.vector_norm";
  check_norm_input(op, x);
  FX_CHECK(!std::isnan(ord), op, ": ord must not be NaN");
  if (std::isinf(ord) && ord < 0) {
    FX_CHECK(x.numel() > 0, op, ": cannot compute the -inf norm of an empty tensor (no identity)");
    return amin(abs(x), dim ? *dim : DimList{}, keepdim);
  }
  return fluxion::norm(x, ord, dim, keepdim);
}

Tensor matrix_norm(const Tensor& A, double ord, const DimList& dim, bool keepdim) {
  const char* op = "linalg.matrix_norm";
  check_norm_input(op, A);
  auto [d0, d1] = matrix_dims(op, A, dim);
  const bool inf = std::isinf(ord);
  FX_CHECK(ord == 2 || ord == -2 || ord == 1 || ord == -1 || inf, op,
           ": ord must be one of 2, -2, 1, -1, inf, -inf, \"fro\" or \"nuc\", but got ", ord);
  if (ord == 2 || ord == -2) {
    return over_matrix_dims(A, d0, d1, keepdim, [&](const Tensor& M) {
      Tensor s = svdvals(M);
      return ord > 0 ? amax(s, DimList{-1}) : amin(s, DimList{-1});
    });
  }
  // 1: max over columns of the column abs sums (sum over rows d0); inf: max over rows of row sums.
  const bool max = ord > 0;
  const int64_t sum_dim = inf ? d1 : d0, red_dim = inf ? d0 : d1;
  Tensor sums = sum(abs(A), DimList{sum_dim}, true);
  Tensor out = max ? amax(sums, DimList{red_dim}, true) : amin(sums, DimList{red_dim}, true);
  return keepdim ? out : out.squeeze(DimList{d0, d1});
}

Tensor matrix_norm(const Tensor& A, const std::string& ord, const DimList& dim, bool keepdim) {
  const char* op = "linalg.matrix_norm";
  check_norm_input(op, A);
  FX_CHECK(ord == "fro" || ord == "nuc", op, ": ord must be \"fro\" or \"nuc\" (or a number), but got \"", ord, "\"");
  auto [d0, d1] = matrix_dims(op, A, dim);
  if (ord == "fro") return fluxion::norm(A, 2, DimList{d0, d1}, keepdim);
  return over_matrix_dims(A, d0, d1, keepdim, [](const Tensor& M) { return sum(svdvals(M), DimList{-1}); });
}

Tensor norm(const Tensor& x, std::optional<double> ord, std::optional<DimList> dim, bool keepdim) {
  const char* op = "linalg.norm";
  check_norm_input(op, x);
  if (dim) {
    FX_CHECK(dim->size() == 1 || dim->size() == 2, op, ": dim must name 1 or 2 dims, but got ", dim->size());
    if (dim->size() == 1) return vector_norm(x, ord.value_or(2.0), dim, keepdim);
    if (!ord) return fluxion::norm(x, 2, dim, keepdim);  // Frobenius
    return matrix_norm(x, *ord, *dim, keepdim);
  }
  if (!ord) return fluxion::norm(x, 2, std::nullopt, keepdim);
  FX_CHECK(x.dim() == 1 || x.dim() == 2, op, ": with ord and no dim the input must be 1-D or 2-D, but got sizes ",
           x.sizes());
  if (x.dim() == 1) return vector_norm(x, *ord, std::nullopt, keepdim);
  return matrix_norm(x, *ord, DimList{-2, -1}, keepdim);
}

Tensor norm(const Tensor& x, const std::string& ord, std::optional<DimList> dim, bool keepdim) {
  const char* op = "linalg.norm";
  check_norm_input(op, x);
  if (!dim) FX_CHECK(x.dim() == 2, op, ": ord \"", ord, "\" without dim needs a 2-D input, but got sizes ", x.sizes());
  return matrix_norm(x, ord, dim ? *dim : DimList{-2, -1}, keepdim);
}

Tensor cond(const Tensor& A, std::optional<double> p) {
  const char* op = "linalg.cond";
  check_matrix(op, A);
  const double ord = p.value_or(2.0);
  if (ord == 2 || ord == -2) {
    Tensor s = svdvals(A);
    FX_CHECK(s.size(-1) > 0, op, ": the input has no singular values (sizes ", A.sizes(), ")");
    Tensor mx = amax(s, DimList{-1}), mn = amin(s, DimList{-1});
    return ord > 0 ? mx / mn : mn / mx;
  }
  check_square(op, A);
  return matrix_norm(A, ord) * matrix_norm(inv(A), ord);
}

Tensor cond(const Tensor& A, const std::string& p) {
  const char* op = "linalg.cond";
  check_square(op, A);
  return matrix_norm(A, p) * matrix_norm(inv(A), p);
}

}  // namespace fluxion::linalg
