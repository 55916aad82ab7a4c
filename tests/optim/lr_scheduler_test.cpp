// LR schedulers: every scheduler's lr sequence (and OneCycleLR's momentum) vs PyTorch, state
// round trips, and errors.
#include <gtest/gtest.h>

#include <cmath>

#include "optim/optim_test_util.h"
#include "support/test_util.h"

namespace fx = fluxion;
namespace optim = fluxion::optim;
using fxtest::optim_util::to_vector;

namespace {

/// Two groups with lrs 0.1 and 0.05, like gen_optim.py's sched_case.
struct Rig {
  fx::Tensor w1 = fx::zeros({3}, fx::TensorOptions().requires_grad(true));
  fx::Tensor w2 = fx::zeros({2}, fx::TensorOptions().requires_grad(true));
  std::unique_ptr<optim::Optimizer> opt;
  explicit Rig(const std::string& which) {
    std::vector<optim::OptimizerParamGroup> groups;
    if (which == "SGD") {
      groups.emplace_back(std::vector<fx::Tensor>{w1}, optim::SGDOptions(0.1).momentum(0.9));
      groups.emplace_back(std::vector<fx::Tensor>{w2}, optim::SGDOptions(0.05).momentum(0.9));
      opt = std::make_unique<optim::SGD>(std::move(groups), optim::SGDOptions(0.1).momentum(0.9));
    } else {
      groups.emplace_back(std::vector<fx::Tensor>{w1}, optim::AdamOptions(0.1));
      groups.emplace_back(std::vector<fx::Tensor>{w2}, optim::AdamOptions(0.05));
      opt = std::make_unique<optim::Adam>(std::move(groups), optim::AdamOptions(0.1));
    }
  }
  std::vector<double> momentum() const {
    std::vector<double> m;
    for (const auto& g : opt->param_groups()) {
      auto map = g.options().to_map();
      if (map.count("betas"))
        m.push_back(std::get<std::vector<double>>(map.at("betas"))[0]);
      else
        m.push_back(std::get<double>(map.at("momentum")));
    }
    return m;
  }
};

optim::LambdaLR::Lambda named_lambda(const std::string& name) {
  if (name == "pow095") return [](int64_t e) { return std::pow(0.95, static_cast<double>(e)); };
  if (name == "const09") return [](int64_t) { return 0.9; };
  if (name == "inv") return [](int64_t e) { return 1.0 / static_cast<double>(e + 1); };
  FX_FAIL("unknown lambda ", name);
}

std::vector<int64_t> ints(const nlohmann::json& j) { return j.get<std::vector<int64_t>>(); }

std::shared_ptr<optim::LRScheduler> build(optim::Optimizer& opt, const std::string& name, const nlohmann::json& kw,
                                          const nlohmann::json& attrs) {
  auto d = [&](const char* k, double def) { return kw.contains(k) ? kw[k].get<double>() : def; };
  auto i = [&](const char* k, int64_t def) { return kw.contains(k) ? kw[k].get<int64_t>() : def; };
  if (name == "StepLR") return std::make_shared<optim::StepLR>(opt, i("step_size", 1), d("gamma", 0.1));
  if (name == "MultiStepLR") return std::make_shared<optim::MultiStepLR>(opt, ints(kw["milestones"]), d("gamma", 0.1));
  if (name == "ExponentialLR") return std::make_shared<optim::ExponentialLR>(opt, d("gamma", 1));
  if (name == "CosineAnnealingLR")
    return std::make_shared<optim::CosineAnnealingLR>(opt, i("T_max", 1), d("eta_min", 0));
  if (name == "CosineAnnealingWarmRestarts")
    return std::make_shared<optim::CosineAnnealingWarmRestarts>(opt, i("T_0", 1), i("T_mult", 1), d("eta_min", 0));
  if (name == "LinearLR")
    return std::make_shared<optim::LinearLR>(opt, d("start_factor", 1.0 / 3), d("end_factor", 1.0),
                                             i("total_iters", 5));
  if (name == "ConstantLR") return std::make_shared<optim::ConstantLR>(opt, d("factor", 1.0 / 3), i("total_iters", 5));
  if (name == "PolynomialLR") return std::make_shared<optim::PolynomialLR>(opt, i("total_iters", 5), d("power", 1));
  if (name == "LambdaLR") return std::make_shared<optim::LambdaLR>(opt, named_lambda(attrs["lambda"]));
  if (name == "MultiplicativeLR") return std::make_shared<optim::MultiplicativeLR>(opt, named_lambda(attrs["lambda"]));
  if (name == "OneCycleLR") {
    std::vector<double> max_lr = kw["max_lr"].is_array() ? kw["max_lr"].get<std::vector<double>>()
                                                         : std::vector<double>{kw["max_lr"].get<double>()};
    optim::OneCycleLROptions o(0);
    o.max_lrs(max_lr);
    if (kw.contains("total_steps")) o.total_steps(kw["total_steps"].get<int64_t>());
    if (kw.contains("epochs")) o.epochs(kw["epochs"].get<int64_t>());
    if (kw.contains("steps_per_epoch")) o.steps_per_epoch(kw["steps_per_epoch"].get<int64_t>());
    o.pct_start(d("pct_start", 0.3)).div_factor(d("div_factor", 25)).final_div_factor(d("final_div_factor", 1e4));
    if (kw.contains("anneal_strategy")) o.anneal_strategy(kw["anneal_strategy"].get<std::string>());
    if (kw.contains("three_phase")) o.three_phase(kw["three_phase"].get<bool>());
    return std::make_shared<optim::OneCycleLR>(opt, o);
  }
  if (name == "ReduceLROnPlateau") {
    optim::ReduceLROnPlateauOptions o;
    if (kw.contains("mode")) o.mode(kw["mode"].get<std::string>());
    if (kw.contains("threshold_mode")) o.threshold_mode(kw["threshold_mode"].get<std::string>());
    o.threshold(d("threshold", 1e-4)).factor(d("factor", 0.1)).patience(i("patience", 10)).cooldown(i("cooldown", 0));
    if (kw.contains("min_lr")) o.min_lrs(kw["min_lr"].get<std::vector<double>>());
    return std::make_shared<optim::ReduceLROnPlateau>(opt, o);
  }
  if (name == "SequentialLR" || name == "ChainedScheduler") {
    std::vector<std::shared_ptr<optim::LRScheduler>> subs;
    for (const auto& ch : attrs["children"]) subs.push_back(build(opt, ch["scheduler"], ch["kwargs"], ch));
    if (name == "SequentialLR") return std::make_shared<optim::SequentialLR>(opt, subs, ints(kw["milestones"]));
    return std::make_shared<optim::ChainedScheduler>(subs);
  }
  FX_FAIL("unknown scheduler ", name);
}

void step(optim::LRScheduler& s, const nlohmann::json& attrs, size_t i) {
  if (attrs.contains("metrics"))
    dynamic_cast<optim::ReduceLROnPlateau&>(s).step(attrs["metrics"][i].get<double>());
  else
    s.step();
}

std::vector<fxtest::GoldenCase> sched_cases() {
  std::vector<fxtest::GoldenCase> out;
  for (auto& c : fxtest::load_golden("optim.json"))
    if (c.name.rfind("sched/", 0) == 0) out.push_back(c);
  return out;
}

}  // namespace

TEST(LRSchedulerGolden, SequencesMatchPyTorch) {
  auto cases = sched_cases();
  ASSERT_GE(cases.size(), 18u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Rig s(c.attrs["optimizer"]);
    auto sch = build(*s.opt, c.attrs["scheduler"], c.attrs["kwargs"], c.attrs);
    fx::Tensor lr = c.at("lr");
    const bool has_mom = c.has("momentum");
    auto check = [&](int64_t k) {
      fx::Tensor got = fx::tensor(sch->get_last_lr(), {2}, fx::TensorOptions(fx::kFloat64));
      ASSERT_TRUE(fxtest::tensors_close(got, lr.select(0, k), 1e-12, 1e-15)) << "at step " << k;
      // The groups hold what get_last_lr() reports.
      EXPECT_EQ(s.opt->param_groups()[1].options().get_lr(), sch->get_last_lr()[1]);
      if (has_mom) {
        fx::Tensor m = fx::tensor(s.momentum(), {2}, fx::TensorOptions(fx::kFloat64));
        ASSERT_TRUE(fxtest::tensors_close(m, c.at("momentum").select(0, k), 1e-12, 1e-15)) << "momentum at " << k;
      }
    };
    check(0);
    const int64_t steps = c.attrs["steps"];
    for (int64_t k = 0; k < steps; ++k) {
      step(*sch, c.attrs, static_cast<size_t>(k));
      check(k + 1);
    }
  }
}

TEST(LRScheduler, StateDictRoundTripResumes) {
  // Step halfway, save optimizer + scheduler, rebuild both from scratch, load, finish: the lr
  // sequence matches the uninterrupted golden run.
  for (const auto& c : sched_cases()) {
    SCOPED_TRACE(c.name);
    const int64_t steps = c.attrs["steps"];
    const int64_t half = steps / 2;
    Rig a(c.attrs["optimizer"]);
    auto sa = build(*a.opt, c.attrs["scheduler"], c.attrs["kwargs"], c.attrs);
    for (int64_t k = 0; k < half; ++k) step(*sa, c.attrs, static_cast<size_t>(k));
    auto opt_sd = a.opt->state_dict();
    auto sched_sd = sa->state_dict();

    Rig b(c.attrs["optimizer"]);
    auto sb = build(*b.opt, c.attrs["scheduler"], c.attrs["kwargs"], c.attrs);
    b.opt->load_state_dict(opt_sd);
    sb->load_state_dict(sched_sd);
    EXPECT_EQ(sb->get_last_lr(), sa->get_last_lr());
    for (int64_t k = half; k < steps; ++k) {
      step(*sb, c.attrs, static_cast<size_t>(k));
      fx::Tensor got = fx::tensor(sb->get_last_lr(), {2}, fx::TensorOptions(fx::kFloat64));
      ASSERT_TRUE(fxtest::tensors_close(got, c.at("lr").select(0, k + 1), 1e-12, 1e-15)) << "at step " << k + 1;
    }
  }
}

TEST(LRScheduler, Errors) {
  Rig s("SGD");
  EXPECT_FX_ERROR(optim::StepLR(*s.opt, 0), "step_size");
  EXPECT_FX_ERROR(optim::LinearLR(*s.opt, 0.0), "starting multiplicative factor");
  EXPECT_FX_ERROR(optim::ConstantLR(*s.opt, 2.0), "between 0 and 1");
  EXPECT_FX_ERROR(optim::CosineAnnealingWarmRestarts(*s.opt, 0), "T_0");
  optim::OneCycleLR oc(*s.opt, optim::OneCycleLROptions(1.0).total_steps(3));
  oc.step();
  oc.step();
  oc.step();
  EXPECT_FX_ERROR(oc.step(), "tried to step 4 times");
  EXPECT_FX_ERROR(optim::OneCycleLR(*s.opt, optim::OneCycleLROptions(1.0)), "total_steps");
  optim::ReduceLROnPlateau pl(*s.opt);
  EXPECT_FX_ERROR(pl.step(), "step(metric)");
  auto st1 = std::make_shared<optim::StepLR>(*s.opt, 2);
  auto st2 = std::make_shared<optim::ExponentialLR>(*s.opt, 0.5);
  EXPECT_FX_ERROR(optim::SequentialLR(*s.opt, {st1, st2}, {}), "one more than the number of milestones");
  Rig other("SGD");
  EXPECT_FX_ERROR(optim::SequentialLR(*other.opt, {st1, st2}, {3}), "same optimizer");
  // Resuming without initial_lr in the groups.
  Rig fresh("SGD");
  EXPECT_FX_ERROR(optim::StepLR(*fresh.opt, 2, 0.1, /*last_epoch=*/4), "initial_lr");
  // Malformed state: nothing changes.
  optim::StepLR sl(*fresh.opt, 2);
  sl.step();
  auto good = sl.state_dict();
  auto bad = good;
  bad.lists["base_lrs"] = {0.1};
  EXPECT_FX_ERROR(sl.load_state_dict(bad), "2 parameter groups");
  bad = good;
  bad.values.erase("last_epoch");
  EXPECT_FX_ERROR(sl.load_state_dict(bad), "missing 'last_epoch'");
  EXPECT_EQ(sl.last_epoch(), 1);
}

TEST(LRScheduler, WarmRestartsFractionalEpochs) {
  // step(epoch) jumps to fractional epochs with the closed form.
  Rig s("SGD");
  optim::CosineAnnealingWarmRestarts sch(*s.opt, 10, 2, 0.0);
  const double pi = 3.14159265358979323846;
  sch.step(5.5);
  EXPECT_NEAR(sch.get_last_lr()[0], 0.1 * (1 + std::cos(pi * 5.5 / 10)) / 2, 1e-15);
  sch.step(25.0);  // second cycle: T_i = 20, T_cur = 15
  EXPECT_NEAR(sch.get_last_lr()[0], 0.1 * (1 + std::cos(pi * 15 / 20)) / 2, 1e-15);
  EXPECT_EQ(sch.last_epoch(), 25);
  EXPECT_FX_ERROR(sch.step(-1.0), "non-negative epoch");
}
