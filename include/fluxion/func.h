// Composable function transforms over C++ callables, like torch.func / JAX:
// grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian, hvp, vmap.
//
// Canonical form: a function from a list of tensors to a list of tensors (`Fn`). Overloads
// accept `Tensor(const Tensor&)` callables for the common single-input case.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "fluxion/autograd.h"

namespace fluxion::func {

using Fn = std::function<TensorList(const TensorList&)>;
using UnaryFn = std::function<Tensor(const Tensor&)>;
/// A function returning (output, aux): aux is passed through untouched.
using AuxFn = std::function<std::pair<Tensor, TensorList>(const TensorList&)>;

/// grad(f)(x): gradient of a scalar-valued f. Composes: grad(grad(f)).
UnaryFn grad(UnaryFn f);
/// Gradients of the scalar first output of f with respect to the inputs listed in argnums.
Fn grad(Fn f, std::vector<int> argnums = {0});
/// grad with auxiliary outputs: returns {grads..., aux...}.
Fn grad_with_aux(AuxFn f, std::vector<int> argnums = {0});
/// Returns {grad, value}.
std::function<std::pair<Tensor, Tensor>(const Tensor&)> grad_and_value(UnaryFn f);

/// Forward mode: returns (f(primals), J·tangents).
std::pair<TensorList, TensorList> jvp(const Fn& f, const TensorList& primals, const TensorList& tangents);
std::pair<Tensor, Tensor> jvp(const UnaryFn& f, const Tensor& primal, const Tensor& tangent);

/// Reverse mode: returns f(primals) and a function mapping output cotangents to input gradients.
std::pair<TensorList, Fn> vjp(const Fn& f, const TensorList& primals);
std::pair<Tensor, UnaryFn> vjp(const UnaryFn& f, const Tensor& primal);

/// Jacobian by reverse mode (one VJP per output element); shape out.sizes() + in.sizes().
UnaryFn jacrev(UnaryFn f);
/// Jacobian by forward mode (one JVP per input element).
UnaryFn jacfwd(UnaryFn f);
/// Hessian of a scalar function: jacrev(jacrev(f)), one backward pass per row over the gradient's
/// graph recorded once (jacfwd(jacrev(f)) gives the same by forward-over-reverse).
UnaryFn hessian(UnaryFn f);
/// Hessian-vector product H(x)·v by forward-over-reverse (no Hessian materialised).
Tensor hvp(const UnaryFn& f, const Tensor& x, const Tensor& v);

/// vmap(f, in_dim, out_dim)(x): maps f over dimension in_dim of x, stacking results along out_dim.
/// f runs once on the whole batch through the ops' batching rules (elementwise, reductions,
/// matmul/mm/bmm/addmm, views and reshapes, softmax, where, clone and dtype conversion, and the
/// gradients of all of these, so vmap(grad(f)) gives per-sample gradients in one pass). An op
/// without a rule makes vmap run f once per example instead: exact, counted by
/// vmap_fallback_count(), named by vmap_fallback_ops() and warned about once per op. An inner
/// vmap nested in another loops. in_dims entries of -1 leave an input unmapped.
UnaryFn vmap(UnaryFn f, int64_t in_dim = 0, int64_t out_dim = 0);
Fn vmap(Fn f, std::vector<int64_t> in_dims, int64_t out_dim = 0);
/// How many vmap calls ran the per-example loop fallback (for tests and diagnostics).
int64_t vmap_fallback_count();
/// The ops (kernel names) that sent a vmap call to its per-example loop so far, sorted.
std::vector<std::string> vmap_fallback_ops();

}  // namespace fluxion::func
