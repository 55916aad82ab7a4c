// Adam and AdamW: validate options, keep per-parameter moments and run adam_step_kernel.
#include "fluxion/optim/adam.h"

#include <cmath>

#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "kernels/optim_kernels.h"
#include "optim/step_batch.h"

namespace fluxion::optim {

std::vector<detail::OptionField> AdamOptions::fields() {
  return {{"lr", &lr_},           {"betas", &betas_},      {"eps", &eps_}, {"weight_decay", &weight_decay_},
          {"amsgrad", &amsgrad_}, {"maximize", &maximize_}};
}
std::vector<detail::OptionField> AdamWOptions::fields() {
  return {{"lr", &lr_},           {"betas", &betas_},      {"eps", &eps_}, {"weight_decay", &weight_decay_},
          {"amsgrad", &amsgrad_}, {"maximize", &maximize_}};
}

namespace {

template <class O>
void validate(const O& o, const char* name) {
  FX_CHECK(o.lr() >= 0, name, ": invalid learning rate: ", o.lr());
  FX_CHECK(o.eps() >= 0, name, ": invalid epsilon value: ", o.eps());
  auto [b1, b2] = o.betas();
  FX_CHECK(b1 >= 0 && b1 < 1, name, ": invalid beta parameter at index 0: ", b1);
  FX_CHECK(b2 >= 0 && b2 < 1, name, ": invalid beta parameter at index 1: ", b2);
  FX_CHECK(o.weight_decay() >= 0, name, ": invalid weight_decay value: ", o.weight_decay());
}

template <class O>
void adam_update(const O& o, AdamParamState& st, const Tensor& p, const Tensor& grad, bool decoupled,
                 detail::StepBatch<kernels::AdamKernelArgs>& batch) {
  if (o.amsgrad() && !st.max_exp_avg_sq.defined()) st.max_exp_avg_sq = zeros(p.sizes(), p.options());
  st.step += 1;
  auto [b1, b2] = o.betas();
  const double t = static_cast<double>(st.step);
  const double bc1 = 1 - std::pow(b1, t), bc2 = 1 - std::pow(b2, t);
  DenseParam dp(p);
  kernels::AdamKernelArgs a{dp.data().data_ptr(),
                            grad.data_ptr(),
                            st.exp_avg.data_ptr(),
                            st.exp_avg_sq.data_ptr(),
                            o.amsgrad() ? st.max_exp_avg_sq.data_ptr() : nullptr,
                            p.numel(),
                            o.lr(),
                            b1,
                            b2,
                            o.eps(),
                            o.weight_decay(),
                            o.lr() / bc1,
                            std::pow(bc2, 0.5),
                            o.amsgrad(),
                            o.maximize(),
                            decoupled};
  batch.add(std::move(dp), a, grad);
}

void init_state(AdamParamState& s, const Tensor& p) {
  s.exp_avg = zeros(p.sizes(), p.options());
  s.exp_avg_sq = zeros(p.sizes(), p.options());
}

}  // namespace

Adam::Adam(std::vector<Tensor> params, const AdamOptions& defaults)
    : Adam(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, defaults) {}
Adam::Adam(std::vector<OptimizerParamGroup> groups, const AdamOptions& defaults)
    : Optimizer("Adam", std::move(groups), defaults.clone()) {
  validate(defaults, "Adam");
  for (auto& g : param_groups_) validate(g.options_as<AdamOptions>(), "Adam");
}

Tensor Adam::step(LossClosure closure) {
  Tensor loss = run_closure(closure);
  NoGradGuard ng;
  // Options are validated before any state changes (the updates run together at the end).
  for (auto& g : param_groups_) validate(g.options_as<AdamOptions>(), "Adam");
  detail::StepBatch<kernels::AdamKernelArgs> batch;
  for_each_param_with_grad<AdamOptions>([&](AdamOptions& o, const Tensor& p, const Tensor& grad) {
    auto& st = param_state<AdamParamState>(p, [&](AdamParamState& s) { init_state(s, p); });
    adam_update(o, st, p, grad, /*decoupled=*/false, batch);
  });
  batch.run(kernels::adam_multi_step_kernel);
  return loss;
}

AdamW::AdamW(std::vector<Tensor> params, const AdamWOptions& defaults)
    : AdamW(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, defaults) {}
AdamW::AdamW(std::vector<OptimizerParamGroup> groups, const AdamWOptions& defaults)
    : Optimizer("AdamW", std::move(groups), defaults.clone()) {
  validate(defaults, "AdamW");
  for (auto& g : param_groups_) validate(g.options_as<AdamWOptions>(), "AdamW");
}

Tensor AdamW::step(LossClosure closure) {
  Tensor loss = run_closure(closure);
  NoGradGuard ng;
  // Options are validated before any state changes (the updates run together at the end).
  for (auto& g : param_groups_) validate(g.options_as<AdamWOptions>(), "AdamW");
  detail::StepBatch<kernels::AdamKernelArgs> batch;
  for_each_param_with_grad<AdamWOptions>([&](AdamWOptions& o, const Tensor& p, const Tensor& grad) {
    auto& st = param_state<AdamParamState>(p, [&](AdamParamState& s) { init_state(s, p); });
    adam_update(o, st, p, grad, /*decoupled=*/true, batch);
  });
  batch.run(kernels::adam_multi_step_kernel);
  return loss;
}

}  // namespace fluxion::optim
