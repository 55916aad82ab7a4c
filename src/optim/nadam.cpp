// NAdam: momentum schedule mu_t = beta1 (1 - 0.5 * 0.96^(t * momentum_decay)); runs nadam_step_kernel.
#include "fluxion/optim/nadam.h"

#include <cmath>

#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "kernels/optim_kernels.h"

namespace fluxion::optim {

std::vector<detail::OptionField> NAdamOptions::fields() {
  return {{"lr", &lr_},
          {"betas", &betas_},
          {"eps", &eps_},
          {"weight_decay", &weight_decay_},
          {"momentum_decay", &momentum_decay_},
          {"decoupled_weight_decay", &decoupled_weight_decay_},
          {"maximize", &maximize_}};
}

namespace {
void validate(const NAdamOptions& o) {
  FX_CHECK(o.lr() >= 0, "NAdam: invalid learning rate: ", o.lr());
  FX_CHECK(o.eps() >= 0, "NAdam: invalid epsilon value: ", o.eps());
  auto [b1, b2] = o.betas();
  FX_CHECK(b1 >= 0 && b1 < 1, "NAdam: invalid beta parameter at index 0: ", b1);
  FX_CHECK(b2 >= 0 && b2 < 1, "NAdam: invalid beta parameter at index 1: ", b2);
  FX_CHECK(o.weight_decay() >= 0, "NAdam: invalid weight_decay value: ", o.weight_decay());
  FX_CHECK(o.momentum_decay() >= 0, "NAdam: invalid momentum_decay value: ", o.momentum_decay());
}
}  // namespace

NAdam::NAdam(std::vector<Tensor> params, const NAdamOptions& defaults)
    : NAdam(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, defaults) {}
NAdam::NAdam(std::vector<OptimizerParamGroup> groups, const NAdamOptions& defaults)
    : Optimizer("NAdam", std::move(groups), defaults.clone()) {
  validate(defaults);
  for (auto& g : param_groups_) validate(g.options_as<NAdamOptions>());
}

Tensor NAdam::step(LossClosure closure) {
  Tensor loss = run_closure(closure);
  NoGradGuard ng;
  for_each_param_with_grad<NAdamOptions>([&](NAdamOptions& o, const Tensor& p, const Tensor& grad) {
    validate(o);
    auto& st = param_state<NAdamParamState>(p, [&](NAdamParamState& s) {
      s.exp_avg = zeros(p.sizes(), p.options());
      s.exp_avg_sq = zeros(p.sizes(), p.options());
    });
    st.step += 1;
    auto [b1, b2] = o.betas();
    const double t = static_cast<double>(st.step);
    const double bc2 = 1 - std::pow(b2, t);
    const double mu = b1 * (1.0 - 0.5 * std::pow(0.96, t * o.momentum_decay()));
    const double mu_next = b1 * (1.0 - 0.5 * std::pow(0.96, (t + 1) * o.momentum_decay()));
    st.mu_product *= mu;
    const double mu_product_next = st.mu_product * mu_next;
    const double grad_coef = -o.lr() * (1.0 - mu) / (1.0 - st.mu_product);
    const double exp_avg_coef = (-o.lr() * mu_next) / (1.0 - mu_product_next);
    DenseParam dp(p);
    kernels::NAdamKernelArgs a{dp.data().data_ptr(),
                               grad.data_ptr(),
                               st.exp_avg.data_ptr(),
                               st.exp_avg_sq.data_ptr(),
                               p.numel(),
                               o.lr(),
                               b1,
                               b2,
                               o.eps(),
                               o.weight_decay(),
                               bc2,
                               grad_coef,
                               exp_avg_coef,
                               o.maximize(),
                               o.decoupled_weight_decay()};
    kernels::nadam_step_kernel.get(p.device().type(), p.dtype())(a);
    dp.finish();
  });
  return loss;
}

}  // namespace fluxion::optim
