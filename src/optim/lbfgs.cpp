// L-BFGS (port of torch/optim/lbfgs.py, including the strong-Wolfe line search). The algorithm is
// inherently a sequence of vector operations over the flattened parameters; they run through the
// vec_* kernels (dot products accumulated in double).
#include "fluxion/optim/lbfgs.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "kernels/optim_kernels.h"

namespace fluxion::optim {

std::vector<detail::OptionField> LBFGSOptions::fields() {
  return {{"lr", &lr_},
          {"max_iter", &max_iter_},
          {"max_eval", &max_eval_},
          {"tolerance_grad", &tolerance_grad_},
          {"tolerance_change", &tolerance_change_},
          {"history_size", &history_size_},
          {"line_search_fn", &line_search_fn_},
          {"maximize", &maximize_}};
}

namespace {

// ---- flat vector helpers (contiguous 1-d tensors of one dtype) --------------------------------
double vdot(const Tensor& a, const Tensor& b) {
  return kernels::vec_dot_kernel.get(a.device().type(), a.dtype())(a.data_ptr(), b.data_ptr(), a.numel());
}
void vaxpy(const Tensor& y, const Tensor& x, double alpha) {
  kernels::vec_axpy_kernel.get(y.device().type(), y.dtype())(y.data_ptr(), x.data_ptr(), alpha, y.numel());
}
Tensor vscaled(const Tensor& x, double alpha) {
  Tensor y = empty(x.sizes(), x.options());
  kernels::vec_scale_kernel.get(x.device().type(), x.dtype())(y.data_ptr(), x.data_ptr(), alpha, x.numel());
  return y;
}
double vnorm(const Tensor& x, double p) {
  return kernels::vec_norm_kernel.get(x.device().type(), x.dtype())(x.data_ptr(), x.numel(), p);
}
double vabsmax(const Tensor& x) { return vnorm(x, std::numeric_limits<double>::infinity()); }
double vabssum(const Tensor& x) { return vnorm(x, 1.0); }

void validate(const LBFGSOptions& o) {
  FX_CHECK(o.lr() >= 0, "LBFGS: invalid learning rate: ", o.lr());
  FX_CHECK(o.max_iter() > 0, "LBFGS: max_iter must be positive, got ", o.max_iter());
  FX_CHECK(o.history_size() > 0, "LBFGS: history_size must be positive, got ", o.history_size());
  FX_CHECK(!o.line_search_fn() || *o.line_search_fn() == "strong_wolfe",
           "LBFGS: only 'strong_wolfe' is supported as line_search_fn, got '", o.line_search_fn().value_or(""), "'");
}

/// Minimiser of the cubic interpolating (x1, f1, g1) and (x2, f2, g2), clamped to the bounds.
double cubic_interpolate(double x1, double f1, double g1, double x2, double f2, double g2,
                         std::optional<std::pair<double, double>> bounds = std::nullopt) {
  double xmin_bound, xmax_bound;
  if (bounds) {
    std::tie(xmin_bound, xmax_bound) = *bounds;
  } else {
    xmin_bound = x1 <= x2 ? x1 : x2;
    xmax_bound = x1 <= x2 ? x2 : x1;
  }
  double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
  double d2_square = d1 * d1 - g1 * g2;
  if (d2_square >= 0) {
    double d2 = std::sqrt(d2_square);
    double min_pos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                              : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return std::min(std::max(min_pos, xmin_bound), xmax_bound);
  }
  return (xmin_bound + xmax_bound) / 2.0;
}

struct WolfeResult {
  double f;
  Tensor g;
  double t;
  int64_t evals;
};

template <class Obj>
WolfeResult strong_wolfe(const Obj& obj_func, double t, const Tensor& d, double f, const Tensor& g_in, double gtd,
                         int64_t max_ls, double c1 = 1e-4, double c2 = 0.9, double tolerance_change = 1e-9) {
  const double d_norm = vabsmax(d);
  Tensor g = g_in.clone();
  auto [f_new, g_new] = obj_func(t, d);
  int64_t ls_func_evals = 1;
  double gtd_new = vdot(g_new, d);
  double t_prev = 0, f_prev = f, gtd_prev = gtd;
  Tensor g_prev = g;
  bool done = false;
  int64_t ls_iter = 0;
  std::vector<double> bracket, bracket_f, bracket_gtd;
  std::vector<Tensor> bracket_g;
  while (ls_iter < max_ls) {
    if (f_new > (f + c1 * t * gtd) || (ls_iter > 1 && f_new >= f_prev)) {
      bracket = {t_prev, t};
      bracket_f = {f_prev, f_new};
      bracket_g = {g_prev, g_new.clone()};
      bracket_gtd = {gtd_prev, gtd_new};
      break;
    }
    if (std::abs(gtd_new) <= -c2 * gtd) {
      bracket = {t};
      bracket_f = {f_new};
      bracket_g = {g_new};
      done = true;
      break;
    }
    if (gtd_new >= 0) {
      bracket = {t_prev, t};
      bracket_f = {f_prev, f_new};
      bracket_g = {g_prev, g_new.clone()};
      bracket_gtd = {gtd_prev, gtd_new};
      break;
    }
    // Interpolate within [t + 0.01 (t - t_prev), 10 t].
    double min_step = t + 0.01 * (t - t_prev);
    double max_step = t * 10;
    double tmp = t;
    t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, std::make_pair(min_step, max_step));
    t_prev = tmp;
    f_prev = f_new;
    g_prev = g_new.clone();
    gtd_prev = gtd_new;
    std::tie(f_new, g_new) = obj_func(t, d);
    ls_func_evals += 1;
    gtd_new = vdot(g_new, d);
    ls_iter += 1;
  }
  if (ls_iter == max_ls) {
    bracket = {0, t};
    bracket_f = {f, f_new};
    bracket_g = {g, g_new};
  }

  // Zoom: shrink the bracket until a point satisfies the strong Wolfe conditions.
  bool insuf_progress = false;
  size_t low_pos = bracket_f.front() <= bracket_f.back() ? 0 : 1;
  size_t high_pos = 1 - low_pos;
  while (!done && ls_iter < max_ls) {
    if (std::abs(bracket[1] - bracket[0]) * d_norm < tolerance_change) break;
    t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1]);
    const double bmax = std::max(bracket[0], bracket[1]), bmin = std::min(bracket[0], bracket[1]);
    const double eps = 0.1 * (bmax - bmin);
    if (std::min(bmax - t, t - bmin) < eps) {
      if (insuf_progress || t >= bmax || t <= bmin) {
        t = std::abs(t - bmax) < std::abs(t - bmin) ? bmax - eps : bmin + eps;
        insuf_progress = false;
      } else {
        insuf_progress = true;
      }
    } else {
      insuf_progress = false;
    }
    std::tie(f_new, g_new) = obj_func(t, d);
    ls_func_evals += 1;
    gtd_new = vdot(g_new, d);
    ls_iter += 1;
    if (f_new > (f + c1 * t * gtd) || f_new >= bracket_f[low_pos]) {
      bracket[high_pos] = t;
      bracket_f[high_pos] = f_new;
      bracket_g[high_pos] = g_new.clone();
      bracket_gtd[high_pos] = gtd_new;
      low_pos = bracket_f[0] <= bracket_f[1] ? 0 : 1;
      high_pos = 1 - low_pos;
    } else {
      if (std::abs(gtd_new) <= -c2 * gtd) {
        done = true;
      } else if (gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0) {
        bracket[high_pos] = bracket[low_pos];
        bracket_f[high_pos] = bracket_f[low_pos];
        bracket_g[high_pos] = bracket_g[low_pos];
        bracket_gtd[high_pos] = bracket_gtd[low_pos];
      }
      bracket[low_pos] = t;
      bracket_f[low_pos] = f_new;
      bracket_g[low_pos] = g_new.clone();
      bracket_gtd[low_pos] = gtd_new;
    }
  }
  return {bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals};
}

/// Rows of `v` stacked into a (rows, n) tensor.
Tensor stack_rows(const std::vector<Tensor>& v, int64_t n, const TensorOptions& opts) {
  Tensor out = empty({static_cast<int64_t>(v.size()), n}, opts);
  for (size_t i = 0; i < v.size(); ++i) out.select(0, static_cast<int64_t>(i)).copy_(v[i]);
  return out;
}

}  // namespace

// ---- state ------------------------------------------------------------------------------------

TensorDict LBFGSParamState::to_dict() const {
  NoGradGuard ng;
  TensorDict out;
  TensorOptions opts = TensorOptions(dtype).device(device);
  out.insert("func_evals", detail::scalar_state(static_cast<double>(func_evals)));
  out.insert("n_iter", detail::scalar_state(static_cast<double>(n_iter)));
  if (d.defined()) {
    out.insert("d", d.clone());
    out.insert("t", detail::scalar_state(t));
    out.insert("old_dirs", stack_rows(old_dirs, numel, opts));
    out.insert("old_stps", stack_rows(old_stps, numel, opts));
    out.insert("ro", tensor(ro, {static_cast<int64_t>(ro.size())}, TensorOptions(kFloat64)));
    out.insert("H_diag", detail::scalar_state(H_diag));
    out.insert("prev_flat_grad", prev_flat_grad.clone());
    out.insert("prev_loss", detail::scalar_state(prev_loss));
  }
  return out;
}

void LBFGSParamState::from_dict(const TensorDict& dict, const Tensor& /*param*/) {
  detail::check_state_keys(
      dict, {"func_evals", "n_iter", "d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad", "prev_loss"},
      "LBFGS");
  LBFGSParamState s;
  s.numel = numel;
  s.dtype = dtype;
  s.device = device;
  auto count = [&](const char* key) {
    double v = detail::scalar_state_value(dict, key, "LBFGS");
    FX_CHECK(v >= 0 && v == std::floor(v), "LBFGS: state entry '", key, "' must be a non-negative integer");
    return static_cast<int64_t>(v);
  };
  s.func_evals = count("func_evals");
  s.n_iter = count("n_iter");
  auto vec = [&](const char* key) {
    const Tensor* t = dict.find(key);
    FX_CHECK(t != nullptr && t->defined(), "LBFGS: missing state entry '", key, "'");
    FX_CHECK(t->dim() == 1 && t->numel() == numel, "LBFGS: state entry '", key, "' has sizes ", t->sizes(),
             " but the parameters have ", numel, " elements");
    return t->detach().to(device, dtype, false, true).contiguous();
  };
  if (dict.contains("d")) {
    s.d = vec("d");
    s.prev_flat_grad = vec("prev_flat_grad");
    s.t = detail::scalar_state_value(dict, "t", "LBFGS");
    s.H_diag = detail::scalar_state_value(dict, "H_diag", "LBFGS");
    s.prev_loss = detail::scalar_state_value(dict, "prev_loss", "LBFGS");
    const Tensor* dirs = dict.find("old_dirs");
    const Tensor* stps = dict.find("old_stps");
    const Tensor* ro = dict.find("ro");
    FX_CHECK(dirs && stps && ro && dirs->defined() && stps->defined() && ro->defined(),
             "LBFGS: state needs 'old_dirs', 'old_stps' and 'ro'");
    FX_CHECK(dirs->dim() == 2 && dirs->size(1) == numel && stps->sizes() == dirs->sizes() && ro->dim() == 1 &&
                 ro->size(0) == dirs->size(0),
             "LBFGS: history entries have inconsistent sizes: old_dirs ", dirs->sizes(), ", old_stps ", stps->sizes(),
             ", ro ", ro->sizes(), " for ", numel, " parameter elements");
    Tensor dd = dirs->detach().to(device, dtype, false, true).contiguous();
    Tensor ss = stps->detach().to(device, dtype, false, true).contiguous();
    Tensor rr = ro->detach().to(kCPU, kFloat64, false, true).contiguous();
    for (int64_t i = 0; i < dd.size(0); ++i) {
      s.old_dirs.push_back(dd.select(0, i).clone());
      s.old_stps.push_back(ss.select(0, i).clone());
      s.ro.push_back(rr.data_ptr<double>()[i]);
    }
  }
  *this = std::move(s);
}

// ---- optimizer --------------------------------------------------------------------------------

LBFGS::LBFGS(std::vector<Tensor> params, const LBFGSOptions& defaults)
    : LBFGS(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, defaults) {}

LBFGS::LBFGS(std::vector<OptimizerParamGroup> groups, const LBFGSOptions& defaults)
    : Optimizer("LBFGS", std::move(groups), defaults.clone()) {
  FX_CHECK(param_groups_.size() == 1, "LBFGS doesn't support per-parameter options (parameter groups)");
  auto resolve = [](LBFGSOptions& o) {
    validate(o);
    if (!o.max_eval()) o.max_eval(o.max_iter() * 5 / 4);
  };
  resolve(static_cast<LBFGSOptions&>(*defaults_));
  resolve(param_groups_[0].options_as<LBFGSOptions>());
  const auto& ps = param_groups_[0].params();
  for (const auto& p : ps)
    FX_CHECK(p.dtype() == ps[0].dtype() && p.device() == ps[0].device(),
             "LBFGS: all parameters must share one dtype and device, got ", dtype_name(ps[0].dtype()), " and ",
             dtype_name(p.dtype()));
}

std::unique_ptr<OptimizerParamState> LBFGS::make_param_state() const {
  auto s = std::make_unique<LBFGSParamState>();
  s->numel = numel();
  if (!param_groups_.empty() && !param_groups_[0].params().empty()) {
    s->dtype = param_groups_[0].params()[0].dtype();
    s->device = param_groups_[0].params()[0].device();
  }
  return s;
}

int64_t LBFGS::numel() const {
  int64_t n = 0;
  for (const auto& p : param_groups_[0].params()) n += p.numel();
  return n;
}

Tensor LBFGS::gather_flat_grad() const {
  const auto& ps = param_groups_[0].params();
  Tensor flat = empty({numel()}, ps[0].options());
  int64_t off = 0;
  for (const auto& p : ps) {
    Tensor slice = flat.narrow(0, off, p.numel());
    if (!p.grad().defined()) {
      slice.zero_();
    } else {
      check_grad(p, p.grad());
      slice.view(p.sizes()).copy_(p.grad().detach());
    }
    off += p.numel();
  }
  if (param_groups_[0].options_as<LBFGSOptions>().maximize())
    kernels::vec_scale_kernel.get(flat.device().type(), flat.dtype())(flat.data_ptr(), flat.data_ptr(), -1.0,
                                                                      flat.numel());
  return flat;
}

void LBFGS::add_grad(double step_size, const Tensor& update) {
  int64_t off = 0;
  for (const auto& p : param_groups_[0].params()) {
    DenseParam dp(p);
    vaxpy(dp.data(), update.narrow(0, off, p.numel()), step_size);
    dp.finish();
    off += p.numel();
  }
}

std::vector<Tensor> LBFGS::clone_params() const {
  std::vector<Tensor> out;
  for (const auto& p : param_groups_[0].params()) out.push_back(p.detach().clone());
  return out;
}

void LBFGS::set_params(const std::vector<Tensor>& data) {
  const auto& ps = param_groups_[0].params();
  for (size_t i = 0; i < ps.size(); ++i) ps[i].detach().copy_(data[i]);
}

std::pair<double, Tensor> LBFGS::directional_evaluate(const LossClosure& closure, const std::vector<Tensor>& x,
                                                      double t, const Tensor& d) {
  add_grad(t, d);
  double loss = run_closure(closure).item<double>();
  if (param_groups_[0].options_as<LBFGSOptions>().maximize()) loss = -loss;
  Tensor flat_grad = gather_flat_grad();
  set_params(x);
  return {loss, flat_grad};
}

Tensor LBFGS::step(LossClosure closure) {
  FX_CHECK(closure != nullptr, "LBFGS: step() needs a closure that re-evaluates the model and returns the loss");
  FX_CHECK(param_groups_.size() == 1, "LBFGS: expected exactly one parameter group, got ", param_groups_.size());
  NoGradGuard ng;
  auto& group = param_groups_[0];
  if (group.params().empty()) return run_closure(closure);
  auto& o = group.options_as<LBFGSOptions>();
  validate(o);
  const double lr = o.lr(), tolerance_grad = o.tolerance_grad(), tolerance_change = o.tolerance_change();
  const int64_t max_iter = o.max_iter(), history_size = o.history_size();
  const int64_t max_eval = o.max_eval().value_or(max_iter * 5 / 4);
  const bool maximize = o.maximize();

  const Tensor& p0 = group.params()[0];
  auto it = state_.find(p0.impl());
  if (it == state_.end()) it = state_.emplace(p0.impl(), make_param_state()).first;
  auto& state = static_cast<LBFGSParamState&>(*it->second);

  Tensor orig_loss = run_closure(closure);
  FX_CHECK(orig_loss.defined() && orig_loss.numel() == 1, "LBFGS: the closure must return a one-element loss tensor");
  double loss = orig_loss.item<double>();
  if (maximize) loss = -loss;
  int64_t current_evals = 1;
  state.func_evals += 1;

  Tensor flat_grad = gather_flat_grad();
  bool opt_cond = vabsmax(flat_grad) <= tolerance_grad;
  if (opt_cond) return orig_loss;  // optimal condition

  Tensor d = state.d;
  double t = state.t;
  std::vector<Tensor> old_dirs = state.old_dirs, old_stps = state.old_stps;
  std::vector<double> ro = state.ro;
  double H_diag = state.H_diag;
  Tensor prev_flat_grad = state.prev_flat_grad;
  double prev_loss = state.prev_loss;

  int64_t n_iter = 0;
  while (n_iter < max_iter) {
    n_iter += 1;
    state.n_iter += 1;
    // Direction: steepest descent first, then the two-loop recursion over the history.
    if (state.n_iter == 1) {
      d = vscaled(flat_grad, -1.0);
      old_dirs.clear();
      old_stps.clear();
      ro.clear();
      H_diag = 1;
    } else {
      Tensor y = flat_grad.clone();
      vaxpy(y, prev_flat_grad, -1.0);
      Tensor s = vscaled(d, t);
      double ys = vdot(y, s);
      if (ys > 1e-10) {
        if (static_cast<int64_t>(old_dirs.size()) == history_size) {
          old_dirs.erase(old_dirs.begin());
          old_stps.erase(old_stps.begin());
          ro.erase(ro.begin());
        }
        old_dirs.push_back(y);
        old_stps.push_back(s);
        ro.push_back(1.0 / ys);
        H_diag = ys / vdot(y, y);
      }
      const size_t num_old = old_dirs.size();
      std::vector<double> al(num_old);
      Tensor q = vscaled(flat_grad, -1.0);
      for (size_t k = num_old; k-- > 0;) {
        al[k] = vdot(old_stps[k], q) * ro[k];
        vaxpy(q, old_dirs[k], -al[k]);
      }
      d = vscaled(q, H_diag);
      for (size_t k = 0; k < num_old; ++k) {
        double be_i = vdot(old_dirs[k], d) * ro[k];
        vaxpy(d, old_stps[k], al[k] - be_i);
      }
    }
    if (!prev_flat_grad.defined())
      prev_flat_grad = flat_grad.clone();
    else
      prev_flat_grad.copy_(flat_grad);
    prev_loss = loss;

    // Step length: scaled on the very first iteration, lr afterwards.
    t = state.n_iter == 1 ? std::min(1.0, 1.0 / vabssum(flat_grad)) * lr : lr;
    double gtd = vdot(flat_grad, d);
    if (gtd > -tolerance_change) break;  // directional derivative below tolerance

    int64_t ls_func_evals = 0;
    if (o.line_search_fn()) {
      std::vector<Tensor> x_init = clone_params();
      auto obj = [&](double tt, const Tensor& dd) { return directional_evaluate(closure, x_init, tt, dd); };
      WolfeResult r = strong_wolfe(obj, t, d, loss, flat_grad, gtd, max_eval - current_evals);
      loss = r.f;
      flat_grad = r.g;
      t = r.t;
      ls_func_evals = r.evals;
      add_grad(t, d);
      opt_cond = vabsmax(flat_grad) <= tolerance_grad;
    } else {
      add_grad(t, d);
      if (n_iter != max_iter) {
        loss = run_closure(closure).item<double>();
        if (maximize) loss = -loss;
        flat_grad = gather_flat_grad();
        opt_cond = vabsmax(flat_grad) <= tolerance_grad;
        ls_func_evals = 1;
      }
    }
    current_evals += ls_func_evals;
    state.func_evals += ls_func_evals;

    if (n_iter == max_iter) break;
    if (current_evals >= max_eval) break;
    if (opt_cond) break;
    if (vabsmax(d) * std::abs(t) <= tolerance_change) break;  // lack of progress
    if (std::abs(loss - prev_loss) < tolerance_change) break;
  }

  state.d = d;
  state.t = t;
  state.old_dirs = std::move(old_dirs);
  state.old_stps = std::move(old_stps);
  state.ro = std::move(ro);
  state.H_diag = H_diag;
  state.prev_flat_grad = prev_flat_grad;
  state.prev_loss = prev_loss;
  return orig_loss;
}

}  // namespace fluxion::optim
