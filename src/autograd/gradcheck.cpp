// Finite-difference gradient checks (first and second order) and the JVP/VJP consistency check.
#include <cmath>
#include <sstream>

#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/pointwise.h"
#include "fluxion/ops/reduce.h"
#include "fluxion/random.h"

namespace fluxion::autograd {

namespace {

TensorList prepare_inputs(const TensorList& inputs) {
  TensorList xs;
  for (const Tensor& x : inputs) {
    if (!x.defined()) {
      xs.emplace_back();
      continue;
    }
    Tensor c = x.detach().clone();
    if (c.is_floating_point()) c.requires_grad_(true);
    xs.push_back(c);
  }
  return xs;
}

TensorList float_outputs(const TensorList& outs) {
  TensorList r;
  for (const Tensor& o : outs)
    if (o.defined() && o.is_floating_point()) r.push_back(o);
  return r;
}

double get(const Tensor& t, int64_t i) {
  Tensor c = t.detach().to(kCPU, kFloat64).contiguous();  // read on the host (t may be on a GPU)
  return c.data_ptr<double>()[i];
}

// Numerical Jacobian column block: d(out_k.flat) / d(in.flat[j]) for all j.
std::vector<std::vector<std::vector<double>>> numerical_jacobian(const CheckedFn& f, const TensorList& xs, double eps) {
  // f is evaluated with grad mode on: it may differentiate internally (gradgradcheck).
  std::vector<std::vector<std::vector<double>>> jac(xs.size());  // [input][elem] -> flat outputs
  for (size_t i = 0; i < xs.size(); ++i) {
    if (!xs[i].defined() || !xs[i].is_floating_point()) continue;
    Tensor x = xs[i].detach();  // shares storage: perturb in place
    Tensor xc = x.contiguous();
    FX_CHECK(xc.is_same(x) || true, "");
    int64_t n = x.numel();
    jac[i].resize(static_cast<size_t>(n));
    for (int64_t j = 0; j < n; ++j) {
      Tensor flat = x.is_contiguous() ? x.view({-1}) : Tensor();
      auto set = [&](double v) {
        NoGradGuard ng;
        if (flat.defined()) {
          flat.select(0, j).fill_(v);
        } else {
          // Non-contiguous: address element j in row-major order.
          Tensor e = x;
          int64_t rem = j;
          std::vector<int64_t> idx(static_cast<size_t>(x.dim()));
          for (int64_t d = x.dim() - 1; d >= 0; --d) {
            idx[d] = rem % x.size(d);
            rem /= x.size(d);
          }
          for (int64_t d = 0; d < x.dim(); ++d) e = e.select(0, idx[d]);
          e.fill_(v);
        }
      };
      double orig = get(x, j);
      // Outputs may be views of the inputs (diagonal, split, ...): copy them before the next
      // perturbation changes the shared storage.
      auto snapshot = [](TensorList outs) {
        for (Tensor& o : outs) o = o.detach().clone();
        return outs;
      };
      set(orig + eps);
      TensorList plus = snapshot(float_outputs(f(xs)));
      set(orig - eps);
      TensorList minus = snapshot(float_outputs(f(xs)));
      set(orig);
      std::vector<double> col;
      for (size_t k = 0; k < plus.size(); ++k) {
        Tensor d = (plus[k].to(kFloat64) - minus[k].to(kFloat64)).to(kCPU).contiguous();
        const double* p = d.data_ptr<double>();
        for (int64_t q = 0; q < d.numel(); ++q) col.push_back(p[q] / (2 * eps));
      }
      jac[i][static_cast<size_t>(j)] = std::move(col);
    }
  }
  return jac;
}

bool check_once(const CheckedFn& f, const TensorList& xs, double eps, double atol, double rtol, const char* what) {
  // Finite differences first: they perturb the inputs in place (bumping version counters),
  // which must happen before the graph we differentiate saves them.
  auto num = numerical_jacobian(f, xs, eps);
  TensorList outs = float_outputs(f(xs));
  FX_CHECK(!outs.empty(), "gradcheck: the function returned no floating-point outputs");
  TensorList diff_inputs;
  std::vector<size_t> diff_index;
  for (size_t i = 0; i < xs.size(); ++i)
    if (xs[i].defined() && xs[i].requires_grad()) {
      diff_inputs.push_back(xs[i]);
      diff_index.push_back(i);
    }
  // Analytical: one backward per output element.
  int64_t total_out = 0;
  for (const Tensor& o : outs) total_out += o.numel();
  int64_t row = 0;
  for (size_t k = 0; k < outs.size(); ++k) {
    for (int64_t q = 0; q < outs[k].numel(); ++q, ++row) {
      TensorList seeds;
      for (size_t m = 0; m < outs.size(); ++m) {
        Tensor s = zeros_like(outs[m]);
        if (m == k) {
          NoGradGuard ng;
          s.view({-1}).select(0, q).fill_(1.0);
        }
        seeds.push_back(s);
      }
      TensorList outs_req;
      TensorList seeds_req;
      for (size_t m = 0; m < outs.size(); ++m)
        if (outs[m].requires_grad()) {
          outs_req.push_back(outs[m]);
          seeds_req.push_back(seeds[m]);
        }
      TensorList g;
      if (!outs_req.empty())
        g = grad(outs_req, diff_inputs, seeds_req, /*retain_graph=*/true, /*create_graph=*/false,
                 /*allow_unused=*/true);
      for (size_t a = 0; a < diff_inputs.size(); ++a) {
        size_t i = diff_index[a];
        for (int64_t j = 0; j < xs[i].numel(); ++j) {
          double analytic = (a < g.size() && g[a].defined()) ? get(g[a], j) : 0.0;
          const auto& col = num[i][static_cast<size_t>(j)];
          FX_CHECK(static_cast<size_t>(row) < col.size(),
                   "gradcheck: the function returned a different number of "
                   "output elements when its inputs were perturbed");
          double numeric = col[static_cast<size_t>(row)];
          if (!(std::abs(analytic - numeric) <= atol + rtol * std::abs(numeric))) {
            FX_FAIL("gradcheck", what, ": Jacobian mismatch for output ", k, " element ", q, " w.r.t. input ", i,
                    " element ", j, ": analytical ", analytic, " vs numerical ", numeric, " (atol ", atol, ", rtol ",
                    rtol, ")");
          }
        }
      }
    }
  }
  (void)total_out;
  return true;
}

}  // namespace

bool gradcheck(const CheckedFn& f, const TensorList& inputs, double eps, double atol, double rtol,
               bool check_noncontiguous) {
  for (const Tensor& x : inputs)
    if (x.defined() && x.is_floating_point())
      FX_CHECK(x.dtype() == kFloat64, "gradcheck: inputs should be float64 for accurate finite differences, got ",
               x.dtype());
  TensorList xs = prepare_inputs(inputs);
  check_once(f, xs, eps, atol, rtol, "");
  if (check_noncontiguous) {
    bool any = false;
    TensorList nc;
    for (const Tensor& x : xs) {
      if (x.defined() && x.is_floating_point() && x.dim() >= 2) {
        Tensor t = x.detach().transpose(0, 1).contiguous().transpose(0, 1);
        t.requires_grad_(true);
        nc.push_back(t);
        any = true;
      } else {
        nc.push_back(x);
      }
    }
    if (any) check_once(f, nc, eps, atol, rtol, " (non-contiguous inputs)");
  }
  return true;
}

bool gradgradcheck(const CheckedFn& f, const TensorList& inputs, double eps, double atol, double rtol) {
  // Random cotangents for f's floating outputs (fixed seed for reproducibility).
  TensorList xs = prepare_inputs(inputs);
  TensorList outs = float_outputs(f(xs));
  Generator gen(1234);
  TensorList vs;
  for (const Tensor& o : outs) vs.push_back(randn(o.sizes(), TensorOptions(o.dtype()), &gen));
  const size_t n_in = inputs.size();
  CheckedFn vjp_fn = [f, n_in](const TensorList& args) {
    TensorList ins(args.begin(), args.begin() + static_cast<long>(n_in));
    TensorList cot(args.begin() + static_cast<long>(n_in), args.end());
    TensorList os = float_outputs(f(ins));
    TensorList diff;
    for (const Tensor& x : ins)
      if (x.defined() && x.requires_grad()) diff.push_back(x);
    TensorList os_req, cot_req;
    for (size_t m = 0; m < os.size(); ++m)
      if (os[m].requires_grad()) {
        os_req.push_back(os[m]);
        cot_req.push_back(cot[m]);
      }
    if (os_req.empty()) return TensorList{};
    TensorList g = grad(os_req, diff, cot_req, true, /*create_graph=*/true, /*allow_unused=*/true);
    TensorList r;
    for (size_t i = 0; i < g.size(); ++i)
      if (g[i].defined()) r.push_back(g[i]);
    return r;
  };
  TensorList all = inputs;
  all.insert(all.end(), vs.begin(), vs.end());
  return gradcheck(vjp_fn, all, eps, atol, rtol, /*check_noncontiguous=*/false);
}

bool jvp_vjp_check(const CheckedFn& f, const TensorList& inputs, double atol, double rtol) {
  Generator gen(4321);
  TensorList us;
  for (const Tensor& x : inputs)
    us.push_back(x.defined() && x.is_floating_point() ? randn(x.sizes(), TensorOptions(x.dtype()), &gen) : Tensor());
  // Forward mode: J u.
  TensorList ju;
  TensorList outs_shape;
  {
    NoGradGuard ng;
    forward_ad::dual_level level;
    TensorList duals;
    for (size_t i = 0; i < inputs.size(); ++i)
      duals.push_back(us[i].defined() ? forward_ad::make_dual(inputs[i].detach(), us[i]) : inputs[i]);
    TensorList outs = float_outputs(f(duals));
    for (const Tensor& o : outs) {
      auto [p, t] = forward_ad::unpack_dual(o);
      ju.push_back(t.defined() ? t.detach().clone() : zeros_like(o));
      outs_shape.push_back(p.detach());
    }
  }
  TensorList vs;
  for (const Tensor& o : outs_shape) vs.push_back(randn(o.sizes(), TensorOptions(o.dtype()), &gen));
  // Reverse mode: J^T v.
  TensorList xs = prepare_inputs(inputs);
  TensorList outs = float_outputs(f(xs));
  TensorList diff;
  TensorList diff_u;
  for (size_t i = 0; i < xs.size(); ++i)
    if (xs[i].defined() && xs[i].requires_grad()) {
      diff.push_back(xs[i]);
      diff_u.push_back(us[i]);
    }
  TensorList os_req, v_req;
  for (size_t m = 0; m < outs.size(); ++m)
    if (outs[m].requires_grad()) {
      os_req.push_back(outs[m]);
      v_req.push_back(vs[m]);
    }
  double lhs = 0, rhs = 0;
  for (size_t m = 0; m < ju.size(); ++m) lhs += (ju[m].to(kFloat64) * vs[m].to(kFloat64)).sum().item<double>();
  if (!os_req.empty()) {
    TensorList g = grad(os_req, diff, v_req, false, false, /*allow_unused=*/true);
    for (size_t i = 0; i < g.size(); ++i)
      if (g[i].defined()) rhs += (g[i].to(kFloat64) * diff_u[i].to(kFloat64)).sum().item<double>();
  }
  FX_CHECK(std::abs(lhs - rhs) <= atol + rtol * std::abs(rhs), "jvp_vjp_check: <J u, v> = ", lhs,
           " but <u, J^T v> = ", rhs, " (forward-mode JVP and reverse-mode VJP disagree)");
  return true;
}

}  // namespace fluxion::autograd
