// Optimizers: trajectories vs PyTorch (golden), parameter groups, state_dict round trips, the
// fused kernels' dtype/threading/layout behaviour, and errors.
#include <gtest/gtest.h>

#include <functional>

#include <algorithm>
#include <cmath>
#include <iostream>

#include "optim/optim_test_util.h"
#include "support/test_util.h"

namespace fx = fluxion;
namespace optim = fluxion::optim;
using fxtest::optim_util::make_optimizer;
using fxtest::optim_util::Problem;
using fxtest::optim_util::to_vector;

namespace {

struct Harness {
  std::vector<fx::Tensor> params;
  std::unique_ptr<optim::Optimizer> opt;
};

/// Builds params + optimizer for a golden case (groups as in the case).
Harness setup(const fxtest::GoldenCase& c, const Problem& prob, fx::DType dt = fx::kFloat64) {
  Harness r;
  r.params = prob.make_params(to_vector(c.at("x0")), dt);
  const auto& a = c.attrs;
  std::vector<optim::OptimizerParamGroup> groups;
  if (a.contains("groups")) {
    for (size_t gi = 0; gi < a["groups"].size(); ++gi) {
      std::vector<fx::Tensor> ps;
      for (int idx : a["group_params"][gi]) ps.push_back(r.params[static_cast<size_t>(idx)]);
      nlohmann::json merged = a["options"];
      for (const auto& [k, v] : a["groups"][gi].items()) merged[k] = v;
      groups.emplace_back(ps, fxtest::optim_util::make_options(a["optimizer"], merged));
    }
  } else {
    groups.emplace_back(r.params);
  }
  r.opt = make_optimizer(a["optimizer"], std::move(groups), a["options"]);
  return r;
}

/// One optimizer step on the case's problem (a closure for LBFGS).
void do_step(Harness& r, const Problem& prob, double sign, bool lbfgs) {
  if (lbfgs) {
    r.opt->step([&] {
      r.opt->zero_grad();
      return fx::scalar_tensor(prob.set_grads(r.params, sign), fx::TensorOptions(fx::kFloat64));
    });
  } else {
    prob.set_grads(r.params, sign);
    r.opt->step();
  }
}

std::vector<fxtest::GoldenCase> optim_cases() {
  std::vector<fxtest::GoldenCase> out;
  for (auto& c : fxtest::load_golden("optim.json"))
    if (c.name.rfind("optim/", 0) == 0) out.push_back(c);
  return out;
}

}  // namespace

TEST(OptimGolden, TrajectoriesMatchPyTorch) {
  auto cases = optim_cases();
  ASSERT_GE(cases.size(), 30u);
  double worst = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Problem prob = Problem::load(c.attrs["problem"]);
    Harness r = setup(c, prob);
    const bool lbfgs = c.attrs["optimizer"] == "LBFGS";
    const double sign = c.attrs["options"].value("maximize", false) ? -1.0 : 1.0;
    fx::Tensor traj = c.at("traj");
    const int64_t steps = c.attrs["steps"];
    for (int64_t s = 0; s < steps; ++s) {
      do_step(r, prob, sign, lbfgs);
      fx::Tensor got = fx::tensor(Problem::flat(r.params), {prob.numel()}, fx::TensorOptions(fx::kFloat64));
      ASSERT_TRUE(fxtest::tensors_close(got, traj.select(0, s), 1e-6, 1e-12)) << "after step " << s + 1;
      auto g = to_vector(got), w = to_vector(traj.select(0, s));
      for (size_t i = 0; i < g.size(); ++i)
        worst = std::max(worst, std::abs(g[i] - w[i]) / std::max(std::abs(w[i]), 1e-300));
    }
    if (lbfgs) {
      auto sd = r.opt->state_dict();
      ASSERT_EQ(sd.state.count(0), 1u);
      EXPECT_EQ(sd.state.at(0).at("func_evals").item<double>(), c.attrs["func_evals"].get<double>());
      EXPECT_EQ(sd.state.at(0).at("n_iter").item<double>(), c.attrs["n_iter"].get<double>());
    }
  }
  std::cout << "[   info   ] largest relative deviation from PyTorch over all trajectories: " << worst << "\n";
}

TEST(OptimGolden, Float32TrajectoriesTrackFloat64) {
  // The f32 kernels run the same formulas: 20 steps stay within f32 rounding of PyTorch's f64 path.
  for (const auto& c : optim_cases()) {
    if (c.attrs["optimizer"] == "LBFGS" || c.attrs["problem"] != "quad") continue;
    SCOPED_TRACE(c.name);
    Problem prob = Problem::load("quad");
    Harness r = setup(c, prob, fx::kFloat32);
    const double sign = c.attrs["options"].value("maximize", false) ? -1.0 : 1.0;
    const int64_t steps = c.attrs["steps"];
    for (int64_t s = 0; s < steps; ++s) do_step(r, prob, sign, false);
    EXPECT_EQ(r.params[0].dtype(), fx::kFloat32);
    fx::Tensor got = fx::tensor(Problem::flat(r.params), {10}, fx::TensorOptions(fx::kFloat64));
    EXPECT_TRUE(fxtest::tensors_close(got, c.at("traj").select(0, steps - 1), 2e-3, 2e-4));
  }
}

TEST(OptimGolden, HalfPrecisionParamsStep) {
  // f16/bf16 parameters compute in float and round on store: one Adam/SGD step lands within the
  // storage precision of the f64 result.
  for (auto dt : {fx::kFloat16, fx::kBFloat16}) {
    for (const char* name : {"optim/adam", "optim/sgd_momentum", "optim/rmsprop_centered", "optim/nadam"}) {
      SCOPED_TRACE(std::string(name) + " " + fx::dtype_name(dt));
      for (const auto& c : optim_cases()) {
        if (c.name != name) continue;
        Problem prob = Problem::load("quad");
        Harness r = setup(c, prob, dt);
        do_step(r, prob, 1.0, false);
        EXPECT_EQ(r.params[1].dtype(), dt);
        fx::Tensor got = fx::tensor(Problem::flat(r.params), {10}, fx::TensorOptions(fx::kFloat64));
        EXPECT_TRUE(fxtest::tensors_close(got, c.at("traj").select(0, 0), dt == fx::kFloat16 ? 4e-3 : 3e-2, 1e-3));
      }
    }
  }
}

TEST(Optimizer, StateDictRoundTripContinuesIdentically) {
  // Optimise 7 steps, snapshot, build a fresh optimizer on copies of the parameters, load the state
  // and continue both: every later step must agree bit for bit.
  for (const auto& c : optim_cases()) {
    SCOPED_TRACE(c.name);
    Problem prob = Problem::load(c.attrs["problem"]);
    const bool lbfgs = c.attrs["optimizer"] == "LBFGS";
    const double sign = c.attrs["options"].value("maximize", false) ? -1.0 : 1.0;
    Harness a = setup(c, prob);
    const int n1 = lbfgs ? 1 : 7;
    for (int s = 0; s < n1; ++s) do_step(a, prob, sign, lbfgs);
    optim::OptimizerStateDict sd = a.opt->state_dict();

    Harness b = setup(c, prob);
    for (size_t i = 0; i < a.params.size(); ++i) {
      fx::NoGradGuard ng;
      b.params[i].detach().copy_(a.params[i]);
    }
    b.opt->load_state_dict(sd);
    // The snapshot is a copy: stepping `a` must not change it.
    auto snapshot = [&] {
      std::vector<double> v;
      for (const auto& [idx, dict] : sd.state)
        for (const auto& it : dict) {
          auto x = to_vector(it.value());
          v.insert(v.end(), x.begin(), x.end());
        }
      return v;
    };
    const auto before = snapshot();
    for (int s = 0; s < 3; ++s) {
      do_step(a, prob, sign, lbfgs);
      do_step(b, prob, sign, lbfgs);
      EXPECT_EQ(Problem::flat(a.params), Problem::flat(b.params)) << "step " << s;
    }
    EXPECT_EQ(before, snapshot());
  }
}

TEST(Optimizer, StateDictLayoutFollowsPyTorch) {
  fx::Tensor w = fx::zeros({2, 2}, fx::TensorOptions(fx::kFloat64).requires_grad(true));
  fx::Tensor b = fx::zeros({2}, fx::TensorOptions(fx::kFloat64).requires_grad(true));
  optim::Adam opt({w, b}, optim::AdamOptions(0.1).amsgrad(true).betas({0.8, 0.9}));
  w.set_grad(fx::ones({2, 2}, fx::kFloat64));
  opt.step();  // b has no gradient: skipped, no state
  auto sd = opt.state_dict();
  ASSERT_EQ(sd.param_groups.size(), 1u);
  EXPECT_EQ(sd.param_groups[0].params, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(std::get<double>(sd.param_groups[0].options.at("lr")), 0.1);
  EXPECT_EQ(std::get<std::vector<double>>(sd.param_groups[0].options.at("betas")), (std::vector<double>{0.8, 0.9}));
  EXPECT_TRUE(std::get<bool>(sd.param_groups[0].options.at("amsgrad")));
  ASSERT_EQ(sd.state.size(), 1u);
  EXPECT_EQ(sd.state.at(0).keys(), (std::vector<std::string>{"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}));
  EXPECT_EQ(sd.state.at(0).at("step").item<double>(), 1.0);
  // Adam's first step moves every coordinate by lr (sign of the gradient).
  EXPECT_NEAR(to_vector(w)[0], -0.1, 1e-9);
  EXPECT_EQ(to_vector(b), (std::vector<double>{0, 0}));
}

TEST(Optimizer, LoadStateDictErrorsChangeNothing) {
  auto mk = [] { return fx::zeros({3}, fx::TensorOptions(fx::kFloat64).requires_grad(true)); };
  fx::Tensor p = mk(), q = mk();
  optim::SGD sgd({p}, optim::SGDOptions(0.1).momentum(0.9));
  p.set_grad(fx::ones({3}, fx::kFloat64));
  sgd.step();
  auto sgd_sd = sgd.state_dict();

  optim::Adam adam({q}, optim::AdamOptions(0.01));
  q.set_grad(fx::ones({3}, fx::kFloat64));
  adam.step();
  auto before = adam.state_dict();
  // Another optimizer's options.
  EXPECT_FX_ERROR(adam.load_state_dict(sgd_sd), "unknown option 'dampening'");
  // Group/parameter count mismatches.
  auto bad = before;
  bad.param_groups.push_back(bad.param_groups[0]);
  EXPECT_FX_ERROR(adam.load_state_dict(bad), "parameter groups");
  bad = before;
  bad.param_groups[0].params.push_back(7);
  EXPECT_FX_ERROR(adam.load_state_dict(bad), "has 2 parameters in the state dict but 1");
  // Wrong state sizes, missing and unknown entries.
  bad = before;
  bad.state.at(0).insert_or_assign("exp_avg", fx::zeros({4}, fx::kFloat64));
  EXPECT_FX_ERROR(adam.load_state_dict(bad), "has sizes [4]");
  bad = before;
  bad.state.at(0).erase("exp_avg_sq");
  EXPECT_FX_ERROR(adam.load_state_dict(bad), "missing state entry 'exp_avg_sq'");
  bad = before;
  bad.state.at(0).insert("velocity", fx::zeros({3}, fx::kFloat64));
  EXPECT_FX_ERROR(adam.load_state_dict(bad), "unknown state entry 'velocity'");
  bad = before;
  bad.param_groups[0].options["lr"] = std::string("fast");
  EXPECT_FX_ERROR(adam.load_state_dict(bad), "option 'lr' must be a number");
  bad = before;
  bad.state.emplace(5, before.state.at(0));
  EXPECT_FX_ERROR(adam.load_state_dict(bad), "parameter index 5");
  // Nothing changed: same state, same lr.
  auto after = adam.state_dict();
  EXPECT_EQ(to_vector(after.state.at(0).at("exp_avg")), to_vector(before.state.at(0).at("exp_avg")));
  EXPECT_EQ(adam.param_groups()[0].options().get_lr(), 0.01);
  // A valid load converts dtype (f32 state into f64 params).
  auto conv = before;
  conv.state.at(0).insert_or_assign("exp_avg", fx::full({3}, 0.5, fx::kFloat32));
  adam.load_state_dict(conv);
  EXPECT_EQ(to_vector(adam.state_dict().state.at(0).at("exp_avg")), (std::vector<double>{0.5, 0.5, 0.5}));
  EXPECT_EQ(adam.state_dict().state.at(0).at("exp_avg").dtype(), fx::kFloat64);
}

TEST(Optimizer, ParamGroupsAndOptions) {
  auto mk = [](double v) { return fx::full({2}, v, fx::TensorOptions(fx::kFloat64).requires_grad(true)); };
  fx::Tensor a = mk(1), b = mk(1), c = mk(1);
  optim::SGD opt(std::vector<optim::OptimizerParamGroup>{{{a}}, {{b}, optim::SGDOptions(0.5)}}, optim::SGDOptions(0.1));
  EXPECT_EQ(opt.param_groups().size(), 2u);
  EXPECT_EQ(opt.param_groups()[0].options().get_lr(), 0.1);
  EXPECT_EQ(opt.param_groups()[1].options_as<optim::SGDOptions>().lr(), 0.5);
  opt.add_param_group({{c}, optim::SGDOptions(1.0)});
  EXPECT_EQ(opt.size(), 3u);
  for (auto& p : opt.parameters()) p.set_grad(fx::ones({2}, fx::kFloat64));
  opt.step();
  EXPECT_EQ(to_vector(a), (std::vector<double>{0.9, 0.9}));
  EXPECT_EQ(to_vector(b), (std::vector<double>{0.5, 0.5}));
  EXPECT_EQ(to_vector(c), (std::vector<double>{0.0, 0.0}));
  // Changing a group's lr through the base interface (what schedulers do).
  opt.param_groups()[0].options().set_lr(0.2);
  opt.step();
  EXPECT_NEAR(to_vector(a)[0], 0.7, 1e-15);
  EXPECT_FX_ERROR(opt.add_param_group({{a}}), "more than one parameter group");
  fx::Tensor ints = fx::zeros({2}, fx::kInt64);
  EXPECT_FX_ERROR(opt.add_param_group({{ints}}), "floating-point");
  EXPECT_FX_ERROR(opt.add_param_group({{fx::Tensor()}}), "undefined");
  EXPECT_FX_ERROR(opt.add_param_group({{mk(0), mk(0)}, optim::AdamOptions()}), "another optimizer type");
}

TEST(Optimizer, OptionValidation) {
  fx::Tensor p = fx::zeros({2}, fx::TensorOptions().requires_grad(true));
  EXPECT_FX_ERROR(optim::SGD({p}, optim::SGDOptions(0.1).nesterov(true)), "Nesterov");
  EXPECT_FX_ERROR(optim::SGD({p}, optim::SGDOptions(-1)), "invalid learning rate");
  EXPECT_FX_ERROR(optim::Adam({p}, optim::AdamOptions().betas({1.0, 0.9})), "beta parameter at index 0");
  EXPECT_FX_ERROR(optim::RMSprop({p}, optim::RMSpropOptions().momentum(-0.5)), "momentum");
  EXPECT_FX_ERROR(optim::Adagrad({p}, optim::AdagradOptions().lr_decay(-1)), "lr_decay");
  EXPECT_FX_ERROR(optim::Adadelta({p}, optim::AdadeltaOptions().rho(1.5)), "rho");
  EXPECT_FX_ERROR(optim::LBFGS({p}, optim::LBFGSOptions().line_search_fn("armijo")), "strong_wolfe");
  optim::LBFGS lb({p});
  EXPECT_FX_ERROR(lb.step(), "needs a closure");
  EXPECT_FX_ERROR(optim::LBFGS(std::vector<optim::OptimizerParamGroup>{{{p}}, {{fx::zeros({1}).requires_grad_()}}}),
                  "parameter groups");
  optim::AdamOptions o;
  EXPECT_FX_ERROR(o.from_map({{"betas", 0.5}}), "must be a pair");
  EXPECT_FX_ERROR(o.from_map({{"lr", 0.5}, {"momentum", 0.9}}), "unknown option 'momentum'");
  EXPECT_EQ(o.lr(), 1e-3);  // unchanged by the failed from_map
  o.from_map({{"lr", int64_t{2}}});
  EXPECT_EQ(o.lr(), 2.0);
}

TEST(Optimizer, ZeroGradSkipsAndVersionCounter) {
  fx::Tensor w = fx::ones({3}, fx::TensorOptions().requires_grad(true));
  fx::Tensor frozen = fx::ones({3}, fx::TensorOptions().requires_grad(true));
  optim::Adam opt({w, frozen}, optim::AdamOptions(0.1));
  w.set_grad(fx::ones({3}));
  const uint32_t v0 = w._version(), f0 = frozen._version();
  opt.step();
  EXPECT_GT(w._version(), v0);       // in-place update is visible to autograd's version checks
  EXPECT_EQ(frozen._version(), f0);  // no gradient: untouched, no state
  EXPECT_EQ(to_vector(frozen), (std::vector<double>{1, 1, 1}));
  EXPECT_EQ(opt.state().size(), 1u);
  opt.zero_grad(/*set_to_none=*/false);
  ASSERT_TRUE(w.grad().defined());
  EXPECT_EQ(to_vector(w.grad()), (std::vector<double>{0, 0, 0}));
  opt.zero_grad();
  EXPECT_FALSE(w.grad().defined());
  // Mismatched gradients are rejected before any parameter changes.
  w.set_grad(fx::ones({3}, fx::kFloat64));
  frozen.set_grad(fx::ones({3}));
  auto wv = to_vector(w), fv = to_vector(frozen);
  EXPECT_FX_ERROR(opt.step(), "gradient dtype float64 does not match parameter dtype float32");
  EXPECT_EQ(to_vector(w), wv);
  EXPECT_EQ(to_vector(frozen), fv);
}

TEST(Optimizer, NonContiguousParameterIsUpdatedInPlace) {
  // A transposed view as parameter: the update must land in the viewed storage.
  Problem prob = Problem::load("quad");
  std::vector<double> x0(10);
  for (int i = 0; i < 10; ++i) x0[static_cast<size_t>(i)] = 0.1 * i - 0.3;
  auto ref = prob.make_params(x0);
  fx::Tensor base = fx::tensor(std::vector<double>{x0[0], x0[3], x0[1], x0[4], x0[2], x0[5]}, {3, 2},
                               fx::TensorOptions(fx::kFloat64));
  fx::Tensor p1 = base.t();  // (2, 3), non-contiguous, same values as ref[0]
  p1.requires_grad_(true);
  ASSERT_FALSE(p1.is_contiguous());
  std::vector<fx::Tensor> view_params{p1, ref[1].detach().clone().requires_grad_(true)};
  optim::Adam a(ref, optim::AdamOptions(0.05).weight_decay(0.1));
  optim::Adam b(view_params, optim::AdamOptions(0.05).weight_decay(0.1));
  for (int s = 0; s < 5; ++s) {
    prob.set_grads(ref);
    prob.set_grads(view_params);
    a.step();
    b.step();
  }
  EXPECT_EQ(Problem::flat(ref), Problem::flat(view_params));
  EXPECT_EQ(to_vector(base.t().contiguous()), to_vector(ref[0]));
}

// SGD and Adam run all parameters of a step together, one multi-tensor kernel call per (device,
// dtype): parameters of mixed dtypes and shapes, some without a gradient, a non-contiguous
// gradient, must end exactly where one optimiser per parameter puts them.
TEST(Optimizer, MultiTensorStepsMatchOneOptimiserPerParameter) {
  auto make = [] {
    fx::manual_seed(1);
    return std::vector<fx::Tensor>{fx::randn({4, 3}).requires_grad_(true),
                                   fx::randn({5}, fx::TensorOptions(fx::kFloat64)).requires_grad_(true),
                                   fx::randn({2, 2}).requires_grad_(true), fx::randn({7}).requires_grad_(true)};
  };
  auto set_grads = [](const std::vector<fx::Tensor>& ps, int step) {
    for (size_t i = 0; i + 1 < ps.size(); ++i) {  // the last parameter never gets a gradient
      fx::Tensor g = (ps[i].detach() * 0.5 + 0.1 * (step + 1)).cos();
      if (ps[i].dim() == 2) g = g.t().contiguous().t();  // a non-contiguous gradient
      fx::Tensor p = ps[i];
      p.set_grad(g);
    }
  };
  using MakeOpt = std::function<std::unique_ptr<optim::Optimizer>(std::vector<fx::Tensor>)>;
  const std::vector<std::pair<const char*, MakeOpt>> rules = {
      {"sgd nesterov",
       [](std::vector<fx::Tensor> p) {
         return std::make_unique<optim::SGD>(std::move(p), optim::SGDOptions(0.1).momentum(0.9).nesterov(true));
       }},
      {"adam amsgrad",
       [](std::vector<fx::Tensor> p) {
         return std::make_unique<optim::Adam>(std::move(p), optim::AdamOptions(0.05).amsgrad(true).weight_decay(0.1));
       }},
      {"adamw", [](std::vector<fx::Tensor> p) {
         return std::make_unique<optim::AdamW>(std::move(p), optim::AdamWOptions(0.05));
       }}};
  for (const auto& [name, make_opt] : rules) {
    const std::vector<fx::Tensor> together = make(), alone = make();
    auto opt = make_opt(together);
    std::vector<std::unique_ptr<optim::Optimizer>> singles;
    for (const auto& p : alone) singles.push_back(make_opt({p}));
    for (int s = 0; s < 4; ++s) {
      set_grads(together, s);
      set_grads(alone, s);
      opt->step();
      for (auto& o : singles) o->step();
    }
    for (size_t i = 0; i < together.size(); ++i)
      EXPECT_TRUE(fxtest::tensors_equal(together[i].detach(), alone[i].detach())) << name << " parameter " << i;
  }
}

TEST(Optimizer, ThreadedKernelsMatchSingleThread) {
  // Large parameters take the parallel path; element-wise updates must not depend on threads.
  const int64_t n = 200003;
  std::vector<double> x(static_cast<size_t>(n)), g(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    x[static_cast<size_t>(i)] = std::sin(0.001 * static_cast<double>(i));
    g[static_cast<size_t>(i)] = std::cos(0.0037 * static_cast<double>(i));
  }
  auto run = [&](int threads, const std::string& which) {
    fx::set_num_threads(threads);
    fx::Tensor p = fx::tensor(x, {n}, fx::TensorOptions(fx::kFloat32)).requires_grad_(true);
    std::unique_ptr<optim::Optimizer> opt;
    if (which == "adam")
      opt = std::make_unique<optim::Adam>(std::vector<fx::Tensor>{p}, optim::AdamOptions(0.01).amsgrad(true));
    if (which == "sgd")
      opt = std::make_unique<optim::SGD>(std::vector<fx::Tensor>{p},
                                         optim::SGDOptions(0.01).momentum(0.9).nesterov(true));
    if (which == "rmsprop")
      opt = std::make_unique<optim::RMSprop>(std::vector<fx::Tensor>{p},
                                             optim::RMSpropOptions().centered(true).momentum(0.5));
    for (int s = 0; s < 3; ++s) {
      p.set_grad(fx::tensor(g, {n}, fx::TensorOptions(fx::kFloat32)));
      opt->step();
    }
    return to_vector(p);
  };
  const int saved = fx::get_num_threads();
  for (const char* which : {"adam", "sgd", "rmsprop"}) {
    SCOPED_TRACE(which);
    auto one = run(1, which);
    auto two = run(2, which);
    EXPECT_EQ(one, two);
    EXPECT_NE(one, x);
  }
  fx::set_num_threads(saved);
}

TEST(Optimizer, AdagradHasStateFromConstruction) {
  fx::Tensor p = fx::zeros({2}, fx::TensorOptions(fx::kFloat64).requires_grad(true));
  optim::Adagrad opt({p}, optim::AdagradOptions(0.1).initial_accumulator_value(0.25));
  auto sd = opt.state_dict();
  ASSERT_EQ(sd.state.size(), 1u);
  EXPECT_EQ(to_vector(sd.state.at(0).at("sum")), (std::vector<double>{0.25, 0.25}));
  EXPECT_EQ(sd.state.at(0).at("step").item<double>(), 0.0);
}

TEST(Optimizer, LBFGSMinimisesRosenbrock) {
  Problem prob = Problem::load("rosen");
  auto ps = prob.make_params({-1.5, 2.0});
  optim::LBFGS opt(ps, optim::LBFGSOptions(1).max_iter(100).history_size(10).line_search_fn("strong_wolfe"));
  auto closure = [&] {
    opt.zero_grad();
    return fx::scalar_tensor(prob.set_grads(ps), fx::TensorOptions(fx::kFloat64));
  };
  for (int i = 0; i < 5; ++i) opt.step(closure);
  auto x = Problem::flat(ps);
  EXPECT_NEAR(x[0], 1.0, 1e-4);
  EXPECT_NEAR(x[1], 1.0, 1e-4);
  EXPECT_LT(prob.loss(x), 1e-8);
}
