// RAdam: rectifies the adaptive step while the variance estimate is unreliable (rho_t <= 5);
// runs radam_step_kernel.
#include "fluxion/optim/radam.h"

#include <cmath>

#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "kernels/optim_kernels.h"

namespace fluxion::optim {

std::vector<detail::OptionField> RAdamOptions::fields() {
  return {{"lr", &lr_},
          {"betas", &betas_},
          {"eps", &eps_},
          {"weight_decay", &weight_decay_},
          {"decoupled_weight_decay", &decoupled_weight_decay_},
          {"maximize", &maximize_}};
}

namespace {
void validate(const RAdamOptions& o) {
  FX_CHECK(o.lr() >= 0, "RAdam: invalid learning rate: ", o.lr());
  FX_CHECK(o.eps() >= 0, "RAdam: invalid epsilon value: ", o.eps());
  auto [b1, b2] = o.betas();
  FX_CHECK(b1 >= 0 && b1 < 1, "RAdam: invalid beta parameter at index 0: ", b1);
  FX_CHECK(b2 >= 0 && b2 < 1, "RAdam: invalid beta parameter at index 1: ", b2);
  FX_CHECK(o.weight_decay() >= 0, "RAdam: invalid weight_decay value: ", o.weight_decay());
}
}  // namespace

RAdam::RAdam(std::vector<Tensor> params, const RAdamOptions& defaults)
    : RAdam(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, defaults) {}
RAdam::RAdam(std::vector<OptimizerParamGroup> groups, const RAdamOptions& defaults)
    : Optimizer("RAdam", std::move(groups), defaults.clone()) {
  validate(defaults);
  for (auto& g : param_groups_) validate(g.options_as<RAdamOptions>());
}

Tensor RAdam::step(LossClosure closure) {
  Tensor loss = run_closure(closure);
  NoGradGuard ng;
  for_each_param_with_grad<RAdamOptions>([&](RAdamOptions& o, const Tensor& p, const Tensor& grad) {
    validate(o);
    auto& st = param_state<RAdamParamState>(p, [&](RAdamParamState& s) {
      s.exp_avg = zeros(p.sizes(), p.options());
      s.exp_avg_sq = zeros(p.sizes(), p.options());
    });
    st.step += 1;
    auto [b1, b2] = o.betas();
    const double t = static_cast<double>(st.step);
    const double bc1 = 1 - std::pow(b1, t), bc2 = 1 - std::pow(b2, t);
    const double rho_inf = 2 / (1 - b2) - 1;
    const double rho_t = rho_inf - 2 * t * std::pow(b2, t) / bc2;
    const bool rectified = rho_t > 5.0;
    const double rect =
        rectified ? std::pow((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t), 0.5) : 0.0;
    DenseParam dp(p);
    kernels::RAdamKernelArgs a{dp.data().data_ptr(),
                               grad.data_ptr(),
                               st.exp_avg.data_ptr(),
                               st.exp_avg_sq.data_ptr(),
                               p.numel(),
                               o.lr(),
                               b1,
                               b2,
                               o.eps(),
                               o.weight_decay(),
                               bc1,
                               std::pow(bc2, 0.5),
                               rect,
                               rectified,
                               o.maximize(),
                               o.decoupled_weight_decay()};
    kernels::radam_step_kernel.get(p.device().type(), p.dtype())(a);
    dp.finish();
  });
  return loss;
}

}  // namespace fluxion::optim
