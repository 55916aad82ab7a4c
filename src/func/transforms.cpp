// Function transforms built on the reverse engine (autograd::grad with create_graph) and on
// forward-mode dual levels. They compose because each wraps its inputs as differentiable
// aliases that keep outer history and outer tangents.
#include <atomic>
#include <iostream>
#include <mutex>
#include <set>
#include <string>

#include "fluxion/func.h"

#include "core/batched.h"
#include "core/vmap_state.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/index.h"
#include "fluxion/ops/pointwise.h"

namespace fluxion::func {

namespace {

// A differentiable alias of x that requires grad, keeping x's history and tangents.
Tensor track(const Tensor& x) {
  if (!x.is_floating_point()) return x;
  Tensor xw = x.view(x.sizes());
  if (!xw.requires_grad()) xw.requires_grad_(true);
  return xw;
}

// Keep the graph when an outer transform may differentiate the result.
bool outer_needs_graph(const TensorList& xs) {
  if (autograd::forward_ad::num_active_levels() > 0) return true;
  for (const Tensor& x : xs)
    if (x.defined() && x.requires_grad()) return true;
  return false;
}

TensorList grads_of(const Tensor& out, const TensorList& wrt, bool create_graph) {
  FX_CHECK(out.numel() == 1, "func::grad: the function must return a scalar (one element), got sizes ", out.sizes());
  TensorList g;
  if (!out.requires_grad()) {
    for (const Tensor& w : wrt) g.push_back(zeros_like(w));
    return g;
  }
  g = autograd::grad({out}, wrt, {}, /*retain_graph=*/create_graph, create_graph, /*allow_unused=*/true);
  for (size_t i = 0; i < g.size(); ++i)
    if (!g[i].defined()) g[i] = zeros_like(wrt[i]);
  return g;
}

}  // namespace

UnaryFn grad(UnaryFn f) {
  return [f = std::move(f)](const Tensor& x) {
    EnableGradGuard eg;
    bool keep = outer_needs_graph({x});
    Tensor xw = track(x);
    return grads_of(f(xw), {xw}, keep)[0];
  };
}

Fn grad(Fn f, std::vector<int> argnums) {
  return [f = std::move(f), argnums](const TensorList& xs) {
    EnableGradGuard eg;
    bool keep = outer_needs_graph(xs);
    TensorList ins = xs;
    TensorList wrt;
    for (int a : argnums) {
      FX_CHECK(a >= 0 && a < static_cast<int>(xs.size()), "func::grad: argnum ", a, " out of range for ", xs.size(),
               " inputs");
      ins[a] = track(xs[a]);
      wrt.push_back(ins[a]);
    }
    TensorList outs = f(ins);
    FX_CHECK(!outs.empty(), "func::grad: the function returned no outputs");
    return grads_of(outs[0], wrt, keep);
  };
}

Fn grad_with_aux(AuxFn f, std::vector<int> argnums) {
  return [f = std::move(f), argnums](const TensorList& xs) {
    EnableGradGuard eg;
    bool keep = outer_needs_graph(xs);
    TensorList ins = xs;
    TensorList wrt;
    for (int a : argnums) {
      FX_CHECK(a >= 0 && a < static_cast<int>(xs.size()), "func::grad_with_aux: argnum ", a, " out of range");
      ins[a] = track(xs[a]);
      wrt.push_back(ins[a]);
    }
    auto [out, aux] = f(ins);
    TensorList r = grads_of(out, wrt, keep);
    for (const Tensor& a : aux) r.push_back(keep ? a : a.detach());
    return r;
  };
}

std::function<std::pair<Tensor, Tensor>(const Tensor&)> grad_and_value(UnaryFn f) {
  return [f = std::move(f)](const Tensor& x) {
    EnableGradGuard eg;
    bool keep = outer_needs_graph({x});
    Tensor xw = track(x);
    Tensor out = f(xw);
    Tensor g = grads_of(out, {xw}, keep)[0];
    return std::make_pair(g, keep ? out : out.detach());
  };
}

std::pair<TensorList, TensorList> jvp(const Fn& f, const TensorList& primals, const TensorList& tangents) {
  FX_CHECK(primals.size() == tangents.size(), "func::jvp: got ", primals.size(), " primals but ", tangents.size(),
           " tangents");
  autograd::forward_ad::dual_level level;
  TensorList duals;
  for (size_t i = 0; i < primals.size(); ++i) {
    FX_CHECK(primals[i].sizes() == tangents[i].sizes(), "func::jvp: tangent ", i, " has sizes ", tangents[i].sizes(),
             " but primal has sizes ", primals[i].sizes());
    duals.push_back(autograd::forward_ad::make_dual(primals[i], tangents[i]));
  }
  TensorList outs = f(duals);
  TensorList ps, ts;
  for (const Tensor& o : outs) {
    auto [p, t] = autograd::forward_ad::unpack_dual(o);
    ps.push_back(p);
    ts.push_back(t.defined() ? t : zeros_like(o));
  }
  return {ps, ts};
}

std::pair<Tensor, Tensor> jvp(const UnaryFn& f, const Tensor& primal, const Tensor& tangent) {
  auto [ps, ts] =
      jvp([&f](const TensorList& xs) { return TensorList{f(xs[0])}; }, TensorList{primal}, TensorList{tangent});
  return {ps[0], ts[0]};
}

std::pair<TensorList, Fn> vjp(const Fn& f, const TensorList& primals) {
  EnableGradGuard eg;
  bool keep = outer_needs_graph(primals);
  TensorList ins;
  for (const Tensor& p : primals) ins.push_back(track(p));
  TensorList outs = f(ins);
  Fn pullback = [ins, outs, keep](const TensorList& cot) {
    FX_CHECK(cot.size() == outs.size(), "func::vjp: got ", cot.size(), " cotangents for ", outs.size(), " outputs");
    TensorList os, cs;
    for (size_t i = 0; i < outs.size(); ++i)
      if (outs[i].requires_grad()) {
        os.push_back(outs[i]);
        cs.push_back(cot[i]);
      }
    TensorList g;
    if (os.empty()) {
      for (const Tensor& x : ins) g.push_back(zeros_like(x));
      return g;
    }
    g = autograd::grad(os, ins, cs, /*retain_graph=*/true, keep, /*allow_unused=*/true);
    for (size_t i = 0; i < g.size(); ++i)
      if (!g[i].defined()) g[i] = zeros_like(ins[i]);
    return g;
  };
  TensorList shown;
  for (const Tensor& o : outs) shown.push_back(keep ? o : o.detach());
  return {shown, pullback};
}

std::pair<Tensor, UnaryFn> vjp(const UnaryFn& f, const Tensor& primal) {
  auto [outs, pb] = vjp([&f](const TensorList& xs) { return TensorList{f(xs[0])}; }, TensorList{primal});
  UnaryFn single = [pb](const Tensor& c) { return pb({c})[0]; };
  return {outs[0], single};
}

UnaryFn jacrev(UnaryFn f) {
  return [f = std::move(f)](const Tensor& x) {
    auto [y, pb] = vjp(f, x);
    int64_t m = y.numel();
    TensorList rows;
    rows.reserve(static_cast<size_t>(m));
    for (int64_t i = 0; i < m; ++i) {
      Tensor e = zeros({m}, y.options());
      {
        NoGradGuard ng;
        e.select(0, i).fill_(1.0);
      }
      rows.push_back(pb(e.view(y.sizes())));
    }
    Shape shape = y.sizes();
    for (int64_t s : x.sizes()) shape.push_back(s);
    if (m == 0) return zeros(shape, x.options());
    return stack(rows, 0).reshape(shape);
  };
}

UnaryFn jacfwd(UnaryFn f) {
  return [f = std::move(f)](const Tensor& x) {
    int64_t n = x.numel();
    TensorList cols;
    Tensor y;
    for (int64_t j = 0; j < n; ++j) {
      Tensor e = zeros({n}, x.options());
      {
        NoGradGuard ng;
        e.select(0, j).fill_(1.0);
      }
      auto [out, tan] = jvp(f, x, e.view(x.sizes()));
      y = out;
      cols.push_back(tan.reshape({-1}));
    }
    if (n == 0) {
      Tensor out = f(x);
      Shape shape = out.sizes();
      for (int64_t s : x.sizes()) shape.push_back(s);
      return zeros(shape, x.options());
    }
    Shape shape = y.sizes();
    for (int64_t s : x.sizes()) shape.push_back(s);
    return stack(cols, 1).reshape(shape);
  };
}

// Reverse-over-reverse: the gradient's graph is recorded once and each Hessian row is one
// backward pass over it. Forward-over-reverse (jacfwd(jacrev(f)), JAX's choice) redoes the whole
// forward and backward per row unless tangents are batched by vmap, which has no batching rules
// here yet: measured 2.1 ms against 7.4 ms for a 100-dim Hessian (bench/autograd_bench.cpp).
UnaryFn hessian(UnaryFn f) { return jacrev(jacrev(std::move(f))); }

Tensor hvp(const UnaryFn& f, const Tensor& x, const Tensor& v) { return jvp(grad(f), x, v).second; }

// ---- vmap ----------------------------------------------------------------------------------------
// Note [Batched tensors] (fluxion/tensor_impl.h): the mapped inputs become batched tensors and f
// runs once on the whole batch; ops with a batching rule compute on the physical tensors. If f
// reaches an op without one, f is run again once per example (exact, counted, warned once per op).

namespace {
std::atomic<int64_t> g_vmap_fallbacks{0};
std::mutex g_fallback_mu;
std::set<std::string> g_fallback_ops;

void note_fallback(const std::string& op) {
  g_vmap_fallbacks.fetch_add(1);
  std::lock_guard<std::mutex> lock(g_fallback_mu);
  if (g_fallback_ops.insert(op).second)
    std::cerr << "fluxion: vmap has no batching rule for " << op
              << "; running the function once per example instead (exact, but not faster than a loop)\n";
}

// x with dim d moved to the front, as a batched tensor at the running level (differentiable).
Tensor batch_input(const Tensor& x, int64_t d, int64_t B) {
  Tensor moved = x.movedim(d, 0);
  Tensor w = batched::wrap(batched::plain(moved));
  if (autograd::needs_record({&moved}))
    autograd::record(
        "VmapBatchBackward0", {moved}, {w},
        [B](const autograd::BackwardArgs& a) { return TensorList{batched::physical(a.grad(), B).contiguous()}; },
        [](const TensorList& t) { return TensorList{batched::wrap(batched::plain(t[0]).contiguous())}; });
  return w;
}

// The result y of the batched call as a plain tensor with the batch along out_dim.
Tensor unbatch_output(const Tensor& y, int64_t B, int64_t out_dim) {
  Tensor p;
  if (batched::is_batched(y)) {
    p = batched::physical(y, B);
    if (autograd::needs_record({&y}))
      autograd::record(
          "VmapUnbatchBackward0", {y}, {p},
          [](const autograd::BackwardArgs& a) {
            return TensorList{batched::wrap(batched::plain(a.grad()).contiguous())};
          },
          [B](const TensorList& t) { return TensorList{batched::physical(t[0], B).contiguous()}; });
  } else {
    Shape sizes{B};
    for (int64_t s : y.sizes()) sizes.push_back(s);
    p = y.unsqueeze(0).expand(sizes);  // f's result did not depend on the mapped inputs
  }
  return out_dim == 0 ? p : p.movedim(0, out_dim);
}

TensorList per_example_loop(const Fn& f, const TensorList& xs, const std::vector<int64_t>& in_dims, int64_t batch,
                            int64_t out_dim) {
  std::vector<TensorList> per_out;
  for (int64_t b = 0; b < batch; ++b) {
    TensorList slice;
    for (size_t i = 0; i < xs.size(); ++i) slice.push_back(in_dims[i] == -1 ? xs[i] : xs[i].select(in_dims[i], b));
    TensorList r = f(slice);
    if (per_out.empty()) per_out.resize(r.size());
    for (size_t k = 0; k < r.size(); ++k) per_out[k].push_back(r[k]);
  }
  TensorList outs;
  for (auto& list : per_out) outs.push_back(stack(list, out_dim));
  return outs;
}
}  // namespace

int64_t vmap_fallback_count() { return g_vmap_fallbacks.load(); }

std::vector<std::string> vmap_fallback_ops() {
  std::lock_guard<std::mutex> lock(g_fallback_mu);
  return {g_fallback_ops.begin(), g_fallback_ops.end()};
}

Fn vmap(Fn f, std::vector<int64_t> in_dims, int64_t out_dim) {
  return [f = std::move(f), in_dims, out_dim](const TensorList& xs) {
    FX_CHECK(in_dims.size() == xs.size(), "vmap: got ", in_dims.size(), " in_dims for ", xs.size(), " inputs");
    int64_t batch = -1;
    for (size_t i = 0; i < xs.size(); ++i) {
      if (in_dims[i] == -1) continue;  // -1: not mapped (like None)
      FX_CHECK(xs[i].defined(), "vmap: input ", i, " is undefined");
      FX_CHECK(in_dims[i] >= 0 && in_dims[i] < xs[i].dim(), "vmap: in_dim ", in_dims[i], " is out of range for input ",
               i, " of sizes ", xs[i].sizes(), " (expected -1 for an unmapped input, or 0..", xs[i].dim() - 1, ")");
      int64_t b = xs[i].size(in_dims[i]);
      FX_CHECK(batch < 0 || b == batch, "vmap: inputs have different sizes along their mapped dims (", batch, " vs ", b,
               ")");
      batch = b;
    }
    FX_CHECK(batch >= 0, "vmap: at least one input must be mapped (in_dim != -1)");
    if (vmap_state::current_level() != 0) {
      // One level batches at a time: an inner vmap loops over the outer batched tensors.
      note_fallback("a vmap nested inside another vmap");
      return per_example_loop(f, xs, in_dims, batch, out_dim);
    }
    if (batch > 0) {
      vmap_state::push_level();
      struct Pop {
        ~Pop() { vmap_state::pop_level(); }
      } pop;
      try {
        TensorList bx;
        for (size_t i = 0; i < xs.size(); ++i)
          bx.push_back(in_dims[i] == -1 ? xs[i] : batch_input(xs[i], in_dims[i], batch));
        TensorList ys = f(bx);
        TensorList outs;
        for (const Tensor& y : ys) {
          FX_CHECK(y.defined(), "vmap: the function returned an undefined tensor");
          outs.push_back(unbatch_output(y, batch, out_dim));
        }
        return outs;
      } catch (const vmap_state::NoBatchingRule& e) {
        note_fallback(e.op());
      }
    }
    return per_example_loop(f, xs, in_dims, batch, out_dim);
  };
}

UnaryFn vmap(UnaryFn f, int64_t in_dim, int64_t out_dim) {
  Fn g = vmap([f = std::move(f)](const TensorList& xs) { return TensorList{f(xs[0])}; }, {in_dim}, out_dim);
  return [g](const Tensor& x) { return g({x})[0]; };
}

}  // namespace fluxion::func
