// einsum: Einstein summation composed of differentiable ops (diagonal, permute, reshape, sum,
// bmm), so it needs no VJP of its own and every contraction runs on the GEMM kernel.
//
// Plan (as PyTorch's): every operand is brought to one common layout — the output dims in
// output order, then the contracted dims — with size-1 dims where it lacks a label (repeated
// labels in one operand first become a diagonal). Operands are then contracted left to right;
// each pairwise step sums the dims no later operand uses and is lowered to one bmm
// ([batch, left-only, summed] @ [batch, summed, right-only]).
#include <algorithm>
#include <array>
#include <numeric>
#include <string>
#include <vector>

#include "fluxion/ops/linalg.h"
#include "fluxion/ops/reduce.h"
#include "fluxion/ops/view.h"

namespace fluxion {

namespace {

constexpr int kNumLabels = 52;  // A-Z then a-z (ASCII order, which implicit output sorts by)
constexpr int kEllipsis = -1;

int label_index(char c) { return c >= 'A' && c <= 'Z' ? c - 'A' : c - 'a' + 26; }
char label_char(int i) { return static_cast<char>(i < 26 ? 'A' + i : 'a' + (i - 26)); }

// Parses one term ("ij", "b...k") into label indices with kEllipsis for "...".
std::vector<int> parse_term(const std::string& term, const std::string& eq, bool is_output) {
  std::vector<int> out;
  bool seen_ellipsis = false;
  for (size_t i = 0; i < term.size(); ++i) {
    char c = term[i];
    if (c == '.') {
      FX_CHECK(term.compare(i, 3, "...") == 0, "einsum(): invalid '.' in \"", eq,
               "\" (an ellipsis is written \"...\")");
      FX_CHECK(!seen_ellipsis, "einsum(): more than one ellipsis (\"...\") in ", is_output ? "the output" : "a term",
               " of \"", eq, "\"");
      seen_ellipsis = true;
      out.push_back(kEllipsis);
      i += 2;
    } else {
      FX_CHECK((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'), "einsum(): invalid subscript '", c, "' in \"", eq,
               "\" (subscripts must be letters a-z, A-Z)");
      out.push_back(label_index(c));
    }
  }
  return out;
}

// Pairwise contraction of two operands in the common layout (same ndim, size 1 where absent).
// Dims in `sum_dims` are summed; the result keeps them as size 1.
Tensor sumproduct_pair(Tensor left, Tensor right, const std::vector<bool>& sum_dims) {
  const int64_t nd = left.dim();
  Shape lro, lo, sum, ro, rest, left_only_sum, right_only_sum;
  for (int64_t d = 0; d < nd; ++d) {
    const bool l = left.size(d) != 1, r = right.size(d) != 1;
    if (sum_dims[d]) {
      if (l && r)
        sum.push_back(d);
      else if (l)
        left_only_sum.push_back(d);
      else if (r)
        right_only_sum.push_back(d);
      else
        rest.push_back(d);
    } else {
      if (l && r)
        lro.push_back(d);
      else if (l)
        lo.push_back(d);
      else if (r)
        ro.push_back(d);
      else
        rest.push_back(d);
    }
  }
  // A dim summed that only one side has: reduce it on that side first.
  if (!left_only_sum.empty()) {
    left = left.sum(left_only_sum, /*keepdim=*/true);
    for (int64_t d : left_only_sum) rest.push_back(d);
  }
  if (!right_only_sum.empty()) {
    right = right.sum(right_only_sum, /*keepdim=*/true);
    for (int64_t d : right_only_sum) rest.push_back(d);
  }
  auto numel_of = [](const Tensor& t, const Shape& dims) {
    int64_t n = 1;
    for (int64_t d : dims) n *= t.size(d);
    return n;
  };
  const int64_t n_lro = numel_of(left, lro), n_lo = numel_of(left, lo), n_sum = numel_of(left, sum),
                n_ro = numel_of(right, ro);
  auto cat = [](std::initializer_list<const Shape*> parts) {
    Shape s;
    for (const Shape* p : parts)
      for (int64_t d : *p) s.push_back(d);
    return s;
  };
  Tensor lm = left.permute(cat({&lro, &lo, &sum, &ro, &rest})).reshape({n_lro, n_lo, n_sum});
  Tensor rm = right.permute(cat({&lro, &sum, &ro, &lo, &rest})).reshape({n_lro, n_sum, n_ro});
  Tensor prod = bmm(lm, rm);  // [lro, lo, ro]
  // Back to the layout: sizes in order (lro, lo, ro, sum, rest) then the inverse permutation.
  Shape order = cat({&lro, &lo, &ro, &sum, &rest});
  Shape sizes;
  for (int64_t d : lro) sizes.push_back(left.size(d));
  for (int64_t d : lo) sizes.push_back(left.size(d));
  for (int64_t d : ro) sizes.push_back(right.size(d));
  for (size_t i = 0; i < sum.size() + rest.size(); ++i) sizes.push_back(1);
  Shape inv(static_cast<size_t>(nd), int64_t{0});
  for (int64_t i = 0; i < nd; ++i) inv[order[i]] = i;
  return prod.reshape(sizes).permute(inv);
}

}  // namespace

Tensor einsum(const std::string& equation, const std::vector<Tensor>& operands) {
  std::string eq;
  for (char c : equation)
    if (c != ' ') eq.push_back(c);
  FX_CHECK(!operands.empty(), "einsum(): must provide at least one operand");
  for (const Tensor& t : operands) FX_CHECK(t.defined(), "einsum(): got an undefined operand");
  for (const Tensor& t : operands)
    FX_CHECK(t.device() == operands[0].device(), "einsum(): expected all operands on the same device, but got ",
             operands[0].device().str(), " and ", t.device().str());
  for (const Tensor& t : operands)
    FX_CHECK(t.dtype() == operands[0].dtype(), "einsum(): expected all operands to have the same dtype, but got ",
             dtype_name(operands[0].dtype()), " and ", dtype_name(t.dtype()));

  // ---- parse ----
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  std::vector<std::vector<int>> terms;
  {
    size_t start = 0;
    while (true) {
      size_t comma = lhs.find(',', start);
      terms.push_back(parse_term(lhs.substr(start, comma - start), eq, false));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  const size_t nops = operands.size();
  FX_CHECK(terms.size() <= nops, "einsum(): fewer operands were provided than specified in the equation \"", eq, "\" (",
           terms.size(), " terms, ", nops, " operands)");
  FX_CHECK(terms.size() >= nops, "einsum(): more operands were provided than specified in the equation \"", eq, "\" (",
           terms.size(), " terms, ", nops, " operands)");

  // Ellipsis width per operand and overall (right-aligned broadcast).
  std::vector<int64_t> ell_dims(nops, 0);
  bool any_ellipsis = false;
  int64_t E = 0;
  std::array<int, kNumLabels> count{};
  for (size_t i = 0; i < nops; ++i) {
    int64_t nlabels = 0;
    bool has_ell = false;
    for (int l : terms[i]) {
      if (l == kEllipsis)
        has_ell = true;
      else {
        ++nlabels;
        ++count[l];
      }
    }
    const int64_t nd = operands[i].dim();
    if (has_ell) {
      FX_CHECK(nlabels <= nd, "einsum(): the number of subscripts in the equation (", nlabels,
               ") is more than the number of dimensions (", nd, ") for operand ", i);
      ell_dims[i] = nd - nlabels;
      E = std::max(E, ell_dims[i]);
      any_ellipsis = true;
    } else {
      FX_CHECK(nlabels == nd, "einsum(): the number of subscripts in the equation (", nlabels,
               ") does not match the number of dimensions (", nd, ") for operand ", i, " and no ellipsis was given");
    }
  }

  // Output term: explicit, or implicit (ellipsis first, then labels seen once, sorted).
  std::vector<int> out_term;
  if (arrow != std::string::npos) {
    out_term = parse_term(eq.substr(arrow + 2), eq, true);
    std::array<bool, kNumLabels> seen{};
    for (int l : out_term) {
      if (l == kEllipsis) continue;
      FX_CHECK(count[l] > 0, "einsum(): output subscript ", label_char(l),
               " does not appear in the equation for any input operand");
      FX_CHECK(!seen[l], "einsum(): output subscript ", label_char(l), " appears more than once in the output");
      seen[l] = true;
    }
  } else {
    if (any_ellipsis) out_term.push_back(kEllipsis);
    for (int l = 0; l < kNumLabels; ++l)
      if (count[l] == 1) out_term.push_back(l);
  }

  // ---- common layout: output dims, then contracted labels, then un-output ellipsis dims ----
  // Dim ids: labels 0..51, ellipsis dim j (of E) is kNumLabels + j.
  std::vector<int> layout;
  bool ell_in_out = false;
  std::vector<int> pos(static_cast<size_t>(kNumLabels + E), -1);
  for (int l : out_term) {
    if (l == kEllipsis) {
      ell_in_out = true;
      for (int64_t j = 0; j < E; ++j) layout.push_back(kNumLabels + static_cast<int>(j));
    } else {
      layout.push_back(l);
    }
  }
  const int64_t nout = static_cast<int64_t>(layout.size());
  for (int l = 0; l < kNumLabels; ++l)
    if (count[l] > 0 && std::find(out_term.begin(), out_term.end(), l) == out_term.end()) layout.push_back(l);
  if (!ell_in_out)
    for (int64_t j = 0; j < E; ++j) layout.push_back(kNumLabels + static_cast<int>(j));
  const int64_t nd = static_cast<int64_t>(layout.size());
  for (int64_t p = 0; p < nd; ++p) pos[layout[p]] = static_cast<int>(p);

  // ---- bring each operand to the layout ----
  std::vector<Tensor> ops(nops);
  std::vector<int64_t> size_of(static_cast<size_t>(nd), 1);  // broadcast size per layout dim
  std::vector<int> last_use(static_cast<size_t>(nd), -1);
  for (size_t i = 0; i < nops; ++i) {
    Tensor t = operands[i];
    std::vector<int> ids;  // layout id of each dim of t
    for (int l : terms[i]) {
      if (l == kEllipsis) {
        for (int64_t j = 0; j < ell_dims[i]; ++j) ids.push_back(kNumLabels + static_cast<int>(E - ell_dims[i] + j));
      } else {
        ids.push_back(l);
      }
    }
    // Repeated labels: take the diagonal (it removes both dims and appends one at the end).
    for (bool again = true; again;) {
      again = false;
      for (size_t d1 = 0; d1 < ids.size() && !again; ++d1)
        for (size_t d2 = d1 + 1; d2 < ids.size() && !again; ++d2)
          if (ids[d1] == ids[d2]) {
            FX_CHECK(t.size(d1) == t.size(d2), "einsum(): subscript ", label_char(ids[d1]), " is repeated for operand ",
                     i, " but the sizes don't match, ", t.size(d2), " != ", t.size(d1));
            int id = ids[d1];
            t = t.diagonal(0, static_cast<int64_t>(d1), static_cast<int64_t>(d2));
            ids.erase(ids.begin() + static_cast<std::ptrdiff_t>(d2));
            ids.erase(ids.begin() + static_cast<std::ptrdiff_t>(d1));
            ids.push_back(id);
            again = true;
          }
    }
    // Sizes must agree across operands up to broadcasting of size 1.
    for (size_t d = 0; d < ids.size(); ++d) {
      const int p = pos[ids[d]];
      const int64_t s = t.size(static_cast<int64_t>(d));
      if (s != 1) {
        if (size_of[p] != 1) {
          if (ids[d] < kNumLabels)
            FX_CHECK(s == size_of[p], "einsum(): subscript ", label_char(ids[d]), " has size ", s, " for operand ", i,
                     " which does not broadcast with previously seen size ", size_of[p]);
          else
            FX_CHECK(s == size_of[p], "einsum(): the dimensions covered by \"...\" do not broadcast: size ", s,
                     " for operand ", i, " vs previously seen size ", size_of[p]);
        }
        size_of[p] = s;
      }
      last_use[p] = static_cast<int>(i);
    }
    // Permute present dims into layout order, then insert size-1 dims for the absent ones.
    Shape perm(ids.size(), int64_t{0});
    std::iota(perm.begin(), perm.end(), int64_t{0});
    std::sort(perm.begin(), perm.end(), [&](int64_t x, int64_t y) { return pos[ids[x]] < pos[ids[y]]; });
    t = t.permute(perm);
    Shape full(static_cast<size_t>(nd), int64_t{1});
    for (size_t k = 0; k < perm.size(); ++k) full[pos[ids[perm[k]]]] = t.size(static_cast<int64_t>(k));
    ops[i] = t.dim() == nd ? t : t.reshape(full);
  }

  // ---- contract left to right ----
  Tensor result = ops[0];
  {
    // Contracted dims only operand 0 uses: sum them now.
    Shape dims;
    for (int64_t p = nout; p < nd; ++p)
      if (last_use[p] == 0 && result.size(p) != 1) dims.push_back(p);
    if (!dims.empty()) result = result.sum(dims, /*keepdim=*/true);
  }
  for (size_t i = 1; i < nops; ++i) {
    std::vector<bool> sum_dims(static_cast<size_t>(nd), false);
    for (int64_t p = nout; p < nd; ++p) sum_dims[p] = last_use[p] == static_cast<int>(i);
    result = sumproduct_pair(result, ops[i], sum_dims);
  }
  // Drop the (now size-1) contracted dims; output dims broadcast to their full sizes.
  Shape out_sizes(static_cast<size_t>(nout), int64_t{0});
  for (int64_t p = 0; p < nout; ++p) out_sizes[p] = size_of[p];
  if (result.dim() != nout) {
    Shape keep;
    for (int64_t p = 0; p < nout; ++p) keep.push_back(result.size(p));
    result = result.reshape(keep);
  }
  if (result.sizes() != out_sizes) result = result.expand(out_sizes);
  return result;
}

}  // namespace fluxion
