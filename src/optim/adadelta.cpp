// Adadelta: keeps running averages of squared gradients and updates; runs adadelta_step_kernel.
#include "fluxion/optim/adadelta.h"

#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "kernels/optim_kernels.h"

namespace fluxion::optim {

std::vector<detail::OptionField> AdadeltaOptions::fields() {
  return {{"lr", &lr_}, {"rho", &rho_}, {"eps", &eps_}, {"weight_decay", &weight_decay_}, {"maximize", &maximize_}};
}

namespace {
void validate(const AdadeltaOptions& o) {
  FX_CHECK(o.lr() >= 0, "Adadelta: invalid learning rate: ", o.lr());
  FX_CHECK(o.rho() >= 0 && o.rho() <= 1, "Adadelta: invalid rho value: ", o.rho());
  FX_CHECK(o.eps() >= 0, "Adadelta: invalid epsilon value: ", o.eps());
  FX_CHECK(o.weight_decay() >= 0, "Adadelta: invalid weight_decay value: ", o.weight_decay());
}
}  // namespace

Adadelta::Adadelta(std::vector<Tensor> params, const AdadeltaOptions& defaults)
    : Adadelta(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, defaults) {}
Adadelta::Adadelta(std::vector<OptimizerParamGroup> groups, const AdadeltaOptions& defaults)
    : Optimizer("Adadelta", std::move(groups), defaults.clone()) {
  validate(defaults);
  for (auto& g : param_groups_) validate(g.options_as<AdadeltaOptions>());
}

Tensor Adadelta::step(LossClosure closure) {
  Tensor loss = run_closure(closure);
  NoGradGuard ng;
  for_each_param_with_grad<AdadeltaOptions>([&](AdadeltaOptions& o, const Tensor& p, const Tensor& grad) {
    validate(o);
    auto& st = param_state<AdadeltaParamState>(p, [&](AdadeltaParamState& s) {
      s.square_avg = zeros(p.sizes(), p.options());
      s.acc_delta = zeros(p.sizes(), p.options());
    });
    st.step += 1;
    DenseParam dp(p);
    kernels::AdadeltaKernelArgs a{dp.data().data_ptr(),
                                  grad.data_ptr(),
                                  st.square_avg.data_ptr(),
                                  st.acc_delta.data_ptr(),
                                  p.numel(),
                                  o.lr(),
                                  o.rho(),
                                  o.eps(),
                                  o.weight_decay(),
                                  o.maximize()};
    kernels::adadelta_step_kernel.get(p.device().type(), p.dtype())(a);
    dp.finish();
  });
  return loss;
}

}  // namespace fluxion::optim
